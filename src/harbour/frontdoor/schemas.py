"""What the automated referrals API accepts and answers (Ninja schemas, so the OpenAPI document
at ``/api/openapi.json`` is generated from the same definitions that validate requests).

Field names are the referral's own, so a JSON body and a bulk CSV file (``frontdoor.bulk``) use
the same names. Every field but ``source_system`` and ``source_id`` may be left out: an
incomplete automated referral is received and flagged (ADR 0011), never refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, model_validator

from harbour.children.codes import Ethnicity, Sex
from harbour.children.selectors import normalise_postcode
from harbour.frontdoor.codes import Concern, Consent, KnownNeed, ParentsAware, Urgency
from harbour.frontdoor.forms import OLDEST_CHILD_AGE

LONG_TEXT = 10_000
CLOCK_SKEW = dt.timedelta(minutes=5)  # a source system's clock may run a little ahead
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
NHS_NUMBER = re.compile(r"^[0-9]{10}$")


# Checks shared with the bulk file schema -----------------------------------------------------


def storable(value: str) -> str:
    """Text the databases can hold: no NUL character (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


def clean_postcode(value: str) -> str:
    value = normalise_postcode(value)
    if value and not POSTCODE.match(value):
        raise ValueError("must be a UK postcode, like RV1 2AB")
    return value


def clean_nhs_number(value: str) -> str:
    value = "".join(value.split())
    if value and not NHS_NUMBER.match(value):
        raise ValueError("must be 10 digits, like 485 777 3456")
    return value


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


def past_moment(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


def iso_text(value: Any) -> Any:
    """Dates and times come as ISO 8601 strings, not numbers."""
    if value is not None and not isinstance(value, str | dt.date):
        raise ValueError("must be an ISO 8601 string, like 2026-03-27")
    return value


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def unique_codes(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _clean_text(value: str | None) -> str | None:
    return None if value is None else storable(value.strip())


Text100 = Annotated[str | None, Field(max_length=100), AfterValidator(_clean_text)]
Text200 = Annotated[str | None, Field(max_length=200), AfterValidator(_clean_text)]
Text300 = Annotated[str | None, Field(max_length=300), AfterValidator(_clean_text)]
LongText = Annotated[str | None, Field(max_length=LONG_TEXT), AfterValidator(_clean_text)]
DateIn = Annotated[
    dt.date | None,
    BeforeValidator(iso_text),
    BeforeValidator(blank_to_none),
    AfterValidator(lambda v: None if v is None else past_date(v)),
]


class ReferralIn(Schema):
    """One referral from a custody, ambulance or emergency department system."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source_system: Annotated[
        str,
        Field(
            min_length=1,
            max_length=60,
            description="Your system's name, as agreed with the partnership (e.g. 'niche')",
        ),
        AfterValidator(storable),
    ]
    source_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="The event's id in your system: one referral per event, ever",
        ),
        AfterValidator(storable),
    ]
    occurred_at: Annotated[
        dt.datetime | None,
        BeforeValidator(iso_text),
        BeforeValidator(blank_to_none),
        AfterValidator(lambda v: None if v is None else past_moment(v)),
        Field(description="When the event happened (ISO 8601; UK time if no offset)"),
    ] = None
    incident_date: Annotated[
        DateIn, Field(description="The day it happened, if occurred_at is not sent")
    ] = None
    child_given_name: Text100 = None
    child_family_name: Text100 = None
    child_other_names: Text200 = None
    child_date_of_birth: Annotated[
        dt.date | None,
        BeforeValidator(iso_text),
        BeforeValidator(blank_to_none),
        AfterValidator(lambda v: None if v is None else date_of_birth(v)),
        Field(description="ISO 8601 date; the child must be under 25"),
    ] = None
    child_sex: Annotated[Sex | None, BeforeValidator(blank_to_none)] = None
    child_address: Text300 = None
    child_postcode: Annotated[
        str | None,
        Field(max_length=10, description="UK postcode, spaces optional"),
        AfterValidator(lambda v: None if v is None else clean_postcode(storable(v))),
    ] = None
    child_nhs_number: Annotated[
        str | None,
        Field(max_length=12, description="10 digits; spaces are ignored"),
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
    ethnicity: Annotated[Ethnicity | None, BeforeValidator(blank_to_none)] = None
    cultural_heritage: LongText = None
    known_needs: Annotated[
        list[KnownNeed],
        Field(default_factory=list, max_length=len(KnownNeed)),
        AfterValidator(unique_codes),
    ]
    needs_detail: LongText = None
    education_setting: Text200 = None
    parents_aware: Annotated[ParentsAware | None, BeforeValidator(blank_to_none)] = None
    consent: Annotated[Consent | None, BeforeValidator(blank_to_none)] = None
    consent_reason: LongText = None
    actions_taken: LongText = None
    urgency: Annotated[Urgency | None, BeforeValidator(blank_to_none)] = None
    referrer_name: Text200 = None
    referrer_contact: Text200 = None

    @model_validator(mode="after")
    def _one_day(self) -> ReferralIn:
        same_day = timezone.localdate(self.occurred_at) if self.occurred_at else None
        if same_day and self.incident_date and same_day != self.incident_date:
            raise ValueError("incident_date and occurred_at name different days")
        return self

    def answers(self) -> dict[str, Any]:
        """The referral's fields, as ``services.referral_receive_automated`` takes them."""
        return answers_from(self.model_dump(exclude={"source_system", "source_id"}))


DATE_FIELDS = frozenset({"incident_date", "child_date_of_birth"})
LIST_FIELDS = frozenset({"concerns", "known_needs"})


def answers_from(values: dict[str, Any]) -> dict[str, Any]:
    """Validated values (from JSON or a CSV row) to the referral's fields: enums to their codes,
    absent text to '', ``occurred_at`` to the incident's day."""
    values = dict(values)
    occurred_at = values.pop("occurred_at", None)
    if occurred_at is not None and values.get("incident_date") is None:
        values["incident_date"] = timezone.localdate(occurred_at)
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
