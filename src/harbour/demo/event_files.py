"""The demo's agency events and needs as each agency would send them: CSV files in the formats of
``identity.event_files`` (``docs/events-intake.md``), one file per agency and format, imported
with ``harbour events import`` like any agency's (issue 11, part 6; ADR 0029).

``harbour demo generate --event-files DIR`` plans the events (``demo.events``), the needs
(``demo.needs``) and the serious incidents (``demo.rapid``) at their point in the generation and
writes them here, with ``files.txt`` listing each file as ``AGENCY FORMAT PATH``;
``harbour demo event-files DIR`` prints that list for the Makefile to import each. Without a
directory, ``generate`` imports them itself, through the same import, so that a generated
partnership is whole (the tests use that).

Each row carries the person's details exactly as the agency's record already holds them, so the
import finds every record unchanged and leaves the person index as the generator made it. An
emergency department attendance gets a time of arrival (and, after an assault, of the assault)
drawn from its own reference, so the seed's other draws are unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harbour.demo import riverside
from harbour.demo.events import PlannedEvent
from harbour.demo.needs import PlannedNeed
from harbour.identity.event_files import FORMATS, FileSummary, import_events_file, other_prefix
from harbour.identity.intake import ASSAULT_CATEGORIES
from harbour.identity.models import AssaultLocationType, AssaultMethod, EventKind, SourceRecord
from harbour.partnership.models import Agency

MANIFEST = "files.txt"

FORMAT_OF_KIND: dict[str, str] = {
    EventKind.ED_ATTENDANCE: "ed-attendance",
    EventKind.AMBULANCE: "ambulance",
    EventKind.INCIDENT: "police-incident",
    EventKind.ARREST: "police-incident",
    EventKind.CUSTODY: "police-incident",
    EventKind.STOP_SEARCH: "police-incident",
    EventKind.MISSING: "missing",
    EventKind.RETURN_INTERVIEW: "missing",
    EventKind.SUSPENSION: "exclusions",
    EventKind.PERMANENT_EXCLUSION: "exclusions",
    EventKind.CONTACT: "contacts",
    EventKind.YOUTH_JUSTICE: "contacts",
    EventKind.OTHER: "contacts",
}


@dataclass(frozen=True)
class EventFile:
    agency: str  # the agency's code
    format: str
    path: Path

    def line(self) -> str:
        return f"{self.agency} {self.format} {self.path}"


def person_columns(record: SourceRecord) -> dict[str, str]:
    """The person columns, as the agency's record holds them."""
    return {
        "source_system": record.source_system,
        "source_id": record.source_id,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else "",
        "sex": record.sex,
        "postcode": record.postcode,
        "address": record.address_line,
        "nhs_number": record.nhs_number,
        "school_urn": record.school_urn,
        "upn": record.upn,
        "as_of": record.as_of.isoformat() if record.as_of else "",
    }


def _minutes(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M")


def _ed_times(event: PlannedEvent) -> dict[str, str]:
    """An attendance's time of arrival, and of the assault before it: in the day, so that the
    date stays the event's and the clocks never skip the time."""
    rng = random.Random(f"{event.reference}/{event.record.source_id}")
    arrival = dt.datetime.combine(event.occurred_on, dt.time(rng.randint(9, 22), rng.randrange(60)))
    times = {"arrival_at": _minutes(arrival)}
    if event.category in ASSAULT_CATEGORIES:
        times["assault_at"] = _minutes(arrival - dt.timedelta(minutes=rng.randint(20, 150)))
    return times


SECTOR_LSOAS = {sector.sector: sector.lsoas for sector in riverside.POSTCODE_SECTORS}


def event_lsoa(event: PlannedEvent) -> str:
    """Where the event happened, as the agency's system codes it: an LSOA of the child's home
    postcode sector (one of its two, where it spans two), so the hidden harm page can place
    children's events in areas (ADR 0036)."""
    lsoas = SECTOR_LSOAS.get(event.record.postcode[:-2].strip()) if event.record.postcode else None
    if not lsoas:
        return ""
    rng = random.Random(f"lsoa/{event.reference}/{event.record.source_id}")
    return rng.choice(lsoas).code


def event_row(event: PlannedEvent) -> dict[str, str]:
    """One line of the agency's file for ``event``."""
    file_format = FORMATS[FORMAT_OF_KIND[event.kind]]
    row = person_columns(event.record) | {
        "reference": event.reference,
        "summary": event.summary,
        "severity": str(event.severity),
        "category": event.category,
        "role": event.role,
        "weapon": "yes" if event.weapon else "no",
    }
    if "kind" in file_format.columns:
        row["kind"] = event.kind
    lsoa = event_lsoa(event)
    if lsoa:
        row["lsoa21"] = lsoa
    if event.kind == EventKind.ED_ATTENDANCE:
        row |= _ed_times(event)
        if event.category in ASSAULT_CATEGORIES:
            row["assault_method"] = event.assault_method or AssaultMethod.NOT_KNOWN
            row["assault_location_type"] = (
                event.assault_location_type or AssaultLocationType.NOT_KNOWN
            )
    else:
        row["occurred_on"] = event.occurred_on.isoformat()
    if event.exclusion_reason:
        row["reason"] = event.exclusion_reason
    for n, participant in enumerate(event.participants):
        prefix = other_prefix(n)
        row[prefix + "role"] = participant.role
        if participant.record is not None:
            row[prefix + "source_id"] = participant.record.source_id
            if participant.record.source_system != event.record.source_system:
                row[prefix + "source_system"] = participant.record.source_system
            continue
        row[prefix + "name"] = participant.name
        if participant.approximate_age is not None:
            row[prefix + "age"] = str(participant.approximate_age)
        row[prefix + "is_adult"] = "yes" if participant.is_adult else "no"
        row[prefix + "poses_risk"] = "yes" if participant.poses_risk else "no"
    return row


def need_row(need: PlannedNeed, record: SourceRecord) -> dict[str, str]:
    return person_columns(record) | {
        "need": need.kind,
        "detail": need.detail,
        "recorded_on": need.recorded_on.isoformat(),
    }


def _csv(format_name: str, rows: Sequence[dict[str, str]]) -> str:
    """The rows under a header of the columns they use, in the format's order."""
    used = {column for row in rows for column in row}
    header = [column for column in FORMATS[format_name].columns if column in used]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def event_files(
    events: Iterable[PlannedEvent], needs: Iterable[PlannedNeed]
) -> dict[tuple[str, str], str]:
    """Each agency's files' text, by (agency code, format)."""
    rows: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for event in events:
        rows[(event.record.agency.code, FORMAT_OF_KIND[event.kind])].append(event_row(event))
    needs = list(needs)
    records = SourceRecord.objects.select_related("agency").in_bulk(
        sorted({n.record_id for n in needs})
    )
    for need in needs:
        record = records[need.record_id]
        rows[(record.agency.code, "needs")].append(need_row(need, record))
    return {key: _csv(key[1], found) for key, found in sorted(rows.items())}


def write_event_files(
    directory: Path, events: Iterable[PlannedEvent], needs: Iterable[PlannedNeed]
) -> list[EventFile]:
    """Write each agency's files into ``directory``, and the list of them (``files.txt``)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[EventFile] = []
    for (agency, format_name), text in event_files(events, needs).items():
        path = directory / f"{agency}-{format_name}.csv"
        path.write_text(text, encoding="utf-8")
        written.append(EventFile(agency, format_name, path))
    # Needs last, as an agency sends them after the events (it makes no difference to either).
    written.sort(key=lambda f: (f.format == "needs", f.agency, f.format))
    (directory / MANIFEST).write_text("".join(f"{f.line()}\n" for f in written), encoding="utf-8")
    return written


def read_event_files(directory: Path) -> list[EventFile]:
    """The files ``write_event_files`` wrote into ``directory``, in the order to import them.
    ``FileNotFoundError`` when it wrote none there."""
    files = []
    for line in (directory / MANIFEST).read_text(encoding="utf-8").splitlines():
        agency, format_name, path = line.split(" ", 2)
        files.append(EventFile(agency, format_name, Path(path)))
    return files


def import_event_files(files: Iterable[EventFile]) -> dict[str, int]:
    """Import each file as ``harbour events import`` does (``import_events_file``); the totals
    of their summaries."""
    totals: dict[str, Any] = defaultdict(int)
    agencies = {a.code: a for a in Agency.objects.all()}
    for found in files:
        summary: FileSummary = import_events_file(
            agency=agencies[found.agency],
            format_name=found.format,
            content=found.path.read_bytes(),
            backfill=True,  # years of history, loaded once: no one is told (ADR 0028)
        )
        totals["needs" if found.format == "needs" else "events"] += summary.rows
        for name, count in summary.as_dict().items():
            totals[name] += count
    return dict(totals)
