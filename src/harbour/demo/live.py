"""``harbour demo live``: events arriving while the demo runs (issue 11, part 6). Every few
seconds one synthetic event goes to ``POST /api/events`` over HTTP, as an agency's system would
send it: with the agency's bearer token (made with ``frontdoor.tokens.token_create``, the path
``harbour frontdoor token create`` takes, unless one is given) and a fresh ``Idempotency-Key``.

The events are about children the demo's lead practitioner works with first (so a user signed
in as them sees the events arrive), each named by the agency's record of them exactly as Harbour
holds it: the emergency department's attendances after an assault, the police's incidents and
missing episodes, in turn."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from harbour.access.models import WorkingRelationship
from harbour.demo import riverside as rv
from harbour.demo.event_files import person_columns
from harbour.demo.models import GroundTruth
from harbour.demo.signins import LEAD_PRACTITIONER
from harbour.frontdoor import tokens
from harbour.frontdoor.problems import API_PREFIX
from harbour.identity.models import (
    AssaultLocationType,
    AssaultMethod,
    EventCategory,
    EventKind,
    EventRole,
    SourceRecord,
)
from harbour.partnership.models import Agency

FEED_NAME = "Harbour demo: live events"
SEED_OFFSET = 6_113
TIMEOUT_SECONDS = 30
YOUNGEST, ADULT = 10, 18


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Sent:
    """What one sending got back."""

    reference: str
    agency: str
    status: int
    body: dict[str, Any]

    def line(self) -> str:
        outcome = self.body.get("outcome") or self.body.get("title") or ""
        matched = self.body.get("matched")
        return f"{self.agency} {self.reference}: {self.status} {outcome}" + (
            f" (matched: {matched})" if matched else ""
        )


def person_of(record: SourceRecord) -> dict[str, Any]:
    """The agency's record of the person, as Harbour holds it (so nothing about it changes):
    the columns of its files, those it holds."""
    return {name: value for name, value in person_columns(record).items() if value}


def _moment(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def ed_attendance(record: SourceRecord, reference: str, now: dt.datetime) -> dict[str, Any]:
    name = record.given_name or "The young person"
    return {
        "reference": reference,
        "kind": EventKind.ED_ATTENDANCE,
        "role": EventRole.PATIENT,
        "category": EventCategory.VIOLENCE_WITH_INJURY,
        "severity": 3,
        "summary": f"{name} came in with a cut to the hand after being attacked near the "
        "shops; wound closed, seen by the youth worker in the department.",
        "ed_arrival_at": _moment(now - dt.timedelta(minutes=5)),
        "ed_assault_at": _moment(now - dt.timedelta(minutes=50)),
        "ed_assault_method": AssaultMethod.SHARP_OBJECT,
        "ed_location_type": AssaultLocationType.STREET,
        "ed_location_description": "Outside the shops on Market Street",
        "person": person_of(record),
    }


def police_incident(record: SourceRecord, reference: str, now: dt.datetime) -> dict[str, Any]:
    name = record.given_name or "The young person"
    return {
        "reference": reference,
        "kind": EventKind.INCIDENT,
        "role": EventRole.VICTIM,
        "category": EventCategory.ROBBERY,
        "severity": 2,
        "summary": f"{name} had a phone taken by two older youths who threatened them at the "
        "bus station; officers took an account.",
        "occurred_at": _moment(now - dt.timedelta(minutes=30)),
        "person": person_of(record),
        "participants": [
            {"role": EventRole.SUSPECT, "name": "Unknown older youth", "approximate_age": 17}
        ],
    }


def missing_episode(record: SourceRecord, reference: str, now: dt.datetime) -> dict[str, Any]:
    name = record.given_name or "The young person"
    return {
        "reference": reference,
        "kind": EventKind.MISSING,
        "role": EventRole.MISSING_PERSON,
        "category": EventCategory.MISSING,
        "severity": 2,
        "summary": f"{name} did not come home last night and was found this morning in a "
        "flat in another town.",
        "occurred_at": _moment(now - dt.timedelta(hours=10)),
        "person": person_of(record),
    }


Make = Callable[[SourceRecord, str, dt.datetime], dict[str, Any]]
# (agency, reference prefix, the event) in turn
TURNS: tuple[tuple[str, str, Make], ...] = (
    (rv.ED, "ATT", ed_attendance),
    (rv.POLICE, "OCC", police_incident),
    (rv.ED, "ATT", ed_attendance),
    (rv.POLICE, "MIS", missing_episode),
)


def records_to_send_about(
    agency: Agency, *, seed: int, today: dt.date | None = None
) -> list[SourceRecord]:
    """The agency's records of children old enough for what is sent (10 to 17), the lead
    practitioner's children first (never a duplicate record the generator made)."""
    today = today or timezone.localdate()
    caseload = set(
        WorkingRelationship.objects.filter(staff__email=LEAD_PRACTITIONER.email).values_list(
            "child_id", flat=True
        )
    )
    truths = list(
        GroundTruth.objects.filter(
            source_record__agency=agency,
            child__date_of_birth__lte=years_before(today, YOUNGEST),
            child__date_of_birth__gt=years_before(today, ADULT),
        )
        .select_related("source_record")
        .order_by("source_record__source_id")
    )
    rng = random.Random(seed + SEED_OFFSET)
    rng.shuffle(truths)
    truths.sort(key=lambda t: t.child_id not in caseload)
    return [t.source_record for t in truths if "duplicate" not in t.errors]


def post_event(
    base_url: str, token: str, body: dict[str, Any], key: str
) -> tuple[int, dict[str, Any]]:
    """``POST /api/events`` over HTTP; the status and the JSON answered (a problem body too)."""
    request = urllib.request.Request(  # noqa: S310  (the demo's own server, http or https)
        base_url.rstrip("/") + API_PREFIX + "events",
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        answer = error.read()
        try:
            return error.code, json.loads(answer or b"{}")
        except ValueError:
            return error.code, {"title": answer[:200].decode("utf-8", "replace")}


class LiveFeed:
    """The agencies' tokens and whom to send about; ``send`` sends the next event."""

    def __init__(self, *, base_url: str, seed: int, given: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.seed = seed
        self.tokens: dict[str, str] = dict(given or {})
        self.made: dict[str, str] = {}  # agency code -> token made here, to show once
        self.records: dict[str, Iterator[SourceRecord]] = {}
        self.sent = 0

    def token_for(self, agency: Agency) -> str:
        if agency.code not in self.tokens:
            made = tokens.token_create(agency=agency, name=FEED_NAME, system_actor="demo-live")
            self.tokens[agency.code] = self.made[agency.code] = made.secret
        return self.tokens[agency.code]

    def _next_record(self, agency: Agency) -> SourceRecord:
        if agency.code not in self.records:
            found = records_to_send_about(agency, seed=self.seed)
            if not found:
                raise LookupError(f"{agency.name} holds no record of a child to send about")
            self.records[agency.code] = _cycle(found)
        return next(self.records[agency.code])

    def send(self, now: dt.datetime | None = None) -> Sent:
        now = now or timezone.now()
        code, prefix, make = TURNS[self.sent % len(TURNS)]
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise LookupError(f"No agency has the code {code!r}: run `harbour demo generate`")
        token = self.token_for(agency)
        record = self._next_record(agency)
        # A new event each time, whichever run of the command sends it.
        reference = f"{prefix}-{timezone.localtime(now):%y}-L{uuid.uuid4().hex[:12].upper()}"
        status, body = post_event(
            self.base_url, token, make(record, reference, now), str(uuid.uuid4())
        )
        self.sent += 1
        return Sent(reference, code, status, body)


def _cycle(records: list[SourceRecord]) -> Iterator[SourceRecord]:
    while True:
        yield from records


def run(
    feed: LiveFeed,
    *,
    every: float,
    count: int,
    say: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> list[Sent]:
    """Send ``count`` events (0: until interrupted), one every ``every`` seconds."""
    sent: list[Sent] = []
    while count <= 0 or len(sent) < count:
        if sent:
            sleep(every)
        done = feed.send()
        for code, secret in feed.made.items():
            say(f"Made an API token for {code} ({FEED_NAME}), shown once: {secret}")
        feed.made.clear()
        say(done.line())
        sent.append(done)
    return sent
