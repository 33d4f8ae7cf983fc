"""The event forms for agencies with no system feed (issue 11 part 2, ADR 0030): who may use
which, the same intake rules as the API and the files, GOV.UK errors, check your answers, the
language checker on the free text, and a confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.identity.event_forms import FORM_SOURCE_SYSTEM
from harbour.identity.models import AgencyEvent, EventWordingFinding
from harbour.language.models import LanguageCheck
from harbour.partnership.models import AgencyType, Role
from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db

BLAMING = "He is putting himself at risk by hanging around with older males after school."


@pytest.fixture
def people():
    school = make_agency("school", AgencyType.SCHOOL, name="Riverside Academy")
    council = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    return {
        "teacher": make_staff(school, Role.REFERRER),
        "coordinator": make_staff(council, Role.LEAD_PRACTITIONER),
        "officer": make_staff(police, Role.REFERRER),
        "front_door": make_staff(council, Role.FRONT_DOOR_PRACTITIONER),
    }


def exclusion(**changes: str) -> dict[str, str]:
    data = {
        "source_id": "PUPIL-0042",
        "given_name": "Jordan",
        "family_name": "Baker",
        "date_of_birth_day": "14",
        "date_of_birth_month": "3",
        "date_of_birth_year": "2011",
        "sex": "M",
        "postcode": "rv1 2ab",
        "reference": "EXC-2026-17",
        "kind": "suspension",
        "exclusion_reason": "OW",
        "occurred_on_day": "2",
        "occurred_on_month": "3",
        "occurred_on_year": "2026",
        "summary": BLAMING,
    }
    data.update(changes)
    return data


def test_each_form_is_for_its_kind_of_agency_and_a_role_that_records_events(people):
    assert policy.event_forms(people["teacher"]) == ["exclusion"]
    assert policy.event_forms(people["coordinator"]) == ["missing"]
    assert policy.event_forms(people["officer"]) == []  # the police send theirs from a system
    assert policy.event_forms(people["front_door"]) == []
    with pytest.raises(policy.Forbidden):
        policy.require_event_form(people["coordinator"], "exclusion")


def test_a_form_the_actor_may_not_use_is_refused(client, people):
    client.force_login(people["officer"])
    assert client.get(reverse("identity:record-start")).status_code == 403
    assert client.get(reverse("identity:record-form", args=["exclusion"])).status_code == 403
    client.force_login(people["teacher"])
    assert client.get(reverse("identity:record-form", args=["missing"])).status_code == 403
    assert client.get(reverse("identity:record-form", args=["nothing"])).status_code == 404


def test_bad_input_is_a_govuk_error_summary_and_nothing_is_saved(client, people):
    client.force_login(people["teacher"])
    url = reverse("identity:record-form", args=["exclusion"])
    response = client.post(url, {"summary": BLAMING})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter your reference for the child" in body
    assert "Select the reason" in body
    # The checked textarea says what it found, as on every form.
    assert "Instead of <strong>‘putting himself at risk’</strong>" in body
    assert not AgencyEvent.objects.exists()


def test_the_intakes_own_rules_are_shown_on_the_field(client, people):
    client.force_login(people["teacher"])
    url = reverse("identity:record-form", args=["exclusion"])
    future = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(
        url,
        exclusion(
            occurred_on_day=str(future.day),
            occurred_on_month=str(future.month),
            occurred_on_year=str(future.year),
            nhs_number="12345",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "First day of the suspension or exclusion must not be in the future" in body
    assert "NHS number must be 10 digits" in body
    assert not AgencyEvent.objects.exists()


def test_a_suspension_is_checked_then_sent_through_the_intake(
    client, people, django_capture_on_commit_callbacks
):
    client.force_login(people["teacher"])
    response = client.post(reverse("identity:record-form", args=["exclusion"]), exclusion())
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:record-check", args=["exclusion"])
    check = client.get(response["Location"]).content.decode()
    assert "Check your answers before sending" in check
    assert "Use or threat of use of an offensive weapon or prohibited item" in check
    assert "1 suggestion for child-centred language" in check
    assert not AgencyEvent.objects.exists()  # nothing saved before it is sent
    with django_capture_on_commit_callbacks() as callbacks:
        sent = client.post(reverse("identity:record-check", args=["exclusion"]))
    assert sent["Location"] == reverse("identity:record-done", args=["exclusion"])
    assert len(callbacks) == 1  # matched after the commit, as every arrival is
    event = AgencyEvent.objects.get()
    assert (event.kind, event.exclusion_reason, event.role, event.category) == (
        "suspension",
        "OW",
        "pupil",
        "behaviour",
    )
    assert event.summary == BLAMING
    assert event.agency == people["teacher"].agency
    record = event.source_record
    assert (record.source_system, record.source_id, record.postcode) == (
        FORM_SOURCE_SYSTEM,
        "PUPIL-0042",
        "RV1 2AB",
    )
    assert EventWordingFinding.objects.get(event=event).text == "putting himself at risk"
    received = AuditEvent.objects.get(event="identity.events_received")
    assert received.actor_id == people["teacher"].pk
    assert received.detail["channel"] == "form:exclusion"
    assert LanguageCheck.objects.filter(staff=people["teacher"], finding_count=1).exists()
    done = client.get(sent["Location"]).content.decode()
    assert "Recorded" in done and "EXC-2026-17" in done
    assert "Jordan" not in done
    # Sending the same again changes nothing: the same keys as every channel.
    client.post(reverse("identity:record-form", args=["exclusion"]), exclusion())
    client.post(reverse("identity:record-check", args=["exclusion"]))
    assert AgencyEvent.objects.count() == 1


def test_a_missing_episode_and_its_return_home_interview_are_two_events(client, people):
    client.force_login(people["coordinator"])
    data = exclusion(
        reference="MISS-88",
        missing_on_day="1",
        missing_on_month="3",
        missing_on_year="2026",
        missing_time="23:15",
        location="Bus station",
        summary="Reported missing by his mother; found with older males in another town.",
        interview_held="yes",
        interview_summary="",
    )
    url = reverse("identity:record-form", args=["missing"])
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Enter the date of the return-home interview" in refused.content.decode()
    data.update(
        interview_on_day="3",
        interview_on_month="3",
        interview_on_year="2026",
        interview_summary="He said he was scared of the men who drove him there.",
    )
    assert client.post(url, data).status_code == 302
    client.post(reverse("identity:record-check", args=["missing"]))
    missing, interview = AgencyEvent.objects.order_by("occurred_on")
    assert (missing.kind, missing.source_reference, missing.role) == (
        "missing",
        "MISS-88",
        "missing_person",
    )
    assert missing.occurred_at is not None and missing.location == "Bus station"
    assert (interview.kind, interview.source_reference) == ("return_interview", "MISS-88-RHI")
    assert interview.occurred_on == dt.date(2026, 3, 3)
