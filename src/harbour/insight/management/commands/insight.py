"""``harbour insight import --format FORMAT FILE [--json]``: a file into the analytical store, all
or nothing and idempotent (the formats are in docs/insight-import.md); ``harbour insight status``:
what the store holds; ``harbour insight extract [--json]``: Harbour's own data into the store as
pseudonymised extracts (from a timer, ADR 0039); ``harbour insight alerts check [--month
YYYY-MM]``: the monthly check for emerging patterns (from a timer), and ``harbour insight alerts
measures|measure``: what it watches and how (ADR 0034)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from django_typer.management import TyperCommand, command, group

from harbour.insight import alerts as alert_checks
from harbour.insight import extracts
from harbour.insight.engine import FORMATS
from harbour.insight.models import AlertSeries, ImportStatus, StoreFile
from harbour.insight.services import import_file
from harbour.tabular import MAX_ERRORS, ImportRejected


class Command(TyperCommand):
    help = "The analytical store: import public and partners' files, and see what it holds."

    @command(name="import")
    def import_(
        self,
        file: Annotated[Path, typer.Argument(help="The file, as its publisher gives it")],
        format: Annotated[str, typer.Option(help="One of: " + ", ".join(FORMATS))],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print a JSON summary: rows, new, unchanged...")
        ] = False,
        quarantine: Annotated[
            bool,
            typer.Option(
                "--quarantine/--refuse",
                help="Set rows with problems aside (listed) instead of refusing the file; "
                "the default is the partnership's setting",
            ),
        ] = False,
    ) -> None:
        """Check the whole file, then add it to the store (importing it again adds nothing)."""
        try:
            content = file.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Cannot read {file}: {exc.strerror}")
            raise typer.Exit(code=1) from exc
        last = [""]

        def progress(stage: str, done: int, total: int) -> None:
            # One line a stage, and one a month written: enough to see it move on a large file.
            line = f"{stage} {done:,} of {total:,}" if total else stage
            new_stage = stage == "writing" or line.split(" ")[0] != last[0] or done == total
            if new_stage and line != last[0]:
                sys.stderr.write(f"{file.name}: {line}\n")
                sys.stderr.flush()
                last[0] = line

        try:
            run = import_file(
                actor=None,
                format_code=format,
                content=content,
                file_name=file.name,
                quarantine=quarantine or None,
                progress=progress,
            )
        except ImportRejected as exc:
            self.stderr.write(f"{file}: {exc}")
            raise typer.Exit(code=1) from exc
        summary = {
            "import": str(run.pk),
            "format": run.format,
            "file": file.name,
            "status": run.status,
            "rows": run.rows,
            "new": run.new,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
            "months": run.months,
            # The import itself, without the command's start-up.
            "seconds": round((run.finished_at - run.started_at).total_seconds(), 2)
            if run.finished_at and run.started_at
            else None,
            "notes": run.notes,
            "errors": run.errors,
            "error_count": run.error_count,
        }
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
        elif run.status == ImportStatus.REFUSED:
            pass
        else:
            self.stdout.write(
                f"{file}: {run.rows:,} rows: {run.new:,} new, {run.updated:,} updated, "
                f"{run.unchanged:,} unchanged, {run.rejected:,} rejected"
                + (" (imported before)" if run.status == ImportStatus.ALREADY_IMPORTED else "")
            )
        if run.status == ImportStatus.REFUSED or run.errors:
            self.stderr.write(f"{file}: {run.message}")
            for error in run.errors[:MAX_ERRORS]:
                where = (
                    f"line {error['line']}" if "line" in error else f"feature {error['feature']}"
                )
                column = f", {error['column']}" if error.get("column") else ""
                value = f" (got {error['value']!r})" if error.get("value") is not None else ""
                self.stderr.write(f"  {where}{column}: {error['problem']}{value}")
            if run.error_count > MAX_ERRORS:
                self.stderr.write(f"  … and {run.error_count - MAX_ERRORS} more")
        if run.status == ImportStatus.REFUSED:
            raise typer.Exit(code=1)

    @command()
    def extract(
        self,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print a JSON summary: rows by extract, months...")
        ] = False,
    ) -> None:
        """Refresh Harbour's own data in the store as pseudonymised extracts (referrals,
        decisions, plans, cumulative-harm flags, agencies' events): all or nothing, and running
        it again with nothing changed writes nothing. Run from a timer (ADR 0039)."""

        def progress(stage: str, done: int, total: int) -> None:
            if not as_json:
                sys.stderr.write(f"extract: {stage} {done} of {total}\n")
                sys.stderr.flush()

        try:
            run = extracts.run_extract(progress=progress)
        except extracts.ExtractRefused as exc:
            self.stderr.write(str(exc))
            raise typer.Exit(code=1) from exc
        tables = {t: run.notes.get(t, 0) for t in extracts.READERS}
        summary = {
            "extract": str(run.pk),
            "status": run.status,
            "rows": run.rows,
            "tables": tables,
            "new": run.new,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "months": len(run.months),
            "first_month": run.months[0] if run.months else None,
            "last_month": run.months[-1] if run.months else None,
            "seconds": round((run.finished_at - run.started_at).total_seconds(), 2)
            if run.finished_at and run.started_at
            else None,
        }
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(
            f"Extracted {run.rows:,} rows over {len(run.months)} months: "
            + ", ".join(f"{t.removeprefix('harbour_')} {n:,}" for t, n in tables.items())
            + f" ({run.unchanged:,} unchanged)."
        )

    @command()
    def status(self) -> None:
        """Rows and months held for each table (counts only)."""
        files = StoreFile.objects.filter(is_current=True)
        tables = sorted({f.table for f in files})
        if not tables:
            self.stdout.write("The store is empty.")
        for table in tables:
            mine = [f for f in files if f.table == table]
            months = sorted(f.month for f in mine)
            self.stdout.write(
                f"  {table:<20} {sum(f.rows for f in mine):>10,} rows  "
                f"{months[0]} to {months[-1]} ({len(months)} months)"
            )

    @group()
    def alerts(self) -> None:
        """Emerging-pattern alerts: the monthly check, and what it watches."""

    # Not named ``check``: that is Django's system check on every command.
    @alerts.command(name="check")
    def check_month(
        self,
        month: Annotated[
            str | None,
            typer.Option(help="The month to check, YYYY-MM (default: the latest the store holds)"),
        ] = None,
    ) -> None:
        """Check a month against the months before it, for every measure turned on; raise an
        alert for each rise beyond what they predict, and tell the measure's leaders. Run once a
        month from a timer, after the month's files are imported; running it again raises
        nothing twice."""
        if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            self.stderr.write(f"--month must be a month as YYYY-MM, not {month!r}")
            raise typer.Exit(code=2)
        try:
            result = alert_checks.run_check(month=month)
        except ValueError as exc:
            self.stderr.write(str(exc))
            raise typer.Exit(code=1) from exc
        run = result.check
        self.stdout.write(
            f"Checked {alert_checks.month_label(run.month)}: {run.series_checked} series, "
            f"{len(result.raised)} alert{'' if len(result.raised) == 1 else 's'} raised."
        )
        for alert in result.raised:
            self.stdout.write(
                f"  {alert_checks.summary(alert)} (P = {alert.probability:.2g}, {alert.method})"
            )
        for series in result.skipped:
            self.stdout.write(f"  {AlertSeries(series).label}: no data for that month")

    @alerts.command(name="measures")
    def list_measures(self) -> None:
        """What the check watches, and how."""
        for measure in alert_checks.measures():
            leaders = ", ".join(p.get_username() for p in measure.leaders.all()) or "every leader"
            self.stdout.write(
                f"  {measure.series:<26} {'on ' if measure.active else 'off'}  "
                f"look back {measure.look_back} months, threshold {measure.threshold:g}, "
                f"at least {measure.min_count}; tells {leaders}"
            )

    @alerts.command(name="measure")
    def set_measure(
        self,
        series: Annotated[str, typer.Argument(help="One of: " + ", ".join(AlertSeries.values))],
        active: Annotated[bool | None, typer.Option("--on/--off", help="Watch it or not")] = None,
        look_back: Annotated[int | None, typer.Option(help="Months of baseline")] = None,
        threshold: Annotated[float | None, typer.Option(help="Probability, e.g. 0.001")] = None,
        min_count: Annotated[int | None, typer.Option(help="Smallest count to alert on")] = None,
        leaders: Annotated[
            str | None, typer.Option(help="Usernames of the leaders to tell, comma-separated")
        ] = None,
    ) -> None:
        """Change one measure's settings (audited)."""
        if series not in AlertSeries.values:
            self.stderr.write(f"No such measure: {series!r}")
            raise typer.Exit(code=2)
        try:
            alert_checks.set_measure(
                series=series,
                active=active,
                look_back=look_back,
                threshold=threshold,
                min_count=min_count,
                leaders=[n.strip() for n in leaders.split(",") if n.strip()]
                if leaders is not None
                else None,
            )
        except ValueError as exc:
            self.stderr.write(str(exc))
            raise typer.Exit(code=1) from exc
        self.list_measures()
