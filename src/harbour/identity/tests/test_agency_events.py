"""Other agencies' events in a child's chronology, and the child's associates: what the policy
lets each viewer see, whom to ask for the rest, and the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, BreakGlassGrant, RelationshipKind
from harbour.identity.models import (
    AgencyEvent,
    EventCategory,
    EventKind,
    EventParticipant,
    EventRole,
    Person,
    PersonRecord,
)
from harbour.partnership.models import Agency, AgencyType, DataCategory, Role
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


def event(record, kind, on, category, summary, reference, role=EventRole.VICTIM, severity=2):
    return agency_event(
        record,
        on,
        reference,
        kind=kind,
        category=category,
        summary=summary,
        role=role,
        severity=severity,
    )


@pytest.fixture
def area():
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    make_agreement(
        police, council, purposes=["safeguarding"], categories=["identity", "family", "criminal"]
    )
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER, first_name="Grace", last_name="Lead")
    officer = make_staff(police, role=Role.REFERRER)
    child = make_child(council, given_name="Tyrese", family_name="Campbell")
    hold_record(child, council)
    relate(child, lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    friend = make_child(council, given_name="Jaylen", family_name="Okafor")
    hold_record(friend, council)
    police_record = linked_record(child, police, "RVP1")
    hospital_record = linked_record(child, hospital, "RVH1")
    friend_record = linked_record(friend, police, "RVP2")
    robbery = event(
        police_record,
        EventKind.INCIDENT,
        dt.date(2026, 3, 1),
        EventCategory.ROBBERY,
        "Tyrese was threatened and his phone taken.",
        "OCC-26-000101",
    )
    EventParticipant.objects.create(
        event=robbery, source_record=friend_record, role=EventRole.WITNESS
    )
    EventParticipant.objects.create(
        event=robbery,
        name="Dean Marsh",
        approximate_age=27,
        is_adult=True,
        poses_risk=True,
        role=EventRole.SUSPECT,
    )
    event(
        hospital_record,
        EventKind.ED_ATTENDANCE,
        dt.date(2026, 3, 5),
        EventCategory.VIOLENCE_WITH_INJURY,
        "Tyrese had a deep cut to his hand glued.",
        "ATT-26-000777",
        role=EventRole.PATIENT,
        severity=3,
    )
    return {
        "council": council,
        "police": police,
        "lead": lead,
        "officer": officer,
        "child": child,
        "friend": friend,
    }


def break_glass(child, staff):
    BreakGlassGrant.objects.create(
        child=child,
        staff=staff,
        reason="An urgent and sufficient reason",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )


def test_an_entry_is_shown_only_if_it_is_the_viewers_agencys_or_an_agreement_covers_it():
    decision = policy.Decision(True, agency_id=1, shared={2: frozenset({DataCategory.CRIMINAL})})
    assert policy.agency_entry_shown(decision, 1, DataCategory.HEALTH)  # their own agency's
    assert policy.agency_entry_shown(decision, 2, DataCategory.CRIMINAL)
    assert not policy.agency_entry_shown(decision, 2, DataCategory.HEALTH)
    assert not policy.agency_entry_shown(decision, 3, DataCategory.CRIMINAL)  # no agreement
    assert not policy.agency_entry_shown(decision, None, DataCategory.CRIMINAL)
    refused = policy.Decision(False, agency_id=1, shared={2: frozenset({DataCategory.CRIMINAL})})
    assert not policy.agency_entry_shown(refused, 2, DataCategory.CRIMINAL)
    assert not policy.agency_entry_shown(refused, 1, DataCategory.CRIMINAL)


def test_each_kind_of_event_has_the_data_category_the_policy_sees(area):
    police_event = AgencyEvent.objects.get(source_reference="OCC-26-000101")
    ed = AgencyEvent.objects.get(source_reference="ATT-26-000777")
    assert police_event.data_category == DataCategory.CRIMINAL
    assert ed.data_category == DataCategory.HEALTH


def test_the_lead_practitioner_sees_other_agencies_events_only_by_agreement(client, area):
    """A personal working relationship says which child; the agreements say which of another
    agency's records. The council has an agreement with the police covering criminal offence
    data, and none with the hospital."""
    client.force_login(area["lead"])
    url = reverse("children:chronology", args=[area["child"].pk])
    before = AuditEvent.objects.count()
    body = client.get(url).content.decode()
    assert "Tyrese was threatened and his phone taken." in body
    assert "Riverside Police" in body and "Riverside Hospital" in body
    assert "Also named: another young person, Dean Marsh (an adult who poses a risk" in body
    assert "Jaylen" not in body  # the associates page decides who may see another child
    # The hospital's attendance: only that the hospital holds a record that day, whom to ask.
    assert "deep cut" not in body and "ATT-26-000777" not in body
    assert "Riverside Hospital holds a record dated 5 March 2026" in body
    assert "ask Riverside Hospital or the lead practitioner, Grace Lead" in body
    assert body.index("Riverside Hospital holds a record") < body.index("phone taken")
    audit = AuditEvent.objects.filter(sequence__gt=before).get()
    assert audit.section == "chronology"
    assert audit.detail["agency_events"] == 2
    assert audit.detail["agency_events_withheld"] == 1
    only_hospital = client.get(url, {"agency": "Riverside Hospital"}).content.decode()
    # The filter is the chronology's: what is happening now, above it, is the same on every tab.
    timeline = only_hospital.split('class="moj-timeline"', 1)[1]
    assert "Riverside Hospital holds a record" in timeline and "phone taken" not in timeline
    only_events = client.get(url, {"types": "agency_event"}).content.decode()
    assert "2 entries" in only_events


def test_an_agreement_with_the_hospital_covering_health_shows_its_entry_in_full(client, area):
    hospital = Agency.objects.get(code="hospital")
    make_agreement(hospital, area["council"], purposes=["safeguarding"], categories=["health"])
    client.force_login(area["lead"])
    body = client.get(reverse("children:chronology", args=[area["child"].pk])).content.decode()
    assert "Tyrese had a deep cut to his hand glued." in body
    assert "holds a record dated" not in body


def test_an_agreement_for_another_purpose_or_category_shows_nothing_more(client, area):
    hospital = Agency.objects.get(code="hospital")
    make_agreement(hospital, area["council"], purposes=["analysis"], categories=["health"])
    make_agreement(hospital, area["council"], purposes=["safeguarding"], categories=["education"])
    client.force_login(area["lead"])
    body = client.get(reverse("children:chronology", args=[area["child"].pk])).content.decode()
    assert "deep cut" not in body
    assert "Riverside Hospital holds a record dated 5 March 2026" in body


def test_the_agencys_own_events_are_shown_without_an_agreement(client, area):
    hospital = Agency.objects.get(code="hospital")
    nurse = make_staff(hospital, role=Role.REFERRER)
    relate(area["child"], nurse, kind=RelationshipKind.TEAM_AROUND_CHILD)
    client.force_login(nurse)
    body = client.get(reverse("children:chronology", args=[area["child"].pk])).content.decode()
    assert "Tyrese had a deep cut to his hand glued." in body
    # The police's robbery is not the hospital's, and no agreement shares it with the hospital.
    assert "phone taken" not in body and "Dean Marsh" not in body
    assert "Riverside Police holds a record dated 1 March 2026" in body


def test_an_event_outside_the_viewers_categories_shows_only_that_it_exists_and_whom_to_ask(
    client, area
):
    break_glass(area["child"], area["officer"])
    client.force_login(area["officer"])
    before = AuditEvent.objects.count()
    body = client.get(reverse("children:chronology", args=[area["child"].pk])).content.decode()
    # Criminal offence data is in the police's agreement with the council: shown in full.
    assert "Tyrese was threatened and his phone taken." in body
    # Health is not: the hospital's attendance is only a line saying it exists.
    assert "deep cut" not in body
    assert "ATT-26-000777" not in body
    assert "Violence with injury" not in body and "violence with injury" not in body
    assert "Riverside Hospital holds a record dated 5 March 2026" in body
    assert "ask Riverside Hospital or the lead practitioner, Grace Lead" in body
    audit = AuditEvent.objects.filter(sequence__gt=before).get()
    assert audit.basis == "break_glass"
    assert audit.detail["agency_events_withheld"] == 1


def test_a_child_with_no_linked_person_has_no_agency_events(client, area):
    Person.objects.filter(child=area["child"]).update(child=None)
    client.force_login(area["lead"])
    body = client.get(reverse("children:chronology", args=[area["child"].pk])).content.decode()
    assert "phone taken" not in body


def test_the_associates_list_marks_adults_who_pose_a_risk_and_names_visible_children(client, area):
    client.force_login(area["lead"])
    url = reverse("identity:associates", args=[area["child"].pk])
    before = AuditEvent.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dean Marsh" in body
    assert "Adult who poses a risk to children" in body
    assert "Jaylen Okafor" in body
    assert reverse("children:summary", args=[area["friend"].pk]) in body
    assert 'role="img"' in body and "<svg" in body
    assert "1 March 2026" in body or "1 Mar 2026" in body
    audit = AuditEvent.objects.filter(sequence__gt=before, section="associates").get()
    assert audit.child_id == area["child"].pk
    assert audit.event == "child.viewed"
    assert audit.detail["associates"] == 2
    assert audit.detail["children_shown"] == [str(area["friend"].pk)]
    # The other child named is read too: an event of their own, reached through this child.
    named = AuditEvent.objects.filter(sequence__gt=before).exclude(pk=audit.pk).get()
    assert (named.child_id, named.section) == (area["friend"].pk, "associate_of_another_child")
    assert named.detail == {"via_child": str(area["child"].pk)}


def test_associates_the_viewer_may_not_see_are_another_child_and_whom_to_ask(client, area):
    break_glass(area["child"], area["officer"])
    client.force_login(area["officer"])
    body = client.get(reverse("identity:associates", args=[area["child"].pk])).content.decode()
    assert "Jaylen" not in body
    assert "Another child" in body
    assert "ask Riverside Police" in body
    assert "Dean Marsh" in body
    # The hospital's events are not in the officer's categories: left out, with whom to ask.
    assert "Riverside Hospital (1)" in body


def test_the_other_childs_associates_find_the_child_through_the_event_naming_them(client, area):
    client.force_login(area["lead"])
    body = client.get(reverse("identity:associates", args=[area["friend"].pk])).content.decode()
    assert "Tyrese Campbell" in body


def test_associates_of_a_child_outside_the_viewers_reach_are_not_found(client, area):
    stranger_agency = make_agency("club", AgencyType.VCSE)
    stranger = make_staff(stranger_agency, role=Role.REFERRER)
    client.force_login(stranger)
    response = client.get(reverse("identity:associates", args=[area["child"].pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(event="child.access_denied").exists()


def test_a_findable_child_sends_the_viewer_to_break_glass(client, area):
    client.force_login(area["officer"])
    response = client.get(reverse("identity:associates", args=[area["child"].pk]))
    assert response.status_code == 302
    assert response.url == reverse("children:break-glass", args=[area["child"].pk])


def test_events_follow_a_merged_person_to_the_person_kept(client, area):
    child = area["child"]
    kept = Person.objects.create(number=99)
    PersonRecord.objects.filter(person__child=child).update(person=kept)
    Person.objects.filter(child=child).update(merged_into=kept)
    client.force_login(area["lead"])
    body = client.get(reverse("children:chronology", args=[child.pk])).content.decode()
    assert "phone taken" in body
    assert "Riverside Hospital holds a record dated 5 March 2026" in body
