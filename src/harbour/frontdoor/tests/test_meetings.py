"""Strategy meetings convened from decisions, and multi-agency audits of referrals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import AuditEvent
from harbour.frontdoor import meetings, services
from harbour.frontdoor.codes import AuditQuestion, MeetingRole, MeetingStatus, Outcome
from harbour.frontdoor.models import Notification
from harbour.frontdoor.tests.factories import confirmed, sent
from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(partnership):
    return {
        MeetingRole.POLICE: [partnership["police"]],
        MeetingRole.HEALTH: [make_agency("ed", AgencyType.NHS_TRUST)],
        MeetingRole.SOCIAL_CARE: [partnership["csc"]],
        MeetingRole.EDUCATION: [make_agency("school", AgencyType.SCHOOL)],
    }


def _s47(p):
    referral = confirmed(p)
    services.referral_decide(
        actor=p["practitioner"],
        referral=referral,
        outcome=Outcome.CHILD_PROTECTION,
        rationale="Stabbed twice in a month; reasonable cause to suspect significant harm.",
        feedback_to_referrer="Section 47 enquiry; strategy meeting today.",
    )
    return referral


def _saturday_evening() -> dt.datetime:
    now = timezone.localtime()
    days = (5 - now.weekday()) % 7 or 7
    return (now + dt.timedelta(days=days)).replace(hour=19, minute=30, second=0, microsecond=0)


def test_a_meeting_needs_a_decision_that_calls_for_one(partnership, agencies):
    referral = confirmed(partnership)
    with pytest.raises(ValidationError, match="child protection enquiry"):
        meetings.meeting_convene(
            actor=partnership["practitioner"],
            referral=referral,
            scheduled_for=timezone.now(),
            agencies=agencies,
        )


def test_a_meeting_needs_police_health_social_care_and_education(partnership, agencies):
    referral = _s47(partnership)
    without_health = {**agencies, MeetingRole.HEALTH: []}
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_convene(
            actor=partnership["practitioner"],
            referral=referral,
            scheduled_for=timezone.now(),
            agencies=without_health,
        )
    assert "agencies_health" in refused.value.message_dict
    wrong_type = {**agencies, MeetingRole.POLICE: [partnership["csc"]]}
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_convene(
            actor=partnership["practitioner"],
            referral=referral,
            scheduled_for=timezone.now(),
            agencies=wrong_type,
        )
    assert "agencies_police" in refused.value.message_dict


def test_an_out_of_hours_meeting_is_convened_and_recorded(partnership, agencies):
    referral = _s47(partnership)
    meeting = meetings.meeting_convene(
        actor=partnership["practitioner"],
        referral=referral,
        scheduled_for=_saturday_evening(),
        agencies=agencies,
    )
    assert meeting.out_of_hours
    assert meeting.due_by is not None
    assert meeting.agencies.count() == 4
    invitees = list(meeting.agencies.all())
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_record(
            actor=partnership["practitioner"],
            meeting=meeting,
            held_at=timezone.now() + dt.timedelta(hours=2),
            attendance={invitees[0].pk: (True, "DS Khan")},
            decisions="",
        )
    errors = refused.value.message_dict
    assert {"held_at", "decisions", f"attended_{invitees[1].pk}"} <= errors.keys()
    held = timezone.now() - dt.timedelta(minutes=30)
    meetings.meeting_record(
        actor=partnership["practitioner"],
        meeting=meeting,
        held_at=held,
        attendance={i.pk: (i.role != MeetingRole.HEALTH, "Someone") for i in invitees},
        decisions="Section 47 to continue; safety plan for the route to school.",
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    health = meeting.agencies.get(role=MeetingRole.HEALTH)
    assert health.attended is False
    action = meetings.meeting_action_add(
        actor=partnership["practitioner"],
        meeting=meeting,
        description="School to agree a safe route and a trusted adult.",
        owner_agency=agencies[MeetingRole.EDUCATION][0],
        due_on=timezone.localdate() + dt.timedelta(days=2),
    )
    assert action.meeting == meeting
    events = AuditEvent.objects.filter(event__startswith="strategy_meeting.")
    assert set(events.values_list("event", flat=True)) == {
        "strategy_meeting.convened",
        "strategy_meeting.recorded",
        "strategy_meeting.action_added",
    }


def test_a_meeting_held_after_its_time_is_late(partnership, agencies):
    referral = _s47(partnership)
    meeting = meetings.meeting_convene(
        actor=partnership["practitioner"],
        referral=referral,
        scheduled_for=timezone.now() + dt.timedelta(days=10),
        agencies=agencies,
    )
    assert meeting.late


def test_only_the_front_door_convenes(partnership, agencies):
    referral = _s47(partnership)
    with pytest.raises(policy.Forbidden):
        meetings.meeting_convene(
            actor=partnership["officer"],
            referral=referral,
            scheduled_for=timezone.now(),
            agencies=agencies,
        )


def test_an_audit_samples_reproducibly_and_feeds_back_to_the_team(partnership):
    police_team = Team.objects.create(agency=partnership["police"], name="Response")
    colleague = make_staff(partnership["police"], Role.REFERRER, team=police_team)
    officer = partnership["officer"]
    officer.team = police_team
    officer.save()
    referrals = [sent(partnership) for _ in range(6)]
    manager = partnership["manager"]
    audit = meetings.audit_create(
        actor=manager, title="Police referrals, autumn", sampling="random", sample_size=4, seed=7
    )
    again = meetings.audit_create(
        actor=manager, title="Again", sampling="random", sample_size=4, seed=7
    )
    sample = sorted(audit.cases.values_list("referral_id", flat=True))
    assert len(sample) == 4
    assert sample == sorted(again.cases.values_list("referral_id", flat=True))
    assert set(sample) <= {r.pk for r in referrals}

    case = audit.cases.earliest("pk")
    with pytest.raises(ValidationError):
        meetings.audit_feed_back(actor=manager, case=case)
    with pytest.raises(ValidationError) as refused:
        meetings.audit_score(actor=manager, case=case, scores={"clarity": 4}, findings="")
    assert "score_voice" in refused.value.message_dict
    meetings.audit_score(
        actor=manager,
        case=case,
        scores={str(q): 3 for q in AuditQuestion},
        findings="Clear reason; the child's words were recorded. Ethnicity was not asked.",
    )
    meetings.audit_feed_back(actor=manager, case=case)
    told = set(
        Notification.objects.filter(message__startswith="Audit findings").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {officer.pk, colleague.pk}


def test_a_targeted_audit_needs_a_criterion_and_matches_it(partnership):
    low = sent(partnership, cultural_heritage="", actions_taken="")
    sent(partnership)
    manager = partnership["manager"]
    with pytest.raises(ValidationError):
        meetings.audit_create(actor=manager, title="x", sampling="targeted", sample_size=5)
    audit = meetings.audit_create(
        actor=manager,
        title="Less complete",
        sampling="targeted",
        sample_size=5,
        criteria={"completeness_below": 100},
    )
    assert list(audit.cases.values_list("referral_id", flat=True)) == [low.pk]
    with pytest.raises(policy.Forbidden):
        meetings.audit_create(
            actor=partnership["practitioner"], title="x", sampling="random", sample_size=1
        )


def test_findings_on_an_automated_referral_cannot_be_fed_back_to_nobody(partnership):
    from harbour.frontdoor.codes import Source

    referral, _ = services.referral_receive_automated(
        agency=partnership["police"],
        source=Source.API,
        feed="custody",
        source_system="NICHE",
        source_id="C-1",
        answers={"child_given_name": "Ash", "child_family_name": "Feed"},
    )
    manager = partnership["manager"]
    audit = meetings.audit_create(
        actor=manager,
        title="Feeds",
        sampling="targeted",
        sample_size=1,
        criteria={"agency": partnership["police"].pk},
    )
    assert audit.criteria == {"agency": partnership["police"].name}
    case = audit.cases.get(referral=referral)
    meetings.audit_score(
        actor=manager,
        case=case,
        scores={str(q): 1 for q in AuditQuestion},
        findings="No reason, no voice, no ethnicity: the feed sends too little.",
    )
    with pytest.raises(ValidationError, match="directly"):
        meetings.audit_feed_back(actor=manager, case=case)


def test_the_referrer_reads_fed_back_findings_on_their_referral(partnership, client):
    from django.urls import reverse

    referral = sent(partnership)
    manager = partnership["manager"]
    audit = meetings.audit_create(
        actor=manager, title="Autumn audit", sampling="random", sample_size=1, seed=3
    )
    case = audit.cases.get()
    meetings.audit_score(
        actor=manager,
        case=case,
        scores={str(q): 4 for q in AuditQuestion},
        findings="A model referral: the child's own words and the reason are clear.",
    )
    client.force_login(partnership["officer"])
    page = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    assert "A model referral" not in page  # not until it is fed back
    meetings.audit_feed_back(actor=manager, case=case)
    page = client.get(reverse("frontdoor:detail", args=[referral.pk])).content.decode()
    assert "Audit findings" in page and "A model referral" in page
