"""Agencies' events and needs arriving (issue 11): one set of rules, saved idempotently, the
agency's record of the person matched on arrival, and the real-time index refreshed when a
record changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.utils import timezone

from harbour.access.models import AuditEvent
from harbour.identity import intake, linking, matching
from harbour.identity.models import (
    AgencyEvent,
    EventParticipant,
    HeldRecord,
    PersonRecord,
    SourceNeed,
    SourceRecord,
)
from harbour.identity.tests.conftest import load_records, store_model
from harbour.partnership.models import AgencyType
from harbour.testing import make_agency

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 14, 22, 40, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fresh_index():
    matching.forget()
    yield
    matching.forget()


def person(**changes: Any) -> intake.PersonIn:
    values: dict[str, Any] = {
        "source_system": "Niche RMS",
        "source_id": "RVP0001",
        "given_name": "Jordan",
        "family_name": "Baker",
        "date_of_birth": dt.date(2011, 3, 14),
        "sex": "M",
        "postcode": "RV1 2AB",
    }
    values.update(changes)
    return intake.PersonIn(**values)


def event(**changes: Any) -> intake.EventIn:
    values: dict[str, Any] = {
        "reference": "OCC-26-000101",
        "kind": "incident",
        "person": person(),
        "role": "victim",
        "category": "assault",
        "summary": "Jordan was punched by an older boy outside the shop.",
        "occurred_at": AT,
        "latitude": 52.39,
        "longitude": -1.60,
    }
    values.update(changes)
    return intake.EventIn(**values)


def problems(item: intake.EventIn) -> dict[str, str]:
    return {e.field: e.detail for e in intake.check_event(item)}


def test_a_good_event_meets_every_rule():
    assert intake.check_event(event()) == []


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"occurred_at": timezone.now() + dt.timedelta(hours=2)}, "occurred_at"),
        ({"occurred_at": None, "occurred_on": dt.date(2099, 1, 1)}, "occurred_on"),
        ({"occurred_at": None}, "occurred_on"),
        ({"latitude": 51.5, "longitude": -0.12}, "latitude"),
        ({"latitude": 52.39, "longitude": None}, "latitude"),
        ({"kind": "burglary"}, "kind"),
        ({"role": "bystander"}, "role"),
        ({"lsoa21": "X99"}, "lsoa21"),
        ({"severity": 7}, "severity"),
        ({"summary": " "}, "summary"),
        ({"person": person(nhs_number="12345")}, "person.nhs_number"),
        ({"person": person(source_id="")}, "person.source_id"),
        ({"person": person(date_of_birth=dt.date(2099, 1, 1))}, "person.date_of_birth"),
        ({"kind": "ed_attendance", "role": "patient"}, "ed_assault_at"),
        ({"kind": "suspension", "role": "pupil"}, "exclusion_reason"),
        ({"exclusion_reason": "ZZ"}, "exclusion_reason"),
        ({"ed_assault_method": "03"}, "kind"),
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"participants": (intake.ParticipantIn(role="suspect"),)}, "participants.0.name"),
        ({"person_id": "someone"}, "person_id"),
    ],
)
def test_each_broken_rule_is_named(changes, where):
    assert where in problems(event(**changes))


def test_a_local_time_the_clocks_skip_does_not_exist():
    with pytest.raises(ValueError, match="does not exist"):
        intake.parse_date_time("2026-03-29T01:30")
    assert intake.parse_date_time("2026-03-29T02:30").utcoffset() == dt.timedelta(hours=1)
    assert intake.parse_date_time("2026-03-29T01:30Z").utcoffset() == dt.timedelta(0)
    with pytest.raises(ValueError, match="day is out of range"):
        intake.parse_date_time("2026-02-30T10:00")


def test_a_british_national_grid_point_is_stored_as_wgs84():
    latitude, longitude = intake.british_national_grid_to_wgs84(430000, 280000)
    assert 52.3 < latitude < 52.5 and -1.6 < longitude < -1.4
    item = event(latitude=None, longitude=None, easting=430000, northing=280000)
    assert intake.check_event(item) == []
    assert "easting" in problems(replace(item, easting=530000, northing=180000))  # London
    agency = make_agency("police", AgencyType.POLICE)
    intake.receive_events(agency=agency, events=[item])
    saved = AgencyEvent.objects.get()
    assert saved.latitude == pytest.approx(latitude, abs=1e-5)
    assert saved.longitude == pytest.approx(longitude, abs=1e-5)


def test_the_same_event_again_changes_nothing_and_a_change_updates_it():
    agency = make_agency("police", AgencyType.POLICE)
    named = intake.ParticipantIn(
        role="suspect", name="Dean Marsh", approximate_age=24, is_adult=True
    )
    first = intake.receive_events(agency=agency, events=[event(participants=(named,))])
    assert (first.new, first.updated, first.unchanged) == (1, 0, 0)
    again = intake.receive_events(agency=agency, events=[event(participants=(named,))])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert again.records == []  # the record of the person did not change either
    changed = intake.receive_events(
        agency=agency, events=[event(severity=3, summary="Jordan was punched and kicked.")]
    )
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 0)
    assert AgencyEvent.objects.count() == 1 and SourceRecord.objects.count() == 1
    saved = AgencyEvent.objects.get()
    assert saved.severity == 3 and saved.occurred_on == dt.date(2026, 6, 14)
    assert saved.occurred_at == AT and saved.changed_at is not None
    assert EventParticipant.objects.count() == 0  # the update names no one
    assert AuditEvent.objects.filter(event="identity.events_received").count() == 3


def test_one_reference_for_two_children_is_two_records_of_the_same_incident():
    agency = make_agency("police", AgencyType.POLICE)
    other = person(source_id="RVP0002", given_name="Amira", family_name="Hassan")
    intake.receive_events(agency=agency, events=[event(), event(person=other, role="suspect")])
    assert AgencyEvent.objects.filter(source_reference="OCC-26-000101").count() == 2


def test_a_broken_event_saves_nothing_not_even_the_good_ones():
    agency = make_agency("police", AgencyType.POLICE)
    with pytest.raises(intake.Rejected) as rejected:
        intake.receive_events(agency=agency, events=[event(), event(reference="", kind="x")])
    assert {e.field for e in rejected.value.errors} == {"reference", "kind"}
    assert not AgencyEvent.objects.exists() and not SourceRecord.objects.exists()


def test_an_ed_attendance_keeps_the_istv_items():
    agency = make_agency("ed", AgencyType.NHS_TRUST)
    arrival = dt.datetime(2026, 6, 14, 23, 5, tzinfo=dt.UTC)
    item = event(
        reference="ATT-26-000777",
        kind="ed_attendance",
        role="patient",
        occurred_at=arrival,
        ed_arrival_at=arrival,
        ed_assault_at=AT,
        ed_assault_method="03",
        ed_location_type="02",
        ed_location_description="Bus station, Riverside",
    )
    assert intake.check_event(item) == []
    intake.receive_events(agency=agency, events=[item])
    saved = AgencyEvent.objects.get()
    assert saved.weapon  # a sharp object
    assert saved.get_ed_assault_method_display().startswith("Stabbing or sharp object")
    assert saved.ed_location_description == "Bus station, Riverside"
    assert "ed_arrival_at" in problems(replace(item, ed_arrival_at=AT - dt.timedelta(hours=1)))


def test_needs_are_keyed_on_the_record_and_the_kind():
    agency = make_agency("school", AgencyType.SCHOOL)
    need = intake.NeedIn(
        person=person(source_system="SIMS"), kind="ehc_plan", recorded_on=dt.date(2026, 1, 5)
    )
    assert intake.receive_needs(agency=agency, needs=[need]).new == 1
    assert intake.receive_needs(agency=agency, needs=[need]).unchanged == 1
    later = replace(need, detail="Annual review", recorded_on=dt.date(2026, 5, 1))
    assert intake.receive_needs(agency=agency, needs=[later]).updated == 1
    assert SourceNeed.objects.get().detail == "Annual review"
    with pytest.raises(intake.Rejected):
        intake.receive_needs(agency=agency, needs=[replace(need, kind="ehcp")])


# Matched on arrival -----------------------------------------------------------------------------


def _as_person(record: SourceRecord, **changes: Any) -> intake.PersonIn:
    values: dict[str, Any] = {
        "source_system": "Arriving system",
        "source_id": f"A{record.pk}",
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth,
        "sex": record.sex,
        "postcode": record.postcode,
        "nhs_number": record.nhs_number,
    }
    values.update(changes)
    return intake.PersonIn(**values)


@pytest.fixture
def indexed(synthetic_records, trained_json):
    records = load_records(synthetic_records)
    store_model(trained_json)
    linking.link_run()
    return records


def test_an_arriving_record_joins_its_person_above_the_threshold(indexed):
    known = next(
        r
        for r in indexed.values()
        if r.date_of_birth and r.nhs_number and r.given_name and r.postcode
    )
    person_pk = PersonRecord.objects.get(source_record=known).person_id
    agency = make_agency("ambulance", AgencyType.AMBULANCE)
    received = intake.receive_events(
        agency=agency,
        events=[event(kind="ambulance", role="patient", person=_as_person(known))],
    )
    (arrival,) = intake.link_arrivals(received)
    assert arrival.outcome == "linked", arrival
    record = SourceRecord.objects.get(agency=agency)
    assert PersonRecord.objects.get(source_record=record).person_id == person_pk
    assert AuditEvent.objects.filter(event="identity.record_linked_on_arrival").exists()


def test_an_arriving_record_with_unusable_details_is_held(indexed):
    agency = make_agency("ambulance", AgencyType.AMBULANCE)
    unknown = intake.PersonIn(source_system="CAD", source_id="X1", given_name="Unknown male")
    received = intake.receive_events(
        agency=agency, events=[event(kind="ambulance", role="patient", person=unknown)]
    )
    (arrival,) = intake.link_arrivals(received)
    assert arrival.outcome == "held"
    assert HeldRecord.objects.filter(source_record__agency=agency).exists()
    assert not PersonRecord.objects.filter(source_record__agency=agency).exists()


def test_someone_no_one_knows_becomes_a_new_person(indexed):
    agency = make_agency("ambulance", AgencyType.AMBULANCE)
    stranger = intake.PersonIn(
        source_system="CAD",
        source_id="S1",
        given_name="Zephyrine",
        family_name="Quillfeather",
        date_of_birth=dt.date(2012, 1, 9),
        sex="F",
    )
    received = intake.receive_events(
        agency=agency, events=[event(kind="ambulance", role="patient", person=stranger)]
    )
    (arrival,) = intake.link_arrivals(received)
    assert arrival.outcome == "new_person"
    linked = PersonRecord.objects.get(source_record__agency=agency, source_record__source_id="S1")
    assert linked.person.records.count() == 1


def test_a_changed_record_is_re_indexed_not_only_an_added_one(indexed):
    agency = make_agency("police-2", AgencyType.POLICE)
    first = intake.PersonIn(
        source_system="CAD",
        source_id="C1",
        given_name="Zephyrine",
        family_name="Quillfeather",
        date_of_birth=dt.date(2012, 1, 9),
        sex="F",
        postcode="RV9 9ZZ",
    )
    intake.receive_events(agency=agency, events=[event(person=first)])
    index = matching.current_index()
    record = SourceRecord.objects.get(agency=agency, source_id="C1")
    probe = {"first_name": "Ottoline", "surname": "Brackenbury", "dob": "2012-01-09", "sex": "F"}
    assert record.pk not in index.candidates(probe)
    renamed = replace(first, given_name="Ottoline", family_name="Brackenbury")
    received = intake.receive_events(agency=agency, events=[event(person=renamed)])
    assert received.records == [record.pk]
    assert matching.current_index() is index  # refreshed, not rebuilt
    assert record.pk in index.candidates(probe)
    old = {"first_name": "Zephyrine", "surname": "Quillfeather", "dob": "2012-01-09", "sex": "F"}
    assert record.pk not in {c.unique_id for c in index.match(old, top=None)}


def test_without_a_model_an_unusable_record_is_still_held_and_the_rest_wait():
    agency = make_agency("ambulance", AgencyType.AMBULANCE)
    unknown = intake.PersonIn(source_system="CAD", source_id="X1", given_name="Unknown male")
    received = intake.receive_events(
        agency=agency,
        events=[
            event(kind="ambulance", role="patient", person=unknown),
            event(kind="ambulance", role="patient", reference="INC-2"),
        ],
    )
    outcomes = {a.record_id: a.outcome for a in intake.link_arrivals(received)}
    held = SourceRecord.objects.get(agency=agency, source_id="X1")
    assert outcomes == {
        held.pk: "held",
        SourceRecord.objects.get(agency=agency, source_id="RVP0001").pk: "no_model",
    }
    assert HeldRecord.objects.get().source_record == held
    assert AuditEvent.objects.filter(event="identity.record_held_on_arrival").count() == 1
