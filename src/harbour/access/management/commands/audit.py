"""``harbour audit``: verify the hash chain (with the anchors outside the database), anchor its
head (every 15 minutes, from a timer), watch the stream for suspicious access (from a timer),
and keep the register of declared connections (ADR 0041)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django_typer.management import TyperCommand, command

from harbour.access import policy, services, watch
from harbour.access.anchor import AnchorError, anchor_path
from harbour.access.audit import anchor_chain
from harbour.access.models import AccessAlertRule, AuditChainHead
from harbour.access.trail import chain_check
from harbour.partnership.models import Staff


class Command(TyperCommand):
    help = "Check, anchor and watch the audit log."

    @command()
    def verify(self) -> None:
        """Walk the chain from sequence 1, look past its head, and compare it with the latest
        anchor; exit 1 and name the first problem if anything is wrong. The check is itself
        recorded (when the log can still be written), so the DPO's trail shows when it ran."""
        report = chain_check(actor=None, system_actor="audit-verify")
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}.")
        if report.ok:
            self.stdout.write(f"Audit chain intact: {report.events_checked} events verified.")
            return
        raise CommandError(
            f"Audit chain BROKEN at {report.problem} "
            f"({report.events_checked} events verified before it).",
            returncode=1,
        )

    @command()
    def anchor(self) -> None:
        """Append the chain's head, signed, to the anchor file outside the database (after
        checking the events since the last anchor). Run every 15 minutes from a timer; exits 1,
        writing nothing, if the chain is broken."""
        try:
            result = anchor_chain()
        except (AnchorError, OSError) as exc:
            raise CommandError(f"Cannot anchor the audit chain: {exc}", returncode=1) from exc
        if result.anchor is None:
            raise CommandError(
                f"Not anchored: the audit chain is BROKEN at {result.report.problem}.",
                returncode=1,
            )
        self.stdout.write(
            f"Anchored sequence {result.anchor.sequence} in {anchor_path()} "
            f"({result.report.events_checked} new events checked)."
        )

    @command(name="watch")
    def watch_stream(self) -> None:
        """Run the suspicious-access rules over the recent audit stream and put what they find
        in the data protection officer's queue. Run from a timer (every 15 minutes); running it
        again raises nothing twice."""
        result = watch.watch()
        labels = dict(AccessAlertRule.choices)
        self.stdout.write(
            f"{result.total} new alert{'' if result.total == 1 else 's'} for the data "
            f"protection officer ({result.extended} extended)."
        )
        for rule, count in sorted(result.raised.items()):
            self.stdout.write(f"  {labels[rule]}: {count}")

    @command(name="declare-connection")
    def declare_connection(
        self,
        staff: Annotated[str, typer.Option(help="Username of the member of staff")],
        given_name: Annotated[str, typer.Option(help="The person's first name")],
        family_name: Annotated[str, typer.Option(help="The person's last name")],
        born: Annotated[str, typer.Option(help="Date of birth, YYYY-MM-DD")],
        connection: Annotated[str, typer.Option(help="For example: nephew, neighbour")],
        by: Annotated[str, typer.Option(help="Username of who records it (DPO or the staff)")],
    ) -> None:
        """Add someone to the register of declared connections."""
        try:
            date_of_birth = dt.date.fromisoformat(born)
        except ValueError as exc:
            raise CommandError(f"--born must be a date as YYYY-MM-DD, not {born!r}") from exc
        member = Staff.objects.filter(username=staff).first()
        actor = Staff.objects.filter(username=by).first()
        if member is None or actor is None:
            raise CommandError(f"No such member of staff: {staff if member is None else by!r}")
        try:
            services.declare_connection(
                actor=actor,
                staff=member,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=date_of_birth,
                connection=connection,
            )
        except policy.Forbidden as exc:
            raise CommandError(f"{by} may not record connections for {staff}") from exc
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(f"Recorded a connection for {staff}.")

    @command()
    def head(self) -> None:
        """Print the last sequence number and hash."""
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is None:
            self.stdout.write("No audit events yet.")
        else:
            self.stdout.write(f"sequence {head.last_sequence} hash {head.last_hash}")
