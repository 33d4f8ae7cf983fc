"""Person numbers back to the agencies (issue 14, part 6): ``harbour identity export`` and
``GET /api/person-numbers`` give each record an agency sent its person number (the surviving
person's after a merge) and status, only the agency's own records, every export audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from harbour.access.models import AuditEvent
from harbour.frontdoor.tests.api_support import PROBLEM, sender
from harbour.identity import numbers
from harbour.identity.models import (
    HeldRecord,
    HeldStatus,
    LinkMethod,
    Person,
    PersonRecord,
    SourceRecord,
)
from harbour.partnership.models import AgencyType
from harbour.testing import make_agency

pytestmark = pytest.mark.django_db


def record(agency, source_id: str, system: str = "Niche RMS") -> SourceRecord:
    return SourceRecord.objects.create(
        agency=agency,
        source_system=system,
        source_id=source_id,
        given_name="Test",
        family_name="Person",
        as_of=dt.date(2026, 11, 1),
    )


@pytest.fixture
def index():
    """A police force's five records: linked, linked to a person since merged into another,
    held, closed and not yet linked; and another agency's linked record."""
    police = make_agency("riverside-police", AgencyType.POLICE)
    ed = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    kept = Person.objects.create(number=41)
    merged = Person.objects.create(number=42, merged_into=kept)
    linked = record(police, "N-1")
    PersonRecord.objects.create(source_record=linked, person=kept, method=LinkMethod.BATCH)
    old = record(police, "=HYPERLINK(1)")  # a hostile identifier, neutralised in the file
    PersonRecord.objects.create(source_record=old, person=merged, method=LinkMethod.BATCH)
    HeldRecord.objects.create(source_record=record(police, "N-3"), reason="No date of birth")
    HeldRecord.objects.create(
        source_record=record(police, "N-4"), reason="Not a person", status=HeldStatus.CLOSED
    )
    record(police, "N-5")
    other = record(ed, "RH-1", system="Symphony EDIS")
    PersonRecord.objects.create(source_record=other, person=kept, method=LinkMethod.BATCH)
    return police, ed


EXPECTED = [
    ["source_system", "source_id", "person_number", "status"],
    ["Niche RMS", "N-1", "P-000041", "linked"],
    ["Niche RMS", "'=HYPERLINK(1)", "P-000041", "linked"],
    ["Niche RMS", "N-3", "", "held"],
    ["Niche RMS", "N-4", "", "closed"],
    ["Niche RMS", "N-5", "", "pending"],
]


def test_the_command_writes_every_record_of_the_agency_and_audits_it(index, tmp_path, capsys):
    out = tmp_path / "numbers.csv"
    call_command("identity", "export", "--agency", "riverside-police", "--out", str(out))
    assert "5 records of Agency riverside-police" in capsys.readouterr().out
    with out.open(newline="", encoding="utf-8") as file:
        assert list(csv.reader(file)) == EXPECTED
    assert [p.name for p in tmp_path.iterdir()] == ["numbers.csv"]  # no partial file left
    event = AuditEvent.objects.get(event=numbers.EXPORTED)
    assert event.actor_username == "cli:identity-export"
    assert event.detail["agency"] == "riverside-police"
    assert event.detail["rows"] == 5 and event.detail["channel"] == "file"
    assert "N-1" not in str(event.detail)  # the trail counts, it does not copy identifiers


def test_the_command_writes_to_standard_output_too(index, capsys):
    call_command("identity", "export", "--agency", "riverside-ed")
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [EXPECTED[0], ["Symphony EDIS", "RH-1", "P-000041", "linked"]]


def test_an_unknown_agency_is_refused(index, capsys):
    with pytest.raises(CommandError):
        call_command("identity", "export", "--agency", "nobody")
    assert "No agency has the code 'nobody'" in capsys.readouterr().err
    assert not AuditEvent.objects.filter(event=numbers.EXPORTED).exists()


def test_an_inactive_agency_gets_nothing(index, capsys):
    police, _ = index
    police.is_active = False
    police.save()
    call_command("identity", "export", "--agency", "riverside-police")
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == [EXPECTED[0]]


def test_the_api_pages_through_its_own_agencys_records_only(index):
    police, _ = index
    system = sender(police)
    seen: list[list[str]] = []
    after = 0
    pages = 0
    while True:
        answer = system.client.get(
            f"/api/person-numbers?after={after}&size=2", headers=system.headers(key=None)
        )
        assert answer.status_code == 200, answer.content
        body = answer.json()
        seen += [list(row.values()) for row in body["results"]]
        pages += 1
        if body["next_after"] is None:
            break
        after = body["next_after"]
    assert pages == 3
    # The API gives the identifiers as they are: only a spreadsheet cell needs neutralising.
    assert seen == [
        row if row[1] != "'=HYPERLINK(1)" else ["Niche RMS", "=HYPERLINK(1)", "P-000041", "linked"]
        for row in EXPECTED[1:]
    ]
    events = AuditEvent.objects.filter(event=numbers.EXPORTED).order_by("sequence")
    assert [e.detail["rows"] for e in events] == [2, 2, 1]
    assert {e.actor_username for e in events} == {"api:riverside-police"}


def test_the_api_refuses_bad_paging_and_no_token(index):
    police, _ = index
    system = sender(police)
    answer = system.client.get("/api/person-numbers?size=0", headers=system.headers(key=None))
    assert answer.status_code == 422 and answer["Content-Type"].startswith(PROBLEM)
    assert system.client.get("/api/person-numbers").status_code == 401
    assert not AuditEvent.objects.filter(event=numbers.EXPORTED).exists()


def test_a_cursor_beyond_any_record_is_refused_not_a_server_error(index):
    police, _ = index
    system = sender(police)
    huge = system.client.get(f"/api/person-numbers?after={2**70}", headers=system.headers(key=None))
    assert huge.status_code == 422 and huge["Content-Type"].startswith(PROBLEM)
    last = system.client.get(
        f"/api/person-numbers?after={2**63 - 1}", headers=system.headers(key=None)
    )
    assert last.status_code == 200 and last.json() == {"results": [], "next_after": None}


def test_an_unknown_query_parameter_is_refused_not_ignored(index):
    police, _ = index
    system = sender(police)
    answer = system.client.get("/api/person-numbers?afterr=3", headers=system.headers(key=None))
    assert answer.status_code == 400 and answer["Content-Type"].startswith(PROBLEM)
    assert "afterr" in answer.json()["detail"]
