"""The one access policy: role x agency x agreement x working relationship."""

import datetime as dt

import pytest
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import BreakGlassGrant, RelationshipKind
from harbour.access.policy import Action
from harbour.children.models import Child
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_agreement, make_child, make_staff, relate

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    police = make_agency("police", AgencyType.POLICE)
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE)
    school = make_agency("school", AgencyType.SCHOOL)
    club = make_agency("club", AgencyType.VCSE)
    make_agreement(police, council, purposes=["safeguarding"], categories=["identity", "family"])
    make_agreement(council, school, purposes=["safeguarding"], categories=["identity", "education"])
    return {"police": police, "council": council, "school": school, "club": club}


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_an_agency_sees_the_children_it_holds_records_of(area):
    officer = make_staff(area["police"])
    known = make_child(area["police"])
    hold_record(known, area["police"])
    unknown = make_child(area["school"])
    hold_record(unknown, area["school"])
    assert ids(policy.visible_children(officer, Child.objects.all())) == {known.pk}


def test_an_agreement_makes_a_child_findable_but_not_visible(area):
    officer = make_staff(area["police"])
    council_child = make_child(area["council"])
    hold_record(council_child, area["council"])
    school_child = make_child(area["school"])
    hold_record(school_child, area["school"])
    assert ids(policy.findable_children(officer, Child.objects.all(), "safeguarding")) == {
        council_child.pk
    }
    assert ids(policy.visible_children(officer, Child.objects.all())) == set()
    decision = policy.decide_child(officer, Action.CHILD_VIEW, council_child, "safeguarding")
    assert not decision.allowed and decision.may_break_glass
    with pytest.raises(policy.NotFound):
        policy.decide_child(officer, Action.CHILD_VIEW, school_child, "safeguarding")


def test_an_agreement_for_another_purpose_grants_nothing(area):
    officer = make_staff(area["police"])
    council_child = make_child(area["council"])
    hold_record(council_child, area["council"])
    assert ids(policy.findable_children(officer, Child.objects.all(), "analysis")) == set()


def test_an_expired_agreement_grants_nothing():
    police = make_agency("p2", AgencyType.POLICE)
    yjs = make_agency("y2", AgencyType.YOUTH_JUSTICE)
    make_agreement(police, yjs, start=dt.date(2020, 1, 1), end=dt.date(2021, 1, 1))
    child = make_child(yjs)
    hold_record(child, yjs)
    officer = make_staff(police)
    assert ids(policy.findable_children(officer, Child.objects.all(), "safeguarding")) == set()


def test_a_personal_relationship_shows_the_child_and_its_agencys_entries(area):
    worker = make_staff(area["club"])
    child = make_child(area["council"])
    hold_record(child, area["council"])
    relate(child, worker)
    decision = policy.decide_child(worker, Action.CHILD_VIEW, child, "safeguarding")
    assert decision.allowed
    assert decision.basis == "relationship:team_around_child"
    # A relationship says which child; the club has no agreement with the council, so of the
    # council's entries it sees the child's identity only, and all of its own.
    assert decision.sections == {"identity"}
    assert policy.record_entry_shown(decision, area["club"].pk, "social_care")
    assert not policy.record_entry_shown(decision, area["council"].pk, "social_care")
    assert not policy.agency_entry_shown(decision, area["council"].pk, "identity")


def test_an_ended_relationship_grants_nothing(area):
    worker = make_staff(area["club"])
    child = make_child(area["council"])
    relate(child, worker, started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 6, 1))
    with pytest.raises(policy.NotFound):
        policy.decide_child(worker, Action.CHILD_VIEW, child, "safeguarding")


def test_break_glass_sees_identity_whole_and_other_entries_by_agreement(area):
    officer = make_staff(area["police"])
    child = make_child(area["council"])
    hold_record(child, area["council"])
    BreakGlassGrant.objects.create(
        child=child,
        staff=officer,
        reason="x" * 30,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    decision = policy.decide_child(officer, Action.CHILD_VIEW, child, "safeguarding")
    assert decision.allowed and decision.basis == "break_glass"
    assert decision.sections == {"identity"}
    council = area["council"].pk
    assert policy.record_entry_shown(decision, council, "family")
    assert not policy.record_entry_shown(decision, council, "health")
    assert policy.record_entry_shown(decision, officer.agency_id, "health")  # their own


def test_an_expired_break_glass_grant_grants_nothing(area):
    officer = make_staff(area["police"])
    child = make_child(area["council"])
    hold_record(child, area["council"])
    BreakGlassGrant.objects.create(
        child=child,
        staff=officer,
        reason="x" * 30,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert not policy.decide_child(officer, Action.CHILD_VIEW, child, "safeguarding").allowed


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.STRATEGIC_LEADER, Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER]
)
def test_roles_without_casework_never_see_a_child(area, role):
    user = make_staff(area["council"], role=role)
    child = make_child(area["council"])
    hold_record(child, area["council"])
    relate(child, user)
    assert ids(policy.visible_children(user, Child.objects.all())) == set()
    assert ids(policy.findable_children(user, Child.objects.all(), "safeguarding")) == set()
    with pytest.raises(policy.Forbidden):
        policy.decide_child(user, Action.CHILD_VIEW, child, "safeguarding")


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"role": ""},
        {"agency": None},
    ],
)
def test_missing_scope_fails_closed(area, change):
    user = make_staff(area["police"])
    child = make_child(area["police"])
    hold_record(child, area["police"])
    relate(child, user)
    for field, value in change.items():
        setattr(user, field, value)
    assert ids(policy.visible_children(user, Child.objects.all())) == set()
    assert ids(policy.findable_children(user, Child.objects.all(), "safeguarding")) == set()
    assert not policy.can(user, Action.CHILD_SEARCH)


def test_anonymous_and_none_are_refused():
    from django.contrib.auth.models import AnonymousUser

    for actor in (None, AnonymousUser()):
        assert ids(policy.visible_children(actor, Child.objects.all())) == set()
        assert not policy.can(actor, Action.PARTNERSHIP_VIEW)


def test_access_log_is_for_the_lead_practitioner_and_the_dpo(area):
    lead = make_staff(area["council"], role=Role.LEAD_PRACTITIONER)
    other_lead = make_staff(area["council"], role=Role.LEAD_PRACTITIONER)
    dpo = make_staff(area["council"], role=Role.DATA_PROTECTION_OFFICER)
    child = make_child(area["council"])
    hold_record(child, area["council"])
    relate(child, lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    assert policy.decide_child(lead, Action.CHILD_ACCESS_LOG_VIEW, child, "audit").allowed
    assert policy.decide_child(dpo, Action.CHILD_ACCESS_LOG_VIEW, child, "audit").allowed
    with pytest.raises(policy.NotFound):
        policy.decide_child(other_lead, Action.CHILD_ACCESS_LOG_VIEW, child, "audit")


# Separation of duties (ADR 0018) ---------------------------------------------------------------


def test_the_roles_whose_accounts_can_see_children():
    assert {role for role in Role if policy.grants_child_access(role)} == {
        Role.REFERRER,
        Role.FRONT_DOOR_PRACTITIONER,
        Role.FRONT_DOOR_MANAGER,
        Role.LEAD_PRACTITIONER,
        Role.PANEL_CHAIR,
        Role.DATA_PROTECTION_OFFICER,
    }
    assert not policy.grants_child_access("")


def test_every_capability_that_opens_a_child_is_child_data():
    # If a new capability reads children's data, giving it must take two administrators.
    named_child = {a for a in Action if a.value.startswith(("child.", "front_door.", "identity."))}
    # Imports answer with counts and the file's own line errors, never a record Harbour holds.
    # So do the event forms (ADR 0030): they show only what the person typed, never a record.
    imports = {Action.IDENTITY_IMPORT, Action.EVENTS_IMPORT, Action.EVENT_RECORD}
    rules = {Action.FRONT_DOOR_RULES_MANAGE, Action.FLAG_RULES_MANAGE, *imports}
    assert named_child - rules <= policy.CHILD_DATA_ACTIONS
    assert not policy.CHILD_DATA_ACTIONS & {
        Action.COHORT_REPORT_VIEW,
        Action.PARTNERSHIP_VIEW,
        Action.PARTNERSHIP_MANAGE,
        Action.LANGUAGE_REPORT_VIEW,
    }


def access(role, agency=1, team=None, active=True):
    return {"role": role, "agency": agency, "team": team, "is_active": active}


@pytest.mark.parametrize(
    ("before", "after", "waits"),
    [
        (access(""), access(Role.REFERRER), True),  # a new account that sees children
        (access(""), access(Role.ANALYST), False),
        (access(""), access(Role.ADMINISTRATOR), True),
        (access(Role.ANALYST), access(Role.FRONT_DOOR_MANAGER), True),
        (access(Role.REFERRER), access(Role.FRONT_DOOR_PRACTITIONER), True),
        (access(Role.FRONT_DOOR_MANAGER), access(Role.FRONT_DOOR_PRACTITIONER), False),
        (access(Role.FRONT_DOOR_MANAGER), access(Role.REFERRER), False),
        (access(Role.REFERRER), access(Role.REFERRER, agency=2), True),
        (access(Role.REFERRER), access(Role.REFERRER, team=3), True),
        (access(Role.ANALYST), access(Role.ANALYST, agency=2), False),
        (access(Role.ADMINISTRATOR), access(Role.ADMINISTRATOR, agency=2), False),
        (access(Role.REFERRER, active=False), access(Role.REFERRER), True),
        (access(Role.ADMINISTRATOR, active=False), access(Role.ADMINISTRATOR), True),
        (access(Role.ANALYST, active=False), access(Role.ANALYST), False),
        (access(Role.REFERRER), access(Role.REFERRER, active=False), False),
        (access(Role.ANALYST), access(Role.FRONT_DOOR_MANAGER, active=False), False),
    ],
)
def test_which_changes_wait_for_a_second_administrator(before, after, waits):
    assert policy.staff_change_needs_approval(before, after) is waits


def test_nobody_changes_their_own_access_but_others_may(area):
    admin = make_staff(area["council"], Role.ADMINISTRATOR)
    other = make_staff(area["council"], Role.ANALYST)
    own = policy.staff_access_values(admin)
    changed = {**own, "role": Role.FRONT_DOOR_MANAGER, "agency": area["police"].pk, "team": 7}
    assert set(policy.staff_change_refusal(admin, admin, changed)) == {"role", "agency", "team"}
    assert policy.staff_change_refusal(admin, admin, {**own, "is_active": False}) == {
        "is_active": policy.OWN_ACCOUNT_REFUSALS["is_active"]
    }
    assert policy.staff_change_refusal(admin, admin, own) == {}
    assert policy.staff_change_refusal(admin, other, changed) == {}


def test_who_may_read_and_decide_staff_changes(area):
    asker = make_staff(area["council"], Role.ADMINISTRATOR)
    second = make_staff(area["council"], Role.ADMINISTRATOR)
    subject = make_staff(area["council"], Role.ADMINISTRATOR)
    dpo = make_staff(area["council"], Role.DATA_PROTECTION_OFFICER)
    analyst = make_staff(area["council"], Role.ANALYST)

    class Change:
        requested_by_id = asker.pk
        staff_id = subject.pk

    change = Change()
    assert [policy.may_read_staff_changes(s) for s in (asker, dpo, analyst)] == [
        True,
        True,
        False,
    ]
    assert policy.may_decide_staff_change(second, change)
    assert policy.staff_change_decision_refusal(asker, change) == policy.DECIDE_OWN_REQUEST
    assert policy.staff_change_decision_refusal(subject, change) == policy.DECIDE_OWN_ACCOUNT
    assert not policy.may_decide_staff_change(dpo, change)
    assert policy.may_withdraw_staff_change(asker, change)
    assert not policy.may_withdraw_staff_change(second, change)
    second.is_active = False
    assert not policy.may_decide_staff_change(second, change)
