"""The partnership's writes: each checks the administrator's capability, enforces its rules
whoever calls it, and writes its audit event in the same transaction."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.partnership import services
from harbour.partnership.models import Agency, AgencyType, InformationSharingAgreement, Role

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
