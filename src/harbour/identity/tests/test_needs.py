"""Needs reconciliation: discrepancies in both directions (an agency has what Harbour lacks, and
Harbour has what an agency lacks), idempotent, resolved when the records agree, acknowledged on
the page (audited) and shown only through the policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from harbour.access.models import AuditEvent, RelationshipKind
from harbour.children.codes import AssessmentKind, NeedKind
from harbour.children.models import Assessment, Need
from harbour.identity import needs
from harbour.identity.models import (
    AlertStatus,
    NeedsDiscrepancy,
    Person,
    PersonRecord,
    SourceNeed,
    SourceRecord,
)
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_child, make_staff, relate

D0 = dt.date(2026, 1, 1)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    csc = make_agency(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    school = make_agency(agency_type=AgencyType.SCHOOL)
    ed = make_agency(agency_type=AgencyType.NHS_TRUST)
    child = make_child(csc)
    person = Person.objects.create(number=1, child=child)
    records = {}
    for agency in (csc, school, ed):
        record = SourceRecord.objects.create(
            agency=agency, source_system="sys", source_id=f"R{agency.pk}", as_of=D0
        )
        PersonRecord.objects.create(source_record=record, person=person, method="manual")
        records[agency.agency_type] = record
    lead = make_staff(csc, Role.LEAD_PRACTITIONER)
    relate(child, lead, RelationshipKind.LEAD_PRACTITIONER)
    return {"child": child, "records": records, "lead": lead, "csc": csc, "school": school}


def test_compare_is_pure_and_ehc_plan_covers_sen_support() -> None:
    keeper = needs.Source("agency:1", "Social care", 1, True, {"ehc_plan"})
    other = needs.Source("agency:2", "Police", 2, False)
    holding = needs.Holding("agency:3", "School", "S1", "sen_support", "", D0)
    assert needs.compare([keeper, other], [holding]) == []
    plan = needs.Holding("agency:3", "School", "S1", "slcn", "", D0)
    assert needs.compare([keeper, other], [plan]) == [("slcn", keeper)]


def test_an_agency_has_what_harbour_and_social_care_lack(world: dict[str, Any]) -> None:
    SourceNeed.objects.create(
        source_record=world["records"][AgencyType.NHS_TRUST],
        kind=NeedKind.NEURODEVELOPMENTAL,
        detail="Autism, diagnosed 2025",
        recorded_on=D0,
    )
    summary = needs.reconcile()
    assert summary.raised == 3  # Harbour's record, social care's and the school's
    found = {d.lacking_key: d for d in NeedsDiscrepancy.objects.all()}
    assert set(found) == {
        needs.HARBOUR_KEY,
        f"agency:{world['csc'].pk}",
        f"agency:{world['school'].pk}",
    }
    assert (
        found[f"agency:{world['csc'].pk}"].lacking_record
        == world["records"][AgencyType.CHILDRENS_SOCIAL_CARE]
    )
    harbour = found[needs.HARBOUR_KEY]
    assert harbour.holders[0]["detail"] == "Autism, diagnosed 2025"
    assert harbour.holders[0]["recorded_on"] == "2026-01-01"


def test_harbour_has_what_an_agency_lacks_then_resolved(world: dict[str, Any]) -> None:
    Need.objects.create(
        child=world["child"], kind=NeedKind.EHC_PLAN, description="EHC plan", start_date=D0
    )
    Assessment.objects.create(
        child=world["child"], kind=AssessmentKind.SPEECH_AND_LANGUAGE, referred_on=D0
    )
    SourceNeed.objects.create(
        source_record=world["records"][AgencyType.SCHOOL], kind="ehc_plan", recorded_on=D0
    )
    needs.reconcile()
    lacking = set(NeedsDiscrepancy.objects.values_list("kind", "lacking_key"))
    csc = f"agency:{world['csc'].pk}"
    assert ("ehc_plan", csc) in lacking
    assert ("assessment_pending", csc) in lacking
    assert ("ehc_plan", f"agency:{world['school'].pk}") not in lacking
    # Idempotent.
    again = needs.reconcile()
    assert again.raised == 0 and NeedsDiscrepancy.objects.count() == len(lacking)
    # Social care records the plan: resolved.
    SourceNeed.objects.create(
        source_record=world["records"][AgencyType.CHILDRENS_SOCIAL_CARE],
        kind="ehc_plan",
        recorded_on=D0,
    )
    later = needs.reconcile()
    assert later.resolved == 1
    assert (
        NeedsDiscrepancy.objects.get(kind="ehc_plan", lacking_key=csc).status
        == AlertStatus.RESOLVED
    )


def test_acknowledge_on_the_page_is_audited(world: dict[str, Any], client: Client) -> None:
    SourceNeed.objects.create(
        source_record=world["records"][AgencyType.SCHOOL], kind="slcn", recorded_on=D0
    )
    needs.reconcile()
    item = NeedsDiscrepancy.objects.get(lacking_key=needs.HARBOUR_KEY)
    client.force_login(world["lead"])
    listing = client.get(reverse("identity:needs"))
    assert listing.status_code == 200 and str(world["child"]) in listing.content.decode()
    url = reverse("identity:child-needs", args=[world["child"].pk])
    page = client.get(url)
    assert page.status_code == 200 and world["school"].name in page.content.decode()
    assert client.post(url, {"item": item.pk, "action_taken": ""}).status_code == 400
    done = client.post(url, {"item": item.pk, "action_taken": "Added to the record"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == AlertStatus.ACKNOWLEDGED and item.action_taken == "Added to the record"
    audit = AuditEvent.objects.get(event="identity.needs_discrepancy.acknowledged")
    assert audit.child_id == world["child"].pk and audit.actor_id == world["lead"].pk
    assert audit.detail == {"kind": "slcn", "lacking": item.lacking_label}


def test_others_cannot_see(world: dict[str, Any], client: Client) -> None:
    client.force_login(make_staff(make_agency(), Role.FRONT_DOOR_PRACTITIONER))
    url = reverse("identity:child-needs", args=[world["child"].pk])
    assert client.get(url).status_code == 404
    client.force_login(make_staff(world["csc"], Role.ANALYST))
    assert client.get(url).status_code == 403
