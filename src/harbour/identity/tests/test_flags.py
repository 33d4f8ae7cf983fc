"""Cumulative-harm flags: each rule kind on hand-made events (met and not met), versioning,
idempotent raising, acknowledgement audited, and the pages through the policy."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

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
from harbour.partnership.models import AgencyType, Role
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


def test_co_involved_with_flagged() -> None:
    together = ev(5, participants=(Participant(2),))
    spec = RuleSpec("co_involved_with_flagged", {"days": 365})
    (match,) = flags.evaluate(spec, 1, [together], flagged=frozenset({2}))
    assert match.events == (together,)
    assert not flags.evaluate(spec, 1, [together], flagged=frozenset({3}))


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


def test_a_new_version_keeps_old_flags_and_raises_its_own(world: dict[str, Any]) -> None:
    flags.raise_flags()
    old = FlagRule.objects.get(code="violence-cluster", is_current=True)
    old_flag = HarmFlag.objects.get(rule=old)
    new = flags.new_rule_version(
        actor=world["lead"],
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


def test_ed_assault_police_window(world: dict[str, Any]) -> None:
    # Police events 20 days either side: not within 7 days, so flagged; within 30, not.
    flags.raise_flags()
    rule = FlagRule.objects.get(code="ed-assault-no-police", is_current=True)
    assert HarmFlag.objects.filter(rule=rule).count() == 1
    wider = flags.new_rule_version(
        actor=world["lead"], rule=rule, title=rule.title, description="", parameters={"days": 30}
    )
    flags.raise_flags()
    assert not HarmFlag.objects.filter(rule=wider).exists()


def test_co_involvement_with_a_flagged_child(world: dict[str, Any]) -> None:
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
        role=EventRole.SUSPECT,
        category=EventCategory.DRUGS,
        summary="x",
        source_reference="O1",
    )
    EventParticipant.objects.create(
        event=event,
        source_record=SourceRecord.objects.filter(agency=police, source_id__startswith="R").first(),
        role=EventRole.ASSOCIATE,
    )
    flags.raise_flags()
    flag = HarmFlag.objects.get(rule__code="co-involved-flagged")
    assert flag.person == other and list(flag.events.all()) == [event]


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
    data: dict[str, Any] = {"title": "A rule", **{spec.name: str(spec.maximum) for spec in specs}}
    if kind in flags.CATEGORY_KINDS:
        data["categories"] = ["robbery"]
    saved = FlagRuleForm(data, rule=rule)
    assert saved.is_valid(), saved.errors
    assert {k: v for k, v in saved.parameters().items() if k != "categories"} == {
        spec.name: spec.maximum for spec in specs
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
