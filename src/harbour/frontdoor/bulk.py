"""Bulk referral files: a CSV file of referrals from one feed, received all or nothing.

The file is checked as a whole with a pandera ``DataFrameModel`` (columns, codes, dates, lengths,
``source_id`` unique within the file), then row by row with the same schema the JSON API uses
(``schemas.ReferralIn``), so a row and a JSON body mean the same thing. Any error: a problem
listing every error by line, and nothing saved. Otherwise every row is received in one
transaction; rows whose ``source_system`` and ``source_id`` Harbour already holds for the agency
are reported as already received and left as they are, so sending the same file again is safe.
The columns are documented in ``docs/frontdoor-feeds.md``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pydantic
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from pandera.typing import Series

from harbour.children.codes import Ethnicity, Sex
from harbour.frontdoor import intake, schemas, services
from harbour.frontdoor.codes import Concern, Consent, KnownNeed, ParentsAware, Source, Urgency
from harbour.frontdoor.problems import Problem
from harbour.partnership.models import Agency

MAX_ROWS = 5_000
MAX_BYTES = 2_621_440  # 2.5 MB, as Django reads a request body (DATA_UPLOAD_MAX_MEMORY_SIZE)
LIST_SEPARATOR = ";"
MAX_ERRORS = 200  # reported; the count says how many there were in all


def _codes(choices: Any) -> list[str]:
    return [str(value) for value in choices.values]


def _element(check: Any) -> Any:
    def wrapped(value: Any) -> bool:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return True
        try:
            check(value)
        except (TypeError, ValueError):
            return False
        return True

    return wrapped


def _list_of(codes: list[str]) -> Any:
    allowed = frozenset(codes)

    def check(value: str) -> None:
        if any(code not in allowed for code in split_list(value)):
            raise ValueError(value)

    return check


def _iso_date(value: str) -> dt.date:
    if len(value) != 10:
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def _iso_moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(LIST_SEPARATOR) if part.strip()]


_past = _element(lambda v: schemas.past_date(_iso_date(v)))
_birth = _element(lambda v: schemas.date_of_birth(_iso_date(v)))
_moment = _element(lambda v: schemas.past_moment(_iso_moment(v)))
_concerns = _element(_list_of(_codes(Concern)))
_needs = _element(_list_of(_codes(KnownNeed)))
_storable = _element(schemas.storable)
_postcode = _element(schemas.clean_postcode)
_nhs = _element(schemas.clean_nhs_number)
_clock = _element(schemas.clock_time)
_phone = _element(schemas.phone_number)

LONG = {"max_value": schemas.LONG_TEXT}


def _text(max_value: int) -> Any:
    return pa.Field(nullable=True, str_length={"max_value": max_value})


class ReferralFile(pa.DataFrameModel):
    """One row per referral. Every cell is text; an empty cell is an answer not given."""

    source_system: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 60})
    source_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    occurred_at: Series[str] | None = pa.Field(nullable=True)
    incident_date: Series[str] | None = pa.Field(nullable=True)
    incident_time: Series[str] | None = pa.Field(nullable=True)
    incident_location: Series[str] | None = _text(300)
    incident_reference: Series[str] | None = _text(64)
    others_involved: Series[str] | None = _text(schemas.OTHERS_INVOLVED)
    child_given_name: Series[str] | None = _text(100)
    child_family_name: Series[str] | None = _text(100)
    child_other_names: Series[str] | None = _text(200)
    child_date_of_birth: Series[str] | None = pa.Field(nullable=True)
    child_sex: Series[str] | None = pa.Field(nullable=True, isin=_codes(Sex))
    child_address: Series[str] | None = _text(300)
    child_postcode: Series[str] | None = pa.Field(nullable=True)
    child_nhs_number: Series[str] | None = pa.Field(nullable=True)
    what_happened: Series[str] | None = _text(schemas.LONG_TEXT)
    concerns: Series[str] | None = pa.Field(nullable=True)
    reason: Series[str] | None = _text(schemas.LONG_TEXT)
    child_voice: Series[str] | None = _text(schemas.LONG_TEXT)
    child_voice_absent_reason: Series[str] | None = _text(schemas.LONG_TEXT)
    ethnicity: Series[str] | None = pa.Field(nullable=True, isin=_codes(Ethnicity))
    cultural_heritage: Series[str] | None = _text(schemas.LONG_TEXT)
    known_needs: Series[str] | None = pa.Field(nullable=True)
    needs_detail: Series[str] | None = _text(schemas.LONG_TEXT)
    education_setting: Series[str] | None = _text(200)
    parents_aware: Series[str] | None = pa.Field(nullable=True, isin=_codes(ParentsAware))
    consent: Series[str] | None = pa.Field(nullable=True, isin=_codes(Consent))
    consent_reason: Series[str] | None = _text(schemas.LONG_TEXT)
    actions_taken: Series[str] | None = _text(schemas.LONG_TEXT)
    urgency: Series[str] | None = pa.Field(nullable=True, isin=_codes(Urgency))
    referrer_name: Series[str] | None = _text(200)
    referrer_contact: Series[str] | None = _text(200)
    referrer_phone: Series[str] | None = pa.Field(nullable=True)

    class Config:
        strict = True  # an unknown column is an error, not something silently dropped
        coerce = False

    @pa.parser("child_postcode")
    def parse_postcode(cls, series: pd.Series) -> pd.Series:
        return series.map(lambda v: " ".join(v.upper().split()), na_action="ignore")

    @pa.parser("child_nhs_number")
    def parse_nhs_number(cls, series: pd.Series) -> pd.Series:
        return series.map(lambda v: "".join(v.split()), na_action="ignore")

    @pa.check(".*", regex=True, element_wise=True, name="must not contain the NUL character")
    def check_storable(cls, value: Any) -> bool:
        return _storable(value)

    @pa.check(
        "incident_date",
        element_wise=True,
        name="must be a date like 2026-03-27, not in the future",
    )
    def check_incident_date(cls, value: Any) -> bool:
        return _past(value)

    @pa.check(
        "incident_time",
        element_wise=True,
        name="must be a time on the 24-hour clock, like 21:40",
    )
    def check_incident_time(cls, value: Any) -> bool:
        return _clock(value)

    @pa.check(
        "referrer_phone",
        element_wise=True,
        name="must be a telephone number, like 01632 960 123",
    )
    def check_referrer_phone(cls, value: Any) -> bool:
        return _phone(value)

    @pa.check(
        "occurred_at",
        element_wise=True,
        name="must be a date and time like 2026-03-27T21:40:00Z, not in the future",
    )
    def check_occurred_at(cls, value: Any) -> bool:
        return _moment(value)

    @pa.check(
        "child_date_of_birth",
        element_wise=True,
        name="must be a date like 2011-03-27, not in the future, for someone under "
        f"{schemas.OLDEST_CHILD_AGE}",
    )
    def check_date_of_birth(cls, value: Any) -> bool:
        return _birth(value)

    @pa.check("child_postcode", element_wise=True, name="must be a UK postcode, like RV1 2AB")
    def check_postcode(cls, value: Any) -> bool:
        return _postcode(value)

    @pa.check("child_nhs_number", element_wise=True, name="must be 10 digits, like 4857773456")
    def check_nhs_number(cls, value: Any) -> bool:
        return _nhs(value)

    @pa.check(
        "concerns",
        element_wise=True,
        name=f"must be concern codes separated by '{LIST_SEPARATOR}'",
    )
    def check_concerns(cls, value: Any) -> bool:
        return _concerns(value)

    @pa.check(
        "known_needs",
        element_wise=True,
        name=f"must be known need codes separated by '{LIST_SEPARATOR}'",
    )
    def check_known_needs(cls, value: Any) -> bool:
        return _needs(value)


COLUMNS: tuple[str, ...] = tuple(ReferralFile.to_schema().columns)
REQUIRED_COLUMNS = ("source_system", "source_id")
CODED_COLUMNS: dict[str, list[str]] = {
    "child_sex": _codes(Sex),
    "ethnicity": _codes(Ethnicity),
    "parents_aware": _codes(ParentsAware),
    "consent": _codes(Consent),
    "urgency": _codes(Urgency),
    "concerns": _codes(Concern),
    "known_needs": _codes(KnownNeed),
}


# Reading the file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedFile:
    header: list[str]
    rows: list[dict[str, str | None]]
    lines: list[int]  # the line each row starts on (the header is line 1)


def _invalid(detail: str, errors: list[dict[str, Any]] | None = None) -> Problem:
    errors = errors or []
    extra: dict[str, Any] = {"errors": errors[:MAX_ERRORS]}
    if len(errors) > MAX_ERRORS:
        extra["error_count"] = len(errors)
    return Problem("invalid-file", detail, **extra)


def parse(content: bytes) -> ParsedFile:
    if len(content) > MAX_BYTES:
        raise Problem("file-too-large", f"A file may be at most {MAX_BYTES:,} bytes (2.5 MB)")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _invalid(f"The file must be UTF-8 text (byte {error.start} is not)") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if not any(header):
            raise _invalid("The file is empty: it needs a header line and at least one row")
        errors: list[dict[str, Any]] = []
        seen: set[str] = set()
        for name in header:
            if name in seen:
                errors.append({"line": 1, "column": name, "detail": "appears twice in the header"})
            seen.add(name)
        rows: list[dict[str, str | None]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        for cells in reader:
            if not cells or not any(cell.strip() for cell in cells):
                start = reader.line_num + 1
                continue
            if len(rows) >= MAX_ROWS:
                raise Problem(
                    "file-too-large", f"A file may hold at most {MAX_ROWS:,} rows; split it"
                )
            if len(cells) != len(header):
                errors.append(
                    {
                        "line": start,
                        "detail": f"has {len(cells)} cells but the header has {len(header)}",
                    }
                )
            else:
                rows.append(
                    {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=True)}
                )
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise _invalid(f"The file is not valid CSV: {error} (line {reader.line_num})") from None
    if errors:
        raise _invalid("The file's lines do not match its header; nothing was saved", errors)
    if not rows:
        raise _invalid("The file has a header but no rows")
    return ParsedFile(header, rows, lines)


def _check_message(check: str, column: str | None) -> str:
    if check == "not_nullable":
        return "is required"
    if check == "field_uniqueness":
        return "appears on more than one line: each row needs its own source_id"
    if check == "column_in_schema":
        return "is not a column Harbour knows (see docs/frontdoor-feeds.md)"
    if check == "column_in_dataframe":
        return "is a required column and is missing"
    if check.startswith("isin") and column in CODED_COLUMNS:
        return "must be one of: " + ", ".join(CODED_COLUMNS[column])
    if check.startswith("str_length"):
        return "is empty or too long"
    return check


def _short(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(parsed: ParsedFile) -> list[schemas.ReferralIn]:
    """Every row as a validated referral, or a problem naming every error by line."""
    frame = pd.DataFrame(parsed.rows, columns=parsed.header, dtype=object)
    errors: list[dict[str, Any]] = []
    try:
        frame = ReferralFile.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failure:
        for case in failure.failure_cases.to_dict("records"):
            index = case.get("index")
            schema_level = case.get("schema_context") == "DataFrameSchema"
            column = case.get("failure_case") if schema_level else case.get("column")
            has_index = index is not None and not pd.isna(index)
            errors.append(
                {
                    "line": parsed.lines[int(index)] if has_index else 1,
                    "column": str(column) if column is not None else None,
                    "value": None if schema_level else _short(case.get("failure_case")),
                    "detail": _check_message(str(case.get("check")), column),
                }
            )
    if errors:
        raise _invalid("Some rows are not valid; nothing was saved", _sorted(errors))
    referrals: list[schemas.ReferralIn] = []
    for line, row in zip(parsed.lines, parsed.rows, strict=True):
        values: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
        for name in schemas.LIST_FIELDS & values.keys():
            values[name] = split_list(values[name])
        try:
            referrals.append(schemas.ReferralIn.model_validate(values))
        except pydantic.ValidationError as failure:
            for error in failure.errors(include_url=False):
                loc = error.get("loc") or ()
                errors.append(
                    {
                        "line": line,
                        "column": str(loc[0]) if loc else None,
                        "value": None,
                        "detail": error.get("msg", "is not valid"),
                    }
                )
    if errors:
        raise _invalid("Some rows are not valid; nothing was saved", _sorted(errors))
    return referrals


def _sorted(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(errors, key=lambda e: (e["line"] or 0, e.get("column") or ""))


# Receiving it ------------------------------------------------------------------------------------


def _row(line: int, referral: Any) -> dict[str, Any]:
    return {
        "line": line,
        "source_system": referral.source_system,
        "source_id": referral.source_id,
        "reference": referral.reference,
        "completeness_score": referral.completeness_score,
        "missing": intake.missing_items(referral.completeness_missing),
    }


def referrals_receive_file(*, agency: Agency, feed: str, content: bytes) -> intake.Answer:
    """Check the whole file, then receive every new row in one transaction. What every row is
    received under (the front door, the completeness rules, the service levels) and which rows
    arrived before are read once for the file, not once a row."""
    intake.require_front_door()
    parsed = parse(content)
    rows = validate(parsed)
    created: list[dict[str, Any]] = []
    already: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            rules = services.intake_rules()
            existing = intake.existing_referrals(
                agency, ((row.source_system, row.source_id) for row in rows)
            )
            errors: list[dict[str, Any]] = []
            for line, row in zip(parsed.lines, rows, strict=True):
                earlier = existing.get((row.source_system, row.source_id))
                if earlier is not None:
                    already.append(_row(line, earlier))
                    continue
                try:
                    with transaction.atomic():
                        referral, _ = services.referral_receive_automated(
                            agency=agency,
                            source=Source.BULK,
                            feed=feed,
                            source_system=row.source_system,
                            source_id=row.source_id,
                            answers=row.answers(),
                            rules=rules,
                        )
                except ValidationError as error:
                    errors.extend(
                        {"line": line, "column": name, "value": None, "detail": message}
                        for name, message in intake.error_messages(error)
                    )
                    continue
                created.append(_row(line, referral))
            if errors:
                raise _invalid("Some rows are not valid; nothing was saved", _sorted(errors))
    except IntegrityError:
        raise Problem(
            "concurrent-change",
            "Some of these referrals arrived by another request at the same moment; nothing "
            "from this file was saved. Send it again: rows already received will be reported.",
        ) from None
    body = {
        "feed": feed,
        "rows": len(rows),
        "received_at": timezone.now().isoformat(),
        "created": created,
        "already_received": already,
    }
    return intake.Answer(201 if created else 200, body)
