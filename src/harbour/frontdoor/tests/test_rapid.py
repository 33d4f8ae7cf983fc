"""Rapid response after a serious incident (issue 3, part 9; ADR 0016): which incidents count,
which children are linked and why, what each viewer sees, the 24-hour clock, the named-contact
check, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent, RelationshipKind
from harbour.children.codes import Relationship
from harbour.children.models import FamilyMember
from harbour.frontdoor import rapid
from harbour.frontdoor.codes import LinkKind, RapidStatus, Step
from harbour.frontdoor.models import RapidResponse, ServiceLevel
from harbour.identity.models import (
    AgencyEvent,
    EventCategory,
    EventKind,
    EventRole,
    SourceRecord,
)
from harbour.partnership.models import Agency, AgencyType, Role, Staff
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

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def event(record: SourceRecord, on: dt.date, reference: str, **kwargs: Any) -> AgencyEvent:
    """A serious incident unless said otherwise: a weapon, severity 4."""
    return agency_event(
        record, on, reference, **{"category": EventCategory.WEAPON, "severity": 4, **kwargs}
    )


@pytest.fixture
def scene() -> dict[str, Any]:
    """A stabbing yesterday: Tyrese stabbed, Jordan suspected (both on the police record, and
    Jordan's own record of it). Jordan's sister Maya is on his Harbour record. Tyrese was named
    with Kai in a robbery in the spring, and with Leon two years ago (too long ago). The hospital
    saw Tyrese with Zak, but the hospital shares nothing with the council. Sam is known only to a
    youth club that shares nothing: the front door may not be told who Sam is."""
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    hospital = make_agency("hospital", AgencyType.NHS_TRUST, name="Riverside Hospital")
    club = make_agency("club", AgencyType.VCSE, name="Youth Club")
    make_agreement(
        police, council, purposes=["safeguarding"], categories=["identity", "family", "criminal"]
    )
    people = {
        "practitioner": make_staff(council, Role.FRONT_DOOR_PRACTITIONER),
        "manager": make_staff(council, Role.FRONT_DOOR_MANAGER),
        "lead": make_staff(council, Role.LEAD_PRACTITIONER, first_name="Grace", last_name="Lead"),
        "officer": make_staff(police, Role.REFERRER, first_name="Pat", last_name="Constable"),
        "nurse": make_staff(hospital, Role.REFERRER),
        "youth_worker": make_staff(club, Role.REFERRER),
        "analyst": make_staff(council, Role.ANALYST),
    }
    children = {}
    for key, given, family in (
        ("tyrese", "Tyrese", "Campbell"),
        ("jordan", "Jordan", "Price"),
        ("maya", "Maya", "Price"),
        ("kai", "Kai", "Osei"),
        ("leon", "Leon", "Hart"),
        ("zak", "Zak", "Moss"),
    ):
        children[key] = make_child(council, given_name=given, family_name=family)
        hold_record(children[key], police)
    sam = make_child(club, given_name="Sam", family_name="Hidden")
    hold_record(sam, club)
    children["sam"] = sam
    relate(children["tyrese"], people["lead"], kind=RelationshipKind.LEAD_PRACTITIONER)
    FamilyMember.objects.create(
        child=children["jordan"],
        relationship=Relationship.SIBLING,
        given_name="Maya",
        family_name="Price",
        related_child=children["maya"],
    )
    rec = {k: linked_record(c, police, f"P-{k}") for k, c in children.items()}
    hospital_tyrese = linked_record(children["tyrese"], hospital, "H-tyrese")
    hospital_zak = linked_record(children["zak"], hospital, "H-zak")
    stabbing = event(rec["tyrese"], YESTERDAY, "OCC-1", named=(rec["jordan"],))
    suspect_side = event(
        rec["jordan"], YESTERDAY, "OCC-1", role=EventRole.SUSPECT, named=(rec["tyrese"], rec["sam"])
    )
    event(
        rec["kai"],
        TODAY - dt.timedelta(days=200),
        "OCC-2",
        category=EventCategory.ROBBERY,
        severity=2,
        named=(rec["tyrese"],),
    )
    event(
        rec["tyrese"],
        TODAY - dt.timedelta(days=700),
        "OCC-3",
        category=EventCategory.ASSAULT,
        severity=2,
        named=(rec["leon"],),
    )
    event(
        hospital_tyrese,
        TODAY - dt.timedelta(days=30),
        "ATT-1",
        kind=EventKind.ED_ATTENDANCE,
        category=EventCategory.ASSAULT,
        role=EventRole.PATIENT,
        severity=3,
        named=(hospital_zak,),
    )
    return {
        **people,
        **children,
        "council": council,
        "police": police,
        "club": club,
        "stabbing": stabbing,
        "suspect_side": suspect_side,
    }


def links_by_name(actor: Staff, incident: AgencyEvent) -> dict[str, rapid.Link]:
    from harbour.children.models import Child

    return {
        str(Child.objects.get(pk=link.child_id)): link
        for link in rapid.linked_children(actor, incident)
    }


# Which children are linked, and why ---------------------------------------------------------------


def test_the_children_linked_to_a_stabbing_are_involved_siblings_and_associates(scene):
    links = links_by_name(scene["practitioner"], scene["stabbing"])
    assert {name: link.link for name, link in links.items()} == {
        "Tyrese Campbell": LinkKind.INVOLVED,
        "Jordan Price": LinkKind.INVOLVED,
        "Sam Hidden": LinkKind.INVOLVED,
        "Maya Price": LinkKind.SIBLING,
        "Kai Osei": LinkKind.ASSOCIATE,
    }
    # Each link carries its facts: date, agency, record.
    (jordan,) = links["Jordan Price"].reasons
    assert jordan["on"] == YESTERDAY.isoformat()
    assert jordan["agency"] == "Riverside Police"
    assert "OCC-1" in jordan["what"] and jordan["what"].startswith("Suspect")
    (kai,) = links["Kai Osei"].reasons
    assert "OCC-2" in kai["what"] and kai["via"] == str(scene["tyrese"].pk)
    assert links["Maya Price"].reasons[0]["via"] == str(scene["jordan"].pk)
    # Ordered: involved, then siblings, then associates.
    kinds = [link.link for link in rapid.linked_children(scene["practitioner"], scene["stabbing"])]
    assert kinds == sorted(kinds, key=lambda k: rapid.LINK_ORDER[LinkKind(k)])


def test_associates_come_only_from_the_year_before_and_from_agencies_that_share(scene):
    links = links_by_name(scene["practitioner"], scene["stabbing"])
    assert "Leon Hart" not in links  # named together 700 days before
    assert "Zak Moss" not in links  # the hospital shares no health records with the council
    make_agreement(
        scene["council"],
        Agency.objects.get(code="hospital"),
        purposes=["safeguarding"],
        categories=["identity", "health"],
    )
    links = links_by_name(scene["practitioner"], scene["stabbing"])
    assert links["Zak Moss"].link == LinkKind.ASSOCIATE
    assert links["Zak Moss"].reasons[0]["agency"] == "Riverside Hospital"


def test_the_same_links_from_either_record_of_the_incident(scene):
    from_victim = rapid.linked_children(scene["practitioner"], scene["stabbing"])
    from_suspect = rapid.linked_children(scene["practitioner"], scene["suspect_side"])
    assert {x.child_id: x.link for x in from_victim} == {x.child_id: x.link for x in from_suspect}


# Which incidents are serious, and who sees them ---------------------------------------------------


def test_serious_incidents_are_recent_violence_of_severity_three_or_four_one_row_each(scene):
    police_tyrese = SourceRecord.objects.get(source_id="P-tyrese")
    event(police_tyrese, TODAY - dt.timedelta(days=3), "OCC-minor", severity=2)
    event(police_tyrese, TODAY - dt.timedelta(days=45), "OCC-old")
    event(
        police_tyrese,
        TODAY - dt.timedelta(days=2),
        "OCC-missing",
        kind=EventKind.MISSING,
        category=EventCategory.MISSING,
        severity=3,
    )
    incidents = rapid.serious_incidents(scene["practitioner"])
    assert [i.event.source_reference for i in incidents] == ["OCC-1"]
    (stabbing,) = incidents
    assert stabbing.event == scene["stabbing"], "the record of the child harmed stands for it"
    assert [c.label for c in stabbing.children] == ["Tyrese Campbell", "Jordan Price"]
    assert stabbing.response is None


def test_an_agency_that_shares_nothing_sees_no_incidents_and_others_may_not_ask(scene):
    other_front_door = make_staff(
        make_agency("elsewhere", AgencyType.CHILDRENS_SOCIAL_CARE), Role.FRONT_DOOR_PRACTITIONER
    )
    assert rapid.serious_incidents(other_front_door) == []
    with pytest.raises(policy.NotFound):
        rapid.incident_for_actor(other_front_door, scene["stabbing"].pk)
    for no_capability in (scene["officer"], scene["lead"], scene["analyst"]):
        with pytest.raises(policy.Forbidden):
            rapid.serious_incidents(no_capability)


def test_a_child_the_viewer_may_not_find_is_another_child_and_whom_to_ask(scene):
    shown = {s.child_id: s for s in rapid.incident_links(scene["practitioner"], scene["stabbing"])}
    sam = shown[scene["sam"].pk]
    assert not sam.named and sam.label == "Another child" and sam.ask == "ask Youth Club"
    tyrese = shown[scene["tyrese"].pk]
    assert tyrese.named and tyrese.label == "Tyrese Campbell"
    assert tyrese.contact is not None and tyrese.contact.as_lead
    assert tyrese.contact.name == "Grace Lead"
    # Each child named to the viewer is audited; the hidden child is not named, so not read.
    shown_events = AuditEvent.objects.filter(event="front_door.rapid_response_child_shown")
    assert scene["tyrese"].pk in set(shown_events.values_list("child_id", flat=True))
    assert scene["sam"].pk not in set(shown_events.values_list("child_id", flat=True))


# Opening, naming contacts, meeting and closing ---------------------------------------------------


def test_opening_records_the_children_and_the_24_hour_clock(scene):
    at = timezone.now()
    response = rapid.rapid_response_open(
        actor=scene["practitioner"], incident=scene["stabbing"], at=at
    )
    assert response.reference == f"RR-{timezone.localtime(at).year}-0001"
    assert response.convene_by == at + dt.timedelta(hours=24)
    assert response.status == RapidStatus.OPEN and not response.late
    assert response.children.count() == 5
    linked = AuditEvent.objects.filter(event="front_door.rapid_response_child_linked")
    assert linked.count() == 5 and linked.filter(section="criminal").count() == 5
    assert AuditEvent.objects.filter(event="front_door.rapid_response_opened").count() == 1
    # One response per incident, whichever record of it is used.
    with pytest.raises(ValidationError, match="already open"):
        rapid.rapid_response_open(actor=scene["manager"], incident=scene["suspect_side"])
    assert rapid.serious_incidents(scene["practitioner"])[0].response == response


def test_the_service_level_sets_the_clock_and_lateness(scene):
    ServiceLevel.objects.filter(step=Step.RAPID_RESPONSE).update(amount=12)
    at = timezone.now() - dt.timedelta(hours=13)
    response = rapid.rapid_response_open(
        actor=scene["practitioner"], incident=scene["stabbing"], at=at
    )
    assert response.convene_by == at + dt.timedelta(hours=12)
    assert response.late, "still not met after the service level"
    rapid.rapid_response_record(
        actor=scene["manager"],
        response=response,
        convened_at=at + dt.timedelta(hours=11),
        agencies=[scene["police"], scene["council"]],
        decisions="Police to visit both homes.",
    )
    response.refresh_from_db()
    assert response.status == RapidStatus.CONVENED and not response.late


def test_closing_needs_a_meeting_and_a_named_contact_for_every_child(scene):
    response = rapid.rapid_response_open(actor=scene["practitioner"], incident=scene["stabbing"])
    with pytest.raises(ValidationError, match="Record the rapid response meeting"):
        rapid.rapid_response_close(actor=scene["manager"], response=response)
    with pytest.raises(ValidationError) as future:
        rapid.rapid_response_record(
            actor=scene["manager"],
            response=response,
            convened_at=timezone.now() + dt.timedelta(hours=2),
            agencies=[scene["police"]],
            decisions="Met.",
        )
    assert "today or in the past" in str(future.value)
    rapid.rapid_response_record(
        actor=scene["manager"],
        response=response,
        convened_at=timezone.now(),
        agencies=[scene["police"], scene["council"]],
        decisions="Police to visit both homes; youth justice to see Jordan.",
    )
    with pytest.raises(ValidationError, match="4 children have none"):
        rapid.rapid_response_close(actor=scene["manager"], response=response)
    view = rapid.response_for_actor(scene["manager"], response.pk)
    for shown in view.without_contact:
        assert shown.row is not None
        rapid.rapid_response_name_contact(
            actor=scene["manager"], response=response, row=shown.row, contact=scene["officer"]
        )
    assert rapid.response_for_actor(scene["manager"], response.pk).without_contact == []
    closed = rapid.rapid_response_close(actor=scene["manager"], response=response)
    assert closed.status == RapidStatus.CLOSED and closed.closed_by == scene["manager"]
    row = response.children.first()
    assert row is not None
    with pytest.raises(ValidationError, match="closed"):
        rapid.rapid_response_name_contact(
            actor=scene["manager"], response=response, row=row, contact=scene["officer"]
        )


def test_a_contact_must_work_with_children_in_an_agency_that_shares(scene):
    response = rapid.rapid_response_open(actor=scene["practitioner"], incident=scene["stabbing"])
    row = response.children.get(child=scene["maya"])
    for refused, message in (
        (scene["youth_worker"], "no information-sharing agreement"),
        (scene["analyst"], "role works with children"),
    ):
        with pytest.raises(ValidationError, match=message):
            rapid.rapid_response_name_contact(
                actor=scene["practitioner"], response=response, row=row, contact=refused
            )
    assert scene["youth_worker"] not in rapid.contact_choices(scene["practitioner"])
    assert scene["officer"] in rapid.contact_choices(scene["practitioner"])
    rapid.rapid_response_name_contact(
        actor=scene["practitioner"], response=response, row=row, contact=scene["officer"]
    )
    named = AuditEvent.objects.get(event="front_door.rapid_response_contact_named")
    assert named.child_id == scene["maya"].pk


def test_another_front_door_cannot_see_the_response(scene):
    response = rapid.rapid_response_open(actor=scene["practitioner"], incident=scene["stabbing"])
    elsewhere = make_staff(
        make_agency("elsewhere", AgencyType.CHILDRENS_SOCIAL_CARE), Role.FRONT_DOOR_MANAGER
    )
    with pytest.raises(policy.NotFound):
        rapid.response_for_actor(elsewhere, response.pk)
    assert rapid.responses(elsewhere) == []


# The pages -------------------------------------------------------------------------------------


def test_the_pages_open_a_response_name_a_contact_and_refuse_to_close_early(client, scene):
    client.force_login(scene["practitioner"])
    page = client.get(reverse("frontdoor:rapid-responses"))
    assert page.status_code == 200
    assert b"OCC-1" in page.content and b"Tyrese Campbell" in page.content
    preview = client.get(reverse("frontdoor:rapid-incident", args=[scene["stabbing"].pk]))
    text = preview.content.decode()
    assert "Maya Price" in text and "Sibling of a child involved" in text
    assert "Another child" in text and "ask Youth Club" in text
    assert "Grace Lead" in text and "(lead practitioner)" in text
    opened = client.post(reverse("frontdoor:rapid-incident", args=[scene["stabbing"].pk]))
    response = RapidResponse.objects.get()
    assert opened.status_code == 302
    assert opened.url == reverse("frontdoor:rapid-response", args=[response.pk])
    again = client.post(reverse("frontdoor:rapid-incident", args=[scene["suspect_side"].pk]))
    assert again.status_code == 400 and b"govuk-error-summary" in again.content
    detail = client.get(opened.url)
    assert b"4 of 5 linked children have no named contact" in detail.content
    row = response.children.get(child=scene["kai"])
    contact_url = reverse("frontdoor:rapid-response-contact", args=[response.pk, row.pk])
    empty = client.post(contact_url, {"contact": ""})
    assert empty.status_code == 200 and b"Select who will make contact" in empty.content
    named = client.post(contact_url, {"contact": str(scene["officer"].pk)})
    assert named.status_code == 302
    row.refresh_from_db()
    assert row.contact == scene["officer"]
    record_url = reverse("frontdoor:rapid-response-record", args=[response.pk])
    tomorrow = TODAY + dt.timedelta(days=1)
    future = client.post(
        record_url,
        {
            "date_day": tomorrow.day,
            "date_month": tomorrow.month,
            "date_year": tomorrow.year,
            "time": "10:00",
            "agencies": [scene["police"].pk],
            "decisions": "Met.",
        },
    )
    assert b"must be today or in the past" in future.content
    met = client.post(
        record_url,
        {
            "date_day": TODAY.day,
            "date_month": TODAY.month,
            "date_year": TODAY.year,
            "time": "00:00",
            "agencies": [scene["police"].pk, scene["council"].pk],
            "decisions": "Police to visit both homes.",
        },
    )
    assert met.status_code == 302
    refused = client.post(reverse("frontdoor:rapid-response-close", args=[response.pk]))
    assert refused.status_code == 400
    assert b"Name a contact for every child before closing: 3 children" in refused.content
    assert RapidResponse.objects.get().status == RapidStatus.CONVENED


def test_pages_are_refused_to_those_without_the_capability(client, scene):
    response = rapid.rapid_response_open(actor=scene["practitioner"], incident=scene["stabbing"])
    client.force_login(scene["officer"])
    assert client.get(reverse("frontdoor:rapid-responses")).status_code == 403
    assert client.get(reverse("frontdoor:rapid-response", args=[response.pk])).status_code == 403
    client.force_login(
        make_staff(make_agency("other", AgencyType.CHILDRENS_SOCIAL_CARE), Role.FRONT_DOOR_MANAGER)
    )
    assert client.get(reverse("frontdoor:rapid-response", args=[response.pk])).status_code == 404
    assert (
        client.get(reverse("frontdoor:rapid-incident", args=[scene["stabbing"].pk])).status_code
        == 404
    )
