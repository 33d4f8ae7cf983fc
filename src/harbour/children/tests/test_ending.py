"""Ending a need and closing an assessment (completed or withdrawn): GOV.UK forms from the
record's needs section, written and audited in one transaction, and the waits lists follow."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import AuditWriteError
from harbour.access.models import AuditEvent, BreakGlassGrant, RelationshipKind
from harbour.children import attention, chronology, services
from harbour.children.models import Assessment, Need
from harbour.partnership.models import AgencyType, Role
from harbour.testing import hold_record, make_agency, make_agreement, make_child, make_staff, relate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = TODAY - dt.timedelta(days=900)


@pytest.fixture
def area():
    council = make_agency("council", AgencyType.CHILDRENS_SOCIAL_CARE)
    police = make_agency("police", AgencyType.POLICE)
    make_agreement(police, council, purposes=["safeguarding"], categories=["identity", "health"])
    lead = make_staff(council, role=Role.LEAD_PRACTITIONER)
    leader = make_staff(council, role=Role.STRATEGIC_LEADER)
    officer = make_staff(police, role=Role.REFERRER)
    child = make_child(council, given_name="Tyrese", family_name="Campbell")
    hold_record(child, council)
    relate(child, lead, kind=RelationshipKind.LEAD_PRACTITIONER)
    need = Need.objects.create(
        child=child,
        kind="slcn",
        description="Speech and language needs",
        start_date=dt.date(2024, 9, 1),
    )
    assessment = Assessment.objects.create(
        child=child, kind="neurodevelopmental", provider="Riverside CDC", referred_on=LONG_AGO
    )
    other = make_child(council, given_name="Other")
    hold_record(other, council)
    other_need = Need.objects.create(child=other, kind="other", description="Not Tyrese's")
    return {
        "lead": lead,
        "leader": leader,
        "officer": officer,
        "child": child,
        "need": need,
        "assessment": assessment,
        "other": other,
        "other_need": other_need,
    }


def end_url(area, need=None):
    return reverse("children:need-end", args=[area["child"].pk, (need or area["need"]).pk])


def close_url(area):
    return reverse("children:assessment-close", args=[area["child"].pk, area["assessment"].pk])


def date(prefix, day):
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def html(response):
    return response.content.decode().replace("&#x27;", "'")


# Needs -----------------------------------------------------------------------------------------


def test_the_record_links_each_open_need_and_waiting_assessment_to_its_form(client, area):
    client.force_login(area["lead"])
    body = html(client.get(reverse("children:summary", args=[area["child"].pk])))
    assert f'href="{end_url(area)}"' in body
    assert f'href="{close_url(area)}"' in body
    assert "Mark as completed or withdrawn" in body


def test_a_need_is_marked_as_ended_and_the_change_is_audited(client, area):
    client.force_login(area["lead"])
    page = html(client.get(end_url(area)))
    assert "Mark the need as ended" in page
    assert "Speech and language needs" in page
    response = client.post(end_url(area), date("end_date", TODAY))
    assert response.status_code == 302
    assert response["Location"].endswith("#needs")
    area["need"].refresh_from_db()
    assert area["need"].end_date == TODAY
    event = AuditEvent.objects.get(event="child.need_ended")
    assert (event.child_id, event.section, event.actor_id) == (
        area["child"].pk,
        "needs",
        area["lead"].pk,
    )
    assert event.object_id == str(area["need"].pk)
    record = html(client.get(reverse("children:summary", args=[area["child"].pk])))
    assert "Ended" in record
    assert f'href="{end_url(area)}"' not in record  # an ended need has nothing left to end
    # Opening the form again goes back to the record, saying when it ended.
    assert client.get(end_url(area))["Location"].endswith("#needs")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY + dt.timedelta(days=1), "The date the need ended must be today or in the past"),
        (
            dt.date(2024, 8, 31),
            "The date the need ended must be the same as or after it started, 1 September 2024",
        ),
    ],
)
def test_a_bad_end_date_is_a_govuk_error_and_saves_nothing(client, area, day, message):
    client.force_login(area["lead"])
    body = html(client.post(end_url(area), date("end_date", day)))
    assert "govuk-error-summary" in body
    assert message in body
    assert 'href="#id_end_date' in body
    area["need"].refresh_from_db()
    assert area["need"].end_date is None
    assert not AuditEvent.objects.filter(event="child.need_ended").exists()


def test_an_end_date_is_required(client, area):
    client.force_login(area["lead"])
    body = html(client.post(end_url(area), {}))
    assert "Enter the date the need ended" in body


def test_a_need_ends_once(area):
    services.need_end(
        actor=area["lead"], child=area["child"], need_id=area["need"].pk, end_date=TODAY
    )
    with pytest.raises(ValidationError, match="already ended"):
        services.need_end(
            actor=area["lead"], child=area["child"], need_id=area["need"].pk, end_date=TODAY
        )
    assert AuditEvent.objects.filter(event="child.need_ended").count() == 1


def test_another_childs_need_is_not_found(client, area):
    client.force_login(area["lead"])
    assert client.get(end_url(area, area["other_need"])).status_code == 404
    with pytest.raises(policy.NotFound):
        services.need_end(
            actor=area["lead"],
            child=area["child"],
            need_id=area["other_need"].pk,
            end_date=TODAY,
        )


def test_break_glass_reads_but_never_ends_a_need(client, area):
    BreakGlassGrant.objects.create(
        child=area["child"],
        staff=area["officer"],
        reason="An urgent and sufficient reason",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client.force_login(area["officer"])
    record = html(client.get(reverse("children:summary", args=[area["child"].pk])))
    assert "Speech and language needs" in record  # health is shared with the police
    assert f'href="{end_url(area)}"' not in record
    assert "Mark as completed or withdrawn" not in record
    assert client.get(end_url(area)).status_code == 403
    assert client.post(close_url(area), {}).status_code == 403
    with pytest.raises(policy.Forbidden):
        services.need_end(
            actor=area["officer"], child=area["child"], need_id=area["need"].pk, end_date=TODAY
        )


def test_the_end_and_the_audit_event_are_one_transaction(area, monkeypatch):
    monkeypatch.setattr(
        AuditEvent.objects, "create", lambda **kw: (_ for _ in ()).throw(DatabaseError("down"))
    )
    with pytest.raises(AuditWriteError):
        services.need_end(
            actor=area["lead"], child=area["child"], need_id=area["need"].pk, end_date=TODAY
        )
    area["need"].refresh_from_db()
    assert area["need"].end_date is None


def test_an_ended_need_shows_in_the_chronology(area):
    services.need_end(
        actor=area["lead"], child=area["child"], need_id=area["need"].pk, end_date=TODAY
    )
    result = chronology.child_chronology(
        actor=area["lead"], child_id=area["child"].pk, agency="", types=[]
    )
    assert not isinstance(result, policy.Decision)
    titles = [entry.title for entry in result.entries]
    assert "Ended: Speech, language and communication needs" in titles


# Assessments -----------------------------------------------------------------------------------


def test_an_assessment_is_completed_with_its_outcome_and_leaves_the_waits(client, area):
    client.force_login(area["lead"])
    assert attention.attention_for_caseworker(actor=area["lead"])  # waiting over 18 months
    page = html(client.get(close_url(area)))
    assert "Mark the assessment as completed or withdrawn" in page
    assert "Riverside CDC" in page
    response = client.post(
        close_url(area),
        {
            "status": "completed",
            "outcome": "Autism diagnosed; report shared with school",
            **date("completed_on", TODAY - dt.timedelta(days=3)),
        },
    )
    assert response.status_code == 302
    assessment = area["assessment"]
    assessment.refresh_from_db()
    assert (assessment.status, assessment.completed_on, assessment.outcome) == (
        "completed",
        TODAY - dt.timedelta(days=3),
        "Autism diagnosed; report shared with school",
    )
    event = AuditEvent.objects.get(event="child.assessment_completed")
    assert (event.child_id, event.section) == (area["child"].pk, "needs")
    # No longer a pending wait: neither on the caseworker's list nor in the leaders' counts.
    assert attention.attention_for_caseworker(actor=area["lead"]) == []
    report = attention.cohort_report(actor=area["leader"])
    assert all(row.waiting.value == 0 for row in report.waits)
    record = html(client.get(reverse("children:summary", args=[area["child"].pk])))
    assert "Outcome: Autism diagnosed; report shared with school" in record
    assert f'href="{close_url(area)}"' not in record


def test_an_assessment_is_withdrawn_without_an_outcome(client, area):
    client.force_login(area["lead"])
    response = client.post(close_url(area), {"status": "withdrawn", **date("completed_on", TODAY)})
    assert response.status_code == 302
    area["assessment"].refresh_from_db()
    assert area["assessment"].status == "withdrawn"
    assert AuditEvent.objects.filter(event="child.assessment_withdrawn").count() == 1
    assert attention.attention_for_caseworker(actor=area["lead"]) == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"status": "completed", **date("completed_on", TODAY)}, "outcome", "Enter the outcome"),
        (
            {"status": "withdrawn", **date("completed_on", TODAY + dt.timedelta(days=2))},
            "completed_on",
            "The date completed or withdrawn must be today or in the past",
        ),
        (
            {"status": "withdrawn", **date("completed_on", LONG_AGO - dt.timedelta(days=1))},
            "completed_on",
            "must be the same as or after the date referred",
        ),
        (
            {"outcome": "Seen", **date("completed_on", TODAY)},
            "status",
            "Select whether the assessment was completed or withdrawn",
        ),
        ({"status": "waiting", **date("completed_on", TODAY)}, "status", "Select a valid choice"),
    ],
)
def test_a_bad_outcome_is_a_govuk_error_and_saves_nothing(client, area, data, field, message):
    client.force_login(area["lead"])
    body = html(client.post(close_url(area), data))
    assert "govuk-error-summary" in body
    assert message in body
    assert f'href="#id_{field}' in body
    area["assessment"].refresh_from_db()
    assert (area["assessment"].status, area["assessment"].completed_on) == ("waiting", None)
    assert not AuditEvent.objects.filter(event__startswith="child.assessment_").exists()


def test_an_assessment_closes_once(area):
    kwargs = {
        "actor": area["lead"],
        "child": area["child"],
        "assessment_id": area["assessment"].pk,
        "completed_on": TODAY,
    }
    services.assessment_close(status="withdrawn", **kwargs)
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.assessment_close(status="completed", outcome="Seen", **kwargs)


def test_the_service_refuses_what_the_form_would(area):
    kwargs = {"actor": area["lead"], "child": area["child"], "assessment_id": area["assessment"].pk}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": "waiting", "completed_on": TODAY}, "status"),
        ({"status": "completed", "completed_on": TODAY, "outcome": "  "}, "outcome"),
        ({"status": "withdrawn", "completed_on": TODAY + dt.timedelta(days=1)}, "completed_on"),
    ]
    for bad, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.assessment_close(**kwargs, **bad)
        assert field in caught.value.error_dict
    assert not AuditEvent.objects.exists()


def test_a_withdrawn_assessment_is_not_called_completed_in_the_chronology(area):
    services.assessment_close(
        actor=area["lead"],
        child=area["child"],
        assessment_id=area["assessment"].pk,
        status="withdrawn",
        completed_on=TODAY,
        outcome="Family moved out of area",
    )
    result = chronology.child_chronology(
        actor=area["lead"], child_id=area["child"].pk, agency="", types=[]
    )
    assert not isinstance(result, policy.Decision)
    titles = [entry.title for entry in result.entries]
    assert "Neurodevelopmental (autism or ADHD) withdrawn" in titles
    assert "Neurodevelopmental (autism or ADHD) completed" not in titles


def test_roles_without_casework_cannot_open_the_forms(client, area):
    client.force_login(area["leader"])
    assert client.get(end_url(area)).status_code == 403
    assert client.get(close_url(area)).status_code == 403
