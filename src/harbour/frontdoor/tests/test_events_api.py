"""``POST /api/events`` and ``POST /api/needs`` (issue 11, part 2): the referrals API's tokens,
idempotency and problem bodies, the identity intake's rules, and each bad input the issue
names refused with nothing saved."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from harbour.frontdoor import tokens
from harbour.frontdoor.models import IdempotencyRecord
from harbour.frontdoor.tests.api_support import PROBLEM, assert_problem, sender
from harbour.identity import matching
from harbour.identity.models import AgencyEvent, EventParticipant, SourceNeed, SourceRecord
from harbour.partnership.models import AgencyType
from harbour.testing import make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


@pytest.fixture
def ed(db):
    return sender(make_agency("riverside-ed", AgencyType.NHS_TRUST))


def event_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "ATT-26-000777",
        "kind": "ed_attendance",
        "role": "patient",
        "category": "assault",
        "summary": "Jordan attended with a cut to the forearm after an attack.",
        "ed_arrival_at": "2026-06-14T23:05",
        "ed_assault_at": "2026-06-14T22:40",
        "ed_assault_method": "03",
        "ed_location_type": "02",
        "ed_location_description": "Bus station, Riverside",
        "latitude": 52.3912,
        "longitude": -1.6043,
        "person": {
            "source_system": "Symphony EDIS",
            "source_id": "RH1029384",
            "given_name": "Jordan",
            "family_name": "Baker",
            "date_of_birth": "2011-03-14",
            "sex": "M",
            "nhs_number": "485 777 3456",
        },
        "participants": [{"role": "suspect", "name": "Unknown young man", "approximate_age": 17}],
    }
    body.update(changes)
    return body


def post(who: Any, path: str, body: Any, key: str | None = "auto") -> Any:
    return who.client.post(
        f"/api/{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers=who.headers(key),
    )


def test_an_event_is_received_then_a_retry_replays_and_a_resend_changes_nothing(ed):
    key = str(uuid.uuid4())
    first = post(ed, "events", event_body(), key)
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "new" and first.json()["matched"] == "no_model"
    saved = AgencyEvent.objects.get()
    assert saved.agency == ed.agency and saved.ed_assault_method == "03" and saved.weapon
    assert EventParticipant.objects.get().name == "Unknown young man"
    replay = post(ed, "events", event_body(), key)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    again = post(ed, "events", event_body())  # a new key: the same event again
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    changed = post(ed, "events", event_body(summary="Jordan had stitches to the forearm."))
    assert changed.status_code == 200 and changed.json()["outcome"] == "updated"
    assert AgencyEvent.objects.count() == 1 and SourceRecord.objects.count() == 1


def test_the_same_key_for_another_body_is_422(ed):
    key = str(uuid.uuid4())
    post(ed, "events", event_body(), key)
    body = assert_problem(post(ed, "events", event_body(reference="ATT-2"), key), 422)
    assert body["type"] == "/api/problems/idempotency-key-reused"


def test_no_key_is_400_and_no_token_is_401(ed):
    assert_problem(post(ed, "events", event_body(), key=None), 400)
    response = Client().post(
        "/api/events", data=json.dumps(event_body()), content_type="application/json"
    )
    assert_problem(response, 401)
    assert not AgencyEvent.objects.exists()


def test_a_token_of_another_agency_or_an_unknown_agency_is_refused(ed):
    police = make_agency("riverside-police", AgencyType.POLICE)
    body = assert_problem(post(ed, "events", event_body(agency=police.code)), 403)
    assert body["type"] == "/api/problems/wrong-agency"
    assert_problem(post(ed, "events", event_body(agency="no-such-agency")), 403)
    assert post(ed, "events", event_body(agency=ed.agency.code)).status_code == 201
    assert AgencyEvent.objects.get().agency == ed.agency


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"ed_arrival_at": "2099-01-01T10:00"}, "#/ed_arrival_at"),
        ({"ed_assault_at": "2026-03-29T01:30"}, "#/ed_assault_at"),  # the clocks skip it
        ({"ed_assault_at": "2026-02-30T10:00"}, "#/ed_assault_at"),
        ({"latitude": 51.5, "longitude": -0.12}, "#/latitude"),
        ({"easting": 530000, "northing": 180000, "latitude": None, "longitude": None}, "#/easting"),
        ({"ed_assault_method": "07"}, "#/ed_assault_method"),
        ({"kind": "burglary"}, "#/kind"),
        (
            {"person": {"source_system": "EDIS", "source_id": "1", "nhs_number": "12"}},
            "#/person/nhs_number",
        ),
        ({"participants": [{"role": "suspect"}]}, "#/participants/0/name"),
    ],
)
def test_each_broken_rule_is_a_422_naming_the_field_and_nothing_is_saved(ed, changes, pointer):
    body = assert_problem(post(ed, "events", event_body(**changes)), 422)
    assert body["type"] == "/api/problems/validation-error"
    assert pointer in {e["pointer"] for e in body["errors"]}, body
    assert not AgencyEvent.objects.exists() and not SourceRecord.objects.exists()
    assert not IdempotencyRecord.objects.exists()  # a corrected retry may use the same key


def test_a_body_that_is_not_json_or_misses_fields_is_a_problem(ed):
    response = ed.client.post(
        "/api/events", data="{not json", content_type="application/json", headers=ed.headers()
    )
    assert response.status_code in (400, 422) and response["Content-Type"] == PROBLEM
    body = assert_problem(post(ed, "events", {"reference": "x"}), 422)
    assert body["errors"]


def test_a_need_is_received_and_updated_not_duplicated(ed):
    need = {
        "person": {"source_system": "SIMS", "source_id": "S1", "given_name": "Tyler"},
        "kind": "ehc_plan",
        "recorded_on": "2026-01-05",
    }
    assert post(ed, "needs", need).status_code == 201
    assert post(ed, "needs", need).json()["outcome"] == "unchanged"
    assert post(ed, "needs", {**need, "detail": "Review due"}).json()["outcome"] == "updated"
    assert SourceNeed.objects.get().detail == "Review due"
    assert_problem(post(ed, "needs", {**need, "recorded_on": "2099-01-01"}), 422)
    assert_problem(post(ed, "needs", {**need, "kind": "ehcp"}), 422)


def test_the_openapi_document_lists_both_routes(ed):
    document = Client().get("/api/openapi.json").json()
    assert "/api/events" in document["paths"] and "/api/needs" in document["paths"]
    responses = document["paths"]["/api/events"]["post"]["responses"]
    assert PROBLEM in responses["422"]["content"] and PROBLEM in responses["403"]["content"]


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_senders_of_one_event_make_one_event():
    """The same event from ten systems at the same moment, each under its own key: one event,
    one record of the person, and every sender answered 2xx (the losers of the race find the
    winner's rows and change nothing)."""
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    secrets = [
        tokens.token_create(agency=agency, name=f"system {n}", system_actor="test").secret
        for n in range(10)
    ]
    start = threading.Barrier(len(secrets))
    answers: list[Any] = [None] * len(secrets)
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            client = Client()
            start.wait()
            answers[n] = client.post(
                "/api/events",
                data=json.dumps(event_body()),
                content_type="application/json",
                headers={"Authorization": f"Bearer {secrets[n]}", "Idempotency-Key": f"k{n}"},
            )
        except BaseException as error:  # reported to the main thread below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(secrets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 9 + [201], [a.content for a in answers]
    assert AgencyEvent.objects.count() == 1 and SourceRecord.objects.count() == 1
    assert EventParticipant.objects.count() == 1
