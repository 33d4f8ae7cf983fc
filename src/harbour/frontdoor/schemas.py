"""What the automated referrals API accepts and answers (Ninja schemas, so the OpenAPI document
at ``/api/openapi.json`` is generated from the same definitions that validate requests).

Field names are the referral's own, so a JSON body and a bulk CSV file (``frontdoor.bulk``) use
the same names. Every field but ``source_system`` and ``source_id`` may be left out: an
incomplete automated referral is received and flagged (ADR 0011), never refused.

The document says exactly what is accepted (schemathesis checks both ways: data it allows is
accepted, data it forbids is refused), so every rule a JSON Schema can state is stated in it, as
a ``pattern`` beside the check that enforces it. What it cannot state — a date not in the
future, a child under 25, ``incident_date`` on the day of ``occurred_at`` — is in the field's
description."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, WithJsonSchema, model_validator

from harbour.children.codes import Ethnicity, Sex
from harbour.children.selectors import normalise_postcode
from harbour.frontdoor.codes import Concern, Consent, KnownNeed, ParentsAware, Urgency
from harbour.frontdoor.forms import OLDEST_CHILD_AGE, PHONE

LONG_TEXT = 10_000
CLOCK_SKEW = dt.timedelta(minutes=5)  # a source system's clock may run a little ahead

# Each pattern is both the document's and the check's (``re.fullmatch``), so they cannot differ.
NO_NUL = r"^[^\u0000]*$"
# An identifier: no control characters, and no space at either end.
IDENTIFIER = r"^[^\u0000-\u0020\u007f](?:[^\u0000-\u001f\u007f]*[^\u0000-\u0020\u007f])?$"
POSTCODE = r"^(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2})?$"
NHS_NUMBER = r"^(?:[0-9]{3} ?[0-9]{3} ?[0-9]{4})?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ISO_MOMENT = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)


CLOCK_TIME = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
PHONE_NUMBER = PHONE.pattern
OTHERS_INVOLVED = 5000


def _full(pattern: str) -> re.Pattern[str]:
    """The document's pattern for Python: ``$`` in Python also matches before a final newline."""
    return re.compile(pattern.removesuffix("$") + r"\Z")


# Checks shared with the bulk file schema -----------------------------------------------------


def storable(value: str) -> str:
    """Text the databases can hold: no NUL character (PostgreSQL refuses it), and no lone UTF-16
    surrogate (JSON can carry one, UTF-8 cannot)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    if any("\ud800" <= character <= "\udfff" for character in value):
        raise ValueError("must be valid Unicode text")
    return value


def identifier(value: str) -> str:
    storable(value)
    if not _full(IDENTIFIER).match(value):
        raise ValueError("must have no control characters and no space at either end")
    return value


def clean_postcode(value: str) -> str:
    if not _full(POSTCODE).match(value):
        raise ValueError("must be a UK postcode, like RV1 2AB")
    return normalise_postcode(value)


def clean_nhs_number(value: str) -> str:
    if not _full(NHS_NUMBER).match(value):
        raise ValueError("must be 10 digits, like 485 777 3456")
    return value.replace(" ", "")


def past_date(value: dt.date) -> dt.date:
    if value > timezone.localdate():
        raise ValueError("must not be in the future")
    return value


def date_of_birth(value: dt.date) -> dt.date:
    past_date(value)
    today = timezone.localdate()
    try:
        oldest = today.replace(year=today.year - OLDEST_CHILD_AGE)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_CHILD_AGE, day=28)
    if value < oldest:
        raise ValueError(f"must be for someone under {OLDEST_CHILD_AGE}")
    return value


def clock_time(value: Any) -> dt.time:
    """A time of day on the 24-hour clock, like 21:40 (text, never a number)."""
    if not isinstance(value, str) or not _full(CLOCK_TIME).match(value):
        raise ValueError("must be a time on the 24-hour clock, like 21:40")
    return dt.time.fromisoformat(value)


def phone_number(value: str) -> str:
    """A telephone number as people write them (digits, spaces, brackets, dashes, a leading +),
    with runs of spaces made one."""
    if not _full(PHONE_NUMBER).match(value):
        raise ValueError("must be a telephone number, like 01632 960 123 or +44 7700 900123")
    return " ".join(value.split())


def past_moment(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


def _iso_text(pattern: str, example: str) -> Any:
    """Dates and times come as ISO 8601 strings (not numbers, nor the other forms pydantic would
    parse), or as dates from Python."""

    def check(value: Any) -> Any:
        if value is None or value == "" or isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not _full(pattern).match(value):
            raise ValueError(f"must be an ISO 8601 string, like {example}")
        return value

    return check


iso_date = _iso_text(ISO_DATE, "2026-03-27")
iso_moment = _iso_text(ISO_MOMENT, "2026-03-27T21:40:00Z")


def blank_to_none(value: Any) -> Any:
    """An empty string is an answer not given."""
    return None if value == "" else value


def unique_codes(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _clean_text(value: str | None) -> str | None:
    return None if value is None else storable(value).strip()


def _text_field(max_length: int) -> Any:
    return Field(max_length=max_length, json_schema_extra={"pattern": NO_NUL})


def _code_schema(codes: type[Enum], description: str) -> WithJsonSchema:
    """One code, null, or '' (not given)."""
    values = [member.value for member in codes]
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string", "enum": [*values, ""]}, {"type": "null"}],
            "description": description,
        }
    )


def _when(pattern: str, json_format: str | None, description: str) -> dict[str, Any]:
    string: dict[str, Any] = {"type": "string", "pattern": pattern}
    if json_format:
        string["format"] = json_format
    return {
        "anyOf": [string, {"type": "string", "maxLength": 0}, {"type": "null"}],
        "description": description,
    }


Text100 = Annotated[str | None, _text_field(100), AfterValidator(_clean_text)]
Text200 = Annotated[str | None, _text_field(200), AfterValidator(_clean_text)]
Text300 = Annotated[str | None, _text_field(300), AfterValidator(_clean_text)]
LongText = Annotated[str | None, _text_field(LONG_TEXT), AfterValidator(_clean_text)]
DateIn = Annotated[
    dt.date | None,
    BeforeValidator(iso_date),
    BeforeValidator(blank_to_none),
    AfterValidator(lambda v: None if v is None else past_date(v)),
]


class ReferralIn(Schema):
    """One referral from a custody, ambulance or emergency department system."""

    model_config = ConfigDict(extra="forbid")

    source_system: Annotated[
        str,
        Field(
            min_length=1,
            max_length=60,
            description="Your system's name, as agreed with the partnership (e.g. 'niche')",
            json_schema_extra={"pattern": IDENTIFIER},
        ),
        AfterValidator(identifier),
    ]
    source_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="The event's id in your system: one referral per event, ever",
            json_schema_extra={"pattern": IDENTIFIER},
        ),
        AfterValidator(identifier),
    ]
    occurred_at: Annotated[
        dt.datetime | None,
        BeforeValidator(iso_moment),
        BeforeValidator(blank_to_none),
        AfterValidator(lambda v: None if v is None else past_moment(v)),
        WithJsonSchema(
            _when(
                ISO_MOMENT,
                None,
                "When the event happened (ISO 8601, like 2026-03-27T21:40:00Z; UK time if no "
                "offset); not in the future",
            )
        ),
    ] = None
    incident_date: Annotated[
        DateIn,
        WithJsonSchema(
            _when(
                ISO_DATE,
                "date",
                "The day it happened (ISO 8601), not in the future; if occurred_at is sent too, "
                "the same day",
            )
        ),
    ] = None
    incident_time: Annotated[
        dt.time | None,
        BeforeValidator(lambda v: v if v is None or isinstance(v, dt.time) else clock_time(v)),
        BeforeValidator(blank_to_none),
        WithJsonSchema(
            _when(
                CLOCK_TIME,
                None,
                "The time it happened on the 24-hour clock, UK time (like 21:40); taken from "
                "occurred_at if not sent. Out-of-hours incidents need an out-of-hours strategy "
                "discussion",
            )
        ),
    ] = None
    incident_location: Annotated[
        str | None,
        Field(
            max_length=300,
            description="Where it happened: a place, a street or a postcode",
            json_schema_extra={"pattern": NO_NUL},
        ),
        AfterValidator(_clean_text),
    ] = None
    incident_reference: Annotated[
        str | None,
        Field(
            max_length=64,
            description="Your agency's own reference for it: a police occurrence or incident "
            "number, or the health record's reference",
            json_schema_extra={"pattern": NO_NUL},
        ),
        AfterValidator(_clean_text),
    ] = None
    others_involved: Annotated[
        str | None,
        Field(
            max_length=OTHERS_INVOLVED,
            description="Other people involved: suspects, witnesses and other children, with "
            "names, ages and what is known of their part",
            json_schema_extra={"pattern": NO_NUL},
        ),
        AfterValidator(_clean_text),
    ] = None
    child_given_name: Text100 = None
    child_family_name: Text100 = None
    child_other_names: Text200 = None
    child_date_of_birth: Annotated[
        dt.date | None,
        BeforeValidator(iso_date),
        BeforeValidator(blank_to_none),
        AfterValidator(lambda v: None if v is None else date_of_birth(v)),
        WithJsonSchema(
            _when(
                ISO_DATE,
                "date",
                f"ISO 8601 date, not in the future; the child must be under {OLDEST_CHILD_AGE}",
            )
        ),
    ] = None
    child_sex: Annotated[
        Sex | None, BeforeValidator(blank_to_none), _code_schema(Sex, "CIN census N00783")
    ] = None
    child_address: Text300 = None
    child_postcode: Annotated[
        str | None,
        Field(
            max_length=10,
            description="UK postcode, in either case, with one space or none",
            json_schema_extra={"pattern": POSTCODE},
        ),
        AfterValidator(lambda v: None if v is None else clean_postcode(storable(v))),
    ] = None
    child_nhs_number: Annotated[
        str | None,
        Field(
            max_length=12,
            description="10 digits, like 4857773456 or 485 777 3456",
            json_schema_extra={"pattern": NHS_NUMBER},
        ),
        AfterValidator(lambda v: None if v is None else clean_nhs_number(storable(v))),
    ] = None
    what_happened: LongText = None
    concerns: Annotated[
        list[Concern],
        Field(default_factory=list, max_length=len(Concern)),
        AfterValidator(unique_codes),
    ]
    reason: LongText = None
    child_voice: LongText = None
    child_voice_absent_reason: LongText = None
    ethnicity: Annotated[
        Ethnicity | None,
        BeforeValidator(blank_to_none),
        _code_schema(Ethnicity, "ONS 2021 (19 groups), or refused or not_known"),
    ] = None
    cultural_heritage: LongText = None
    known_needs: Annotated[
        list[KnownNeed],
        Field(default_factory=list, max_length=len(KnownNeed)),
        AfterValidator(unique_codes),
    ]
    needs_detail: LongText = None
    education_setting: Text200 = None
    parents_aware: Annotated[
        ParentsAware | None,
        BeforeValidator(blank_to_none),
        _code_schema(ParentsAware, "Whether the parents know of the referral"),
    ] = None
    consent: Annotated[
        Consent | None,
        BeforeValidator(blank_to_none),
        _code_schema(Consent, "Consent to the referral, or why not"),
    ] = None
    consent_reason: LongText = None
    actions_taken: LongText = None
    urgency: Annotated[
        Urgency | None,
        BeforeValidator(blank_to_none),
        _code_schema(Urgency, "How soon the front door should act"),
    ] = None
    referrer_name: Text200 = None
    referrer_contact: Text200 = None
    referrer_phone: Annotated[
        str | None,
        Field(
            max_length=30,
            description="A telephone number the front door can ring the referrer on, like "
            "01632 960 123 or +44 7700 900123",
            json_schema_extra={"pattern": PHONE_NUMBER},
        ),
        AfterValidator(lambda v: None if v is None else phone_number(storable(v))),
    ] = None

    @model_validator(mode="after")
    def _one_day(self) -> ReferralIn:
        same_day = timezone.localdate(self.occurred_at) if self.occurred_at else None
        if same_day and self.incident_date and same_day != self.incident_date:
            raise ValueError("incident_date and occurred_at name different days")
        return self

    def answers(self) -> dict[str, Any]:
        """The referral's fields, as ``services.referral_receive_automated`` takes them."""
        return answers_from(self.model_dump(exclude={"source_system", "source_id"}))


DATE_FIELDS = frozenset({"incident_date", "incident_time", "child_date_of_birth"})
LIST_FIELDS = frozenset({"concerns", "known_needs"})


def answers_from(values: dict[str, Any]) -> dict[str, Any]:
    """Validated values (from JSON or a CSV row) to the referral's fields: enums to their codes,
    absent text to '', ``occurred_at`` to the incident's day and time (UK time)."""
    values = dict(values)
    occurred_at = values.pop("occurred_at", None)
    if occurred_at is not None and values.get("incident_date") is None:
        values["incident_date"] = timezone.localdate(occurred_at)
    if occurred_at is not None and values.get("incident_time") is None:
        values["incident_time"] = (
            timezone.localtime(occurred_at).time().replace(second=0, microsecond=0)
        )
    answers: dict[str, Any] = {}
    for name, value in values.items():
        if name in LIST_FIELDS:
            answers[name] = [str(getattr(v, "value", v)) for v in value or []]
        elif name in DATE_FIELDS:
            answers[name] = value
        else:
            answers[name] = "" if value is None else str(getattr(value, "value", value))
    return answers


# Answers ---------------------------------------------------------------------------------------


class MissingItem(Schema):
    key: str = Field(description="The completeness item (see docs/frontdoor-feeds.md)")
    label: str


class ReferralReceived(Schema):
    reference: str = Field(description="Harbour's reference: use it to ask for the outcome")
    status: str
    feed: str
    source_system: str
    source_id: str
    received_at: dt.datetime
    completeness_score: int = Field(description="Per cent of the partnership's weighted items")
    missing: list[MissingItem] = Field(
        description="What the referral lacks; your agency has a task to send it"
    )


class OutcomeOut(Schema):
    code: str
    label: str
    decided_at: dt.datetime
    feedback_to_referrer: str


class ReferralStatusOut(Schema):
    reference: str
    status: str
    status_label: str
    feed: str
    source_system: str
    source_id: str
    received_at: dt.datetime | None
    completeness_score: int | None
    missing: list[MissingItem]
    outcome: OutcomeOut | None = Field(
        None, description="Once a manager has countersigned the decision"
    )


class BulkRow(Schema):
    line: int = Field(description="The line of the file the row starts on (the header is 1)")
    source_system: str
    source_id: str
    reference: str
    completeness_score: int | None = None
    missing: list[MissingItem] = Field(default_factory=list)


class BulkResult(Schema):
    feed: str
    rows: int = Field(description="Rows in the file")
    received_at: dt.datetime
    created: list[BulkRow] = Field(description="Rows received now")
    already_received: list[BulkRow] = Field(
        description="Rows whose source_system and source_id Harbour already had: not changed"
    )


class FieldError(Schema):
    pointer: str | None = Field(None, description="JSON pointer into the body, like #/child_sex")
    location: str = Field(description="body, header, path or query")
    detail: str


class LineError(Schema):
    line: int | None = Field(None, description="Line of the file (the header is 1)")
    column: str | None = None
    value: str | None = None
    detail: str


class ProblemOut(Schema):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError | LineError] | None = None
    existing_reference: str | None = None
