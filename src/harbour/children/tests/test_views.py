"""Children's pages: scoped, audited one event per child shown, and 503 without the audit."""

import datetime as dt

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from harbour.access.models import AuditEvent, BreakGlassGrant, RelationshipKind
from harbour.children.codes import Relationship
from harbour.children.models import FamilyMember
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_agreement, make_child, make_staff, relate

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    police = make_agency("police", AgencyType.POLICE)
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE)
    school = make_agency("school", AgencyType.SCHOOL)
    make_agreement(police, council, purposes=["safeguarding"], categories=["identity", "family"])
    officer = make_staff(police, role=Role.REFERRER)
    amara = make_child(police, given_name="Amara", family_name="Okafor", postcode="RV3 4CD")
    hold_record(amara, police)
    jordan = make_child(council, given_name="Jordan", family_name="Okafor")
    hold_record(jordan, council)
    pupil = make_child(school, given_name="Sam", family_name="Okafor")
    hold_record(pupil, school)
    FamilyMember.objects.create(
        child=amara,
        relationship=Relationship.SIBLING,
        given_name="Jordan",
        family_name="Okafor",
        related_child=jordan,
    )
    return {"officer": officer, "amara": amara, "jordan": jordan, "pupil": pupil, "police": police}


def events(**filters):
    return AuditEvent.objects.filter(**filters)


def test_summary_shows_the_child_and_writes_one_access_event(client, area):
    client.force_login(area["officer"])
    before = events().count()
    response = client.get(reverse("children:summary", args=[area["amara"].pk]))
    assert response.status_code == 200
    assert "Amara Okafor" in response.content.decode()
    new = list(events(sequence__gt=before))
    # One event per child shown: Amara, and her brother Jordan named in her family table.
    assert [(e.child_id, e.section) for e in new] == [
        (area["amara"].pk, "record"),
        (area["jordan"].pk, "family_of_another_child"),
    ]
    event = new[0]
    assert event.child_id == area["amara"].pk
    assert event.event == "child.viewed"
    assert event.section == "record"
    assert event.actor_id == area["officer"].pk
    assert event.actor_agency == "police"
    assert event.basis == "agency:agency_record"
    assert event.purpose == "safeguarding"
    assert event.request_id == response["X-Request-ID"]


def test_summary_is_503_without_child_data_when_the_audit_cannot_be_written(
    client, area, monkeypatch
):
    client.force_login(area["officer"])

    def fail(**kwargs):
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(AuditEvent.objects, "create", fail)
    response = client.get(reverse("children:summary", args=[area["amara"].pk]))
    assert response.status_code == 503
    body = response.content.decode()
    assert "Amara" not in body
    assert "Okafor" not in body
    assert "could not record this access" in body


def test_search_is_503_without_child_data_when_the_audit_cannot_be_written(
    client, area, monkeypatch
):
    client.force_login(area["officer"])
    monkeypatch.setattr(
        AuditEvent.objects, "create", lambda **kw: (_ for _ in ()).throw(DatabaseError("down"))
    )
    response = client.get(reverse("children:search"), {"name": "Okafor"})
    assert response.status_code == 503
    assert "Okafor" not in response.content.decode().replace('value="Okafor"', "")


def test_another_agencys_child_without_an_agreement_is_404_and_audited(client, area):
    client.force_login(area["officer"])
    response = client.get(reverse("children:summary", args=[area["pupil"].pk]))
    assert response.status_code == 404
    assert "Sam" not in response.content.decode()
    denied = events(event="child.access_denied").get()
    assert denied.outcome == "denied"
    assert denied.child_id == area["pupil"].pk
    assert denied.actor_id == area["officer"].pk


def test_an_unknown_id_is_404_and_audited(client, area):
    import uuid

    client.force_login(area["officer"])
    missing = uuid.uuid4()
    response = client.get(reverse("children:summary", args=[missing]))
    assert response.status_code == 404
    denied = events(event="child.access_denied").get()
    assert denied.detail["requested_id"] == str(missing)


def test_search_shows_only_findable_children_and_audits_each(client, area):
    client.force_login(area["officer"])
    before = events().count()
    response = client.get(reverse("children:search"), {"name": "okafor"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amara Okafor" in body
    assert "Jordan Okafor" in body  # findable through the police-council agreement
    assert "Sam Okafor" not in body  # held only by a school the police share nothing with
    shown = events(sequence__gt=before, section="search_result")
    assert {e.child_id for e in shown} == {area["amara"].pk, area["jordan"].pk}
    assert shown.count() == 2


def test_search_by_date_of_birth_and_postcode(client, area):
    client.force_login(area["officer"])
    response = client.get(
        reverse("children:search"),
        {
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2011",
            "postcode": "rv34cd",
        },
    )
    body = response.content.decode()
    assert "Amara Okafor" in body
    assert "Jordan Okafor" not in body


def test_empty_and_invalid_searches_show_a_govuk_error_summary(client, area):
    client.force_login(area["officer"])
    empty = client.get(reverse("children:search"), {"name": ""}).content.decode()
    assert "govuk-error-summary" in empty
    assert "Enter a name, a date of birth or a postcode" in empty
    bad = client.get(
        reverse("children:search"),
        {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2011"},
    ).content.decode()
    assert 'href="#id_date_of_birth_0"' in bad
    assert "must be a real date" in bad
    assert not events(section="search_result").exists()


def test_a_future_date_of_birth_or_a_bad_postcode_is_an_error_not_a_search(client, area):
    client.force_login(area["officer"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.get(
        reverse("children:search"),
        {
            "date_of_birth_day": str(tomorrow.day),
            "date_of_birth_month": str(tomorrow.month),
            "date_of_birth_year": str(tomorrow.year),
        },
    ).content.decode()
    assert "govuk-error-summary" in future
    assert "Date of birth must be today or in the past" in future
    for bad in ("NOPE", "RV1 2A", "12345"):
        page = client.get(reverse("children:search"), {"postcode": bad}).content.decode()
        assert "govuk-error-summary" in page, bad
        assert "Enter a postcode, like RV1 2AB, or the first part of one, like RV1" in page
    assert not events(section="search_result").exists()


def test_a_search_by_the_first_part_of_a_postcode(client, area):
    """RV3 finds the children whose postcode starts RV3 (a whole area), not RV34."""
    client.force_login(area["officer"])
    body = client.get(reverse("children:search"), {"postcode": "rv3"}).content.decode()
    assert "govuk-error-summary" not in body
    assert "Amara Okafor" in body


def test_break_glass_needs_a_reason_then_opens_the_record_and_queues_a_review(client, area):
    client.force_login(area["officer"])
    url = reverse("children:summary", args=[area["jordan"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("children:break-glass", args=[area["jordan"].pk])
    page = client.get(response["Location"]).content.decode()
    assert "Jordan" not in page
    short = client.post(response["Location"], {"reason": "need it"}).content.decode()
    assert "govuk-error-summary" in short
    assert not BreakGlassGrant.objects.exists()
    reason = "Found with a knife injury tonight; checking for open safeguarding involvement"
    done = client.post(response["Location"], {"reason": reason})
    assert done.status_code == 302
    grant = BreakGlassGrant.objects.get()
    assert grant.reason == reason
    assert grant.reviewed_at is None
    view = client.get(url)
    assert view.status_code == 200
    assert "Jordan Okafor" in view.content.decode()
    assert events(event="child.viewed", child_id=area["jordan"].pk).get().basis == "break_glass"
    assert events(event="child.break_glass").get().detail["reason"] == reason


def test_family_links_only_to_siblings_the_viewer_may_open(client, area):
    client.force_login(area["officer"])
    jordan = reverse("children:summary", args=[area["jordan"].pk])
    body = client.get(reverse("children:summary", args=[area["amara"].pk])).content.decode()
    assert "Jordan Okafor" in body  # his name is part of Amara's family record
    assert jordan not in body  # but nothing says he has a record the officer cannot open
    hold_record(area["jordan"], area["police"])
    body = client.get(reverse("children:summary", args=[area["amara"].pk])).content.decode()
    assert jordan in body


def test_access_log_for_lead_practitioner_and_dpo(client, area):
    council = area["jordan"].recorded_by
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER)
    relate(area["jordan"], lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    dpo = make_staff(council, role=Role.DATA_PROTECTION_OFFICER)
    client.force_login(area["officer"])
    client.get(reverse("children:summary", args=[area["pupil"].pk]))  # a denied attempt
    url = reverse("pages:child-access-log", args=[area["jordan"].pk])
    assert client.get(url).status_code == 403  # a referrer's role never sees access logs
    client.force_login(lead)
    summary = client.get(reverse("children:summary", args=[area["jordan"].pk])).content.decode()
    assert url in summary
    page = client.get(url)
    assert page.status_code == 200
    assert lead.get_full_name() in page.content.decode()
    assert lead.username not in page.content.decode()
    client.force_login(dpo)
    assert client.get(url).status_code == 200
    assert events(section="access_log").count() == 2


def test_dpo_reviews_break_glass(client, area):
    from django.utils import timezone

    dpo = make_staff(area["jordan"].recorded_by, role=Role.DATA_PROTECTION_OFFICER)
    grant = BreakGlassGrant.objects.create(
        child=area["jordan"],
        staff=area["officer"],
        reason="A reason of sufficient length",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(dpo)
    queue = client.get(reverse("access:break-glass-queue")).content.decode()
    assert "A reason of sufficient length" not in queue  # the reason is on the audited page
    review = client.get(reverse("access:break-glass-review", args=[grant.pk])).content.decode()
    assert "A reason of sufficient length" in review
    review_url = reverse("access:break-glass-review", args=[grant.pk])
    missing_note = client.post(review_url, {"outcome": "not_justified", "note": ""})
    assert "Say what happens next" in missing_note.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    done = client.post(review_url, {"outcome": "justified", "note": ""})
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == dpo
    assert events(event="break_glass.reviewed").count() == 1


def test_a_partial_date_of_birth_names_the_missing_part(client, area):
    client.force_login(area["officer"])
    body = client.get(
        reverse("children:search"), {"date_of_birth_day": "27", "date_of_birth_year": "2011"}
    ).content.decode()
    assert "Date of birth must include a month" in body
    assert "Enter a complete value" not in body
