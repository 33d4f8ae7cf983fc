"""The automated referrals API: tokens and feed scoping, referrals received (incomplete ones
too), idempotency, duplicate events, the sender's view of its referrals, problem bodies, and the
OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.access.models import AuditEvent
from harbour.frontdoor import services, tokens
from harbour.frontdoor.codes import Outcome, Source, Status
from harbour.frontdoor.models import ApiToken, IdempotencyRecord, Referral, SourceTask
from harbour.frontdoor.problems import PROBLEM_TYPES
from harbour.frontdoor.tests.api_support import (
    PROBLEM,
    assert_problem,
    make_feeds,
    referral_body,
    sender,
)
from harbour.partnership.models import Role
from harbour.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(db):
    return make_feeds()


# Tokens and who may send what ---------------------------------------------------------------


def test_no_token_is_401_with_a_problem_body(feeds, client):
    response = client.post(
        "/api/referrals/custody",
        data=json.dumps(referral_body()),
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    body = assert_problem(response, 401)
    assert body["type"] == "/api/problems/unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Referral.objects.count() == 0


def test_a_signed_in_staff_session_counts_for_nothing(feeds, client):
    client.force_login(make_staff(feeds["police"].agency, Role.REFERRER))
    response = client.post(
        "/api/referrals/custody",
        data=json.dumps(referral_body()),
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert_problem(response, 401)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer hbr_000000000000_notarealsecret",
        "Bearer not-even-shaped-like-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer hbr_%00_x",
    ],
)
def test_unknown_or_malformed_tokens_are_401(feeds, client, authorization):
    response = client.post(
        "/api/referrals/custody",
        data=json.dumps(referral_body()),
        content_type="application/json",
        headers={"Authorization": authorization, "Idempotency-Key": "k1"},
    )
    assert_problem(response, 401)


def test_a_token_with_the_right_prefix_but_the_wrong_secret_is_401(feeds):
    police = feeds["police"]
    prefix = police.secret.split("_")[1]
    police.secret = f"hbr_{prefix}_{'x' * 43}"
    assert_problem(police.post("custody", referral_body()), 401)


def test_a_revoked_token_is_401_from_the_next_request(feeds):
    police = feeds["police"]
    assert police.post("custody", referral_body()).status_code == 201
    tokens.token_revoke(token=ApiToken.objects.get(agency=police.agency), system_actor="test")
    assert_problem(police.post("custody", referral_body()), 401)
    assert AuditEvent.objects.filter(event="api_token.revoked").count() == 1


def test_a_token_of_an_agency_no_longer_active_is_401(feeds):
    police = feeds["police"]
    police.agency.is_active = False
    police.agency.save()
    assert_problem(police.post("custody", referral_body()), 401)


def test_only_the_hash_of_the_secret_is_kept_and_use_is_recorded(feeds):
    police = feeds["police"]
    token = ApiToken.objects.get(agency=police.agency)
    assert police.secret not in (token.token_hash, token.prefix)
    assert token.token_hash == tokens.token_hash(police.secret)
    assert token.last_used_at is None
    police.post("custody", referral_body())
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("who", "feed", "allowed"),
    [
        ("police", "custody", True),
        ("ambulance", "ambulance", True),
        ("trust", "ed_assault", True),
        ("police", "ambulance", False),
        ("police", "ed_assault", False),
        ("ambulance", "custody", False),
        ("trust", "custody", False),
        ("school", "custody", False),
        ("school", "ed_assault", False),
    ],
)
def test_each_feed_comes_from_its_own_kind_of_agency(feeds, who, feed, allowed):
    response = feeds[who].post(feed, referral_body())
    if allowed:
        assert response.status_code == 201
    else:
        body = assert_problem(response, 403)
        assert body["type"] == "/api/problems/feed-not-allowed"
        assert Referral.objects.count() == 0


def test_an_unknown_feed_is_404(feeds):
    body = assert_problem(feeds["police"].post("traffic", referral_body()), 404)
    assert body["type"] == "/api/problems/unknown-feed"


def test_the_command_prints_a_token_once_and_it_works(feeds, capsys):
    call_command("frontdoor", "token", "create", "--agency", "ambulance", "--name", "CAD")
    out = capsys.readouterr().out
    secret = next(line.strip() for line in out.splitlines() if line.strip().startswith("hbr_"))
    token = ApiToken.objects.get(agency__code="ambulance", name="CAD")
    assert secret not in token.token_hash
    assert AuditEvent.objects.filter(event="api_token.created", object_id=str(token.pk)).exists()
    response = Client().post(
        "/api/referrals/ambulance",
        data=json.dumps(referral_body()),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "cad-1"},
    )
    assert response.status_code == 201
    call_command("frontdoor", "token", "list")
    listed = capsys.readouterr().out
    assert token.prefix in listed and secret not in listed
    call_command("frontdoor", "token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None


# Receiving referrals -------------------------------------------------------------------------


def test_a_complete_referral_is_received(feeds):
    police = feeds["police"]
    before = AuditEvent.objects.count()
    response = police.post("custody", referral_body("CUST-1"))
    assert response.status_code == 201
    body = response.json()
    referral = Referral.objects.get()
    assert body["reference"] == referral.reference
    assert response["Location"] == f"/api/referrals/{referral.reference}"
    assert body["status"] == Status.RECEIVED
    assert body["completeness_score"] == 100
    assert body["missing"] == []
    assert (body["feed"], body["source_system"], body["source_id"]) == (
        "custody",
        "niche",
        "CUST-1",
    )
    assert referral.source == Source.API
    assert referral.referring_agency == police.agency
    assert referral.front_door == feeds["csc"]
    assert referral.child_postcode == "RV1 2AB"
    assert referral.incident_date == dt.date(2026, 3, 27)
    assert referral.concerns == ["serious_youth_violence", "knife_crime"]
    assert not SourceTask.objects.exists()
    received = AuditEvent.objects.filter(sequence__gt=before, event="referral.received").get()
    assert received.actor_username == "api:police"


def test_an_incomplete_referral_is_received_flagged_with_a_task_to_the_source(feeds):
    police = feeds["police"]
    response = police.post(
        "custody",
        {"source_system": "niche", "source_id": "CUST-2", "child_given_name": "Jay"},
    )
    assert response.status_code == 201
    body = response.json()
    keys = {item["key"] for item in body["missing"]}
    assert {"child_identity", "what_happened", "concerns", "reason", "child_voice"} <= keys
    assert all(item["label"] for item in body["missing"])
    assert body["completeness_score"] < 50
    task = SourceTask.objects.get()
    assert task.agency == police.agency
    assert set(task.missing) == keys
    assert task.referral.reference == body["reference"]


def test_invalid_fields_are_a_422_problem_listing_each_and_nothing_is_saved(feeds):
    police = feeds["police"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = police.post(
        "custody",
        referral_body(
            child_sex="X",
            concerns=["knife_crime", "made_up"],
            child_date_of_birth=tomorrow,
            child_postcode="NOT A POSTCODE",
            child_nhs_number="12345",
            shoe_size=9,
        ),
        key="bad-1",
    )
    body = assert_problem(response, 422)
    assert body["type"] == "/api/problems/validation-error"
    pointers = {error["pointer"] for error in body["errors"]}
    assert {
        "#/child_sex",
        "#/concerns/1",
        "#/child_date_of_birth",
        "#/child_postcode",
        "#/child_nhs_number",
        "#/shoe_size",
    } <= pointers
    assert Referral.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
    # An error keeps nothing, so the corrected request may use the same key.
    assert police.post("custody", referral_body(), key="bad-1").status_code == 201


@pytest.mark.parametrize(
    "body",
    ['{"source_system": ', "[]", '"text"', "null", "{}", '{"source_system": "x"}'],
)
def test_a_body_that_is_not_a_referral_is_a_problem(feeds, body):
    response = feeds["police"].post("custody", body)
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


def test_text_with_a_nul_character_is_refused_not_a_server_error(feeds):
    response = feeds["police"].post("custody", referral_body(what_happened="a\x00b"))
    body = assert_problem(response, 422)
    assert body["errors"][0]["pointer"] == "#/what_happened"


# Idempotency ----------------------------------------------------------------------------------


def test_a_post_without_an_idempotency_key_is_400(feeds):
    police = feeds["police"]
    body = assert_problem(police.post("custody", referral_body(), key=None), 400)
    assert body["type"] == "/api/problems/idempotency-key-missing"
    # Even when the body is also wrong: the key is asked for first.
    assert_problem(police.post("custody", {"nonsense": True}, key=None), 400)
    assert Referral.objects.count() == 0


def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(feeds):
    police = feeds["police"]
    body = referral_body("CUST-3")
    first = police.post("custody", body, key="retry-1")
    # The same body with its keys in another order is the same request.
    shuffled = dict(reversed(list(body.items())))
    second = police.post("custody", shuffled, key="retry-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert second["Location"] == first["Location"]
    assert Referral.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.referral is not None and record.status_code == 201


def test_a_key_used_again_with_a_different_body_is_422(feeds):
    police = feeds["police"]
    assert police.post("custody", referral_body("CUST-4"), key="k").status_code == 201
    response = police.post("custody", referral_body("CUST-5"), key="k")
    body = assert_problem(response, 422)
    assert body["type"] == "/api/problems/idempotency-key-reused"
    assert Referral.objects.count() == 1


def test_keys_belong_to_one_agency(feeds):
    body = referral_body("SAME")
    assert feeds["police"].post("custody", body, key="shared").status_code == 201
    assert feeds["other_police"].post("custody", body, key="shared").status_code == 201
    assert Referral.objects.count() == 2


def test_the_same_event_under_another_key_is_409_naming_the_first_referral(feeds):
    police = feeds["police"]
    first = police.post("custody", referral_body("CUST-6"), key="a").json()
    response = police.post("custody", referral_body("CUST-6", reason="Changed"), key="b")
    body = assert_problem(response, 409)
    assert body["type"] == "/api/problems/duplicate-source-id"
    assert body["existing_reference"] == first["reference"]
    assert Referral.objects.count() == 1


def _post_together(requests: list[tuple[dict[str, Any], str]], agency: Any) -> list[Any]:
    """Send the requests at the same moment, each from its own thread and connection and with
    its own token of the agency (so they do not queue on one token's row: two systems of one
    agency, or a token and its replacement)."""
    secrets = [
        tokens.token_create(agency=agency, name=f"system {n}", system_actor="test").secret
        for n in range(len(requests))
    ]
    start = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)
    errors: list[BaseException] = []

    def send(n: int, body: dict[str, Any], key: str) -> None:
        try:
            client = Client()
            start.wait()
            answers[n] = client.post(
                "/api/referrals/custody",
                data=json.dumps(body),
                content_type="application/json",
                headers={"Authorization": f"Bearer {secrets[n]}", "Idempotency-Key": key},
            )
        except BaseException as error:  # reported to the main thread below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=send, args=(n, body, key)) for n, (body, key) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return answers


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_requests_make_one_referral():
    police = make_feeds()["police"]
    body = referral_body("RACE-1")
    answers = _post_together([(body, "race-key")] * 4, police.agency)
    assert [a.status_code for a in answers] == [201] * 4, [a.content for a in answers]
    assert len({a.json()["reference"] for a in answers}) == 1
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == 3
    assert Referral.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_key_make_one_referral():
    """Ten retries of one request at the same moment (issue 3): on PostgreSQL nine wait on the
    first's claim of the key and replay its answer; on SQLite they queue behind it."""
    police = make_feeds()["police"]
    body = referral_body("RACE-10")
    answers = _post_together([(body, "race-key-10")] * 10, police.agency)
    assert [a.status_code for a in answers] == [201] * 10, [a.content for a in answers]
    assert len({a.json()["reference"] for a in answers}) == 1
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == 9
    referral = Referral.objects.get()
    assert referral.source_id == "RACE-10"
    assert IdempotencyRecord.objects.get().referral == referral
    assert SourceTask.objects.filter(referral=referral).count() <= 1
    assert AuditEvent.objects.filter(event="referral.received").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_event_under_different_keys_make_one_referral():
    police = make_feeds()["police"]
    body = referral_body("RACE-2")
    answers = _post_together([(body, f"key-{n}") for n in range(4)], police.agency)
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409, 409, 409], [a.content for a in answers]
    reference = Referral.objects.get().reference
    assert all(
        a.json().get("existing_reference") == reference for a in answers if a.status_code == 409
    )


# What the sender sees ---------------------------------------------------------------------------


def _decide(feeds: dict[str, Any], reference: str) -> None:
    referral = Referral.objects.get(reference=reference)
    manager = make_staff(feeds["csc"], Role.FRONT_DOOR_MANAGER)
    services.referral_confirm_child(actor=manager, referral=referral, create=True)
    services.referral_decide(
        actor=manager,
        referral=referral,
        outcome=Outcome.RISK_OUTSIDE_THE_HOME,
        rationale="Exploitation by older males; contextual safeguarding plan needed.",
        feedback_to_referrer="Accepted onto the risk outside the home pathway.",
        parents_as_partners="Mother joins the planning meeting and the safety plan.",
    )


def test_the_sender_sees_status_then_the_outcome_once_countersigned(feeds):
    police = feeds["police"]
    reference = police.post("custody", referral_body("CUST-7")).json()["reference"]
    before = AuditEvent.objects.count()
    response = police.get(reference)
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == reference
    assert body["status"] == Status.RECEIVED and body["outcome"] is None
    viewed = AuditEvent.objects.filter(sequence__gt=before).get()
    assert viewed.event == "referral.viewed"
    assert viewed.actor_username == "api:police"
    assert viewed.object_id == str(Referral.objects.get(reference=reference).pk)

    _decide(feeds, reference)
    body = police.get(reference).json()
    assert body["status"] == Status.CLOSED
    assert body["outcome"]["code"] == Outcome.RISK_OUTSIDE_THE_HOME
    assert body["outcome"]["feedback_to_referrer"].startswith("Accepted")
    viewed = AuditEvent.objects.filter(event="referral.viewed").latest("sequence")
    assert viewed.child_id == Referral.objects.get(reference=reference).child_id is not None


def test_the_sender_sees_only_its_own_agencys_automated_referrals(feeds):
    reference = feeds["police"].post("custody", referral_body()).json()["reference"]
    for other in ("other_police", "ambulance", "school"):
        body = assert_problem(feeds[other].get(reference), 404)
        assert "FD-" in body["detail"]
    denied = AuditEvent.objects.filter(event="referral.access_denied")
    assert denied.count() == 3
    assert {e.actor_username for e in denied} == {"api:other-police", "api:ambulance", "api:school"}
    assert all(e.outcome == "denied" for e in denied)
    # Nor a referral its own staff made on the form.
    officer = make_staff(feeds["police"].agency, Role.REFERRER)
    form = services.referral_start(actor=officer)
    form.status, form.reference = Status.RECEIVED, "FD-2026-999999"
    form.save()
    assert_problem(feeds["police"].get("FD-2026-999999"), 404)
    assert_problem(feeds["police"].get("FD-2026-000000"), 404)


def test_a_get_needs_a_token_too(feeds, client):
    reference = feeds["police"].post("custody", referral_body()).json()["reference"]
    assert_problem(client.get(f"/api/referrals/{reference}"), 401)


# Problems everywhere under /api/ ----------------------------------------------------------------


def test_unknown_paths_and_wrong_methods_are_problems_too(feeds, client):
    police = feeds["police"]
    assert_problem(client.get("/api/nothing-here"), 404)
    assert_problem(client.get("/api/"), 404)
    response = client.get("/api/referrals/custody", headers=police.headers(None))
    assert_problem(response, 405)
    assert "POST" in response["Allow"]


def test_every_problem_type_is_described_at_its_address(client):
    for slug, kind in PROBLEM_TYPES.items():
        response = client.get(f"/api/problems/{slug}")
        assert response.status_code == 200
        assert response.json()["type"] == f"/api/problems/{slug}"
        assert response.json()["status"] == kind.status
    assert_problem(client.get("/api/problems/no-such-thing"), 404)


def test_the_openapi_document_and_its_docs_page_are_served_without_a_cdn(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert {
        "/api/referrals/{feed}",
        "/api/referrals/{feed}/bulk",
        "/api/referrals/{reference}",
    } <= document["paths"].keys()
    post = document["paths"]["/api/referrals/{feed}"]["post"]
    assert PROBLEM in post["responses"]["422"]["content"]
    assert "BearerToken" in document["components"]["securitySchemes"]
    assert set(document["components"]["schemas"]["ReferralIn"]["properties"]) >= {
        "source_system",
        "source_id",
        "concerns",
        "ethnicity",
    }
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    # A GOV.UK page drawn from the same document: every operation and schema, no script needed.
    assert '<html lang="en-GB"' in html
    assert "swagger" not in html.lower() and "cdn" not in html.lower()
    for path, methods in document["paths"].items():
        for method in methods:
            assert f"<code>{method.upper()} {path}</code>" in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert 'href="/api/openapi.json"' in html


# Whatever is thrown at it -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
GOOD = referral_body()
odd_values = (
    json_values
    | st.sampled_from(["", " ", "F", "custody", "2011-02-29", "2999-01-01", "cce", "RV1 2AB"])
    | st.lists(st.sampled_from(["cce", "knife_crime", "slcn", "nonsense", ""]), max_size=3)
)
# Mostly well-formed referrals with some fields odd, so the examples reach the database too.
near_referrals = st.fixed_dictionaries(
    {"source_system": st.just("niche"), "source_id": st.uuids().map(str)},
    optional={
        **{
            name: st.just(value) | odd_values
            for name, value in GOOD.items()
            if name not in ("source_system", "source_id")
        },
        "shoe_size": odd_values,
    },
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(json_values, near_referrals, st.binary(max_size=60)),
    key=st.one_of(st.none(), st.text(max_size=8), st.just("fixed")),
    feed=st.sampled_from(["custody", "ambulance", "traffic"]),
)
def test_whatever_json_is_sent_the_answer_is_2xx_or_a_4xx_problem(feeds, body, key, feed):
    police = feeds["police"]
    data = body if isinstance(body, bytes) else json.dumps(body)
    headers = police.headers(None)
    if key is not None:
        headers["Idempotency-Key"] = key.replace("\n", " ").replace("\r", " ")
    response = police.client.post(
        f"/api/referrals/{feed}", data=data, content_type="application/json", headers=headers
    )
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
    else:
        assert response.json()["reference"].startswith("FD-")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reference=st.text(max_size=30))
def test_whatever_reference_is_asked_for_the_answer_is_a_problem(reference):
    # Made per example (Hypothesis reruns the body, not the fixtures).
    police = sender_for_examples()
    response = police.client.get(
        "/api/referrals/" + reference.replace("/", "").replace("?", "").replace("#", ""),
        headers=police.headers(None),
    )
    assert response.status_code in (404, 405)
    assert_problem(response, response.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.text(max_size=80))
def test_whatever_authorization_is_sent_without_a_token_the_answer_is_401(value):
    response = Client().post(
        "/api/referrals/custody",
        data=json.dumps(referral_body()),
        content_type="application/json",
        headers={"Authorization": value, "Idempotency-Key": "k"},
    )
    assert_problem(response, 401)


def sender_for_examples() -> Any:
    from harbour.partnership.models import Agency, AgencyType

    agency = Agency.objects.filter(code="examples-police").first()
    if agency is None:
        agency = Agency.objects.create(
            name="Examples police", code="examples-police", agency_type=AgencyType.POLICE
        )
    return sender(agency)


def test_the_idempotency_key_is_unique_per_agency_in_the_database(feeds):
    police = feeds["police"]
    police.post("custody", referral_body(), key=f"db-{uuid.uuid4()}")
    record = IdempotencyRecord.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyRecord.objects.create(
            agency=record.agency,
            key=record.key,
            endpoint=record.endpoint,
            request_hash="x",
            status_code=201,
        )


def test_what_police_and_health_hold_is_received(feeds):
    """Issue 12, part 7: the time and place, the agency's own reference, who else was involved
    and a telephone number, as a referral made on a page takes them."""
    response = feeds["police"].post(
        "custody",
        referral_body(
            "CUST-P7",
            incident_time="21:40",
            incident_location="Canal path by Mill Street",
            incident_reference="RV-20260327-0412",
            others_involved="Two older males, about 19, one known as 'T'",
            referrer_phone="01632  960 123",
        ),
    )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(source_id="CUST-P7")
    assert referral.incident_time == dt.time(21, 40)
    assert referral.incident_location == "Canal path by Mill Street"
    assert referral.incident_reference == "RV-20260327-0412"
    assert referral.others_involved.startswith("Two older males")
    assert referral.referrer_phone == "01632 960 123"


def test_the_time_comes_from_occurred_at_in_uk_time_if_not_sent(feeds):
    body = referral_body("CUST-P7T", occurred_at="2026-07-01T20:15:00Z")
    body.pop("incident_date", None)
    assert feeds["police"].post("custody", body).status_code == 201
    referral = Referral.objects.get(source_id="CUST-P7T")
    assert referral.incident_time == dt.time(21, 15)  # British Summer Time


def test_a_bad_time_or_telephone_number_is_a_422_naming_each(feeds):
    response = feeds["police"].post(
        "custody",
        referral_body("CUST-P7B", incident_time="9.40pm", referrer_phone="ring the desk"),
        key="p7-bad",
    )
    body = assert_problem(response, 422)
    pointers = {error["pointer"] for error in body["errors"]}
    assert {"#/incident_time", "#/referrer_phone"} <= pointers
    assert not Referral.objects.filter(source_id="CUST-P7B").exists()


def test_the_openapi_document_describes_the_new_fields(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["ReferralIn"]
    fields = schema["properties"]
    for name in (
        "incident_time",
        "incident_location",
        "incident_reference",
        "others_involved",
        "referrer_phone",
    ):
        assert fields[name].get("description") or fields[name].get("anyOf"), name
    assert "24-hour clock" in fields["incident_time"]["description"]
