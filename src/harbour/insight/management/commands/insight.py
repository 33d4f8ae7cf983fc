"""``harbour insight import --format FORMAT FILE [--json]``: a file into the analytical store, all
or nothing and idempotent (the formats are in docs/insight-import.md); ``harbour insight status``:
what the store holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from django_typer.management import TyperCommand, command

from harbour.insight.engine import FORMATS
from harbour.insight.models import ImportStatus, StoreFile
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
