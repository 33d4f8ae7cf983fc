"""``harbour events import --agency CODE --format FORMAT FILE.csv [--json]``: an agency's events
or needs, all or nothing (the formats are in docs/events-intake.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from django_typer.management import TyperCommand, command

from harbour.identity.event_files import (
    FORMATS,
    MAX_ERRORS,
    FileSummary,
    ImportRejected,
    count_rows,
    import_events_file,
)
from harbour.partnership.models import Agency


class Command(TyperCommand):
    help = "Agencies' events and needs: import a file in one of the formats."
    # Django's system checks import every URL module (and so every view and what they use):
    # seconds of start-up that importing a file never needs (ADR 0038). `harbour check` runs them.
    requires_system_checks: list[str] = []

    @command(name="import")
    def import_file(
        self,
        file: Annotated[Path, typer.Argument(help="A CSV file in the format's columns")],
        agency: Annotated[str, typer.Option(help="The agency's code, e.g. riverside-police")],
        format: Annotated[str, typer.Option(help="One of: " + ", ".join(FORMATS))],
        as_json: Annotated[
            bool,
            typer.Option(
                "--json", help="Print {rows, new, updated, unchanged, rejected, ...} as JSON"
            ),
        ] = False,
        backfill: Annotated[
            bool,
            typer.Option(
                "--backfill",
                help="The agency's history, loaded for the first time: no one is told and "
                "nothing reacts on arrival; run `harbour identity flags` afterwards",
            ),
        ] = False,
    ) -> None:
        """Check the whole file, then add or update every event or need in it (idempotent), and
        match the agency's records of the people on arrival."""
        self._import_one(file, agency, format, as_json=as_json, backfill=backfill)

    @command(name="index")
    def index(self) -> None:
        """Bring the kept copy of the person index that large files are matched against up to
        date (ADR 0038): run it after the nightly linkage run, so the next file starts from it."""
        from harbour.identity import kept_index

        refreshed = kept_index.refresh()
        if refreshed is None:
            self.stdout.write("No copy of the person index is kept, or there is no model yet.")
            return
        how = "read afresh" if refreshed.full else "brought up to date"
        self.stdout.write(f"The kept copy of the person index was {how}.")

    @command(name="import-list")
    def import_list(
        self,
        listing: Annotated[
            str,
            typer.Argument(
                help="A file of lines AGENCY FORMAT PATH (`-` for standard input), one a file"
            ),
        ],
        as_json: Annotated[bool, typer.Option("--json", help="One JSON summary a file")] = False,
        backfill: Annotated[
            bool,
            typer.Option("--backfill", help="As for `import`: history loaded once, no one told"),
        ] = False,
    ) -> None:
        """Import many agencies' files in one run (a nightly drop of files, or a partnership's
        history), each all or nothing as `import` does; stops at the first file refused."""
        text = sys.stdin.read() if listing == "-" else Path(listing).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split(maxsplit=2)
            if len(parts) != 3:
                self.stderr.write(f"{listing}, line {number}: expected AGENCY FORMAT PATH")
                raise typer.Exit(code=1)
            agency, file_format, path = parts
            self._import_one(Path(path), agency, file_format, as_json=as_json, backfill=backfill)

    def _import_one(
        self, file: Path, agency: str, format: str, *, as_json: bool, backfill: bool
    ) -> None:
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            self.stderr.write(f"No agency has the code {agency!r}.")
            raise typer.Exit(code=1)
        if format not in FORMATS:
            self.stderr.write(
                f"There is no format {format!r}: the formats are {', '.join(FORMATS)}."
            )
            raise typer.Exit(code=1)
        try:
            content = file.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Cannot read {file}: {exc.strerror}")
            raise typer.Exit(code=1) from exc
        try:
            summary = import_events_file(
                agency=found, format_name=format, content=content, backfill=backfill
            )
        except ImportRejected as exc:
            if as_json:
                rows = count_rows(content)
                rejected = FileSummary(rows=rows, rejected=rows).as_dict()
                rejected["errors"] = [e.as_dict() for e in exc.errors[:MAX_ERRORS]]  # type: ignore[assignment]
                self.stdout.write(json.dumps(rejected))
            self.stderr.write(f"{file}: {exc}")
            for error in exc.errors[:MAX_ERRORS]:
                self.stderr.write(f"  {error}")
            if exc.error_count > MAX_ERRORS:
                self.stderr.write(f"  … and {exc.error_count - MAX_ERRORS} more")
            raise typer.Exit(code=1) from exc
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        self.stdout.write(
            f"{file}: {summary.rows:,} rows for {found.name}: {summary.new:,} new, "
            f"{summary.updated:,} updated, {summary.unchanged:,} unchanged. On arrival: "
            f"{summary.linked:,} linked to a person, {summary.new_people:,} new people, "
            f"{summary.for_review:,} for review, {summary.held:,} held."
        )

    @command()
    def formats(self) -> None:
        """The formats, each with its columns (required ones marked *)."""
        for name, file_format in FORMATS.items():
            columns = ", ".join(
                f"{column}{'*' if cell.required else ''}"
                for column, cell in file_format.columns.items()
            )
            self.stdout.write(f"{name}: {file_format.title}\n  {columns}")
