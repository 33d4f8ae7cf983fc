"""Bulk import of an agency's person records from a CSV file (``docs/identity-import.md``).

The whole file is checked first with a pandera ``DataFrameModel`` (columns, lengths, dates,
codes, ``source_system`` + ``source_id`` unique within the file); any error rejects the file as
a whole, with every error named by line and column, and nothing is saved. An identifier that is
well formed but cannot be used for matching (a postcode that is not a UK postcode, a date of
birth with only the year and month or that is not a real date, a placeholder for a name, an
NHS number failing its check digit) is no error: it is kept as given, shown to reviewers, not
used for matching, and listed as a warning by line and column (``ImportSummary.warnings``).
Otherwise every row is saved in one transaction, keyed on (agency, source system, source id):
a new key makes a record, a known key with different values updates it, and a row identical to
what Harbour holds changes nothing, so importing the same file again is safe. The import is
audited (counts, not data)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa
from django.db import IntegrityError, transaction
from django.utils import timezone
from pandera.typing import Series

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.identity.linkage.model import (
    normalise_dob,
    normalise_name,
    normalise_nhs_number,
    normalise_postcode,
)
from harbour.identity.models import HARBOUR_SOURCE_SYSTEM, SourceRecord
from harbour.identity.sources import upsert_source_records
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

__all__ = ["MAX_ERRORS", "ImportRejected", "LineError", "import_person_records"]

MAX_ROWS = 200_000
# How long a postcode kept as given may be (``SourceRecord.postcode``).
POSTCODE_LENGTH = 16
SYSTEM_ACTOR = "identity-import"
SEXES = ("M", "F", "U")

# CSV column -> SourceRecord field.
FIELDS: dict[str, str] = {
    "source_system": "source_system",
    "source_id": "source_id",
    "given_name": "given_name",
    "family_name": "family_name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "postcode": "postcode",
    "address": "address_line",
    "nhs_number": "nhs_number",
    "school_urn": "school_urn",
    "upn": "upn",
    "as_of": "as_of",
}
REQUIRED = ("source_system", "source_id")


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines_updated: list[int] = field(default_factory=list)
    # Identifiers kept as given but not used for matching, by line and column.
    warnings: list[LineError] = field(default_factory=list)


def _element(check: Any) -> Any:
    def wrapped(value: Any) -> bool:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return True
        try:
            return bool(check(value))
        except (TypeError, ValueError):
            return False

    return wrapped


def _iso_date(value: str) -> dt.date:
    if len(value) != 10:
        raise ValueError(value)
    return dt.date.fromisoformat(value)


# A date of birth in the file: a full date, or the year and month, or the year alone.
_DATE_SHAPE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
# How long a date of birth kept as given may be (``SourceRecord.date_of_birth_given``).
DATE_AS_GIVEN_LENGTH = 10


def _birth_shaped(value: str) -> bool:
    return bool(_DATE_SHAPE.match(value))


def usable_birth(value: str) -> dt.date | None:
    """The date of birth when it is a whole, real date from 1900 on and not in the future;
    None when it is kept as given only (partial, impossible or out of range)."""
    if normalise_dob(value) != value:
        return None
    day = dt.date.fromisoformat(value)
    return day if day.year >= 1900 and day <= timezone.localdate() else None


def _past(value: str) -> bool:
    return _iso_date(value) <= timezone.localdate()


def _text(max_value: int) -> Any:
    return pa.Field(nullable=True, str_length={"max_value": max_value})


class PersonRecordFile(pa.DataFrameModel):
    """One row per person record. Every cell is text; an empty cell is not recorded."""

    source_system: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 60})
    source_id: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 64})
    given_name: Series[str] | None = _text(100)
    family_name: Series[str] | None = _text(100)
    date_of_birth: Series[str] | None = pa.Field(nullable=True)
    sex: Series[str] | None = pa.Field(nullable=True, isin=list(SEXES))
    postcode: Series[str] | None = _text(POSTCODE_LENGTH)
    address: Series[str] | None = _text(300)
    nhs_number: Series[str] | None = pa.Field(nullable=True, str_matches=r"^[0-9]{10}$")
    school_urn: Series[str] | None = pa.Field(nullable=True, str_matches=r"^[0-9]{6}$")
    upn: Series[str] | None = pa.Field(nullable=True, str_matches=r"^[A-Z][0-9]{11}[0-9A-Z]$")
    as_of: Series[str] | None = pa.Field(nullable=True)

    class Config:
        strict = True  # an unknown column is an error, not something silently dropped
        coerce = False
        unique = ["source_system", "source_id"]

    @pa.parser("sex", "upn")
    def parse_upper(cls, series: pd.Series) -> pd.Series:
        return series.map(lambda v: v.upper(), na_action="ignore")

    @pa.parser("nhs_number")
    def parse_nhs_number(cls, series: pd.Series) -> pd.Series:
        return series.map(lambda v: "".join(v.replace("-", " ").split()), na_action="ignore")

    @pa.parser("postcode")
    def parse_postcode(cls, series: pd.Series) -> pd.Series:
        return series.map(lambda v: normalise_postcode(v) or v, na_action="ignore")

    @pa.check(".*", regex=True, element_wise=True, name="must not contain the NUL character")
    def check_storable(cls, value: Any) -> bool:
        return not (isinstance(value, str) and "\x00" in value)

    @pa.check(
        "date_of_birth",
        element_wise=True,
        name="must be a date like 2011-03-27 (or 2011-03, or 2011, when that is all there is)",
    )
    def check_date_of_birth(cls, value: Any) -> bool:
        return bool(_element(_birth_shaped)(value))

    @pa.check("as_of", element_wise=True, name="must be a date like 2026-03-27, not in the future")
    def check_as_of(cls, value: Any) -> bool:
        return bool(_element(_past)(value))


_MESSAGES = {
    "column_in_schema": "is not a column Harbour knows (see docs/identity-import.md)",
    "multiple_fields_uniqueness": "repeats a source_system and source_id of another line",
}


def _message(check: str, column: str | None) -> str:
    if check in _MESSAGES:
        return _MESSAGES[check]
    if check.startswith("isin"):
        return "must be one of: " + ", ".join(SEXES)
    if check.startswith("str_length"):
        return "is empty or too long"
    if check.startswith("str_matches"):
        return {
            "nhs_number": "must be 10 digits, like 485 777 3456",
            "school_urn": "must be a 6-digit URN",
            "upn": "must be a UPN: a letter and 12 more characters",
        }.get(column or "", "is not in the right form")
    return check


def parse(content: bytes) -> tuple[list[str], list[dict[str, str | None]], list[int]]:
    """(header, rows, the line each row starts on). Raises ``ImportRejected``."""
    table = read_csv(
        decode(content), max_rows=MAX_ROWS, normalise_header=lambda name: name.strip().lower()
    )
    rows = [
        {n: (c.strip() or None) for n, c in zip(table.header, cells, strict=True)}
        for cells in table.rows
    ]
    return table.header, rows, table.lines


def validate(content: bytes) -> tuple[pd.DataFrame, list[int]]:
    """The checked rows, or ``ImportRejected`` naming every error by line."""
    header, rows, lines = parse(content)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    try:
        frame = PersonRecordFile.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failure:
        errors = schema_errors(failure.failure_cases, lines, _message)
        raise ImportRejected(problems(len(errors)), errors) from None
    return frame, lines


KEPT = "kept as given and shown to reviewers, but not used for matching"


def _unusable(column: str, value: str) -> str:
    """Why a well-formed value cannot be used for matching ('' when it can)."""
    if column in ("given_name", "family_name"):
        return "" if normalise_name(value) else f"is a placeholder, not a name: {KEPT}"
    if column == "postcode":
        return "" if normalise_postcode(value) else f"is not a UK postcode: {KEPT}"
    if column == "date_of_birth":
        if usable_birth(value):
            return ""
        if len(value) < len("2011-03-27"):
            return f"is only part of a date: {KEPT}"
        return f"is not a real date from 1900 on and not in the future: {KEPT}"
    if column == "nhs_number":
        return "" if normalise_nhs_number(value) else f"fails the check digit: {KEPT}"
    return ""


def warnings_for(frame: pd.DataFrame, lines: list[int]) -> list[LineError]:
    """Every identifier in the checked rows that is kept but not used for matching, by line and
    column, in line order."""
    found: list[LineError] = []
    columns = [
        c
        for c in ("given_name", "family_name", "date_of_birth", "postcode", "nhs_number")
        if c in frame.columns
    ]
    for line, row in zip(lines, frame[columns].itertuples(index=False), strict=True):
        for column, value in zip(columns, row, strict=True):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            why = _unusable(column, str(value))
            if why:
                found.append(LineError(line, column, why, str(value)))
    return found


def _values(row: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, name in FIELDS.items():
        if column in REQUIRED:
            continue
        raw = row.get(column)
        value = None if raw is None or (isinstance(raw, float) and pd.isna(raw)) else raw
        if name == "date_of_birth":
            values[name] = usable_birth(value) if value else None
            values["date_of_birth_given"] = value if value and values[name] is None else ""
        elif name == "as_of":
            values[name] = dt.date.fromisoformat(value) if value else None
        else:
            values[name] = value or ""
    return values


def import_person_records(
    *, agency: Agency, content: bytes, actor: Staff | None = None
) -> ImportSummary:
    """Check the whole file, then save every row in one transaction (see the module docstring).
    A member of staff must hold the capability to import; a command (``actor`` None) runs as
    the system, named in the audit log."""
    if actor is not None:
        policy.require_capability(actor, policy.Action.IDENTITY_IMPORT)
    frame, lines = validate(content)
    warnings = warnings_for(frame, lines)
    rows = frame.to_dict(orient="records")
    if any(row["source_system"] == HARBOUR_SOURCE_SYSTEM for row in rows):
        raise ImportRejected(
            "Some rows are not valid; nothing was saved",
            [
                LineError(line, "source_system", f"'{HARBOUR_SOURCE_SYSTEM}' is Harbour's own")
                for line, row in zip(lines, rows, strict=True)
                if row["source_system"] == HARBOUR_SOURCE_SYSTEM
            ],
        )
    summary = ImportSummary(rows=len(rows), warnings=warnings)
    today = timezone.localdate()

    def row_values(row: dict[str, Any], record: SourceRecord | None) -> dict[str, Any]:
        values = _values(row)
        if record is None:
            values["as_of"] = values["as_of"] or today
        elif values["as_of"] is None:
            values.pop("as_of")  # not given: keep what Harbour holds
        return values

    def create(row: dict[str, Any], values: dict[str, Any]) -> SourceRecord:
        return SourceRecord(
            agency=agency, source_system=row["source_system"], source_id=row["source_id"], **values
        )

    try:
        with transaction.atomic():
            keys = {(row["source_system"], row["source_id"]) for row in rows}
            systems = {system for system, _ in keys}
            existing = {
                (r.source_system, r.source_id): r
                for r in SourceRecord.objects.select_for_update().filter(
                    agency=agency, source_system__in=systems
                )
                if (r.source_system, r.source_id) in keys
            }
            held = [existing.get((row["source_system"], row["source_id"])) for row in rows]
            saved = upsert_source_records(
                (
                    (row, record, row_values(row, record))
                    for row, record in zip(rows, held, strict=True)
                ),
                create=create,
                fields=[n for n in FIELDS.values() if n not in REQUIRED] + ["date_of_birth_given"],
            )
            summary.created, summary.updated = saved.created, len(saved.changed)
            summary.unchanged = saved.unchanged
            summary.lines_updated = [lines[position] for position in saved.changed]
            audit_record(
                actor=actor,
                system_actor=SYSTEM_ACTOR,
                event="identity.records_imported",
                subject=agency,
                detail={
                    "agency": agency.code,
                    "rows": summary.rows,
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "warnings": len(summary.warnings),
                },
            )
    except IntegrityError:
        raise ImportRejected(
            "Some of these records arrived by another import at the same moment; nothing was "
            "saved. Import the file again: records already held will not be duplicated."
        ) from None
    return summary
