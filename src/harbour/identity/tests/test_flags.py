"""Cumulative-harm flags: each rule kind on hand-made events (met and not met), co-involvement
by role, versioning, switching a rule off and on, idempotent raising, acknowledgement audited,
and the pages through the policy."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind
from harbour.identity import flags, services
from harbour.identity.flags import Ev, Participant, RuleSpec
from harbour.identity.forms import FlagRuleForm
from harbour.identity.models import (
    AgencyEvent,
    AlertStatus,
    EventCategory,
    EventKind,
    EventParticipant,
    EventRole,
    FlagRule,
    FlagRuleKind,
    HarmFlag,
    Person,
    PersonRecord,
    SourceRecord,
)
from harbour.partnership.models import AgencyType, Role, Staff
from harbour.testing import make_agency, make_agreement, make_child, make_staff, relate

D0 = dt.date(2026, 1, 1)
_ids = count(1)
POLICE, ED, SCHOOL = 1, 2, 3
TYPES = {POLICE: AgencyType.POLICE, ED: AgencyType.NHS_TRUST, SCHOOL: AgencyType.SCHOOL}


def ev(day: int, agency: int = POLICE, **kw: Any) -> Ev:
    return Ev(
        id=next(_ids),
        person=kw.pop("person", 1),
        agency=agency,
        agency_type=TYPES[agency],
        kind=kw.pop("kind", EventKind.INCIDENT),
        category=kw.pop("category", EventCategory.ASSAULT),
        occurred_on=D0 + dt.timedelta(days=day),
        **kw,
    )


def run(kind: str, events: list[Ev], **params: Any) -> list[flags.Match]:
    return flags.evaluate(RuleSpec(kind, params), 1, events)


# Pure rules ---------------------------------------------------------------------------------------


def test_incidents_in_window_met_across_agencies() -> None:
    events = [ev(0), ev(30, ED, kind=EventKind.ED_ATTENDANCE), ev(80)]
    (match,) = run("incidents_in_window", events, count=3, days=90, agencies=2)
    assert [e.id for e in match.events] == [e.id for e in events]
    assert match.anchor == events[-1]


def test_incidents_in_window_not_met() -> None:
    # Too spread out; one agency only; not violence.
    assert not run("incidents_in_window", [ev(0), ev(50, ED), ev(120)], count=3, days=90)
    assert not run("incidents_in_window", [ev(0), ev(10), ev(20)], count=3, agencies=2)
    assert not run(
        "incidents_in_window",
        [ev(0, category=EventCategory.BEHAVIOUR), ev(10, ED), ev(20)],
        count=3,
        agencies=2,
    )


def test_incidents_in_window_does_not_flag_overlapping_windows_again() -> None:
    events = [ev(0), ev(10, ED), ev(20), ev(25)]
    assert len(run("incidents_in_window", events, count=3, days=90, agencies=2)) == 1


def test_escalating_severity() -> None:
    rising = [ev(0, severity=1), ev(40, severity=2), ev(90, severity=3)]
    (match,) = run("escalating_severity", rising, steps=3, days=365)
    assert match.anchor == rising[-1]
    assert not run(
        "escalating_severity", [ev(0, severity=1), ev(40, severity=3), ev(90, severity=2)], steps=3
    )
    assert not run(
        "escalating_severity",
        [ev(0, severity=1), ev(200, severity=2), ev(400, severity=3)],
        steps=3,
        days=365,
    )


def test_escalation_is_not_broken_by_a_minor_event_between() -> None:
    events = [ev(0, severity=1), ev(30, severity=2), ev(35, severity=1), ev(90, severity=3)]
    (match,) = run("escalating_severity", events, steps=3, days=365)
    assert [e.severity for e in match.events] == [1, 2, 3]


def test_missing_with_new_adult_on_the_missing_episode_itself() -> None:
    adult = Participant(None, name="Adult B", is_adult=True, poses_risk=True)
    missing = ev(10, kind=EventKind.MISSING, category=EventCategory.MISSING, participants=(adult,))
    (match,) = run("missing_with_new_adult", [missing], days=30)
    assert match.events == (missing,)


def test_missing_with_new_adult() -> None:
    adult = Participant(None, name="Adult A", is_adult=True, poses_risk=True)
    missing = ev(10, kind=EventKind.MISSING, category=EventCategory.MISSING)
    with_adult = ev(20, category=EventCategory.EXPLOITATION, participants=(adult,))
    (match,) = run("missing_with_new_adult", [missing, with_adult], days=30)
    assert {e.id for e in match.events} == {missing.id, with_adult.id}
    # The adult was known long before: not new.
    early = ev(-200, participants=(adult,))
    assert not run("missing_with_new_adult", [early, missing, with_adult], days=30)
    # An adult who poses no risk does not count.
    safe = Participant(None, name="Aunt", is_adult=True, poses_risk=False)
    assert not run("missing_with_new_adult", [missing, ev(20, participants=(safe,))], days=30)


def test_weapon_after_exclusion() -> None:
    exclusion = ev(0, SCHOOL, kind=EventKind.EXCLUSION, category=EventCategory.BEHAVIOUR)
    knife = ev(40, weapon=True, category=EventCategory.WEAPON)
    (match,) = run("weapon_after_exclusion", [exclusion, knife], days=180)
    assert match.events == (exclusion, knife)
    assert not run("weapon_after_exclusion", [knife, ev(60, SCHOOL, kind=EventKind.EXCLUSION)])
    assert not run("weapon_after_exclusion", [exclusion, ev(300, weapon=True)], days=180)


def test_ed_assault_not_known_to_police() -> None:
    attendance = ev(10, ED, kind=EventKind.ED_ATTENDANCE)
    (match,) = run("ed_assault_not_known_to_police", [attendance], days=7)
    assert match.events == (attendance,)
    assert not run("ed_assault_not_known_to_police", [attendance, ev(12)], days=7)
    accident = ev(10, ED, kind=EventKind.ED_ATTENDANCE, category=EventCategory.ACCIDENT)
    assert not run("ed_assault_not_known_to_police", [accident], days=7)


CLUSTER = "Three incidents in 90 days"
WEAPON = "A weapon after an exclusion"
FLAGGED = {2: (CLUSTER,), 3: (CLUSTER, WEAPON)}
CO = RuleSpec("co_involved_with_flagged", {"days": 365})


def together(role: str, other_role: str = EventRole.SUSPECT, *others: int, day: int = 5) -> Ev:
    """An incident on person 1's record in which they had ``role``, naming the other children
    (person 2 unless given) in ``other_role``."""
    named = tuple(Participant(o, role=other_role) for o in (others or (2,)))
    return ev(day, role=role, participants=named)


def test_co_involved_with_a_flagged_child_as_suspects_together() -> None:
    shared = together(EventRole.SUSPECT)
    (match,) = flags.evaluate(CO, 1, [shared], flagged=FLAGGED)
    assert match.events == (shared,) and match.anchor == shared
    assert match.alongside == (flags.Alongside(EventRole.SUSPECT, (CLUSTER,)),)
    # Each role that suggests shared exposure counts, for either child.
    for mine, theirs in (
        (EventRole.ARRESTED, EventRole.SUSPECT),
        (EventRole.ASSOCIATE, EventRole.ARRESTED),
        (EventRole.MISSING_PERSON, EventRole.MISSING_PERSON),
    ):
        assert flags.evaluate(CO, 1, [together(mine, theirs)], flagged=FLAGGED)
    # A child who is not flagged, an adult, or the person themselves: nothing.
    assert not flags.evaluate(CO, 1, [shared], flagged={4: (CLUSTER,)})
    adult = ev(5, role=EventRole.SUSPECT, participants=(Participant(2, is_adult=True),))
    assert not flags.evaluate(CO, 1, [adult], flagged=FLAGGED)
    assert not flags.evaluate(
        CO, 1, [together(EventRole.SUSPECT, EventRole.SUSPECT, 1)], {1: ("x",)}
    )


def test_a_victim_or_witness_beside_a_flagged_child_is_not_flagged() -> None:
    for role in (EventRole.VICTIM, EventRole.WITNESS):
        assert not flags.evaluate(CO, 1, [together(role)], flagged=FLAGGED)
    # Nor is a suspect beside a flagged child who was the victim or a witness: harming or being
    # seen by a flagged child is not shared exposure (it is in the child's own records).
    for theirs in (EventRole.VICTIM, EventRole.WITNESS):
        assert not flags.evaluate(CO, 1, [together(EventRole.SUSPECT, theirs)], flagged=FLAGGED)
    # Other roles that share nothing: a patient, a pupil, the subject of a referral.
    for role in (EventRole.PATIENT, EventRole.PUPIL, EventRole.SUBJECT):
        assert not flags.evaluate(CO, 1, [together(role, role)], flagged=FLAGGED)


def test_the_roles_that_count_are_the_rules_own() -> None:
    victims = RuleSpec("co_involved_with_flagged", {"days": 365, "roles": ["victim"]})
    (match,) = flags.evaluate(victims, 1, [together("victim", "victim")], flagged=FLAGGED)
    assert match.alongside[0].role == "victim"
    assert not flags.evaluate(victims, 1, [together("suspect")], flagged=FLAGGED)
    suspects = RuleSpec("co_involved_with_flagged", {"roles": ["suspect"]})
    assert flags.evaluate(suspects, 1, [together("suspect")], flagged=FLAGGED)
    assert not flags.evaluate(suspects, 1, [together("arrested", "suspect")], flagged=FLAGGED)
    assert not flags.evaluate(suspects, 1, [together("suspect", "arrested")], flagged=FLAGGED)
    # No roles (saved with the rule switched off): nothing counts.
    nothing = RuleSpec("co_involved_with_flagged", {"roles": []})
    assert not flags.evaluate(nothing, 1, [together("suspect")], flagged=FLAGGED)
    # The default when a version holds no roles (as the rule's first version did).
    assert flags.values_chosen("co_involved_with_flagged", {}, "roles") == {
        "suspect",
        "arrested",
        "associate",
        "missing_person",
    }


def test_co_involvement_looks_back_the_rules_days() -> None:
    old = together(EventRole.SUSPECT, day=0)
    latest = ev(400, role=EventRole.WITNESS, category=EventCategory.OTHER)
    assert not flags.evaluate(CO, 1, [old, latest], flagged=FLAGGED)
    wider = RuleSpec("co_involved_with_flagged", {"days": 400})
    assert flags.evaluate(wider, 1, [old, latest], flagged=FLAGGED)


def test_the_explanation_says_each_childs_role_and_the_rules_never_who() -> None:
    (one,) = flags.evaluate(CO, 1, [together(EventRole.SUSPECT)], flagged=FLAGGED)
    assert one.explanation == (
        "Recorded as suspect in an incident on 6 January 2026, alongside another child "
        "recorded as suspect, already flagged by the rule “Three incidents in 90 days”"
    )
    missing = ev(
        9,
        kind=EventKind.MISSING,
        category=EventCategory.MISSING,
        role=EventRole.MISSING_PERSON,
        participants=(
            Participant(2, role=EventRole.MISSING_PERSON),
            Participant(3, role=EventRole.ASSOCIATE),
        ),
    )
    (two,) = flags.evaluate(CO, 1, [missing], flagged=FLAGGED)
    assert two.explanation == (
        "Recorded as person reported missing in a missing episode on 10 January 2026, "
        "alongside 2 other children already flagged: one recorded as person reported missing, "
        "flagged by the rule “Three incidents in 90 days”; one recorded as associate, flagged "
        "by the rules “A weapon after an exclusion” and “Three incidents in 90 days”"
    )


# Raising, versioning, acknowledging ---------------------------------------------------------------


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    # A transactional test elsewhere may have flushed the rows the migration seeded.
    flags.seed_example_rules()
    police = make_agency(agency_type=AgencyType.POLICE)
    ed = make_agency(agency_type=AgencyType.NHS_TRUST)
    child = make_child(police)
    person = Person.objects.create(number=1, child=child)
    records = {}
    for agency in (police, ed):
        record = SourceRecord.objects.create(
            agency=agency, source_system="sys", source_id=f"R{agency.pk}", as_of=D0
        )
        PersonRecord.objects.create(source_record=record, person=person, method="manual")
        records[agency.agency_type] = record
    made = []
    for day, agency in ((0, police), (20, ed), (40, police)):
        made.append(
            AgencyEvent.objects.create(
                source_record=records[agency.agency_type],
                agency=agency,
                kind=EventKind.INCIDENT if agency == police else EventKind.ED_ATTENDANCE,
                occurred_on=D0 + dt.timedelta(days=day),
                role=EventRole.VICTIM,
                category=EventCategory.ASSAULT,
                severity=1 + day // 20,
                summary="x",
                source_reference=f"E{day}",
            )
        )
    lead = make_staff(police, Role.LEAD_PRACTITIONER)
    relate(child, lead, RelationshipKind.LEAD_PRACTITIONER)
    return {"child": child, "person": person, "events": made, "lead": lead, "police": police}


@pytest.mark.django_db
def test_six_rules_seeded() -> None:
    flags.seed_example_rules()
    assert FlagRule.objects.filter(is_current=True, version=1).count() >= 6
    assert set(FlagRule.objects.values_list("kind", flat=True)) >= {
        "incidents_in_window",
        "escalating_severity",
        "missing_with_new_adult",
        "weapon_after_exclusion",
        "ed_assault_not_known_to_police",
        "co_involved_with_flagged",
    }


def test_raising_lists_the_exact_records_and_is_idempotent(world: dict[str, Any]) -> None:
    first = flags.raise_flags()
    cluster = HarmFlag.objects.get(rule__code="violence-cluster")
    assert set(cluster.events.all()) == set(world["events"])
    assert cluster.child == world["child"]
    assert [e["event_reference"] for e in cluster.evidence] == ["E0", "E20", "E40"]
    assert {e["agency"] for e in cluster.evidence} == {
        world["police"].name,
        world["events"][1].agency.name,
    }
    assert HarmFlag.objects.filter(rule__code="escalating-severity").exists()
    again = flags.raise_flags()
    assert again.raised == 0 and again.existing == first.raised
    assert HarmFlag.objects.count() == first.raised


def test_a_new_version_keeps_old_flags_and_raises_its_own(
    world: dict[str, Any], admin: Any
) -> None:
    flags.raise_flags()
    old = FlagRule.objects.get(code="violence-cluster", is_current=True)
    old_flag = HarmFlag.objects.get(rule=old)
    with pytest.raises(policy.Forbidden):  # the service asks the policy, whoever calls it
        flags.new_rule_version(
            actor=world["lead"], rule=old, title="x", description="", parameters=old.parameters
        )
    new = flags.new_rule_version(
        actor=admin,
        rule=old,
        title=old.title,
        description="",
        parameters={**old.parameters, "count": 2},
    )
    assert new.version == old.version + 1
    old.refresh_from_db()
    assert not old.is_current and new.is_current
    flags.raise_flags()
    old_flag.refresh_from_db()
    assert old_flag.rule == old
    assert HarmFlag.objects.filter(rule=new).exists()
    assert AuditEvent.objects.filter(event="identity.flag_rule.changed").exists()


def test_ed_assault_police_window(world: dict[str, Any], admin: Any) -> None:
    # Police events 20 days either side: not within 7 days, so flagged; within 30, not.
    flags.raise_flags()
    rule = FlagRule.objects.get(code="ed-assault-no-police", is_current=True)
    assert HarmFlag.objects.filter(rule=rule).count() == 1
    wider = flags.new_rule_version(
        actor=admin, rule=rule, title=rule.title, description="", parameters={"days": 30}
    )
    flags.raise_flags()
    assert not HarmFlag.objects.filter(rule=wider).exists()


def switch(
    rule_code: str, in_use: bool, actor: Staff, reason: str = "Agreed by the board"
) -> FlagRule:
    rule = FlagRule.objects.get(code=rule_code, is_current=True)
    return flags.flag_rule_switch(actor=actor, rule=rule, in_use=in_use, reason=reason)


@pytest.fixture
def admin(world: dict[str, Any]) -> Any:
    return make_staff(world["police"], Role.ADMINISTRATOR, first_name="Ada", last_name="Admin")


def test_a_new_installation_has_the_co_involvement_rule_switched_off(db: Any) -> None:
    flags.seed_example_rules()  # as migration 0009 leaves it (a flushed database gets the same)
    rule = FlagRule.objects.get(code="co-involved-flagged", is_current=True)
    assert not rule.in_use and rule.in_use_changed_at is not None
    assert rule.in_use_changed_by is None and rule.in_use_changed_by_system
    assert "data protection impact assessment" in rule.in_use_reason
    assert sorted(rule.parameters["roles"]) == [
        "arrested",
        "associate",
        "missing_person",
        "suspect",
    ]
    assert rule.title.startswith("Suspected, arrested, missing or named as an associate")
    assert FlagRule.objects.filter(is_current=True, in_use=True).count() >= 5


def other_child_in_a_shared_event(world: dict[str, Any], role: str, flagged_role: str) -> Any:
    """Another child (person 2) with a police incident in which they had ``role``, naming the
    world's child (flagged by the other rules) in ``flagged_role``."""
    police = world["police"]
    other_child = make_child(police)
    other = Person.objects.create(number=2, child=other_child)
    record = SourceRecord.objects.create(
        agency=police, source_system="sys", source_id="O", as_of=D0
    )
    PersonRecord.objects.create(source_record=record, person=other, method="manual")
    event = AgencyEvent.objects.create(
        source_record=record,
        agency=police,
        kind=EventKind.INCIDENT,
        occurred_on=D0 + dt.timedelta(days=41),
        role=role,
        category=EventCategory.DRUGS,
        summary="x",
        source_reference="O1",
    )
    EventParticipant.objects.create(
        event=event,
        source_record=SourceRecord.objects.get(agency=police, source_id__startswith="R"),
        role=flagged_role,
    )
    return other, event


def test_the_co_involvement_rule_switched_off_raises_nothing(world: dict[str, Any]) -> None:
    other_child_in_a_shared_event(world, EventRole.SUSPECT, EventRole.ASSOCIATE)
    summary = flags.raise_flags()
    assert summary.raised and "co-involved-flagged" not in summary.by_rule
    assert not HarmFlag.objects.filter(rule__code="co-involved-flagged").exists()


def test_co_involvement_with_a_flagged_child(world: dict[str, Any], admin: Any) -> None:
    switch("co-involved-flagged", True, admin)
    other, event = other_child_in_a_shared_event(world, EventRole.SUSPECT, EventRole.ASSOCIATE)
    flags.raise_flags()
    flag = HarmFlag.objects.get(rule__code="co-involved-flagged")
    assert flag.person == other and list(flag.events.all()) == [event]
    assert flag.explanation.startswith(
        "Recorded as suspect in an incident on 11 February 2026, alongside another child "
        "recorded as associate, already flagged by the rules “"
    )
    (shown,) = flag.evidence
    assert shown["role"] == "Suspect"
    (alongside,) = shown["alongside"]
    assert alongside["role"] == "associate"
    assert set(alongside["flagged_by"]) == set(
        HarmFlag.objects.filter(child=world["child"]).values_list("rule__title", flat=True)
    )
    # Nothing in the flag says who the other child is.
    assert str(world["child"].pk) not in str(flag.evidence)
    assert world["child"].given_name not in flag.explanation + str(flag.evidence)


def test_a_victim_beside_a_flagged_child_is_not_flagged(world: dict[str, Any], admin: Any) -> None:
    switch("co-involved-flagged", True, admin)
    other_child_in_a_shared_event(world, EventRole.VICTIM, EventRole.SUSPECT)
    flags.raise_flags()
    assert not HarmFlag.objects.filter(rule__code="co-involved-flagged").exists()


def test_the_childs_flags_page_shows_the_roles_and_never_the_other_child(
    world: dict[str, Any], admin: Any, client: Client
) -> None:
    switch("co-involved-flagged", True, admin)
    other, _event = other_child_in_a_shared_event(world, EventRole.ARRESTED, EventRole.SUSPECT)
    lead = make_staff(world["police"], Role.LEAD_PRACTITIONER)
    relate(other.child, lead, RelationshipKind.LEAD_PRACTITIONER)
    flags.raise_flags()
    client.force_login(lead)
    page = client.get(reverse("identity:child-flags", args=[other.child.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Recorded as person arrested in an incident on 11 February 2026" in body
    assert "Alongside another child recorded as suspect, already flagged by “" in body
    assert "The child's role</th>" in body
    assert "Person arrested" in body
    assert str(world["child"]) not in body and str(world["child"].pk) not in body


def test_switching_a_rule_off_stops_new_flags_and_keeps_the_old(
    world: dict[str, Any], admin: Any
) -> None:
    flags.raise_flags()
    cluster = HarmFlag.objects.get(rule__code="violence-cluster")
    evidence = cluster.evidence
    off = switch("violence-cluster", False, admin, "Paused while the DPIA is reviewed")
    assert (off.in_use, off.in_use_changed_by, off.in_use_reason) == (
        False,
        admin,
        "Paused while the DPIA is reviewed",
    )
    audited = AuditEvent.objects.get(event="identity.flag_rule.switched_off")
    assert audited.actor_id == admin.pk and audited.object_id == str(off.pk)
    assert audited.detail == {
        "code": "violence-cluster",
        "version": off.version,
        "reason": "Paused while the DPIA is reviewed",
    }
    # Three more incidents that the rule would flag: nothing new while it is off.
    record = world["events"][0].source_record
    for day in (200, 210, 220):
        AgencyEvent.objects.create(
            source_record=record if day != 210 else world["events"][1].source_record,
            agency=record.agency if day != 210 else world["events"][1].agency,
            kind=EventKind.INCIDENT,
            occurred_on=D0 + dt.timedelta(days=day),
            role=EventRole.VICTIM,
            category=EventCategory.ASSAULT,
            severity=1,
            summary="x",
            source_reference=f"N{day}",
        )
    summary = flags.raise_flags()
    assert "violence-cluster" not in summary.by_rule
    assert list(HarmFlag.objects.filter(rule__code="violence-cluster")) == [cluster]
    cluster.refresh_from_db()
    assert cluster.evidence == evidence and cluster.status == AlertStatus.OPEN
    # On again: the next run raises what it finds, including what happened while it was off.
    on = switch("violence-cluster", True, admin, "The DPIA review is done")
    assert on.in_use and on.pk == off.pk and on.version == off.version
    assert AuditEvent.objects.filter(event="identity.flag_rule.switched_on").count() == 1
    assert flags.raise_flags().by_rule.get("violence-cluster") == 1
    assert HarmFlag.objects.filter(rule__code="violence-cluster").count() == 2


def test_flags_of_a_switched_off_rule_do_not_count_for_co_involvement(
    world: dict[str, Any], admin: Any
) -> None:
    switch("co-involved-flagged", True, admin)
    other_child_in_a_shared_event(world, EventRole.SUSPECT, EventRole.SUSPECT)
    flags.raise_flags()
    co = HarmFlag.objects.get(rule__code="co-involved-flagged")
    switch("violence-cluster", False, admin)
    (alongside,) = co.evidence[0]["alongside"]
    assert any("Three or more incidents" in t for t in alongside["flagged_by"])
    # A new shared event: the child is flagged, by the other rules only.
    other, event = Person.objects.get(number=2), None
    event = AgencyEvent.objects.create(
        source_record=other.records.get().source_record,
        agency=world["police"],
        kind=EventKind.ARREST,
        occurred_on=D0 + dt.timedelta(days=60),
        role=EventRole.ARRESTED,
        category=EventCategory.ROBBERY,
        summary="x",
        source_reference="O2",
    )
    EventParticipant.objects.create(
        event=event,
        source_record=world["events"][0].source_record,
        role=EventRole.ARRESTED,
    )
    flags.raise_flags()
    new = HarmFlag.objects.get(rule__code="co-involved-flagged", anchor=event)
    assert not any(
        "Three or more incidents" in t for t in new.evidence[0]["alongside"][0]["flagged_by"]
    )
    # With every other rule that flagged the child switched off, no co-involvement at all.
    for code in set(
        HarmFlag.objects.filter(person=world["person"]).values_list("rule__code", flat=True)
    ):
        if FlagRule.objects.get(code=code, is_current=True).in_use:
            switch(code, False, admin)
    assert "co-involved-flagged" not in flags.raise_flags().by_rule


def test_switching_is_refused_with_reasons(world: dict[str, Any], admin: Any) -> None:
    from harbour.access.policy import Forbidden

    rule = FlagRule.objects.get(code="violence-cluster", is_current=True)
    with pytest.raises(Forbidden):
        flags.flag_rule_switch(actor=world["lead"], rule=rule, in_use=False, reason="No")
    with pytest.raises(ValidationError, match="Say why the rule is being switched off"):
        flags.flag_rule_switch(actor=admin, rule=rule, in_use=False, reason="  ")
    with pytest.raises(ValidationError, match="already in use"):
        flags.flag_rule_switch(actor=admin, rule=rule, in_use=True, reason="On")
    with pytest.raises(ValueError, match="a member of staff or a system actor"):
        flags.flag_rule_switch(actor=None, rule=rule, in_use=False, reason="Off")
    # A co-involvement rule that counts no roles cannot be switched on.
    co = FlagRule.objects.get(code="co-involved-flagged", is_current=True)
    emptied = flags.new_rule_version(
        actor=admin, rule=co, title=co.title, description="", parameters={"days": 365, "roles": []}
    )
    assert not emptied.in_use  # a new version keeps the rule's state
    with pytest.raises(ValidationError, match="The rule counts no roles"):
        flags.flag_rule_switch(actor=admin, rule=emptied, in_use=True, reason="On")
    # An old version cannot be switched.
    with pytest.raises(ValidationError, match="has been replaced"):
        flags.flag_rule_switch(actor=admin, rule=co, in_use=True, reason="On")
    assert not AuditEvent.objects.filter(event__startswith="identity.flag_rule.switched").exists()
    assert FlagRule.objects.get(code="violence-cluster", is_current=True).in_use


def test_a_new_version_of_a_switched_off_rule_stays_off(world: dict[str, Any], admin: Any) -> None:
    off = switch("escalating-severity", False, admin, "Paused")
    new = flags.new_rule_version(
        actor=admin, rule=off, title=off.title, description="", parameters={"steps": 2, "days": 90}
    )
    assert (new.version, new.in_use, new.in_use_changed_by, new.in_use_reason) == (
        off.version + 1,
        False,
        admin,
        "Paused",
    )
    assert not HarmFlag.objects.filter(rule__code="escalating-severity").exists()
    flags.raise_flags()
    assert not HarmFlag.objects.filter(rule__code="escalating-severity").exists()


def test_acknowledge_on_the_page_is_audited(world: dict[str, Any], client: Client) -> None:
    flags.raise_flags()
    flag = HarmFlag.objects.filter(child=world["child"]).first()
    assert flag is not None
    client.force_login(world["lead"])
    listing = client.get(reverse("identity:flags"))
    assert listing.status_code == 200 and str(world["child"]) in listing.content.decode()
    # Every child named on the list is an access event.
    assert AuditEvent.objects.filter(
        event="child.viewed", section="flags_list", child_id=world["child"].pk
    ).exists()
    url = reverse("identity:child-flags", args=[world["child"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "E40" in page.content.decode()
    empty = client.post(url, {"item": flag.pk, "action_taken": " "})
    assert empty.status_code == 400 and "Say what was done" in empty.content.decode()
    done = client.post(url, {"item": flag.pk, "action_taken": "Discussed at strategy meeting"})
    assert done.status_code == 302
    flag.refresh_from_db()
    assert flag.status == AlertStatus.ACKNOWLEDGED and flag.acknowledged_by == world["lead"]
    event = AuditEvent.objects.get(event="identity.flag.acknowledged")
    assert event.child_id == world["child"].pk and event.actor_id == world["lead"].pk
    assert event.detail == {"rule": flag.rule.code, "version": flag.rule.version}


def test_a_flags_records_are_shown_only_by_agreement(world: dict[str, Any], client: Client) -> None:
    """The lead practitioner works for the police, with no agreement with the hospital: the
    police's own records behind a flag are shown, the hospital's only as held, and the rule
    and its explanation are kept back because they would tell what the hidden record says."""
    flags.raise_flags()
    client.force_login(world["lead"])
    ed = world["events"][1].agency
    url = reverse("identity:child-flags", args=[world["child"].pk])
    body = client.get(url).content.decode()
    assert "E0" in body and "E40" in body
    assert "E20" not in body
    assert f"{ed.name} holds a record dated 21 January 2026" in body
    assert "Three or more incidents" not in body and "incidents of violence" not in body
    assert f"A cumulative-harm rule was met by records held by {ed.name}" in body
    listing = client.get(reverse("identity:flags")).content.decode()
    assert f"A rule met by records held by {ed.name}" in listing
    make_agreement(world["police"], ed, purposes=["safeguarding"], categories=["health"])
    body = client.get(url).content.decode()
    assert "E20" in body and "holds a record dated" not in body
    cluster = HarmFlag.objects.get(rule__code="violence-cluster", child=world["child"])
    assert cluster.rule.title in body


def test_acknowledging_needs_words_whatever_calls_it(world: dict[str, Any]) -> None:
    flags.raise_flags()
    flag = HarmFlag.objects.filter(child=world["child"]).first()
    assert flag is not None
    with pytest.raises(ValidationError, match="Say what was done"):
        services.alert_acknowledge(actor=world["lead"], item=flag, action_taken="  ")
    flag.refresh_from_db()
    assert flag.status == AlertStatus.OPEN
    assert not AuditEvent.objects.filter(event="identity.flag.acknowledged").exists()


def test_acknowledging_asks_the_policy_whatever_calls_it(world: dict[str, Any]) -> None:
    """The service does not trust its caller: someone without a working relationship with the
    child cannot acknowledge its flag, and the basis audited is the service's own decision's."""
    flags.raise_flags()
    flag = HarmFlag.objects.filter(child=world["child"]).first()
    assert flag is not None
    stranger = make_staff(make_agency(), Role.LEAD_PRACTITIONER)
    with pytest.raises(policy.NotFound):
        services.alert_acknowledge(actor=stranger, item=flag, action_taken="Looked")
    referrer = make_staff(world["police"], Role.REFERRER)
    with pytest.raises(policy.Forbidden):
        services.alert_acknowledge(actor=referrer, item=flag, action_taken="Looked")
    flag.refresh_from_db()
    assert flag.status == AlertStatus.OPEN
    services.alert_acknowledge(actor=world["lead"], item=flag, action_taken="Discussed")
    event = AuditEvent.objects.get(event="identity.flag.acknowledged")
    assert event.basis == "relationship:lead_practitioner"


def test_pages_refuse_those_without_a_relationship(world: dict[str, Any], client: Client) -> None:
    flags.raise_flags()
    stranger = make_staff(make_agency(), Role.LEAD_PRACTITIONER)
    client.force_login(stranger)
    assert client.get(reverse("identity:child-flags", args=[world["child"].pk])).status_code == 404
    denied = AuditEvent.objects.get(event="child.access_denied", actor_id=stranger.pk)
    assert (denied.child_id, denied.outcome) == (world["child"].pk, "denied")
    assert denied.detail["action"] == "child.alerts.view"
    assert str(world["child"]) not in client.get(reverse("identity:flags")).content.decode()
    referrer = make_staff(world["police"], Role.REFERRER)
    client.force_login(referrer)
    assert client.get(reverse("identity:flags")).status_code == 403


def test_the_commands_are_idempotent(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("identity", "flags", stdout=out)
    assert "flags raised" in out.getvalue() and "violence-cluster" in out.getvalue()
    count = HarmFlag.objects.count()
    again = StringIO()
    call_command("identity", "flags", stdout=again)
    assert again.getvalue().startswith("0 flags raised") and HarmFlag.objects.count() == count
    reconciled = StringIO()
    call_command("identity", "reconcile", stdout=reconciled)
    assert "children compared" in reconciled.getvalue()


def test_administrator_changes_a_rule_as_a_new_version(
    world: dict[str, Any], client: Client
) -> None:
    admin = make_staff(world["police"], Role.ADMINISTRATOR)
    client.force_login(admin)
    rule = FlagRule.objects.get(code="violence-cluster", is_current=True)
    assert client.get(reverse("identity:flag-rules")).status_code == 200
    url = reverse("identity:flag-rule-edit", args=[rule.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "How many incidents raise a flag" in body and 'inputmode="numeric"' in body
    assert 'value="90"' in body and "Parameters (JSON)" not in body
    valid = {
        "title": "Four in 90 days",
        "count": "4",
        "days": "90",
        "agencies": "2",
        "categories": ["assault", "weapon"],
    }
    bad = client.post(url, {**valid, "count": "four", "days": "0", "categories": []})
    assert bad.status_code == 400
    errors = bad.content.decode()
    assert "govuk-error-summary" in errors
    assert 'href="#id_count"' in errors
    assert "The number of incidents must be a whole number from 2 to 20, like 3" in errors
    assert 'href="#id_days"' in errors
    assert "The number of days must be a whole number from 1 to 730" in errors
    assert 'href="#id_categories_0"' in errors and "Select at least one kind of event" in errors
    assert FlagRule.objects.get(code="violence-cluster", is_current=True) == rule
    done = client.post(url, valid)
    assert done.status_code == 302
    new = FlagRule.objects.get(code="violence-cluster", is_current=True)
    assert new.version == rule.version + 1
    assert new.parameters == {
        "count": 4,
        "days": 90,
        "agencies": 2,
        "categories": ["assault", "weapon"],
    }
    listing = client.get(reverse("identity:flag-rules")).content.decode()
    assert "How many incidents raise a flag: 4" in listing
    assert "Which kinds of event count: Assault, Knife or weapon" in listing
    assert client.get(url).status_code == 404  # the old version can no longer be changed


@pytest.mark.parametrize("kind", [k.value for k in FlagRuleKind])
def test_each_kind_of_rule_has_typed_fields_with_its_defaults(kind: str) -> None:
    rule = FlagRule(code="x", version=1, kind=kind, title="A rule", parameters={})
    form = FlagRuleForm(rule=rule)
    specs = flags.RULE_PARAMETERS[kind]
    assert [spec.name for spec in specs] and all(s.minimum >= 1 for s in specs)
    for spec in specs:
        assert form.initial[spec.name] == spec.default
        assert form.fields[spec.name].label == spec.label
    choices = flags.CHOICE_PARAMETERS.get(kind, ())
    for choice in choices:
        assert form.fields[choice.name].label == choice.label
        assert set(form.initial[choice.name]) == choice.default
    data: dict[str, Any] = {"title": "A rule", **{spec.name: str(spec.maximum) for spec in specs}}
    for choice in choices:
        data[choice.name] = [choice.choices[1][0]]
    saved = FlagRuleForm(data, rule=rule)
    assert saved.is_valid(), saved.errors
    assert saved.parameters() == {
        **{spec.name: spec.maximum for spec in specs},
        **{choice.name: [choice.choices[1][0]] for choice in choices},
    }
    too_big = FlagRuleForm({**data, specs[0].name: str(specs[0].maximum + 1)}, rule=rule)
    assert not too_big.is_valid() and list(too_big.errors) == [specs[0].name]
    # The evaluators read the same defaults the form shows.
    assert all(flags.parameter(kind, {}, spec.name) == spec.default for spec in specs)


def test_more_agencies_than_incidents_is_refused() -> None:
    rule = FlagRule(code="x", version=1, kind=FlagRuleKind.INCIDENTS_IN_WINDOW, title="A rule")
    form = FlagRuleForm(
        {"title": "A rule", "count": "3", "days": "90", "agencies": "4", "categories": ["assault"]},
        rule=rule,
    )
    assert not form.is_valid()
    assert form.errors["agencies"] == [
        "The number of agencies must be 3 or fewer: 3 incidents cannot come from more "
        "agencies than that"
    ]


def test_the_roles_are_asked_for_while_the_rule_is_in_use() -> None:
    co = FlagRuleKind.CO_INVOLVED_WITH_FLAGGED
    data = {"title": "Together", "days": "365", "roles": []}
    in_use = FlagRuleForm(data, rule=FlagRule(code="x", version=1, kind=co, title="x"))
    assert not in_use.is_valid()
    assert in_use.errors["roles"] == ["Select at least one role, or switch the rule off instead"]
    switched_off = FlagRule(code="x", version=1, kind=co, title="x", in_use=False)
    saved = FlagRuleForm(data, rule=switched_off)
    assert saved.is_valid(), saved.errors
    assert saved.parameters() == {"days": 365, "roles": []}
    bogus = FlagRuleForm({**data, "roles": ["bystander"]}, rule=switched_off)
    assert not bogus.is_valid() and list(bogus.errors) == ["roles"]


def test_an_administrator_changes_the_roles_that_count(
    world: dict[str, Any], admin: Any, client: Client
) -> None:
    rule = switch("co-involved-flagged", True, admin)
    client.force_login(admin)
    url = reverse("identity:flag-rule-edit", args=[rule.pk])
    body = client.get(url).content.decode()
    assert "Which roles count, for both children" in body
    assert "Victims and witnesses are left out unless ticked" in body
    assert 'value="suspect" checked' in body and 'value="victim" checked' not in body
    empty = client.post(url, {"title": rule.title, "days": "365"})
    assert empty.status_code == 400
    errors = empty.content.decode()
    assert "govuk-error-summary" in errors and 'href="#id_roles_0"' in errors
    assert "Select at least one role, or switch the rule off instead" in errors
    done = client.post(url, {"title": rule.title, "days": "200", "roles": ["suspect", "arrested"]})
    assert done.status_code == 302
    new = FlagRule.objects.get(code="co-involved-flagged", is_current=True)
    assert new.parameters == {"days": 200, "roles": ["suspect", "arrested"]} and new.in_use
    listing = client.get(reverse("identity:flag-rules")).content.decode()
    assert "Which roles count, for both children: Suspect, Person arrested" in listing


def test_an_administrator_switches_a_rule_off_and_on(
    world: dict[str, Any], admin: Any, client: Client
) -> None:
    rule = FlagRule.objects.get(code="violence-cluster", is_current=True)
    url = reverse("identity:flag-rule-switch", args=[rule.pk])
    client.force_login(world["lead"])
    assert client.get(url).status_code == 403
    client.force_login(admin)
    listing = client.get(reverse("identity:flag-rules")).content.decode()
    assert f'href="{url}">Switch off' in listing
    page = client.get(url)
    assert page.status_code == 200
    assert "Why is the partnership switching this rule off?" in page.content.decode()
    empty = client.post(url, {"to": "off", "reason": " "})
    assert empty.status_code == 400
    errors = empty.content.decode()
    assert "govuk-error-summary" in errors and 'href="#id_reason"' in errors
    assert "Say why the rule is being switched off" in errors
    assert FlagRule.objects.get(pk=rule.pk).in_use
    done = client.post(url, {"to": "off", "reason": "Paused while the DPIA is reviewed"})
    assert done.status_code == 302
    rule.refresh_from_db()
    assert not rule.in_use and rule.in_use_changed_by == admin
    listing = client.get(reverse("identity:flag-rules")).content.decode()
    today = f"{timezone.localtime(rule.in_use_changed_at):%-d %B %Y}"
    assert f"Switched off by Ada Admin on {today}: Paused while the DPIA is reviewed" in listing
    assert f'href="{url}">Switch on' in listing
    # A page drawn before someone else switched it off does not switch it back on, or off twice.
    stale = client.post(url, {"to": "off", "reason": "Off again"})
    assert (
        stale.status_code == 400 and "This rule is already switched off" in stale.content.decode()
    )
    assert (
        "switched off"
        in client.get(reverse("identity:flag-rule-edit", args=[rule.pk])).content.decode()
    )
    on = client.post(url, {"to": "on", "reason": "The review is done"})
    assert on.status_code == 302
    rule.refresh_from_db()
    assert rule.in_use
    assert [
        e.event
        for e in AuditEvent.objects.filter(
            event__startswith="identity.flag_rule.switched"
        ).order_by("sequence")
    ] == [
        "identity.flag_rule.switched_off",
        "identity.flag_rule.switched_on",
    ]
