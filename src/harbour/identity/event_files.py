"""Agencies' events and needs as CSV files, one format per kind of source (issue 11, part 2;
the columns are in ``docs/events-intake.md``): ``ed-attendance``, ``ambulance``,
``police-incident``, ``missing``, ``exclusions`` and ``needs``.

Each format is a pandera schema (which columns, which are required, each cell's form and code
list; an unknown column is an error); each row then becomes an ``intake.EventIn`` or
``intake.NeedIn`` and meets the same rules as the API's (``intake.check_event``). Any error
rejects the whole file, every one named by line and column, and nothing is saved; otherwise
``intake.receive_events`` saves every row in one transaction (the same file again changes
nothing) and the records of people that arrived or changed are matched on arrival."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import pandera.pandas as pa
from django.conf import settings

from harbour.identity import bulk_arrivals, intake
from harbour.identity.models import (
    AssaultLocationType,
    AssaultMethod,
    EventCategory,
    EventKind,
    EventRole,
    ExclusionReason,
    SourceNeedKind,
    SourceRecord,
)
from harbour.partnership.models import Agency, Staff
from harbour.tabular import (
    MAX_ERRORS,
    ImportRejected,
    LineError,
    decode,
    problems,
    read_csv,
    schema_errors,
)

__all__ = ["FORMATS", "MAX_ERRORS", "FileSummary", "ImportRejected", "import_events_file"]

MAX_ROWS = 200_000
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")


@dataclass(frozen=True)
class Cell:
    """How one column's cells read: ``parse`` turns the text into a value or raises
    ``ValueError``; ``form`` says what the text must look like."""

    parse: Callable[[str], Any]
    form: str
    required: bool = False


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit or "\x00" in value:
            raise ValueError(value)
        return value

    return parse


def _code(choices: Any, allowed: tuple[str, ...] | None = None) -> Callable[[str], str]:
    values = tuple(allowed or choices.values)

    def parse(value: str) -> str:
        if value not in values:
            raise ValueError(value)
        return value

    return parse


def _number(value: str) -> float:
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        number = int(value)
        if not low <= number <= high:
            raise ValueError(value)
        return number

    return parse


def _yes_no(value: str) -> bool:
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    raise ValueError(value)


def _identity(value: str) -> str:
    return value


DATE = Cell(intake.parse_date, "must be a date like 2026-03-27")
DATE_TIME = Cell(
    intake.parse_date_time,
    f"must be a date and time like 2026-03-27T21:40 that exists in {settings.TIME_ZONE}",
)

PERSON_COLUMNS: dict[str, Cell] = {
    "source_system": Cell(_text(60), "is 1 to 60 characters", required=True),
    "source_id": Cell(_text(64), "is 1 to 64 characters", required=True),
    "given_name": Cell(_text(100), "is at most 100 characters"),
    "family_name": Cell(_text(100), "is at most 100 characters"),
    "date_of_birth": DATE,
    "sex": Cell(_identity, "must be M, F or U"),
    "postcode": Cell(_identity, "must be a UK postcode, like RV1 2AB"),
    "address": Cell(_text(300), "is at most 300 characters"),
    "nhs_number": Cell(_identity, "must be 10 digits"),
    "school_urn": Cell(_identity, "must be a 6-digit URN"),
    "upn": Cell(_identity, "must be a UPN"),
    "as_of": DATE,
    "person_id": Cell(_identity, "must be a person's number, like P-000123"),
}

EVENT_COLUMNS: dict[str, Cell] = {
    "reference": Cell(_text(64), "is 1 to 64 characters", required=True),
    "occurred_at": DATE_TIME,
    "occurred_on": DATE,
    "recorded_at": DATE_TIME,
    "summary": Cell(_text(5000), "is 1 to 5,000 characters", required=True),
    "severity": Cell(_whole(1, 4), "must be 1, 2, 3 or 4"),
    "category": Cell(_code(EventCategory), "must be one of: " + ", ".join(EventCategory.values)),
    "role": Cell(_code(EventRole), "must be one of: " + ", ".join(EventRole.values)),
    "weapon": Cell(_yes_no, "must be yes or no"),
    "means": Cell(_text(100), "is at most 100 characters"),
    "location": Cell(_text(300), "is at most 300 characters"),
    "location_postcode": Cell(_identity, "must be a postcode or its sector"),
    "latitude": Cell(_number, "must be a number of degrees (WGS84)"),
    "longitude": Cell(_number, "must be a number of degrees (WGS84)"),
    "easting": Cell(_number, "must be a number of metres (British National Grid)"),
    "northing": Cell(_number, "must be a number of metres (British National Grid)"),
    "lsoa21": Cell(_identity, "must be a 2021 LSOA code"),
}


#: How many other people one line can name (``other_``, ``other_2_``, ``other_3_``).
OTHERS = 3


def other_prefix(n: int) -> str:
    return "other_" if n == 0 else f"other_{n + 1}_"


def other_columns() -> dict[str, Cell]:
    """The columns naming the other people an event involves: each by name (with an age, and
    whether an adult who poses a risk to children), or by the agency's own record of them
    (``source_id``, and ``source_system`` when it is not the line's): a person on another line
    of the file, or one the agency has sent before."""
    columns: dict[str, Cell] = {}
    for n in range(OTHERS):
        prefix = other_prefix(n)
        columns |= {
            prefix + "name": Cell(_text(200), "is at most 200 characters"),
            prefix + "age": Cell(_whole(0, 120), "must be a whole number of years"),
            prefix + "role": Cell(
                _code(EventRole), "must be one of: " + ", ".join(EventRole.values)
            ),
            prefix + "is_adult": Cell(_yes_no, "must be yes or no"),
            prefix + "poses_risk": Cell(_yes_no, "must be yes or no"),
            prefix + "source_system": Cell(_text(60), "is at most 60 characters"),
            prefix + "source_id": Cell(_text(64), "is at most 64 characters"),
        }
    return columns


def _kinds(*kinds: str) -> Cell:
    return Cell(_code(EventKind, kinds), "must be one of: " + ", ".join(kinds))


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    columns: dict[str, Cell]
    kind: str = ""  # the kind every row is, when the file has no kind column
    defaults: dict[str, Any] = field(default_factory=dict)
    # file column -> EventIn field, where they differ
    renamed: dict[str, str] = field(default_factory=dict)
    needs: bool = False

    @property
    def unique(self) -> list[str]:
        if self.needs:
            return ["source_system", "source_id", "need"]
        return ["reference", "source_system", "source_id"]

    def column_of(self, name: str) -> str:
        """The file's column for an ``EventIn``/``NeedIn`` field named in a rule's error."""
        name = name.removeprefix("person.")
        if name.startswith("participants."):
            _, number, rest = name.split(".", 2)
            field_name = rest.rsplit(".", 1)[-1].replace("approximate_age", "age")
            return other_prefix(int(number)) + field_name
        backwards = {target: column for column, target in self.renamed.items()}
        return backwards.get(name, name)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "ed-attendance",
            "Emergency department attendances of identified children (ISTV items)",
            {
                **PERSON_COLUMNS,
                **EVENT_COLUMNS,
                "summary": Cell(_text(5000), "is at most 5,000 characters"),
                "arrival_at": Cell(intake.parse_date_time, DATE_TIME.form, required=True),
                # Required by the rules when the attendance followed an assault (the category).
                "assault_at": DATE_TIME,
                "assault_method": Cell(
                    _code(AssaultMethod),
                    "must be an ISTV assault method code: " + ", ".join(AssaultMethod.values),
                ),
                "assault_method_other": Cell(_text(100), "is at most 100 characters"),
                "assault_location_type": Cell(
                    _code(AssaultLocationType),
                    "must be an ISTV assault location type code: "
                    + ", ".join(AssaultLocationType.values),
                ),
                "assault_location_description": Cell(_text(300), "is at most 300 characters"),
            },
            kind=EventKind.ED_ATTENDANCE,
            defaults={
                "role": EventRole.PATIENT,
                "category": EventCategory.ASSAULT,
                "severity": 2,
                "summary": "Attended the emergency department after an assault.",
            },
            renamed={
                "arrival_at": "ed_arrival_at",
                "assault_at": "ed_assault_at",
                "assault_method": "ed_assault_method",
                "assault_method_other": "ed_assault_method_other",
                "assault_location_type": "ed_location_type",
                "assault_location_description": "ed_location_description",
                "location_postcode": "postcode",
            },
        ),
        Format(
            "ambulance",
            "Ambulance call-outs",
            {**PERSON_COLUMNS, **EVENT_COLUMNS},
            kind=EventKind.AMBULANCE,
            defaults={"role": EventRole.PATIENT, "category": EventCategory.OTHER},
            renamed={"location_postcode": "postcode"},
        ),
        Format(
            "police-incident",
            "Police incidents, arrests, custody and stop and search",
            {
                **PERSON_COLUMNS,
                **EVENT_COLUMNS,
                "kind": _kinds(
                    EventKind.INCIDENT, EventKind.ARREST, EventKind.CUSTODY, EventKind.STOP_SEARCH
                ),
                "role": Cell(
                    _code(EventRole),
                    "must be one of: " + ", ".join(EventRole.values),
                    required=True,
                ),
                "category": Cell(
                    _code(EventCategory),
                    "must be one of: " + ", ".join(EventCategory.values),
                    required=True,
                ),
                **other_columns(),
            },
            defaults={"kind": EventKind.INCIDENT},
            renamed={"location_postcode": "postcode"},
        ),
        Format(
            "missing",
            "Missing episodes and return-home interviews",
            {
                **PERSON_COLUMNS,
                **EVENT_COLUMNS,
                "kind": _kinds(EventKind.MISSING, EventKind.RETURN_INTERVIEW),
                **other_columns(),
            },
            defaults={
                "kind": EventKind.MISSING,
                "role": EventRole.MISSING_PERSON,
                "category": EventCategory.MISSING,
            },
            renamed={"location_postcode": "postcode"},
        ),
        Format(
            "exclusions",
            "Suspensions and permanent exclusions from school",
            {
                **PERSON_COLUMNS,
                **EVENT_COLUMNS,
                "kind": Cell(
                    _code(EventKind, (EventKind.SUSPENSION, EventKind.PERMANENT_EXCLUSION)),
                    "must be suspension or permanent_exclusion",
                    required=True,
                ),
                "reason": Cell(
                    _code(ExclusionReason),
                    "must be a DfE reason code: " + ", ".join(ExclusionReason.values),
                    required=True,
                ),
            },
            defaults={"role": EventRole.PUPIL, "category": EventCategory.BEHAVIOUR},
            renamed={"reason": "exclusion_reason", "location_postcode": "postcode"},
        ),
        Format(
            "contacts",
            "Contacts with children's social care, youth justice and other services",
            {
                **PERSON_COLUMNS,
                **EVENT_COLUMNS,
                "kind": _kinds(EventKind.CONTACT, EventKind.YOUTH_JUSTICE, EventKind.OTHER),
                "category": Cell(
                    _code(EventCategory),
                    "must be one of: " + ", ".join(EventCategory.values),
                    required=True,
                ),
                **other_columns(),
            },
            defaults={"kind": EventKind.CONTACT, "role": EventRole.SUBJECT},
            renamed={"location_postcode": "postcode"},
        ),
        Format(
            "needs",
            "Needs an agency's record holds (SEN support, EHC plans, diagnoses...)",
            {
                **PERSON_COLUMNS,
                "need": Cell(
                    _code(SourceNeedKind),
                    "must be one of: " + ", ".join(SourceNeedKind.values),
                    required=True,
                ),
                "detail": Cell(_text(300), "is at most 300 characters"),
                "recorded_on": Cell(intake.parse_date, DATE.form, required=True),
            },
            renamed={"need": "kind"},
            needs=True,
        ),
    )
}


def _parses(cell: Cell) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return True
        try:
            cell.parse(value)
        except (TypeError, ValueError, OverflowError):
            return False
        return True

    return check


def schema(file_format: Format) -> pa.DataFrameSchema:
    """The format's pandera schema: every column text, its form checked cell by cell."""
    return pa.DataFrameSchema(
        {
            name: pa.Column(
                object,
                nullable=not cell.required,
                required=cell.required,
                checks=[pa.Check(_parses(cell), element_wise=True, name=cell.form)],
            )
            for name, cell in file_format.columns.items()
        },
        strict=True,
        unique=file_format.unique,
        coerce=False,
    )


_MESSAGES = {
    "column_in_schema": "is not a column of this format (see docs/events-intake.md)",
    "multiple_fields_uniqueness": "repeats the reference and person of another line",
}


def _message(check: str, column: str | None) -> str:
    return _MESSAGES.get(check, check)


def _frame(content: bytes) -> tuple[pd.DataFrame, list[int]]:
    table = read_csv(
        decode(content), max_rows=MAX_ROWS, normalise_header=lambda name: name.strip().lower()
    )
    rows = [
        {n: (c.strip() or None) for n, c in zip(table.header, cells, strict=True)}
        for cells in table.rows
    ]
    return pd.DataFrame(rows, columns=table.header, dtype=object), table.lines


def _values(file_format: Format, row: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = dict(file_format.defaults)
    for column, cell in file_format.columns.items():
        raw = row.get(column)
        if raw is None or (isinstance(raw, float) and pd.isna(raw)):
            continue
        values[file_format.renamed.get(column, column)] = cell.parse(raw)
    return values


_PERSON = (
    "source_system",
    "source_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "school_urn",
    "upn",
    "as_of",
)


def _person(row: dict[str, Any]) -> intake.PersonIn:
    values: dict[str, Any] = {}
    for name in _PERSON:
        value = row.get(name)
        missing = value is None or (isinstance(value, float) and pd.isna(value))
        if name in ("date_of_birth", "as_of"):
            values[name] = None if missing else intake.parse_date(str(value))
        else:
            values[name] = "" if missing else value
    return intake.PersonIn(**values)


def _event(file_format: Format, row: dict[str, Any]) -> intake.EventIn:
    values = _values(file_format, row)
    if file_format.kind:
        values["kind"] = file_format.kind
    participants: list[intake.ParticipantIn] = []
    for n in range(OTHERS):
        prefix = other_prefix(n)
        if not any(values.get(prefix + name) for name in ("name", "role", "source_id")):
            continue
        source_id = values.get(prefix + "source_id") or ""
        # The agency's record of them: only its key here; ``import_events_file`` finds the
        # details on the file's other lines or in what the agency sent before.
        person = (
            intake.PersonIn(
                source_system=values.get(prefix + "source_system")
                or str(row.get("source_system") or ""),
                source_id=source_id,
            )
            if source_id
            else None
        )
        participants.append(
            intake.ParticipantIn(
                role=values.get(prefix + "role") or EventRole.ASSOCIATE,
                person=person,
                name=values.get(prefix + "name") or "",
                approximate_age=values.get(prefix + "age"),
                is_adult=bool(values.get(prefix + "is_adult")),
                poses_risk=bool(values.get(prefix + "poses_risk")),
            )
        )
    names = set(intake.EventIn.__dataclass_fields__) - {"person", "participants"}
    return intake.EventIn(
        person=_person(row),
        participants=tuple(participants),
        **{k: v for k, v in values.items() if k in names},
    )


def _need(file_format: Format, row: dict[str, Any]) -> intake.NeedIn:
    values = _values(file_format, row)
    return intake.NeedIn(
        person=_person(row),
        kind=values["kind"],
        recorded_on=values["recorded_on"],
        detail=values.get("detail", ""),
        person_id=values.get("person_id", ""),
    )


def parse(file_format: Format, content: bytes) -> tuple[list[Any], list[int]]:
    """The file's rows as ``EventIn`` or ``NeedIn``, each meeting the intake's rules, and the
    line each is on; ``ImportRejected`` naming every problem by line and column otherwise.
    Never raises anything else, whatever the bytes."""
    frame, lines = _frame(content)
    try:
        frame = schema(file_format).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failure:
        errors = schema_errors(failure.failure_cases, lines, _message)
        raise ImportRejected(problems(len(errors)), errors) from None
    items: list[Any] = []
    errors = []
    for line, row in zip(lines, frame.to_dict(orient="records"), strict=True):
        if file_format.needs:
            need = intake.normalised_need(_need(file_format, row))
            found = intake.check_need(need)
            items.append(need)
        else:
            event = intake.normalised_event(_event(file_format, row))
            found = intake.check_event(event)
            items.append(event)
        errors.extend(
            LineError(line, file_format.column_of(e.field), e.detail, e.value) for e in found
        )
    if errors:
        raise ImportRejected(problems(len(errors)), errors)
    return items, lines


def _person_held(record: SourceRecord) -> intake.PersonIn:
    """The details Harbour holds on an agency's record, as that agency would send them again
    (so that naming the record changes nothing on it)."""
    return intake.PersonIn(
        source_system=record.source_system,
        source_id=record.source_id,
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        sex=record.sex,
        postcode=record.postcode,
        address=record.address_line,
        nhs_number=record.nhs_number,
        school_urn=record.school_urn,
        upn=record.upn,
    )


def _with_others_found(
    agency: Agency, file_format: Format, events: list[intake.EventIn], lines: list[int]
) -> list[intake.EventIn]:
    """Each other person a line names by the agency's record of them, with that record's
    details: from the file's own lines (the same incident, one line per child) or from what
    the agency sent before. ``ImportRejected`` naming the line and column of any not found."""
    on_lines = {event.person.key: event.person for event in events}
    wanted = {
        p.person.key
        for event in events
        for p in event.participants
        if p.person is not None and p.person.key not in on_lines
    }
    held: dict[tuple[str, str], intake.PersonIn] = {}
    for system in sorted({system for system, _ in wanted}):
        ids = sorted(source_id for s, source_id in wanted if s == system)
        for at in range(0, len(ids), 2000):
            for record in SourceRecord.objects.filter(
                agency=agency, source_system=system, source_id__in=ids[at : at + 2000]
            ):
                held[(record.source_system, record.source_id)] = _person_held(record)
    found = on_lines | held
    errors: list[LineError] = []
    result: list[intake.EventIn] = []
    for line, event in zip(lines, events, strict=True):
        participants = []
        for n, participant in enumerate(event.participants):
            if participant.person is not None:
                person = found.get(participant.person.key)
                if person is None:
                    errors.append(
                        LineError(
                            line,
                            other_prefix(n) + "source_id",
                            f"is not a person on another line of this file, nor one "
                            f"{agency.name} has sent before",
                            participant.person.source_id,
                        )
                    )
                    continue
                participant = replace(participant, person=person)
            participants.append(participant)
        result.append(replace(event, participants=tuple(participants)))
    if errors:
        raise ImportRejected(problems(len(errors)), errors)
    return result


@dataclass
class FileSummary:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    linked: int = 0
    held: int = 0
    for_review: int = 0
    new_people: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


#: Told how far an import has got: (stage, done, total), stages "checking", "saving" and
#: "matching" (each record of a person that arrived, matched on arrival).
Progress = Callable[[str, int, int], None]


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


def import_events_file(
    *,
    agency: Agency,
    format_name: str,
    content: bytes,
    actor: Staff | None = None,
    progress: Progress | None = None,
    backfill: bool = False,
    bulk: bool | None = None,
) -> FileSummary:
    """Check the whole file, save it in one transaction, then match the records of people that
    arrived or changed. ``ImportRejected`` (nothing saved) when any line breaks a rule.
    ``backfill``: an agency's history loaded for the first time, which tells no one
    (``intake.link_arrivals``). ``bulk``: match the records at once
    (``bulk_arrivals.link_arrivals_at_once``, the same outcomes) or one at a time; by default at
    once from ``bulk_arrivals.BULK_FROM`` records to match (ADR 0032)."""
    say = progress or _quiet
    file_format = FORMATS.get(format_name)
    if file_format is None:
        raise ImportRejected(
            f"There is no format {format_name[:40]!r}: the formats are " + ", ".join(FORMATS)
        )
    say("checking", 0, 0)
    items, lines = parse(file_format, content)
    if not file_format.needs:
        items = _with_others_found(agency, file_format, items, lines)
    say("saving", 0, len(items))
    channel = f"file:{file_format.name}"
    system_actor = f"events-import:{agency.code}"
    try:
        if file_format.needs:
            received = intake.receive_needs(
                agency=agency, needs=items, actor=actor, system_actor=system_actor, channel=channel
            )
        else:
            # ``parse`` normalised and checked every line; only the lines naming another
            # person's record changed since (their details, found by ``_with_others_found``).
            again = [n for n, e in enumerate(items) if any(p.person for p in e.participants)]
            for n in again:
                items[n] = intake.normalised_event(items[n])
            errors = [e for n in again for e in intake.check_event(items[n])]
            if errors:
                raise intake.Rejected(errors)
            received = intake.receive_events(
                agency=agency,
                events=items,
                actor=actor,
                system_actor=system_actor,
                channel=channel,
                checked=True,
            )
    except intake.Rejected as rejected:
        raise ImportRejected(
            problems(len(rejected.errors)),
            [
                LineError(1, file_format.column_of(e.field), e.detail, e.value)
                for e in rejected.errors
            ],
        ) from None
    del items  # a large file's rows are not needed to match its people
    summary = FileSummary(
        rows=received.rows,
        new=received.new,
        updated=received.updated,
        unchanged=received.unchanged,
    )
    say("matching", 0, len(received.records))
    at_once = bulk if bulk is not None else len(received.records) >= bulk_arrivals.BULK_FROM
    link = bulk_arrivals.link_arrivals_at_once if at_once else intake.link_arrivals
    matched = link(
        received, progress=lambda done, total: say("matching", done, total), backfill=backfill
    )
    for arrival in matched:
        if arrival.outcome in ("linked", "named"):
            summary.linked += 1
        elif arrival.outcome == "held":
            summary.held += 1
        elif arrival.outcome == "review":
            summary.for_review += 1
        elif arrival.outcome == "new_person":
            summary.new_people += 1
    return summary


def count_rows(content: bytes) -> int:
    """How many rows a file has, for the summary of a file rejected (0 when unreadable)."""
    try:
        return len(_frame(content)[1])
    except ImportRejected:
        return 0
