"""Schemathesis over the automated referrals API's own OpenAPI document (ADR 0011).

Every operation, with data the document allows and data it forbids, goes through the real Django
stack (middleware, Ninja, the database, the audit trail) under every check schemathesis has:
nothing is a server error; every answer is a status, content type and body the document declares;
data the document allows is accepted and data it forbids refused; a missing required header is
refused; an operation that needs a token refuses a request without one.

What a JSON Schema cannot state is in the fields' descriptions, and the examples keep to it where
the document allows a value: a date not in the future, a child under 25, ``incident_date`` on the
day of ``occurred_at``, a bulk file that is a CSV of referrals, and an ``Idempotency-Key`` not
used before (a reused key with another body is rightly 422). Forbidden data is sent as generated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from harbour.frontdoor.api import api
from harbour.frontdoor.schemas import ReferralIn
from harbour.frontdoor.tests.api_support import make_feeds, referral_body

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 30
IDEMPOTENCY_KEY = "Idempotency-Key"


class TestWsgiApp:
    """Django's WSGI application as Django's test client runs it: a request inside a test must
    not close the test's database connection (at the end of every request Django closes a
    connection whose transaction is still open, and the test's is)."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            content = b"".join(response)
            response.close()
            return [content]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def load_schema() -> Any:
    """The document ``/api/openapi.json`` serves, taken from the API itself: fetching it through
    the app needs the database (every request is a transaction), which collection may not use.
    ``test_the_document_tested_is_the_one_served`` shows that the two are the same."""
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
    loaded.app = TestWsgiApp()
    return loaded


schema = load_schema()


def every_check() -> list[Any]:
    """Every check schemathesis has (``--checks all``), not only those on by default."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return list(CHECKS.get_all())


# Keeping allowed examples to what the document's descriptions say -----------------------------


def _parsed(value: Any, parse: Callable[[str], Any]) -> Any:
    """The value parsed, None when it is absent, or False when it names no real day or moment
    (like 0000-01-01 or 2025-02-29, which a pattern cannot rule out)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse(value)
    except ValueError:
        return False


def keep_to_the_rules(body: dict[str, Any]) -> dict[str, Any]:
    """Dates the document allows but its descriptions do not (not a real date, in the future, a
    child 25 or over, two different days) moved to ones they do; the generated value is kept
    where it already fits."""
    body = dict(body)
    now = timezone.now()
    today = timezone.localdate()
    moment = _parsed(body.get("occurred_at"), dt.datetime.fromisoformat)
    if moment is not None:
        if moment and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment is False or moment > now:
            moment = now - dt.timedelta(hours=3)
            body["occurred_at"] = moment.isoformat()
    day = _parsed(body.get("incident_date"), dt.date.fromisoformat)
    if moment is not None and day is not None:
        body["incident_date"] = timezone.localdate(moment).isoformat()
    elif day is False or (day and day > today):
        body["incident_date"] = (today - dt.timedelta(days=1)).isoformat()
    born = _parsed(body.get("child_date_of_birth"), dt.date.fromisoformat)
    if born is False or (born and not today - dt.timedelta(days=365 * 24) < born <= today):
        body["child_date_of_birth"] = (today - dt.timedelta(days=365 * 14)).isoformat()
    return body


def _clean(value: Any, fallback: str = "") -> Any:
    """Generated text as the rules keep it: no NUL, no lone surrogate, not blank where a value
    is required (``fallback``)."""
    if not isinstance(value, str):
        return value
    text = "".join(c for c in value if c != "\x00" and not "\ud800" <= c <= "\udfff")
    return text if text.strip() or not fallback else fallback


def _person(person: Any) -> dict[str, Any]:
    """A generated record of a person kept to the rules its descriptions state: a real date of
    birth from 1900 and not in the future, an as-of date not in the future, a postcode in its
    standard form, a new source id (so each is a new record), and never Harbour's own system."""
    person = dict(person) if isinstance(person, dict) else {}
    person["source_system"] = "cad"
    person["source_id"] = str(uuid.uuid4())
    born = _parsed(person.get("date_of_birth"), dt.date.fromisoformat)
    if born is False or (born and not dt.date(1900, 1, 1) <= born <= timezone.localdate()):
        person["date_of_birth"] = "2011-03-14"
    as_of = _parsed(person.get("as_of"), dt.date.fromisoformat)
    if as_of is False or (as_of and as_of > timezone.localdate()):
        person["as_of"] = None
    for name in ("given_name", "family_name", "address"):
        person[name] = _clean(person.get(name, ""))
    return person


ED_ONLY = ("ed_arrival_at", "ed_assault_at", "ed_assault_method", "ed_location_type")


def keep_event_to_the_rules(body: dict[str, Any]) -> dict[str, Any]:
    """A generated event kept to the rules the document states in words: when (past, real), no
    point (the partnership's area is a setting), the ISTV items only and always for an ED
    attendance, a DfE reason only and always for a suspension or exclusion, each person named
    or recorded, and a new reference."""
    body = dict(body)
    body["agency"] = None
    body["reference"] = f"E-{uuid.uuid4()}"
    body["person"] = _person(body.get("person"))
    moment = timezone.now() - dt.timedelta(hours=3)
    body["occurred_at"] = moment.strftime("%Y-%m-%dT%H:%MZ")
    body["occurred_on"] = None
    body["recorded_at"] = None
    for name in ("latitude", "longitude", "easting", "northing"):
        body[name] = None
    body["summary"] = _clean(body.get("summary", ""), "What happened.")
    for name in ("means", "location", "ed_location_description", "ed_assault_method_other"):
        body[name] = _clean(body.get(name, ""))
    kind = body.get("kind")
    if kind == "ed_attendance":
        body["ed_arrival_at"] = body["occurred_at"]
        body["ed_assault_at"] = (moment - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%MZ")
        body["ed_assault_method"] = body.get("ed_assault_method") or "01"
        body["ed_location_type"] = body.get("ed_location_type") or "02"
        if body["ed_assault_method"] == "98" and not body["ed_assault_method_other"].strip():
            body["ed_assault_method_other"] = "Thrown object"
    else:
        for name in ED_ONLY:
            body[name] = None
    if kind in ("suspension", "permanent_exclusion"):
        body["exclusion_reason"] = body.get("exclusion_reason") or "PD"
    elif kind != "exclusion":
        body["exclusion_reason"] = None
    participants = []
    for participant in body.get("participants") or []:
        participant = dict(participant)
        if participant.get("person") is not None:
            participant["person"] = _person(participant["person"])
        participant["name"] = _clean(participant.get("name", ""), "Someone named")
        participants.append(participant)
    body["participants"] = participants
    return body


def keep_need_to_the_rules(body: dict[str, Any]) -> dict[str, Any]:
    body = dict(body)
    body["agency"] = None
    body["person"] = _person(body.get("person"))
    day = _parsed(body.get("recorded_on"), dt.date.fromisoformat)
    if day is False or day is None or day > timezone.localdate():
        body["recorded_on"] = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body["detail"] = _clean(body.get("detail", ""))
    return body


def csv_file(text: str, rows: int = 2) -> str:
    """A bulk file of referrals, carrying the generated text in a cell."""
    text = text.replace("\x00", "")[:1000]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source_system", "source_id", "what_happened", "concerns"])
    for _ in range(rows):
        writer.writerow(["cad", str(uuid.uuid4()), text, "knife_crime;cce"])
    return out.getvalue()


class Senders:
    """Each feed's sending system, and referrals they sent (so a status can be read)."""

    def __init__(self) -> None:
        feeds = make_feeds()
        self.by_feed = {
            "custody": feeds["police"],
            "ambulance": feeds["ambulance"],
            "ed_assault": feeds["trust"],
        }
        police = self.by_feed["custody"]
        self.references = [
            police.post("custody", referral_body(f"KNOWN-{n}")).json()["reference"]
            for n in range(2)
        ]
        self.turn = itertools.count()

    def for_case(self, case: Any) -> Any:
        feed = str((case.path_parameters or {}).get("feed"))
        return self.by_feed.get(feed, self.by_feed["custody"])


@pytest.fixture
def senders(db):
    return Senders()


def prepare(case: Any, senders: Senders) -> None:
    """Allowed examples kept to the rules the document states in words; forbidden ones as
    generated."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if case.headers and IDEMPOTENCY_KEY in case.headers:
        case.headers[IDEMPOTENCY_KEY] = str(uuid.uuid4())
    if case.operation.path == "/api/referrals/{reference}" and next(senders.turn) % 2 == 0:
        case.path_parameters["reference"] = senders.references[0]
    elif case.operation.path == "/api/referrals/{feed}" and isinstance(case.body, dict):
        case.body = keep_to_the_rules(case.body)
        source_id = case.body.get("source_id")
        if isinstance(source_id, str) and source_id and next(senders.turn) % 3:
            # Most as new events (201), the rest as generated (often the same event again: 409).
            case.body["source_id"] = f"{source_id[:27]}-{uuid.uuid4()}"
    elif case.operation.path == "/api/events" and isinstance(case.body, dict):
        case.body = keep_event_to_the_rules(case.body)
    elif case.operation.path == "/api/needs" and isinstance(case.body, dict):
        case.body = keep_need_to_the_rules(case.body)
    elif case.operation.path == "/api/referrals/{feed}/bulk":
        if case.media_type == "text/csv" and isinstance(case.body, str):
            case.body = csv_file(case.body)
        elif isinstance(case.body, dict) and "file" in case.body:
            generated = case.body["file"]
            if isinstance(generated, bytes):
                generated = generated.decode("utf-8", "replace")
            # Text, not bytes: schemathesis counts a body holding bytes as not checked.
            case.body = {"file": csv_file(str(generated))}


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_openapi_document(case, senders):
    prepare(case, senders)
    headers = {"Authorization": f"Bearer {senders.for_case(case).secret}"}
    response = case.call(headers=headers)
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=every_check(), headers=headers)


def test_the_document_tested_is_the_one_served(client):
    assert client.get("/api/openapi.json").json() == schema.raw_schema


def test_every_check_is_run():
    names = {check.__name__ for check in every_check()}
    assert names >= {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
        "ignored_auth",
    }


def test_allowed_examples_kept_to_the_rules_are_valid_referrals():
    """The adjustments above make referrals the schema accepts, not ones it refuses."""
    future = (timezone.now() + dt.timedelta(days=400)).isoformat()
    body = keep_to_the_rules(
        {
            "source_system": "x",
            "source_id": "1",
            "occurred_at": future,
            "incident_date": "2999-01-01",
            "child_date_of_birth": "1900-01-01",
        }
    )
    ReferralIn.model_validate(body)
