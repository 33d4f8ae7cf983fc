"""Agencies' events and needs through the API (issue 11, part 2): ``POST /api/events`` and
``POST /api/needs``, in the same Ninja API and OpenAPI document as the referrals (ADR 0011):
the same agency bearer tokens, the same ``Idempotency-Key`` handling and the same RFC 9457
problem bodies. Behind them is ``identity.intake``, the service the bulk files and the
administrator's page use, so the rules are the same on every channel.

The agency is the token's: a body that names another agency (``agency``) is refused (403), and
so is an agency code no agency has. Dates and times are ISO 8601 text, read by the intake's own
parser, so a local time the clocks skip is refused here as in a file."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Header, Router, Schema
from pydantic import AfterValidator, ConfigDict

from harbour.frontdoor import intake as referral_intake
from harbour.frontdoor.models import ApiToken
from harbour.frontdoor.problems import API_PREFIX, Problem
from harbour.frontdoor.schemas import (
    IDENTIFIER,
    NHS_NUMBER,
    NO_NUL,
    POSTCODE,
    ProblemOut,
    identifier,
    storable,
)
from harbour.identity import intake
from harbour.identity.models import (
    AssaultLocationType,
    AssaultMethod,
    EventCategory,
    EventKind,
    EventRole,
    ExclusionReason,
    SourceNeedKind,
)
from harbour.partnership.models import Agency

router = Router(tags=["events"])

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
SEND_PROBLEMS: dict[int | str, Any] = {
    code: ProblemOut for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 503)
}
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MOMENT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?$"
MOMENT_HELP = (
    "ISO 8601 date and time, like 2026-06-14T22:40 (local time in the partnership's zone, which "
    "must exist on the clock) or with an offset (2026-06-14T21:40Z); not in the future"
)


def _text(max_length: int, default: str = "", **extra: Any) -> Any:
    return Field(default, max_length=max_length, json_schema_extra={"pattern": NO_NUL}, **extra)


Text = Annotated[str, AfterValidator(storable)]
Identifier = Annotated[str, AfterValidator(identifier)]


def _identifier(max_length: int, description: str) -> Any:
    return Field(
        min_length=1,
        max_length=max_length,
        description=description,
        json_schema_extra={"pattern": IDENTIFIER},
    )


class PersonSchema(Schema):
    """Your agency's record of the person, with the fields of docs/identity-import.md."""

    model_config = ConfigDict(extra="forbid")

    source_system: Identifier = _identifier(60, "e.g. Niche RMS; not 'harbour'")
    source_id: Identifier = _identifier(64, "The record's id there")
    given_name: Text = _text(100)
    family_name: Text = _text(100)
    date_of_birth: str | None = Field(
        None, pattern=DATE, description="YYYY-MM-DD, a real day from 1900, not in the future"
    )
    sex: Literal["", "M", "F", "U"] = Field("", description="M, F or U")
    postcode: str = Field("", max_length=8, pattern=POSTCODE, description="A UK postcode")
    address: Text = _text(300)
    nhs_number: str = Field("", max_length=12, pattern=NHS_NUMBER, description="10 digits")
    school_urn: str = Field("", pattern=r"^([0-9]{6})?$")
    upn: str = Field("", pattern=r"^([A-Za-z][0-9]{11}[0-9A-Za-z])?$")
    as_of: str | None = Field(None, pattern=DATE, description="YYYY-MM-DD, not in the future")


class ParticipantSchema(Schema):
    model_config = ConfigDict(extra="forbid")

    role: EventRole = Field(description="Their role")
    person: PersonSchema | None = Field(None, description="Your agency's record of them")
    name: Text = _text(200, description="Or their name, with no record (one of the two)")
    approximate_age: int | None = Field(None, ge=0, le=120)
    is_adult: bool = False
    poses_risk: bool = Field(False, description="An adult known to pose a risk to children")


class EventSchema(Schema):
    model_config = ConfigDict(extra="forbid")

    agency: str | None = Field(
        None, max_length=60, description="Your agency's code; when given, it must be the token's"
    )
    reference: Identifier = _identifier(
        64,
        "Your agency's reference for the event; the same reference for the same person again "
        "updates the event",
    )
    kind: EventKind
    person: PersonSchema
    person_id: str = Field(
        "",
        pattern=r"^(P-?[0-9]{1,9})?$",
        description="An existing person Harbour showed you, like P-000123",
    )
    role: EventRole = Field(description="The child's role")
    category: EventCategory
    summary: Text = _text(5000, description="What happened; not blank")
    occurred_on: str | None = Field(
        None, pattern=DATE, description="YYYY-MM-DD; this or occurred_at (or ed_arrival_at)"
    )
    occurred_at: str | None = Field(None, pattern=MOMENT, description=MOMENT_HELP)
    recorded_at: str | None = Field(
        None, pattern=MOMENT, description=MOMENT_HELP + "; not before the event"
    )
    severity: int = Field(1, ge=1, le=4, description="1 low to 4 very serious")
    weapon: bool = False
    means: Text = _text(100, description="The weapon or means")
    location: Text = _text(300)
    postcode: str = Field(
        "",
        max_length=8,
        pattern=r"^([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9]([A-Za-z]{2})?)?$",
        description="A postcode or its sector (RV1 2)",
    )
    latitude: float | None = Field(
        None, ge=-90, le=90, description="WGS84; with longitude, inside the partnership's area"
    )
    longitude: float | None = Field(None, ge=-180, le=180, description="WGS84")
    easting: float | None = Field(
        None,
        ge=0,
        le=800_000,
        description="British National Grid; with northing, inside the partnership's area; "
        "or latitude and longitude, not both",
    )
    northing: float | None = Field(None, ge=0, le=1_400_000, description="British National Grid")
    lsoa21: str = Field("", pattern=r"^([EWew]01[0-9]{6})?$")
    ed_arrival_at: str | None = Field(
        None, pattern=MOMENT, description="ISTV, ED attendances only: " + MOMENT_HELP
    )
    ed_assault_at: str | None = Field(
        None,
        pattern=MOMENT,
        description="ISTV, required for an ED attendance and only for one; before the arrival",
    )
    ed_assault_method: AssaultMethod | None = Field(
        None, description="ISTV, required for an ED attendance and only for one"
    )
    ed_assault_method_other: Text = _text(100, description="Required when the method is 98")
    ed_location_type: AssaultLocationType | None = Field(
        None, description="ISTV, required for an ED attendance and only for one"
    )
    ed_location_description: Text = _text(300)
    exclusion_reason: ExclusionReason | None = Field(
        None, description="DfE: required for a suspension or permanent exclusion, and only there"
    )
    participants: list[ParticipantSchema] = Field(default_factory=list, max_length=50)


class NeedSchema(Schema):
    model_config = ConfigDict(extra="forbid")

    agency: str | None = Field(None, max_length=60)
    person: PersonSchema
    person_id: str = Field("", pattern=r"^(P-?[0-9]{1,9})?$")
    kind: SourceNeedKind
    recorded_on: str = Field(pattern=DATE, description="YYYY-MM-DD, not in the future")
    detail: Text = _text(300)


class Arrived(Schema):
    id: int = Field(description="Harbour's id for the event or need")
    outcome: str = Field(description="new, updated or unchanged")
    matched: str = Field(
        description="What matching did with your record of the person: linked, named, "
        "review, held, new_person, already_linked, no_model or unchanged"
    )


def _token(request: HttpRequest) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    return token


def _own_agency(token: ApiToken, named: str | None) -> Agency:
    if named is not None and named != token.agency.code:
        if not Agency.objects.filter(code=named).exists():
            raise Problem("wrong-agency", f"No agency has the code {named[:60]!r}")
        raise Problem(
            "wrong-agency",
            f"This token is {token.agency.name}'s: it may send only its own agency's records",
        )
    return token.agency


class _Invalid(Exception):
    def __init__(self, errors: list[intake.FieldError]) -> None:
        self.errors = errors


def _parsed(errors: list[intake.FieldError], name: str, value: str | None, parse: Any) -> Any:
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as error:
        detail = str(error) if "does not exist" in str(error) else "is not a real date or time"
        errors.append(intake.FieldError(name, detail, value[:40]))
        return None


def _person(errors: list[intake.FieldError], body: PersonSchema, prefix: str) -> intake.PersonIn:
    data = body.dict()
    for name in ("date_of_birth", "as_of"):
        data[name] = _parsed(errors, prefix + name, data[name], intake.parse_date)
    return intake.PersonIn(**data)


def _event_in(body: EventSchema) -> intake.EventIn:
    errors: list[intake.FieldError] = []
    data = body.dict(exclude={"agency", "person", "participants"})
    for name in ("ed_assault_method", "ed_location_type", "exclusion_reason"):
        data[name] = str(data[name].value) if data[name] is not None else ""
    for name in ("kind", "role", "category"):
        data[name] = str(data[name].value)
    data["occurred_on"] = _parsed(errors, "occurred_on", data["occurred_on"], intake.parse_date)
    for name in ("occurred_at", "recorded_at", "ed_arrival_at", "ed_assault_at"):
        data[name] = _parsed(errors, name, data[name], intake.parse_date_time)
    participants = tuple(
        intake.ParticipantIn(
            role=str(p.role.value),
            person=_person(errors, p.person, f"participants.{n}.person.") if p.person else None,
            name=p.name,
            approximate_age=p.approximate_age,
            is_adult=p.is_adult,
            poses_risk=p.poses_risk,
        )
        for n, p in enumerate(body.participants)
    )
    event = intake.EventIn(
        person=_person(errors, body.person, "person."), participants=participants, **data
    )
    if errors:
        raise _Invalid(errors)
    return event


def _need_in(body: NeedSchema) -> intake.NeedIn:
    errors: list[intake.FieldError] = []
    person = _person(errors, body.person, "person.")
    recorded_on = _parsed(errors, "recorded_on", body.recorded_on, intake.parse_date)
    if errors:
        raise _Invalid(errors)
    return intake.NeedIn(
        person=person,
        kind=str(body.kind.value),
        recorded_on=recorded_on,
        detail=body.detail,
        person_id=body.person_id,
    )


def _invalid(errors: list[intake.FieldError]) -> Problem:
    return Problem(
        "validation-error",
        "Some fields are not valid; nothing was saved",
        errors=[
            {
                "pointer": "#/" + e.field.replace(".", "/"),
                "location": "body",
                "detail": e.detail,
            }
            for e in errors
        ],
    )


class _Work:
    """The receiving, remembered so that matching can follow the commit."""

    def __init__(self, receive: Any) -> None:
        self.receive = receive
        self.received: intake.Received | None = None

    def __call__(self, token: ApiToken) -> intake.Received:
        self.received = self.receive(token)
        return self.received


def _receive(request: HttpRequest, key_header: str, endpoint: str, work: _Work) -> HttpResponse:
    token = _token(request)
    key = referral_intake.idempotency_key(key_header)

    def run() -> referral_intake.Answer:
        try:
            received = work(token)
        except _Invalid as invalid:
            raise _invalid(invalid.errors) from None
        except intake.Rejected as rejected:
            raise _invalid(rejected.errors) from None
        status = 201 if received.new else 200
        return referral_intake.Answer(
            status, {"id": received.ids[0], "outcome": received.outcomes[0], "matched": ""}
        )

    answer = referral_intake.idempotent(
        agency=token.agency,
        key=key,
        endpoint=endpoint,
        request_hash=referral_intake.body_hash(endpoint, json.loads(request.body)),
        work=run,
    )
    body = dict(answer.body)
    if not answer.replayed:
        # After the commit: match the agency's record of the person on arrival.
        arrivals = intake.link_arrivals(work.received) if work.received else []
        body["matched"] = arrivals[0].outcome if arrivals else "unchanged"
    else:
        body["matched"] = body.get("matched") or "unchanged"
    response = JsonResponse(body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response


@router.post(
    "/events",
    response={201: Arrived, 200: Arrived, **SEND_PROBLEMS},
    url_name="events-receive",
    summary="Send one event your agency recorded about a child",
)
def events_receive(
    request: HttpRequest,
    payload: EventSchema,
    idempotency_key: str = Header(
        ...,
        alias=IDEMPOTENCY_KEY_HEADER,
        description="Unique to this request; the same on every retry of it",
        pattern=referral_intake.IDEMPOTENCY_KEY_PATTERN,
    ),
) -> HttpResponse:
    """201 for a new event; 200 when the same reference for the same person updated it or
    changed nothing (`outcome`). Your record of the person is matched against the person index
    as it arrives (`matched`). A retry with the same key and body replays the answer; the same
    key with another body is 422. Every rule broken is listed in `errors` (422)."""
    agency = _own_agency(_token(request), payload.agency)
    work = _Work(
        lambda token: intake.receive_events(
            agency=agency,
            events=[_event_in(payload)],
            system_actor=referral_intake.system_actor(agency),
        )
    )
    return _receive(request, idempotency_key, f"POST {API_PREFIX}events", work)


@router.post(
    "/needs",
    response={201: Arrived, 200: Arrived, **SEND_PROBLEMS},
    url_name="needs-receive",
    summary="Send one need your agency's record of a child holds",
)
def needs_receive(
    request: HttpRequest,
    payload: NeedSchema,
    idempotency_key: str = Header(
        ...,
        alias=IDEMPOTENCY_KEY_HEADER,
        description="Unique to this request; the same on every retry of it",
        pattern=referral_intake.IDEMPOTENCY_KEY_PATTERN,
    ),
) -> HttpResponse:
    """A need (SEN support, an EHC plan, a diagnosis, an assessment awaited) keyed on your
    record of the person and the kind of need: sending it again updates it."""
    agency = _own_agency(_token(request), payload.agency)
    work = _Work(
        lambda token: intake.receive_needs(
            agency=agency,
            needs=[_need_in(payload)],
            system_actor=referral_intake.system_actor(agency),
        )
    )
    return _receive(request, idempotency_key, f"POST {API_PREFIX}needs", work)
