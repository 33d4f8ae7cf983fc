"""Bulk referral files: checked whole with pandera, received all or nothing, safe to send again."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.access.models import AuditEvent
from harbour.frontdoor import bulk, schemas
from harbour.frontdoor.codes import Source
from harbour.frontdoor.models import IdempotencyRecord, Referral, SourceTask
from harbour.frontdoor.problems import Problem
from harbour.frontdoor.tests.api_support import (
    COMPLETE_JSON,
    assert_problem,
    make_feeds,
)
from harbour.settings.env import PROJECT_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(db):
    return make_feeds()


def csv_text(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    columns = columns or list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()


def row(source_id: str, **fields: Any) -> dict[str, Any]:
    return {"source_system": "cad", "source_id": source_id, **COMPLETE_JSON, **fields}


def test_the_documented_columns_are_the_schemas_columns():
    assert bulk.COLUMNS[:2] == ("source_system", "source_id")
    # Every JSON field is a column, and no more.
    assert set(bulk.COLUMNS) == set(schemas.ReferralIn.model_fields)
    text = (PROJECT_DIR / "docs" / "frontdoor-feeds.md").read_text(encoding="utf-8")
    for column in bulk.COLUMNS:
        assert f"`{column}`" in text, f"docs/frontdoor-feeds.md does not document {column}"


def test_a_valid_file_is_received_row_by_row_in_one_go(feeds):
    ambulance = feeds["ambulance"]
    rows = [
        row("INC-1"),
        row("INC-2", child_given_name="Bea", concerns=["cce"]),
        {"source_system": "cad", "source_id": "INC-3", "what_happened": "Found injured"},
    ]
    response = ambulance.post_csv("ambulance", csv_text(rows))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rows"] == 3 and body["already_received"] == []
    assert [r["source_id"] for r in body["created"]] == ["INC-1", "INC-2", "INC-3"]
    assert [r["line"] for r in body["created"]] == [2, 3, 4]
    assert body["created"][0]["completeness_score"] == 100
    incomplete = body["created"][2]
    assert incomplete["completeness_score"] < 50 and incomplete["missing"]
    assert Referral.objects.filter(source=Source.BULK, feed="ambulance").count() == 3
    assert Referral.objects.get(source_id="INC-2").concerns == ["cce"]
    assert SourceTask.objects.get().referral.source_id == "INC-3"
    events = AuditEvent.objects.filter(event="referral.received")
    assert {e.actor_username for e in events} == {"bulk:ambulance"}


def test_any_invalid_row_refuses_the_whole_file_with_every_error_by_line(feeds):
    ambulance = feeds["ambulance"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    rows = [
        row("OK-1"),
        row("BAD-1", child_sex="X", concerns=["cce", "made_up"]),
        row("OK-2"),
        row("BAD-2", child_date_of_birth=tomorrow, child_postcode="NOPE"),
        row("OK-1"),  # the same source_id twice in one file
        row("", urgency="whenever"),
    ]
    response = ambulance.post_csv("ambulance", csv_text(rows))
    body = assert_problem(response, 422)
    assert body["type"] == "/api/problems/invalid-file"
    found = {(e["line"], e["column"]) for e in body["errors"]}
    assert {
        (3, "child_sex"),
        (3, "concerns"),
        (5, "child_date_of_birth"),
        (5, "child_postcode"),
        (2, "source_id"),
        (6, "source_id"),
        (7, "source_id"),
        (7, "urgency"),
    } <= found
    sex = next(e for e in body["errors"] if e["column"] == "child_sex")
    assert sex["value"] == "X" and "F, M, U" in sex["detail"]
    assert Referral.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_columns_are_checked_unknown_and_missing(feeds):
    ambulance = feeds["ambulance"]
    text = "source_system,shoe_size\ncad,9\n"
    body = assert_problem(ambulance.post_csv("ambulance", text), 422)
    columns = {(e["column"], e["line"]) for e in body["errors"]}
    assert ("shoe_size", 1) in columns and ("source_id", 1) in columns


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"\n", 422),
        (b"source_system,source_id\n", 422),
        (b"source_system,source_id\ncad,1,extra\n", 422),
        (b"source_system,source_system\ncad,cad\n", 422),
        (b"\xff\xfe\x00s\x00o", 422),
        (b'source_system,source_id\n"unterminated,1\n', 422),
        (b"source_system,source_id\ncad,a\x00b\n", 422),
    ],
)
def test_files_that_cannot_be_read_are_problems(feeds, content, status):
    assert_problem(feeds["ambulance"].post_csv("ambulance", content), status)
    assert Referral.objects.count() == 0


def test_an_empty_file_is_invalid():
    # (The test client sends no Content-Type with an empty body, which the API answers 415.)
    with pytest.raises(Problem) as refused:
        bulk.parse(b"")
    assert refused.value.status == 422


def test_a_quoted_cell_may_span_lines_and_errors_name_the_line_it_starts_on(feeds):
    text = (
        "source_system,source_id,what_happened,child_sex\n"
        'cad,A,"Two lines\nof text",F\n'
        "cad,B,Fine,Q\n"
    )
    body = assert_problem(feeds["ambulance"].post_csv("ambulance", text), 422)
    assert [(e["line"], e["column"]) for e in body["errors"]] == [(4, "child_sex")]


def test_sending_the_same_file_again_receives_nothing_twice(feeds):
    ambulance = feeds["ambulance"]
    first_file = csv_text([row("R-1"), row("R-2")])
    first = ambulance.post_csv("ambulance", first_file, key="file-1").json()
    # The same file under a new key (say, the next night's resend).
    again = ambulance.post_csv("ambulance", first_file, key="file-2")
    assert again.status_code == 200
    body = again.json()
    assert body["created"] == []
    assert [r["reference"] for r in body["already_received"]] == [
        r["reference"] for r in first["created"]
    ]
    # A file with one old row and one new one.
    mixed = ambulance.post_csv("ambulance", csv_text([row("R-2"), row("R-3")]), key="file-3")
    assert mixed.status_code == 201
    assert [r["source_id"] for r in mixed.json()["created"]] == ["R-3"]
    assert [r["source_id"] for r in mixed.json()["already_received"]] == ["R-2"]
    assert Referral.objects.count() == 3


def test_a_retry_with_the_same_key_replays_and_another_file_under_it_is_422(feeds):
    ambulance = feeds["ambulance"]
    text = csv_text([row("K-1")])
    first = ambulance.post_csv("ambulance", text, key="night-1")
    second = ambulance.post_csv("ambulance", text, key="night-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert_problem(ambulance.post_csv("ambulance", csv_text([row("K-2")]), key="night-1"), 422)
    assert Referral.objects.count() == 1


def test_a_file_may_come_as_a_multipart_upload(feeds):
    ambulance = feeds["ambulance"]
    upload = SimpleUploadedFile("tonight.csv", csv_text([row("M-1")]).encode(), "text/csv")
    response = ambulance.client.post(
        "/api/referrals/ambulance/bulk", {"file": upload}, headers=ambulance.headers()
    )
    assert response.status_code == 201, response.content
    missing = ambulance.client.post(
        "/api/referrals/ambulance/bulk", {"other": "x"}, headers=ambulance.headers()
    )
    assert_problem(missing, 400)


def test_bulk_needs_a_key_a_token_and_the_right_feed_and_media_type(feeds, client):
    text = csv_text([row("Z-1")])
    assert_problem(feeds["ambulance"].post_csv("ambulance", text, key=None), 400)
    assert_problem(client.post("/api/referrals/ambulance/bulk", text, "text/csv"), 401)
    assert_problem(feeds["police"].post_csv("ambulance", text), 403)
    response = feeds["ambulance"].client.post(
        "/api/referrals/ambulance/bulk",
        data='{"a": 1}',
        content_type="application/json",
        headers=feeds["ambulance"].headers(),
    )
    assert_problem(response, 415)
    assert Referral.objects.count() == 0


def _lookups(queries: CaptureQueriesContext) -> dict[str, int]:
    """How often a file's receipt read what is the same for every row, and the rows sent
    before."""
    sql = [query["sql"] for query in queries]
    return {
        "completeness rules": sum('FROM "frontdoor_completenessrule"' in q for q in sql),
        "service levels": sum('FROM "frontdoor_servicelevel"' in q for q in sql),
        "front door": sum('FROM "partnership_team"' in q for q in sql),
        "earlier referrals": sum('"source_id" IN (' in q for q in sql),
    }


def test_a_files_rules_and_service_levels_are_read_once_not_once_a_row(feeds):
    ambulance = feeds["ambulance"]
    counted = {}
    for size in (1, 50):
        rows = [row(f"Q{size}-{n}", **({"reason": ""} if n % 2 else {})) for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            response = ambulance.post_csv("ambulance", csv_text(rows))
        assert response.status_code == 201, response.content
        assert len(response.json()["created"]) == size
        counted[size] = (_lookups(queries), len(queries))
    assert counted[50][0] == counted[1][0]
    assert counted[50][0]["completeness rules"] == counted[50][0]["service levels"] == 1
    # Every row still has its own clock and score from those rules.
    received = Referral.objects.filter(source_id__startswith="Q50-")
    assert received.filter(rag_due_at__isnull=True).count() == 0
    assert set(received.values_list("completeness_score", flat=True)) == {87, 100}
    # What a further row costs is its own writes (the referral, its task, its audit event).
    per_row = (counted[50][1] - counted[1][1]) / 49
    assert per_row <= 14, per_row


def test_too_many_rows_is_413(feeds, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    text = csv_text([row("T-1"), row("T-2"), row("T-3")])
    assert_problem(feeds["ambulance"].post_csv("ambulance", text), 413)


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "F", "cce;knife_crime", "2011-02-29", "2999-01-01", "RV1 2AB", '"']),
)
headers = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(list(bulk.COLUMNS)), st.text(max_size=8)),
        min_size=1,
        max_size=6,
    ),
    # Mostly the required columns first, so that examples reach the database too.
    st.lists(st.sampled_from(list(bulk.COLUMNS[2:])), max_size=5, unique=True).map(
        lambda more: ["source_system", "source_id", *more]
    ),
)


@st.composite
def csv_files(draw: Any) -> bytes:
    header = draw(headers)
    width = st.just(len(header)) if draw(st.booleans()) else st.integers(0, 7)
    rows = draw(
        st.lists(width.flatmap(lambda n: st.lists(cells, min_size=n, max_size=n)), max_size=4)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.one_of(csv_files(), st.binary(max_size=80)))
def test_whatever_file_is_sent_the_answer_is_2xx_or_a_4xx_problem(feeds, content):
    response = feeds["ambulance"].post_csv("ambulance", content)
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
    else:
        body = response.json()
        assert body["rows"] == len(body["created"]) + len(body["already_received"])


def test_a_file_carries_what_police_and_health_hold(feeds):
    rows = [
        row("P7-1", incident_time="07:05", incident_reference="CAD-1182", referrer_phone="999"),
        row("P7-2", incident_time="7pm", referrer_phone="+44 7700 900123"),
    ]
    body = assert_problem(feeds["ambulance"].post_csv("ambulance", csv_text(rows)), 422)
    found = {(e["line"], e["column"]) for e in body["errors"]}
    assert found == {(2, "referrer_phone"), (3, "incident_time")}
    rows = [
        row(
            "P7-1",
            incident_time="07:05",
            incident_location="Bus station, RV1",
            incident_reference="CAD-1182",
            others_involved="A second child, 14, also hurt",
            referrer_phone="+44 7700 900123",
        )
    ]
    response = feeds["ambulance"].post_csv("ambulance", csv_text(rows))
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(source_id="P7-1")
    assert referral.incident_time == dt.time(7, 5)
    assert referral.incident_location == "Bus station, RV1"
    assert referral.incident_reference == "CAD-1182"
    assert referral.others_involved == "A second child, 14, also hurt"
    assert referral.referrer_phone == "+44 7700 900123"
