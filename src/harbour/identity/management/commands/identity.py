"""``harbour identity import --agency CODE FILE.csv``: an agency's person records, all or nothing
(the format is in docs/identity-import.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from django_typer.management import TyperCommand, command

from harbour.identity.imports import MAX_ERRORS, ImportRejected, import_person_records
from harbour.identity.models import (
    HeldRecord,
    LinkageModel,
    LinkageRun,
    Person,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)
from harbour.partnership.models import Agency


class Command(TyperCommand):
    help = "The person index: import agencies' person records, and see where linkage stands."

    @command()
    def status(self) -> None:
        """Counts only (no one's details): records, people, held records, pairs to review."""
        model = LinkageModel.objects.filter(is_current=True).first()
        run = LinkageRun.objects.order_by("-started_at").first()
        self.stdout.write(
            f"Current model: v{model.version}, trained {model.trained_at:%Y-%m-%d %H:%M} on "
            f"{model.record_count:,} records"
            if model
            else "No linkage model yet: run `harbour link train`."
        )
        if run:
            self.stdout.write(f"Last run: {run.pk}, {run.started_at:%Y-%m-%d %H:%M}")
        for label, value in (
            ("source records", SourceRecord.objects.count()),
            ("records linked", PersonRecord.objects.count()),
            ("people", Person.objects.filter(merged_into__isnull=True).count()),
            ("people merged away", Person.objects.filter(merged_into__isnull=False).count()),
            ("held for review", HeldRecord.objects.filter(released_at__isnull=True).count()),
            ("pairs to review", ReviewPair.objects.filter(status=ReviewStatus.PENDING).count()),
        ):
            self.stdout.write(f"  {label:<20} {value:>9,}")

    @command(name="import")
    def import_records(
        self,
        file: Annotated[Path, typer.Argument(help="A CSV file in the format of the docs")],
        agency: Annotated[str, typer.Option(help="The agency's code, e.g. riverside-police")],
    ) -> None:
        """Check the whole file, then add or update every record in it (idempotent)."""
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            self.stderr.write(f"No agency has the code {agency!r}.")
            raise typer.Exit(code=1)
        try:
            content = file.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Cannot read {file}: {exc.strerror}")
            raise typer.Exit(code=1) from exc
        try:
            summary = import_person_records(agency=found, content=content)
        except ImportRejected as exc:
            self.stderr.write(f"{file}: {exc}")
            for error in exc.errors[:MAX_ERRORS]:
                self.stderr.write(f"  {error}")
            if exc.error_count > MAX_ERRORS:
                self.stderr.write(f"  … and {exc.error_count - MAX_ERRORS} more")
            raise typer.Exit(code=1) from exc
        self.stdout.write(
            f"{file}: {summary.rows:,} rows for {found.name}: {summary.created:,} new, "
            f"{summary.updated:,} updated, {summary.unchanged:,} unchanged."
        )
        if summary.warnings:
            self.stdout.write(
                f"{len(summary.warnings):,} identifiers are kept as given but not used for "
                "matching:"
            )
            for warning in summary.warnings[:MAX_ERRORS]:
                self.stdout.write(f"  {warning}")
            if len(summary.warnings) > MAX_ERRORS:
                self.stdout.write(f"  … and {len(summary.warnings) - MAX_ERRORS:,} more")
        if summary.created or summary.updated:
            self.stdout.write("Run `harbour link run --incremental` to link the new records.")

    @command()
    def export(
        self,
        agency: Annotated[str, typer.Option(help="The agency's code, e.g. riverside-police")],
        out: Annotated[
            Path | None, typer.Option(help="The CSV file to write (standard output if none)")
        ] = None,
        recipient: Annotated[
            str, typer.Option(help="Who receives the file, for the audit trail")
        ] = "",
    ) -> None:
        """Person numbers back to an agency: for every record it has sent, Harbour's person
        number and status (linked, held, closed, pending), as CSV. Audited."""
        import csv
        import os
        import tempfile

        from harbour.identity import numbers
        from harbour.web.responses import csv_cell

        found = Agency.objects.filter(code=agency).first()
        if found is None:
            self.stderr.write(f"No agency has the code {agency!r}.")
            raise typer.Exit(code=1)
        rows = numbers.export_all(
            found, actor="cli:identity-export", recipient=recipient or found.code
        )
        if out is None:
            stream = getattr(self.stdout, "_out", sys.stdout)
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(numbers.HEADER)
            for row in rows:
                writer.writerow([csv_cell(value) for value in row])
            return
        # Written beside the target and renamed into place: never half a file.
        handle, partial = tempfile.mkstemp(dir=out.resolve().parent, prefix=f".{out.name}.")
        count = 0
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
                writer = csv.writer(file)
                writer.writerow(numbers.HEADER)
                for row in rows:
                    writer.writerow([csv_cell(value) for value in row])
                    count += 1
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{out}: {count:,} records of {found.name}.")

    @command()
    def reconcile(self) -> None:
        """Needs reconciliation: raise, refresh and resolve needs discrepancies (idempotent)."""
        from harbour.identity.needs import reconcile

        s = reconcile()
        self.stdout.write(
            f"{s.children:,} children compared: {s.raised:,} discrepancies raised, "
            f"{s.still_open:,} still open, {s.reopened:,} reopened, {s.resolved:,} resolved."
        )

    @command()
    def flags(self) -> None:
        """Cumulative-harm flags: run every current rule over the agency events (idempotent)."""
        from harbour.identity.flags import raise_flags, seed_example_rules
        from harbour.identity.models import FlagRule

        if not FlagRule.objects.exists():
            self.stdout.write(f"No rules: added the {seed_example_rules()} example rules.")
        s = raise_flags()
        self.stdout.write(f"{s.raised:,} flags raised, {s.existing:,} already raised.")
        for code, count in sorted(s.by_rule.items()):
            self.stdout.write(f"  {code:<28} {count:>6,}")
