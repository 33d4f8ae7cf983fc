"""``harbour demo generate``, ``event-files``, ``insight-files`` and ``sign-ins``: the synthetic
Riverside partnership."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from django.utils import timezone
from django_typer.management import TyperCommand, command

from harbour.demo.generator import GenerationError, generate
from harbour.demo.rapid import open_rapid_responses
from harbour.demo.signins import DEMO_PASSWORD, DEMO_SIGN_INS
from harbour.partnership.models import Role, Staff


class Command(TyperCommand):
    help = "Generate the synthetic Riverside partnership and list its demo sign-ins."

    @command()
    def generate(
        self,
        seed: Annotated[int, typer.Option(help="The same seed always makes the same data")] = 2026,
        children: Annotated[int, typer.Option(help="How many children to generate")] = 2000,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="Delete the existing partnership and its children first "
                "(audit events are kept)",
            ),
        ] = False,
        fixed_clock: Annotated[
            bool,
            typer.Option(
                "--fixed-clock",
                help="Time the referrals from the reference date, not from now, so that the "
                "same seed makes exactly the same data",
            ),
        ] = False,
        event_files: Annotated[
            Path | None,
            typer.Option(
                help="Write the agencies' events and needs as their files here, for `harbour "
                "events import` (listed by `harbour demo event-files`), instead of importing them",
            ),
        ] = None,
    ) -> None:
        """Generate agencies, staff, agreements, children, families, source records and the
        front door's referrals (timed back from now, unless --fixed-clock)."""
        try:
            summary = generate(
                seed=seed,
                children=children,
                replace=replace,
                progress=self.stdout.write,
                referrals_now=None if fixed_clock else timezone.now(),
                event_files=event_files,
            )
        except GenerationError as exc:
            self.stderr.write(str(exc))
            raise typer.Exit(code=1) from exc
        self.stdout.write(f"Generated the Riverside partnership (seed {seed}):")
        for name, count in summary.counts().items():
            self.stdout.write(f"  {name.replace('_', ' '):<22} {count:>7,}")
        self.stdout.write(f"in {summary.seconds:.1f} seconds.")

    @command(name="rapid-responses")
    def rapid_responses(self) -> None:
        """Open the demo's rapid responses to its serious incidents, as the front door would
        (run after `harbour link run`: the linked children come from the person index)."""
        opened = open_rapid_responses()
        self.stdout.write(f"Opened {opened} rapid response{'' if opened == 1 else 's'}.")

    @command(name="event-files")
    def event_files(
        self,
        directory: Annotated[
            Path, typer.Argument(help="Where `harbour demo generate --event-files` wrote them")
        ],
    ) -> None:
        """The agencies' events and needs files the generation wrote, one line a file:
        AGENCY FORMAT PATH, each for `harbour events import --agency AGENCY --format FORMAT`."""
        from harbour.demo.event_files import read_event_files

        try:
            files = read_event_files(directory)
        except FileNotFoundError as exc:
            self.stderr.write(
                f"No event files in {directory}: run `harbour demo generate --event-files "
                f"{directory}` first."
            )
            raise typer.Exit(code=1) from exc
        for found in files:
            self.stdout.write(found.line())

    @command(name="live")
    def live(
        self,
        every: Annotated[float, typer.Option(help="Seconds between two events")] = 20.0,
        base_url: Annotated[
            str, typer.Option(help="Where Harbour is served (its API is at /api/)")
        ] = "http://127.0.0.1:8000",
        count: Annotated[int, typer.Option(help="How many to send (0: until Ctrl+C)")] = 0,
        ed_token: Annotated[
            str, typer.Option(help="The emergency department's API token (made if not given)")
        ] = "",
        police_token: Annotated[
            str, typer.Option(help="The police's API token (made if not given)")
        ] = "",
        seed: Annotated[int, typer.Option(help="The same seed picks the same children")] = 2026,
    ) -> None:
        """Send one synthetic event every few seconds to POST /api/events over HTTP, as the
        emergency department's and the police's systems would (each with its agency's token
        and an Idempotency-Key), so that a user watching the demo sees new events arrive."""
        from harbour.demo import riverside as rv
        from harbour.demo.live import LiveFeed, run

        given = {code: t for code, t in ((rv.ED, ed_token), (rv.POLICE, police_token)) if t}
        feed = LiveFeed(base_url=base_url, seed=seed, given=given)
        try:
            sent = run(feed, every=every, count=count, say=self.stdout.write)
        except KeyboardInterrupt:
            return
        except (LookupError, OSError) as exc:
            self.stderr.write(f"Cannot send to {base_url}: {exc}")
            raise typer.Exit(code=1) from exc
        if any(s.status >= 400 for s in sent):
            raise typer.Exit(code=1)

    @command(name="insight-files")
    def insight_files(
        self,
        directory: Annotated[Path, typer.Argument(help="Where to write the files")],
        last_month: Annotated[
            str, typer.Option(help="The last month, YYYY-MM (default: last month)")
        ] = "",
    ) -> None:
        """Two years of Riverside's public and partners' files, in their publishers' formats,
        for `harbour insight import` (one line a file: FORMAT PATH)."""
        from harbour.demo.insight_files import write_demo_files

        if not last_month:
            today = timezone.localdate().replace(day=1)
            last_month = (today - dt.timedelta(days=1)).strftime("%Y-%m")
        for format_code, path in write_demo_files(directory, last_month=last_month):
            self.stdout.write(f"{format_code} {path}")

    @command(name="activity")
    def activity(
        self,
        seed: Annotated[int, typer.Option(help="The same seed picks the same children")] = 2026,
    ) -> None:
        """A working week's traces through the services people's actions call: break-glass
        accesses (one reviewed by the DPO) and wording checked while typing and on save."""
        from harbour.demo.activity import record_activity

        done = record_activity(seed=seed)
        self.stdout.write(
            f"Recorded {done.break_glass} break-glass accesses ({done.reviewed} reviewed) and "
            f"{done.checks} checks of wording."
        )

    @command(name="sign-ins")
    def sign_ins(self) -> None:
        """List the demo sign-ins that exist and are active, with the password."""
        agencies = dict(
            Staff.objects.filter(
                email__in=[s.email for s in DEMO_SIGN_INS], is_active=True
            ).values_list("email", "agency__name")
        )
        header = ("Role", "Email", "Agency")
        rows = [
            (str(Role(s.role).label), s.email, agencies[s.email] or "")
            for s in DEMO_SIGN_INS
            if s.email in agencies
        ]
        if not rows:
            self.stderr.write("No demo sign-ins: run `harbour demo generate` first.")
            raise typer.Exit(code=1)
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        for role, email, agency in [header, *rows]:
            self.stdout.write(f"{role:<{widths[0]}}  {email:<{widths[1]}}  {agency}")
        self.stdout.write(f"\nPassword for every demo sign-in: {DEMO_PASSWORD}")
