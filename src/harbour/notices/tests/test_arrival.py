"""Reacting when an event arrives (issue 11, part 4; ADR 0028): one task enqueued after the
commit, from every channel; flags re-evaluated for that person only; needs reconciled; a
serious incident by the partnership's rule (data) opens a rapid response."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from harbour.access.models import AuditEvent
from harbour.frontdoor import rapid
from harbour.frontdoor.models import RapidResponse, SeriousIncidentRule
from harbour.identity import flags, intake
from harbour.identity.models import AgencyEvent, FlagRule, HarmFlag, NeedsDiscrepancy, Person
from harbour.notices import services
from harbour.notices.tasks import react_to_arrival
from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import (
    agency_event,
    linked_record,
    make_agency,
    make_agreement,
    make_child,
    make_staff,
)

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
TODAY = timezone.localdate()


def person_of(child: Any) -> Person:
    return Person.objects.get(child=child)


def arrival(child: Any, reference: str, days_ago: int = 0, **changes: Any) -> intake.EventIn:
    """An event about a child the agency names by their person number, as the API allows."""
    values: dict[str, Any] = {
        "reference": reference,
        "kind": "incident",
        "person": intake.PersonIn(
            source_system="Niche RMS",
            source_id=f"RVP-{child.given_name}",
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
        ),
        "role": "victim",
        "category": "assault",
        "summary": "Punched outside the shop.",
        "occurred_on": TODAY - dt.timedelta(days=days_ago),
        "severity": 2,
        "person_id": person_of(child).display_id,
    }
    values.update(changes)
    return intake.EventIn(**values)


@pytest.fixture
def world() -> dict[str, Any]:
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    Team.objects.create(agency=council, name="Front door", is_front_door=True)
    make_agreement(
        police, council, purposes=["safeguarding"], categories=["identity", "family", "criminal"]
    )
    jordan = make_child(council, given_name="Jordan", family_name="Baker")
    amira = make_child(council, given_name="Amira", family_name="Hassan")
    for child in (jordan, amira):
        linked_record(child, council, f"C-{child.given_name}")
    return {
        "council": council,
        "police": police,
        "hospital": hospital,
        "jordan": jordan,
        "amira": amira,
        "practitioner": make_staff(council, Role.FRONT_DOOR_PRACTITIONER),
    }


def receive(agency: Any, events: list[intake.EventIn]) -> intake.Received:
    received = intake.receive_events(agency=agency, events=events)
    intake.link_arrivals(received)
    return received


# Enqueued once, after the commit ----------------------------------------------------------------


def test_an_arrival_enqueues_one_task_after_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        received = receive(
            world["police"], [arrival(world["jordan"], "OCC-1"), arrival(world["amira"], "OCC-2")]
        )
    assert not DBTaskResult.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "harbour.notices.tasks.react_to_arrival"
    assert queued.args_kwargs["kwargs"] == {"event_ids": sorted(received.ids), "need_ids": []}


def test_the_same_events_again_enqueue_nothing(world, django_capture_on_commit_callbacks):
    events = [arrival(world["jordan"], "OCC-1")]
    with django_capture_on_commit_callbacks(execute=True):
        receive(world["police"], events)
    with django_capture_on_commit_callbacks(execute=True) as again:
        receive(world["police"], events)
    assert again == [] and DBTaskResult.objects.count() == 1


def test_a_file_and_the_api_are_announced_too(world, client, django_capture_on_commit_callbacks):
    """Every channel goes through ``identity.intake``: a file imported (the command and the
    administrator's page call ``import_events_file``) and a POST to the API each enqueue one."""
    from harbour.frontdoor import tokens
    from harbour.identity import event_files
    from harbour.identity.tests.test_event_files import fixture

    hospital = world["hospital"]
    with django_capture_on_commit_callbacks(execute=True):
        event_files.import_events_file(
            agency=hospital, format_name="ed-attendance", content=fixture("ed-attendance")
        )
    (from_file,) = DBTaskResult.objects.all()
    assert from_file.args_kwargs["kwargs"]["event_ids"] == sorted(
        AgencyEvent.objects.filter(agency=hospital).values_list("pk", flat=True)
    )
    token = tokens.token_create(agency=world["police"], name="Niche")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/events",
            data=intake_json(world["jordan"]),
            content_type="application/json",
            headers={"authorization": f"Bearer {token.secret}", "idempotency-key": "k-1"},
        )
    assert answer.status_code == 201, answer.content
    assert DBTaskResult.objects.count() == 2
    assert DBTaskResult.objects.exclude(pk=from_file.pk).get().args_kwargs["kwargs"] == {
        "event_ids": [answer.json()["id"]],
        "need_ids": [],
    }


def test_a_backfill_tells_no_one(world, django_capture_on_commit_callbacks):
    """An agency's history loaded for the first time (``harbour events import --backfill``) is
    saved and matched like any file, but announces nothing: no task, so no notices."""
    from django.core.management import call_command

    from harbour.identity.tests.test_event_files import FIXTURES

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command(
            "events",
            "import",
            str(FIXTURES / "ed-attendance.csv"),
            "--agency",
            "hospital",
            "--format",
            "ed-attendance",
            "--backfill",
        )
    assert AgencyEvent.objects.filter(agency=world["hospital"]).count() == 3
    assert callbacks == [] and not DBTaskResult.objects.exists()


def intake_json(child: Any) -> dict[str, Any]:
    return {
        "reference": "OCC-API-1",
        "kind": "incident",
        "role": "victim",
        "category": "assault",
        "summary": "Punched outside the shop.",
        "occurred_on": f"{TODAY:%Y-%m-%d}",
        "person": {
            "source_system": "Niche RMS",
            "source_id": "RVP-API-1",
            "given_name": child.given_name,
            "family_name": child.family_name,
            "date_of_birth": f"{child.date_of_birth:%Y-%m-%d}",
        },
        "person_id": person_of(child).display_id,
    }


def test_needs_are_announced_as_needs(world, django_capture_on_commit_callbacks):
    need = intake.NeedIn(
        person=arrival(world["jordan"], "x").person,
        kind="ehc_plan",
        recorded_on=TODAY,
        person_id=person_of(world["jordan"]).display_id,
    )
    with django_capture_on_commit_callbacks(execute=True):
        received = intake.receive_needs(agency=world["council"], needs=[need])
        intake.link_arrivals(received)
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["kwargs"] == {"event_ids": [], "need_ids": received.ids}


# Flags for that person only -----------------------------------------------------------------------


def _violence_cluster(world: dict[str, Any], child: Any, prefix: str) -> None:
    """Three assaults in 90 days from two agencies: the example rule "violence-cluster"."""
    police = linked_record(child, world["police"], f"{prefix}-police")
    hospital = linked_record(child, world["hospital"], f"{prefix}-hospital")
    agency_event(police, TODAY - dt.timedelta(days=40), f"{prefix}-1")
    agency_event(hospital, TODAY - dt.timedelta(days=20), f"{prefix}-2", kind="ed_attendance")
    agency_event(police, TODAY - dt.timedelta(days=1), f"{prefix}-3")


def test_flags_are_raised_for_the_person_alone(world):
    _violence_cluster(world, world["jordan"], "J")
    _violence_cluster(world, world["amira"], "A")
    jordan, amira = person_of(world["jordan"]), person_of(world["amira"])
    summary = flags.raise_person_flags(person=jordan.pk)
    assert summary.by_rule["violence-cluster"] == 1
    assert set(HarmFlag.objects.values_list("person_id", flat=True)) == {jordan.pk}
    assert flags.raise_person_flags(person=jordan.pk).raised == 0  # idempotent
    # The whole run then finds only Amira's flags new: the same rules, the same flags.
    assert flags.raise_flags().by_rule == summary.by_rule
    assert set(HarmFlag.objects.values_list("person_id", flat=True)) == {jordan.pk, amira.pk}


def test_a_flag_another_worker_raised_meanwhile_is_counted_not_failed(world, monkeypatch):
    """Two arrivals about Jordan reacted to at once: the other worker inserts the flag after
    this one looked for it and before it inserts its own. This one counts it as already there
    and goes on (one flag, no error, the rest of the run kept)."""
    _violence_cluster(world, world["jordan"], "J")
    jordan = person_of(world["jordan"])
    evaluate = flags.evaluate

    def meanwhile(spec, person, events, flagged):
        for match in evaluate(spec, person, events, flagged):
            rule = FlagRule.objects.get(code="violence-cluster", is_current=True)
            if spec.kind == rule.kind:
                HarmFlag.objects.create(
                    rule=rule, person_id=person, anchor_id=match.anchor.id, explanation="other"
                )
            yield match

    monkeypatch.setattr(flags, "evaluate", meanwhile)
    summary = flags.raise_person_flags(person=jordan.pk)
    assert summary.existing >= 1 and "violence-cluster" not in summary.by_rule
    assert HarmFlag.objects.filter(person=jordan).count() == 1 + summary.raised


def test_a_merged_persons_records_count_for_the_person_kept(world):
    jordan = person_of(world["jordan"])
    other = Person.objects.create(number=jordan.number + 100, merged_into=jordan)
    assert flags.people_merged_into(jordan.pk) == {jordan.pk, other.pk}


def test_the_reaction_raises_that_persons_flags_and_reconciles_needs(world):
    _violence_cluster(world, world["jordan"], "J")
    _violence_cluster(world, world["amira"], "A")
    received = receive(world["police"], [arrival(world["jordan"], "OCC-9")])
    reaction = services.react(event_ids=received.ids, need_ids=[])
    assert reaction.people == 1 and reaction.flags_raised >= 1 and not reaction.failed
    assert set(HarmFlag.objects.values_list("person_id", flat=True)) == {
        person_of(world["jordan"]).pk
    }

    need = intake.NeedIn(
        person=intake.PersonIn(source_system="SEN2", source_id="S-1", given_name="Jordan"),
        kind="ehc_plan",
        recorded_on=TODAY,
        person_id=person_of(world["jordan"]).display_id,
    )
    school = make_agency("school", AgencyType.SCHOOL, name="Riverside Academy")
    needs_in = intake.receive_needs(agency=school, needs=[need])
    intake.link_arrivals(needs_in)
    assert services.react(event_ids=[], need_ids=needs_in.ids).needs_reconciled == 1
    assert NeedsDiscrepancy.objects.filter(child=world["jordan"], kind="ehc_plan").exists()


# A serious incident, by the partnership's rule -------------------------------------------------


def test_the_rule_is_data_seeded_as_it_was_code():
    rule = SeriousIncidentRule.current()
    assert rule.pk is not None  # the migration's row
    assert (rule.minimum_severity, rule.under_age, rule.opens_automatically) == (3, 18, True)
    assert set(rule.kinds) == {"incident", "ambulance", "ed_attendance"}


def test_changing_the_rule_changes_what_is_serious(world):
    record = linked_record(world["jordan"], world["police"], "P-J")
    agency_event(record, TODAY, "OCC-1", category="weapon", severity=3)
    assert len(rapid.serious_incidents(world["practitioner"])) == 1
    SeriousIncidentRule.objects.update(minimum_severity=4)
    assert rapid.serious_incidents(world["practitioner"]) == []


def test_a_serious_incident_opens_a_rapid_response_by_the_rule(world):
    received = receive(
        world["police"],
        [
            arrival(world["jordan"], "OCC-7", category="weapon", severity=4),
            arrival(world["amira"], "OCC-7", category="weapon", severity=4, role="suspect"),
        ],
    )
    reaction = services.react(event_ids=received.ids, need_ids=[])
    (response,) = RapidResponse.objects.all()
    assert reaction.rapid_responses == 2  # both records of it find the one response
    assert response.opened_by is None and response.opened_by_rule
    assert response.front_door == world["council"]
    assert response.incident.role == "victim"  # the record of the child harmed stands for it
    assert {c.child_id for c in response.children.all()} == {
        world["jordan"].pk,
        world["amira"].pk,
    }
    opened = AuditEvent.objects.get(event="front_door.rapid_response_opened")
    assert opened.actor_username == rapid.SYSTEM_ACTOR and opened.actor_id is None
    services.react(event_ids=received.ids, need_ids=[])
    assert RapidResponse.objects.count() == 1  # never a second


def test_nothing_opens_for_a_minor_event_an_adult_or_when_switched_off(world):
    minor = receive(world["police"], [arrival(world["jordan"], "OCC-1", severity=2)])
    assert services.react(event_ids=minor.ids, need_ids=[]).rapid_responses == 0
    SeriousIncidentRule.objects.update(under_age=5)
    serious = receive(
        world["police"], [arrival(world["jordan"], "OCC-2", category="weapon", severity=4)]
    )
    assert services.react(event_ids=serious.ids, need_ids=[]).rapid_responses == 0
    SeriousIncidentRule.objects.update(under_age=18, opens_automatically=False)
    assert services.react(event_ids=serious.ids, need_ids=[]).rapid_responses == 0
    assert not RapidResponse.objects.exists()


def test_an_agency_that_shares_nothing_with_the_front_door_opens_nothing(world):
    make_agreement(world["hospital"], world["council"], purposes=["safeguarding"], categories=[])
    received = receive(
        world["hospital"],
        [
            arrival(
                world["jordan"],
                "ATT-1",
                kind="ed_attendance",
                role="patient",
                severity=4,
                occurred_on=None,
                occurred_at=timezone.now() - dt.timedelta(hours=1),
                ed_arrival_at=timezone.now() - dt.timedelta(hours=1),
                ed_assault_at=timezone.now() - dt.timedelta(hours=2),
                ed_assault_method="03",
                ed_location_type="02",
            )
        ],
    )
    assert services.react(event_ids=received.ids, need_ids=[]).rapid_responses == 0


@override_settings(TASKS=IMMEDIATE)
def test_with_the_immediate_backend_the_task_runs_on_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receive(world["police"], [arrival(world["jordan"], "OCC-7", category="weapon", severity=4)])
    assert RapidResponse.objects.count() == 1
    assert react_to_arrival.module_path == "harbour.notices.tasks.react_to_arrival"
    assert AgencyEvent.objects.count() == 1
