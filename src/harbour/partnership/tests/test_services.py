"""The partnership's writes: each checks the administrator's capability, enforces its rules
whoever calls it, and writes its audit event in the same transaction."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from harbour.access import policy
from harbour.access.audit import AuditWriteError
from harbour.access.models import AuditEvent
from harbour.partnership import services
from harbour.partnership.models import (
    Agency,
    AgencyType,
    InformationSharingAgreement,
    Role,
    Staff,
    StaffChangeRequest,
    StaffChangeStatus,
)
from harbour.partnership.tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def agreement_values(parties, **overrides):
    values = {
        "title": "Youth violence protocol",
        "reference": "ISA-9",
        "parties": parties,
        "purposes": ["safeguarding"],
        "data_categories": ["identity"],
        "lawful_basis": "public_task",
        "start_date": dt.date(2025, 1, 1),
    }
    values.update(overrides)
    return values


def test_only_an_administrator_may_write(analyst, police):
    with pytest.raises(policy.Forbidden):
        services.agency_create(
            actor=analyst, name="Another", code="another", agency_type=AgencyType.VCSE
        )
    with pytest.raises(policy.Forbidden):
        services.team_create(actor=analyst, agency=police, name="A team")
    assert not Agency.objects.filter(code="another").exists()
    assert not AuditEvent.objects.exists()


def test_a_write_and_its_audit_event_are_recorded_together(administrator):
    agency = services.agency_create(
        actor=administrator, name="Youth Justice", code="yjs", agency_type=AgencyType.YOUTH_JUSTICE
    )
    event = AuditEvent.objects.get()
    assert (event.event, event.object_type, event.object_id) == (
        "agency.created",
        "partnership.Agency",
        str(agency.pk),
    )
    assert event.actor_id == administrator.pk
    assert event.actor_agency == administrator.agency.code


def test_a_refused_write_leaves_no_audit_event(administrator, police):
    with pytest.raises(ValidationError) as refused:
        services.agency_create(
            actor=administrator, name="Riverside Police", code="rp2", agency_type="police"
        )
    assert "name" in refused.value.message_dict
    assert not AuditEvent.objects.exists()


def test_an_update_that_changes_nothing_writes_no_event(administrator, police):
    services.agency_update(
        actor=administrator,
        agency=police,
        name=police.name,
        code=police.code,
        agency_type=police.agency_type,
        school_urn="",
        is_active=True,
    )
    assert not AuditEvent.objects.exists()


def test_a_school_needs_a_six_digit_urn(administrator):
    with pytest.raises(ValidationError) as refused:
        services.agency_create(
            actor=administrator, name="Academy", code="academy", agency_type="school"
        )
    assert refused.value.message_dict == {"school_urn": [services.SCHOOL_URN_REQUIRED]}


def test_the_agreement_rules_hold_whoever_calls_the_service(administrator, police, council):
    with pytest.raises(ValidationError) as refused:
        services.agreement_create(
            actor=administrator,
            **agreement_values([police], end_date=dt.date(2024, 12, 31)),
        )
    assert refused.value.message_dict == {
        "parties": [services.TOO_FEW_PARTIES],
        "end_date": [services.END_BEFORE_START],
    }
    assert not InformationSharingAgreement.objects.exists()
    agreement = services.agreement_create(
        actor=administrator, **agreement_values([police, council, police])
    )
    assert agreement.parties.count() == 2


def test_staff_rules_hold_whoever_calls_the_service(administrator, police, council_team):
    with pytest.raises(ValidationError) as refused:
        services.staff_create(
            actor=administrator,
            first_name="Tom",
            last_name="Hill",
            email="tom.hill@example.org",
            agency=police,
            team=council_team,
            role=Role.REFERRER,
        )
    assert refused.value.message_dict == {"team": [services.TEAM_NOT_IN_AGENCY]}

    with pytest.raises(ValidationError) as refused:
        services.staff_update(
            actor=administrator,
            staff=administrator,
            first_name=administrator.first_name,
            last_name=administrator.last_name,
            email=administrator.email,
            agency=administrator.agency,
            role=administrator.role,
            is_active=False,
        )
    assert refused.value.message_dict == {"is_active": [services.CANNOT_DEACTIVATE_SELF]}


# Separation of duties (ADR 0018) ---------------------------------------------------------------


def staff_values(staff, **overrides):
    """Everything staff_update takes, as the account is now, with some changed."""
    values = {
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "agency": staff.agency,
        "team": staff.team,
        "role": staff.role,
        "job_title": staff.job_title,
        "is_active": staff.is_active,
    }
    values.update(overrides)
    return values


def events(name):
    return list(AuditEvent.objects.filter(event=name).order_by("sequence"))


def promote(administrator, analyst, council, council_team):
    """The first administrator asks for the analyst to become a front-door manager."""
    return services.staff_update(
        actor=administrator,
        staff=analyst,
        **staff_values(analyst, role=Role.FRONT_DOOR_MANAGER, agency=council, team=council_team),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": Role.FRONT_DOOR_MANAGER}, "role"),
        ({"role": Role.ANALYST}, "role"),
        ({"agency": "police"}, "agency"),
        ({"team": "council_team"}, "team"),
    ],
)
def test_nobody_changes_their_own_role_agency_or_team(
    administrator, police, council_team, change, field
):
    named = {"police": police, "council_team": council_team}
    change = {k: named.get(v, v) for k, v in change.items()}
    with pytest.raises(ValidationError) as refused:
        services.staff_update(
            actor=administrator, staff=administrator, **staff_values(administrator, **change)
        )
    assert refused.value.message_dict == {field: [policy.OWN_ACCOUNT_REFUSALS[field]]}
    administrator.refresh_from_db()
    assert (administrator.role, administrator.agency.code, administrator.team) == (
        Role.ADMINISTRATOR,
        "riverside-csc",
        None,
    )
    assert not StaffChangeRequest.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_administrator_still_changes_their_own_name(administrator):
    services.staff_update(
        actor=administrator, staff=administrator, **staff_values(administrator, last_name="Ng")
    )
    administrator.refresh_from_db()
    assert administrator.last_name == "Ng"
    assert [e.detail["changed"] for e in events("staff.updated")] == [["last_name"]]


def test_a_promotion_waits_for_a_second_administrator(
    administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    analyst.refresh_from_db()
    # Nothing about the analyst's access has changed yet.
    assert (analyst.role, analyst.agency.code, analyst.team) == (
        Role.ANALYST,
        "riverside-police",
        None,
    )
    assert not policy.can(analyst, policy.Action.FRONT_DOOR_TRIAGE)
    change = StaffChangeRequest.objects.get()
    assert change.status == StaffChangeStatus.PENDING
    assert change.requested_by == administrator
    assert change.before == {
        "role": Role.ANALYST,
        "agency": analyst.agency_id,
        "team": None,
        "is_active": True,
    }
    assert change.after == {
        "role": Role.FRONT_DOOR_MANAGER,
        "agency": council.pk,
        "team": council_team.pk,
        "is_active": True,
    }
    (requested,) = events("staff.access_change_requested")
    assert requested.actor_id == administrator.pk
    assert (requested.object_type, requested.object_id) == ("partnership.Staff", str(analyst.pk))
    assert requested.detail["changed"] == ["role", "agency", "team"]
    assert requested.child_id is None
    assert not events("staff.access_changed")


def test_a_second_administrator_approves_and_the_change_applies(
    administrator, second_administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    services.staff_change_approve(actor=second_administrator, change=change)
    analyst.refresh_from_db()
    assert (analyst.role, analyst.agency, analyst.team) == (
        Role.FRONT_DOOR_MANAGER,
        council,
        council_team,
    )
    assert policy.can(analyst, policy.Action.FRONT_DOOR_TRIAGE)
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (
        StaffChangeStatus.APPROVED,
        second_administrator,
    )
    assert change.decided_at is not None
    (approved,) = events("staff.access_change_approved")
    (applied,) = events("staff.access_changed")
    assert approved.actor_id == applied.actor_id == second_administrator.pk
    assert applied.detail["requested_by"] == administrator.pk
    assert applied.detail["approved_by"] == second_administrator.pk
    assert applied.detail["change_request"] == change.pk
    assert applied.detail["after"]["role"] == Role.FRONT_DOOR_MANAGER
    assert approved.sequence < applied.sequence


def test_the_administrator_who_asked_cannot_approve_or_refuse(
    administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.staff_change_approve(actor=administrator, change=change)
    assert refused.value.messages == [policy.DECIDE_OWN_REQUEST]
    with pytest.raises(ValidationError):
        services.staff_change_refuse(actor=administrator, change=change, reason="Changed my mind")
    change.refresh_from_db()
    analyst.refresh_from_db()
    assert change.status == StaffChangeStatus.PENDING
    assert analyst.role == Role.ANALYST
    assert not events("staff.access_change_approved")
    assert not events("staff.access_changed")


def test_an_administrator_cannot_decide_on_a_change_to_their_own_account(
    administrator, second_administrator, analyst
):
    # The first administrator asks for the second to become the data protection officer, who
    # reads access logs: it waits, and the second administrator cannot approve it themselves.
    services.staff_update(
        actor=administrator,
        staff=second_administrator,
        **staff_values(second_administrator, role=Role.DATA_PROTECTION_OFFICER),
    )
    change = StaffChangeRequest.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.staff_change_approve(actor=second_administrator, change=change)
    assert refused.value.messages == [policy.DECIDE_OWN_ACCOUNT]
    second_administrator.refresh_from_db()
    assert second_administrator.role == Role.ADMINISTRATOR


def test_only_an_administrator_decides(administrator, analyst, council, council_team):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    with pytest.raises(policy.Forbidden):
        services.staff_change_approve(actor=analyst, change=change)
    assert StaffChangeRequest.objects.get().status == StaffChangeStatus.PENDING


def test_a_refusal_needs_a_reason_and_changes_nothing(
    administrator, second_administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.staff_change_refuse(actor=second_administrator, change=change, reason="  ")
    assert refused.value.message_dict == {"reason": [services.REFUSAL_REASON_REQUIRED]}
    services.staff_change_refuse(
        actor=second_administrator, change=change, reason="Analysts do not triage referrals"
    )
    change.refresh_from_db()
    analyst.refresh_from_db()
    assert change.status == StaffChangeStatus.REFUSED
    assert change.refusal_reason == "Analysts do not triage referrals"
    assert analyst.role == Role.ANALYST
    (event,) = events("staff.access_change_refused")
    assert event.actor_id == second_administrator.pk
    assert event.detail["reason"] == "Analysts do not triage referrals"
    assert not events("staff.access_changed")
    # A decided change is not decided again.
    with pytest.raises(ValidationError) as again:
        services.staff_change_approve(actor=second_administrator, change=change)
    assert again.value.messages == [services.ALREADY_DECIDED]


def test_a_change_that_reduces_access_applies_at_once(administrator, council):
    manager = make_staff(council, Role.FRONT_DOOR_MANAGER, "fd.manager@example.org")
    services.staff_update(
        actor=administrator, staff=manager, **staff_values(manager, role=Role.REFERRER)
    )
    manager.refresh_from_db()
    assert manager.role == Role.REFERRER
    services.staff_update(
        actor=administrator, staff=manager, **staff_values(manager, is_active=False)
    )
    manager.refresh_from_db()
    assert manager.is_active is False
    assert not StaffChangeRequest.objects.exists()
    applied = events("staff.access_changed")
    assert [e.detail["changed"] for e in applied] == [["role"], ["is_active"]]
    assert all(e.detail["approved_by"] is None for e in applied)
    assert applied[0].detail["before"]["role"] == Role.FRONT_DOOR_MANAGER


@pytest.mark.parametrize(
    ("start", "change"),
    [
        # Reactivating an account that sees children.
        ({"role": Role.REFERRER, "is_active": False}, {"is_active": True}),
        # Moving one to another agency, or another team.
        ({"role": Role.REFERRER}, {"agency": "council"}),
        ({"role": Role.REFERRER}, {"team": "police_team"}),
        # A role that sees more (here: the front door's queue and the person index).
        ({"role": Role.LEAD_PRACTITIONER}, {"role": Role.FRONT_DOOR_PRACTITIONER}),
        # Making someone an administrator: they could approve what another administrator asks.
        ({"role": Role.ANALYST}, {"role": Role.ADMINISTRATOR}),
        ({"role": Role.ANALYST}, {"role": Role.DATA_PROTECTION_OFFICER}),
    ],
)
def test_what_waits_for_a_second_administrator(
    administrator, police, police_team, council, start, change
):
    staff = make_staff(police, start["role"], "someone@example.org")
    Staff.objects.filter(pk=staff.pk).update(is_active=start.get("is_active", True))
    staff.refresh_from_db()
    named = {"council": council, "police_team": police_team}
    change = {k: named.get(v, v) for k, v in change.items()}
    services.staff_update(actor=administrator, staff=staff, **staff_values(staff, **change))
    after = Staff.objects.get(pk=staff.pk)
    assert policy.staff_access_values(after) == policy.staff_access_values(staff)
    assert StaffChangeRequest.objects.get().staff == staff


@pytest.mark.parametrize(
    ("start", "change"),
    [
        ({"role": Role.FRONT_DOOR_MANAGER}, {"role": Role.FRONT_DOOR_PRACTITIONER}),
        ({"role": Role.ANALYST}, {"role": Role.STRATEGIC_LEADER}),
        ({"role": Role.ANALYST}, {"agency": "council"}),
        ({"role": Role.ADMINISTRATOR}, {"role": Role.ANALYST}),
        ({"role": Role.REFERRER}, {"is_active": False}),
        # Deactivated in the same change: they gain nothing they can use.
        ({"role": Role.ANALYST}, {"role": Role.FRONT_DOOR_MANAGER, "is_active": False}),
    ],
)
def test_what_applies_at_once(administrator, police, council, start, change):
    staff = make_staff(police, start["role"], "someone@example.org")
    named = {"council": council}
    change = {k: named.get(v, v) for k, v in change.items()}
    services.staff_update(actor=administrator, staff=staff, **staff_values(staff, **change))
    after = Staff.objects.get(pk=staff.pk)
    for name, value in change.items():
        assert getattr(after, name) == value
    assert not StaffChangeRequest.objects.exists()
    assert len(events("staff.access_changed")) == 1


def test_a_new_account_that_would_see_children_has_no_role_until_approved(
    administrator, second_administrator, police, police_team
):
    staff = services.staff_create(
        actor=administrator,
        first_name="Tom",
        last_name="Hill",
        email="tom.hill@example.org",
        agency=police,
        team=police_team,
        role=Role.REFERRER,
    )
    assert staff.role == ""
    assert not policy.can(staff, policy.Action.CHILD_VIEW)
    change = StaffChangeRequest.objects.get()
    assert change.new_account is True
    assert (change.before["role"], change.after["role"]) == ("", Role.REFERRER)
    (created,) = events("staff.created")
    assert created.detail["role"] == ""
    assert created.detail["waiting_for_approval"] is True
    services.staff_change_approve(actor=second_administrator, change=change)
    staff.refresh_from_db()
    assert staff.role == Role.REFERRER
    assert policy.can(staff, policy.Action.CHILD_VIEW)


def test_one_change_waits_at_a_time(administrator, analyst, council, council_team):
    promote(administrator, analyst, council, council_team)
    with pytest.raises(ValidationError) as refused:
        services.staff_update(
            actor=administrator, staff=analyst, **staff_values(analyst, role=Role.REFERRER)
        )
    assert "already waiting for approval" in refused.value.messages[0]
    assert StaffChangeRequest.objects.count() == 1


def test_a_change_that_applies_at_once_withdraws_the_one_waiting(
    administrator, second_administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    services.staff_update(
        actor=second_administrator, staff=analyst, **staff_values(analyst, is_active=False)
    )
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (
        StaffChangeStatus.WITHDRAWN,
        second_administrator,
    )
    (withdrawn,) = events("staff.access_change_withdrawn")
    assert withdrawn.detail["superseded"] is True
    analyst.refresh_from_db()
    assert (analyst.is_active, analyst.role) == (False, Role.ANALYST)


def test_an_approval_is_refused_when_the_account_changed_since(
    administrator, second_administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    Staff.objects.filter(pk=analyst.pk).update(role=Role.STRATEGIC_LEADER)
    with pytest.raises(ValidationError) as refused:
        services.staff_change_approve(actor=second_administrator, change=change)
    assert refused.value.messages == [services.CHANGE_STALE]
    analyst.refresh_from_db()
    assert analyst.role == Role.STRATEGIC_LEADER


def test_only_the_administrator_who_asked_withdraws(
    administrator, second_administrator, analyst, council, council_team
):
    promote(administrator, analyst, council, council_team)
    change = StaffChangeRequest.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.staff_change_withdraw(actor=second_administrator, change=change)
    assert refused.value.messages == [services.NOT_YOURS_TO_WITHDRAW]
    services.staff_change_withdraw(actor=administrator, change=change)
    change.refresh_from_db()
    assert change.status == StaffChangeStatus.WITHDRAWN
    assert events("staff.access_change_withdrawn")[0].detail["superseded"] is False
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST


def test_a_failed_audit_write_leaves_no_waiting_change(
    administrator, analyst, council, council_team, monkeypatch
):
    from django.db import DatabaseError

    def refuse(**fields):
        raise DatabaseError("permission denied for table access_auditevent")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    with pytest.raises(AuditWriteError):
        promote(administrator, analyst, council, council_team)
    assert not StaffChangeRequest.objects.exists()
