"""The authorisation matrix for data, not pages (ADR 0017): relationship x agreement x data
category x page. A school's lead practitioner opens a child whom the school works with in one of
three ways, under one of five states of the school's agreements with the police and the
hospital, and each page shows each entry — the agencies' own records and Harbour's shared
record alike — in full only where it is the school's own or an agreement in force for the
purpose covers its category; otherwise that the agency holds a record, dated, and whom to ask.
The expected outcome is written from the rule in words, not computed by the code under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access.models import AuditEvent, BreakGlassGrant, RelationshipKind
from harbour.children.models import Need
from harbour.identity import flags
from harbour.identity.models import (
    EventCategory,
    EventKind,
    EventParticipant,
    EventRole,
    FlagRule,
    HarmFlag,
    NeedsDiscrepancy,
    Person,
)
from harbour.partnership.models import AgencyType, Role
from harbour.testing import (
    agency_event,
    hold_record,
    linked_record,
    make_agency,
    make_agreement,
    make_child,
    make_staff,
    relate,
)

pytestmark = pytest.mark.django_db

BASES = ["team_around_child", "agency_record", "break_glass"]
# How the school's agreements with the police and the hospital stand.
AGREEMENTS = ["none", "covers", "another_category", "another_purpose", "expired"]

POLICE_SUMMARY = "Dylan was threatened with a knife outside the chip shop."
HOSPITAL_SUMMARY = "Dylan had a cut to his forearm closed with steristrips."
SCHOOL_SUMMARY = "Dylan was excluded for two days after a fight in the corridor."
HOSPITAL_NEED = "Low mood since the assault; seen by the liaison nurse."
RISKY_ADULT = "Corey Blake"


def build(basis: str, agreements: str) -> dict[str, Any]:
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    school = make_agency("school", AgencyType.SCHOOL, name="Riverside Academy")
    # Finding the child needs identity shared with an agency that holds its record (ADR 0002).
    make_agreement(school, council, purposes=["safeguarding"], categories=["identity"])
    for partner in (police, hospital):
        if agreements == "covers":
            make_agreement(
                school, partner, purposes=["safeguarding"], categories=["criminal", "health"]
            )
        elif agreements == "another_category":
            make_agreement(school, partner, purposes=["safeguarding"], categories=["education"])
        elif agreements == "another_purpose":
            make_agreement(
                school, partner, purposes=["analysis"], categories=["criminal", "health"]
            )
        elif agreements == "expired":
            make_agreement(
                school,
                partner,
                purposes=["safeguarding"],
                categories=["criminal", "health"],
                start=dt.date(2022, 4, 1),
                end=dt.date(2025, 3, 31),
            )
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER, first_name="Grace", last_name="Lead")
    viewer = make_staff(school, role=Role.LEAD_PRACTITIONER, first_name="Sam", last_name="Dsl")
    child = make_child(council, given_name="Dylan", family_name="Marsh-Okoro")
    hold_record(child, council)
    relate(child, lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    if basis == "team_around_child":
        relate(child, viewer, kind=RelationshipKind.TEAM_AROUND_CHILD)
    elif basis == "agency_record":
        hold_record(child, school)
    else:
        BreakGlassGrant.objects.create(
            child=child,
            staff=viewer,
            reason="A fight reported at the school gate this morning",
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
    police_record = linked_record(child, police, "RVP-1")
    hospital_record = linked_record(child, hospital, "RVH-1")
    school_record = linked_record(child, school, "RVS-1")
    robbery = agency_event(
        police_record,
        dt.date(2026, 3, 1),
        "OCC-1",
        category=EventCategory.ROBBERY,
        summary=POLICE_SUMMARY,
        severity=3,
    )
    EventParticipant.objects.create(
        event=robbery,
        name=RISKY_ADULT,
        approximate_age=29,
        is_adult=True,
        poses_risk=True,
        role=EventRole.SUSPECT,
    )
    attendance = agency_event(
        hospital_record,
        dt.date(2026, 3, 2),
        "ATT-1",
        kind=EventKind.ED_ATTENDANCE,
        category=EventCategory.VIOLENCE_WITH_INJURY,
        role=EventRole.PATIENT,
        summary=HOSPITAL_SUMMARY,
    )
    agency_event(
        school_record,
        dt.date(2026, 3, 3),
        "EXC-1",
        kind=EventKind.EXCLUSION,
        category=EventCategory.BEHAVIOUR,
        role=EventRole.PUPIL,
        summary=SCHOOL_SUMMARY,
    )
    Need.objects.create(
        child=child,
        kind="mental_health",
        description=HOSPITAL_NEED,
        start_date=dt.date(2026, 3, 4),
        recorded_by_agency=hospital,
    )
    flags.seed_example_rules()
    HarmFlag.objects.create(
        rule=FlagRule.objects.get(code="violence-cluster", is_current=True),
        person=Person.objects.get(child=child),
        child=child,
        anchor=attendance,
        evidence=flags._evidence(
            type(attendance)
            .objects.filter(pk__in=[robbery.pk, attendance.pk])
            .select_related("agency", "source_record")
            .order_by("occurred_on")
        ),
        explanation="2 incidents of violence in 2 days, recorded by 2 agencies",
    )
    NeedsDiscrepancy.objects.create(
        child=child,
        kind="mental_health",
        lacking_key=f"record:{school_record.pk}",
        lacking_record=school_record,
        lacking_label="Riverside Academy",
        holders=[
            {
                "source": f"agency:{hospital.pk}",
                "agency": "Riverside Hospital",
                "reference": "test RVH-1",
                "detail": "Referred to CAMHS after an overdose",
                "recorded_on": "2026-03-04",
            }
        ],
    )
    return {"viewer": viewer, "child": child}


def page(client: Any, name: str, child: Any) -> str:
    response = client.get(reverse(name, args=[child.pk]))
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("agreements", AGREEMENTS)
@pytest.mark.parametrize("basis", BASES)
def test_each_entry_is_shown_only_as_the_rule_says(client, basis, agreements):
    world = build(basis, agreements)
    client.force_login(world["viewer"])
    child = world["child"]
    shared = agreements == "covers"  # in force, for safeguarding, covering the category

    chronology = page(client, "children:chronology", child)
    # The school's own record: always in full.
    assert SCHOOL_SUMMARY in chronology
    assert (POLICE_SUMMARY in chronology) is shared
    assert (HOSPITAL_SUMMARY in chronology) is shared
    assert ("Riverside Police holds a record dated 1 March 2026" in chronology) is not shared
    assert ("Riverside Hospital holds a record dated 2 March 2026" in chronology) is not shared
    assert (RISKY_ADULT in chronology) is shared
    # Harbour's shared record, entry by entry too: the hospital recorded this need.
    assert (HOSPITAL_NEED in chronology) is shared

    record = page(client, "children:summary", child)
    assert (HOSPITAL_NEED in record) is shared
    assert ("Riverside Hospital holds 1 more entry here" in record) is not shared

    associates = page(client, "identity:associates", child)
    assert (RISKY_ADULT in associates) is shared

    if basis == "break_glass":
        # Flags and needs across agencies open through a working relationship only.
        assert client.get(reverse("identity:child-flags", args=[child.pk])).status_code == 404
        return
    flag_page = page(client, "identity:child-flags", child)
    assert ("ATT-1" in flag_page) is shared
    assert ("OCC-1" in flag_page) is shared
    assert ("Three or more" in flag_page or "2 incidents of violence" in flag_page) is shared
    needs_page = page(client, "identity:child-needs", child)
    assert ("Referred to CAMHS after an overdose" in needs_page) is shared
    assert ("Riverside Hospital holds a record dated 4 March 2026" in needs_page) is not shared


def test_the_audit_records_what_was_withheld(client):
    world = build("agency_record", "none")
    client.force_login(world["viewer"])
    before = AuditEvent.objects.count()
    page(client, "children:chronology", world["child"])
    event = AuditEvent.objects.filter(sequence__gt=before, section="chronology").get()
    assert event.detail["agency_events"] == 3
    assert event.detail["agency_events_withheld"] == 2
    assert event.detail["record_entries_withheld"] >= 1
