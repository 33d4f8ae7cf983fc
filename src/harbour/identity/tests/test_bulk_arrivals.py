"""A large events file's arrivals matched at once (ADR 0032): the scorer in DuckDB gives each
arrival the candidates, weights and ranking the real-time matcher gives it, and a file matched at
once ends with the same people, links, holds, review pairs and audit events as the same file
matched one record at a time."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from harbour.access.audit import audit_verify
from harbour.access.models import AuditEvent
from harbour.identity import event_files, linking, matching
from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage.batch import split_usable
from harbour.identity.linkage.bulk import ArrivalScorer
from harbour.identity.linkage.realtime import RealtimeIndex
from harbour.identity.models import (
    HeldRecord,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    SourceRecord,
)
from harbour.identity.tests.conftest import load_records, store_model, valid_nhs_number
from harbour.partnership.models import AgencyType
from harbour.testing import make_agency

ARRIVED = "2026-06-14T23:05"


def test_the_scorer_ranks_each_arrival_as_the_real_time_matcher_does(
    synthetic_records, trained_json
):
    trained = linkage_model.TrainedModel.from_json(trained_json)
    frame = synthetic_records.drop(columns=["person_id", "errors"])
    usable, _held = split_usable(linkage_model.prepare(frame))
    arrivals = [int(u) for u in usable["unique_id"].iloc[-80:]]
    with ArrivalScorer(trained) as scorer:
        for at in range(0, len(frame), 70):  # in chunks, as the importer feeds it
            scorer.add(frame.iloc[at : at + 70])
        pairs = scorer.score(arrivals, min_probability=0.0)
    index = RealtimeIndex.build(trained, usable, prepared=True)
    rows = {int(u): r for u, r in zip(usable["unique_id"], usable.to_dict("records"), strict=True)}
    compared = 0
    for uid in arrivals:
        expected = [
            (int(c.unique_id), c.match_weight)
            for c in index.match(rows[uid], top=None, prepared=True)
        ]
        mine = pairs[pairs["arrival"] == uid]
        got = list(zip(mine["candidate"].tolist(), mine["match_weight"].tolist(), strict=True))
        assert got == expected, uid  # the same candidates, weights (exactly) and order
        compared += len(got)
    assert compared > len(arrivals)  # not only each arrival's own record


def _row(n: int, record: SourceRecord | None = None, **changes: Any) -> dict[str, str]:
    row = {
        "reference": f"ATT-{n:04d}",
        "source_system": "Symphony EDIS",
        "source_id": f"ED{n:04d}",
        "given_name": "",
        "family_name": "",
        "date_of_birth": "",
        "sex": "",
        "postcode": "",
        "nhs_number": "",
        "person_id": "",
        "arrival_at": ARRIVED,
        "category": "accident",
        "summary": "Attended after a fall from a bicycle.",
    }
    if record is not None:
        row |= {
            "given_name": record.given_name,
            "family_name": record.family_name,
            "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else "",
            "sex": record.sex if record.sex in ("M", "F", "U") else "",
            "postcode": record.postcode,
            "nhs_number": record.nhs_number,
        }
    row |= changes
    return row


def _file(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _mixed_file(indexed: dict[int, SourceRecord]) -> bytes:
    """Children the index knows (as recorded, with a typo, with the day and month swapped, with
    another NHS number), a person named by number, strangers (two lines for one of them, the
    second a record of its own), and records too thin to match."""
    known = [
        r
        for r in sorted(indexed.values(), key=lambda r: r.pk)
        if r.given_name and r.family_name and r.date_of_birth and r.postcode
    ]
    rows = []
    for n, record in enumerate(known[:30]):
        rows.append(_row(n, record))
    for n, record in enumerate(known[30:42], start=100):
        rows.append(_row(n, record, given_name=record.given_name[:-1], nhs_number=""))
    for n, record in enumerate(known[42:52], start=200):
        dob = record.date_of_birth
        assert dob is not None
        if dob.day <= 12 and dob.day != dob.month:
            dob = dob.replace(month=dob.day, day=dob.month)
        rows.append(_row(n, record, date_of_birth=dob.isoformat(), nhs_number="", postcode=""))
    with_nhs = [r for r in known[52:] if r.nhs_number][:3]
    for n, record in enumerate(with_nhs, start=300):
        rows.append(_row(n, record, nhs_number=valid_nhs_number(900_000_000 + n)))
    person = PersonRecord.objects.get(source_record=known[60]).person
    rows.append(_row(400, known[61], person_id=person.display_id, nhs_number=""))
    # Five strangers: surnames that differ by more than a typo (since issue 14 the blocking
    # compares names that sound alike, and "Quillfeathera" born a day from "Quillfeatherb" is
    # one child with a typo, which the model rightly links).
    surnames = ("Quillfeather", "Abernathy", "Okonkwo", "Lindqvist", "Marchetti")
    for n in range(500, 505):
        stranger: dict[str, Any] = {
            "given_name": "Zephyrine",
            "family_name": surnames[n - 500],
            "date_of_birth": f"2012-01-{n - 490:02d}",
            "sex": "F",
        }
        rows.append(_row(n, **stranger))
        if n == 500:  # the same child again, on a record of its own
            rows.append(_row(n + 50, **stranger))
    rows.append(_row(600, given_name="Unknown", family_name="Unknown"))
    rows.append(_row(601, given_name="Sam"))
    return _file(rows)


def _outcome(agency_code: str) -> dict[str, Any]:
    """What matching left, by the agency's own record ids (the database's ids differ between
    two runs on PostgreSQL, whose sequences do not roll back)."""
    records = SourceRecord.objects.filter(agency__code=agency_code)
    source_id = dict(SourceRecord.objects.values_list("pk", "source_id"))
    links = {
        r.source_record.source_id: r.person.number
        for r in PersonRecord.objects.filter(source_record__in=records).select_related(
            "source_record", "person"
        )
    }
    held = {
        h.source_record.source_id: h.reason
        for h in HeldRecord.objects.filter(source_record__in=records).select_related(
            "source_record"
        )
    }
    pairs = sorted(
        (
            source_id[p.record_l_id],
            source_id[p.record_r_id],
            round(p.match_probability or 0.0, 9),
            p.needs_nhs_override,
        )
        for p in ReviewPair.objects.all()
    )
    events = Counter(
        AuditEvent.objects.filter(event__contains="_on_arrival").values_list("event", flat=True)
    )
    changes = sorted(
        (source_id[c.source_record_ids[0]], c.person.number, c.reason)
        for c in PersonChange.objects.filter(system_actor="identity-intake").select_related(
            "person"
        )
    )
    return {
        "links": links,
        "held": held,
        "pairs": pairs,
        "events": events,
        "changes": changes,
        "people": Person.objects.count(),
    }


class _Undo(Exception):
    pass


@pytest.fixture(params=["bulk_create", "copy"])
def written_by(request, monkeypatch):
    """Rows written as a small file writes them, or (on PostgreSQL) with COPY, as a large file
    does (``access.inserts.COPY_FROM`` rows or more): the same outcome either way."""
    from harbour.access import inserts

    if request.param == "copy":
        monkeypatch.setattr(inserts, "COPY_FROM", 1)
    return request.param


@pytest.mark.django_db
def test_a_file_matched_at_once_ends_as_one_matched_record_by_record(
    synthetic_records, trained_json, monkeypatch, written_by
):
    from harbour.identity import bulk_arrivals, intake

    indexed = load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    content = _mixed_file(indexed)
    arrivals: dict[bool, list[tuple[Any, ...]]] = {}

    def told(bulk: bool, link: Any) -> Any:
        def run(received: intake.Received, **options: Any) -> list[intake.Arrival]:
            found = link(received, **options)
            source_id = dict(SourceRecord.objects.values_list("pk", "source_id"))
            arrivals[bulk] = [
                (source_id[a.record_id], a.outcome, a.person, round(a.probability or 0, 9))
                for a in found
            ]
            return found

        return run

    monkeypatch.setattr(intake, "link_arrivals", told(False, intake.link_arrivals))
    monkeypatch.setattr(
        bulk_arrivals, "link_arrivals_at_once", told(True, bulk_arrivals.link_arrivals_at_once)
    )
    results: dict[bool, tuple[dict[str, int], dict[str, Any]]] = {}
    for bulk in (False, True):
        matching.forget()  # each run reads the index afresh, as a new process does
        try:
            with transaction.atomic():
                summary = event_files.import_events_file(
                    agency=agency, format_name="ed-attendance", content=content, bulk=bulk
                )
                results[bulk] = (summary.as_dict(), _outcome(agency.code))
                raise _Undo
        except _Undo:
            pass
    matching.forget()
    one_by_one, at_once = results[False], results[True]
    assert at_once == one_by_one
    # Each record's outcome as the importer is told it: the person (numbered alike) and figure.
    assert arrivals[True] == arrivals[False]
    counts, outcome = at_once
    # The file exercises every outcome, and records of the file join each other's new people.
    assert counts["linked"] >= 30 and counts["new_people"] >= 5, counts
    assert counts["held"] == 2 and counts["for_review"] >= 1, counts
    assert outcome["links"]["ED0550"] == outcome["links"]["ED0500"]
    assert any(nhs for *_pair, nhs in outcome["pairs"])  # another NHS number waits for review
    assert (
        outcome["links"]["ED0400"]
        == PersonRecord.objects.get(
            source_record=sorted(
                (
                    r
                    for r in indexed.values()
                    if r.given_name and r.family_name and r.date_of_birth and r.postcode
                ),
                key=lambda r: r.pk,
            )[60]
        ).person.number
    )


@pytest.mark.django_db
def test_matched_at_once_every_save_is_audited_in_the_chain_and_the_same_file_adds_nothing(
    synthetic_records, trained_json, django_capture_on_commit_callbacks, written_by
):
    indexed = load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    content = _mixed_file(indexed)
    matching.forget()
    with django_capture_on_commit_callbacks() as announced:
        summary = event_files.import_events_file(
            agency=agency, format_name="ed-attendance", content=content, bulk=True
        )
    assert len(announced) == 1  # what arrived is announced after the commit, as one at a time
    arrived = SourceRecord.objects.filter(agency=agency).count()
    on_arrival = AuditEvent.objects.filter(event__contains="_on_arrival").count()
    assert on_arrival == arrived == summary.rows
    assert audit_verify().ok
    links = PersonRecord.objects.count()
    again = event_files.import_events_file(
        agency=agency, format_name="ed-attendance", content=content, bulk=True
    )
    assert (again.new, again.unchanged, again.linked, again.new_people) == (0, summary.rows, 0, 0)
    assert PersonRecord.objects.count() == links
    assert AuditEvent.objects.filter(event__contains="_on_arrival").count() == on_arrival


@pytest.mark.django_db
def test_a_backfill_matched_at_once_tells_no_one(
    synthetic_records, trained_json, django_capture_on_commit_callbacks
):
    indexed = load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    with django_capture_on_commit_callbacks() as announced:
        summary = event_files.import_events_file(
            agency=agency,
            format_name="ed-attendance",
            content=_mixed_file(indexed),
            bulk=True,
            backfill=True,
        )
    assert announced == []
    assert summary.new == summary.rows > 0


@pytest.mark.django_db
def test_a_file_with_enough_records_is_matched_at_once_and_a_small_one_record_by_record(
    monkeypatch, synthetic_records, trained_json
):
    from harbour.identity import bulk_arrivals, intake

    store_model(trained_json)
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    used: list[str] = []

    def at_once(received: intake.Received, **options: Any) -> list[intake.Arrival]:
        used.append("at once")
        return intake.link_arrivals(received, **options)

    monkeypatch.setattr(bulk_arrivals, "link_arrivals_at_once", at_once)
    rows = [_row(n, given_name="Ada", family_name=f"Lovelace{n}") for n in range(3)]
    monkeypatch.setattr(bulk_arrivals, "BULK_FROM", 3)
    event_files.import_events_file(agency=agency, format_name="ed-attendance", content=_file(rows))
    assert used == ["at once"]
    event_files.import_events_file(
        agency=agency, format_name="ed-attendance", content=_file([*rows[:2], _row(9)])
    )
    assert used == ["at once"]  # one new record: one at a time


def _index_table(scorer: ArrivalScorer) -> list[tuple[Any, ...]]:
    query = f"select * from {scorer._index} order by unique_id"  # noqa: S608  (a fixed name)
    return scorer._con.execute(query).fetchall()


@pytest.mark.django_db
def test_a_kept_copy_of_the_index_matches_files_as_a_fresh_read_does(
    synthetic_records, trained_json, settings, tmp_path, django_capture_on_commit_callbacks
):
    """ADR 0038: the person index kept in DuckDB between files, brought up to date with the
    records added and changed since, gives the same outcomes as reading it afresh for each file;
    and it is read afresh when it is out of step (a record deleted)."""
    from harbour.identity import bulk_arrivals, kept_index

    indexed = load_records(synthetic_records)
    stored = store_model(trained_json)
    linking.link_run()
    agency = make_agency("riverside-ed", AgencyType.NHS_TRUST)
    rows = list(csv.DictReader(io.StringIO(_mixed_file(indexed).decode())))
    first, second = _file(rows[: len(rows) // 2]), _file(rows[len(rows) // 2 :])
    usable = sorted(
        r.pk for r in indexed.values() if r.given_name and r.family_name and r.date_of_birth
    )
    changed, deleted = usable[0], usable[1]
    results = {}
    for kept in (False, True):
        settings.HARBOUR_PERSON_INDEX_COPY = str(tmp_path / "kept") if kept else ""
        try:
            with transaction.atomic():
                with django_capture_on_commit_callbacks(execute=True):
                    a = event_files.import_events_file(
                        agency=agency, format_name="ed-attendance", content=first, bulk=True
                    )
                # A record of the index changed between the files: re-indexed as it is now.
                SourceRecord.objects.filter(pk=changed).update(
                    family_name="Applethwaite", changed_at=timezone.now()
                )
                with django_capture_on_commit_callbacks(execute=True):
                    b = event_files.import_events_file(
                        agency=agency, format_name="ed-attendance", content=second, bulk=True
                    )
                results[kept] = (a.as_dict(), b.as_dict(), _outcome(agency.code))
                if kept:
                    copy = kept_index.path()
                    assert copy is not None and copy.exists()
                    trained = linking.trained_model(stored)
                    with kept_index.scorer(trained) as (scorer, refreshed):
                        assert not refreshed.full  # brought up to date, not read again
                        kept_rows = _index_table(scorer)
                    with ArrivalScorer(trained) as fresh:
                        for frame in bulk_arrivals.index_chunks():
                            fresh.add(frame)
                        assert kept_rows == _index_table(fresh)
                    now_as = [str(r).lower() for r in kept_rows if r[0] == changed]
                    assert now_as and "applethwaite" in now_as[0]
                    # A record deleted: the copy is out of step and read afresh.
                    assert any(r[0] == deleted for r in kept_rows)
                    SourceRecord.objects.filter(pk=deleted).delete()
                    with kept_index.scorer(trained) as (scorer, refreshed):
                        assert refreshed.full
                        assert all(r[0] != deleted for r in _index_table(scorer))
                raise _Undo
        except _Undo:
            pass
    assert results[True] == results[False]
    assert results[True][1]["linked"] > 0
