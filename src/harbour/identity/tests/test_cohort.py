"""The serious youth violence cohort counts children known to any agency for serious violence
harm (ADR 0036): a child known only to health for an assault is in it; a child seen only as a
witness, or for something that is not violence, or long ago, is not (unless someone works with
them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.children.attention import cohort_report, syv_cohort
from harbour.children.models import Child
from harbour.identity.cohort import LOOKBACK_DAYS
from harbour.partnership.models import AgencyType, Role
from harbour.testing import (
    agency_event,
    hold_record,
    linked_record,
    make_agency,
    make_child,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    return {
        kind: make_agency(f"cohort-{kind}", kind)
        for kind in (
            AgencyType.NHS_TRUST,
            AgencyType.AMBULANCE,
            AgencyType.POLICE,
            AgencyType.SCHOOL,
            AgencyType.YOUTH_JUSTICE,
            AgencyType.CHILDRENS_SOCIAL_CARE,
        )
    }


def in_cohort(child):
    return syv_cohort(Child.objects.all()).filter(pk=child.pk).exists()


def recent(days=30):
    return timezone.localdate() - dt.timedelta(days=days)


def test_a_child_known_only_to_health_for_an_assault_is_in_the_cohort(agencies):
    ed = agencies[AgencyType.NHS_TRUST]
    child = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    assert not in_cohort(child)
    record = linked_record(child, ed, "ED-1")
    agency_event(record, recent(), "ED-ATT-1", kind="ed_attendance", role="patient")
    assert in_cohort(child)


def test_an_ambulance_call_out_for_a_stabbing_counts(agencies):
    child = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    record = linked_record(child, agencies[AgencyType.AMBULANCE], "AMB-1")
    agency_event(
        record, recent(), "AMB-CALL-1", kind="ambulance", category="weapon", role="patient"
    )
    assert in_cohort(child)


@pytest.mark.parametrize(
    ("role", "counted"), [("victim", True), ("suspect", True), ("witness", False)]
)
def test_a_police_incident_counts_as_victim_or_suspect_not_witness(agencies, role, counted):
    child = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    record = linked_record(child, agencies[AgencyType.POLICE], "POL-1")
    agency_event(record, recent(), "INC-1", kind="incident", category="robbery", role=role)
    assert in_cohort(child) is counted


def test_youth_justice_contact_and_a_violent_exclusion_count(agencies):
    yot_child = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    record = linked_record(yot_child, agencies[AgencyType.YOUTH_JUSTICE], "YJ-1")
    agency_event(record, recent(), "YJ-C-1", kind="youth_justice", category="other", role="subject")
    pupil = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    school = linked_record(pupil, agencies[AgencyType.SCHOOL], "SCH-1")
    exclusion = agency_event(
        school, recent(), "EXC-1", kind="suspension", category="behaviour", role="pupil"
    )
    assert in_cohort(yot_child) and not in_cohort(pupil)
    exclusion.exclusion_reason = "OW"  # an offensive weapon
    exclusion.save()
    assert in_cohort(pupil)


def test_not_violence_and_long_ago_do_not_count(agencies):
    ed = agencies[AgencyType.NHS_TRUST]
    accident = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    agency_event(
        linked_record(accident, ed, "ED-2"),
        recent(),
        "ED-ATT-2",
        kind="ed_attendance",
        category="accident",
        role="patient",
    )
    old = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    agency_event(
        linked_record(old, ed, "ED-3"),
        recent(LOOKBACK_DAYS + 1),
        "ED-ATT-3",
        kind="ed_attendance",
        role="patient",
    )
    assert not in_cohort(accident) and not in_cohort(old)


def test_the_police_and_youth_justice_working_relationships_still_count(agencies):
    child = make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE])
    hold_record(child, agencies[AgencyType.POLICE])
    assert in_cohort(child)


def test_the_leaders_cohort_report_counts_children_known_only_to_health(client, agencies):
    ed = agencies[AgencyType.NHS_TRUST]
    children = [make_child(agencies[AgencyType.CHILDRENS_SOCIAL_CARE]) for _ in range(6)]
    for n, child in enumerate(children):
        record = linked_record(child, ed, f"ED-R{n}")
        agency_event(record, recent(), f"ED-ATT-R{n}", kind="ed_attendance", role="patient")
    leader = make_staff(agencies[AgencyType.CHILDRENS_SOCIAL_CARE], Role.STRATEGIC_LEADER)
    assert cohort_report(actor=leader).cohort_size.value == 6
    client.force_login(leader)
    response = client.get(reverse("children:cohort-report"))
    assert response.status_code == 200
    assert response.context["report"].cohort_size.shown == "6"
