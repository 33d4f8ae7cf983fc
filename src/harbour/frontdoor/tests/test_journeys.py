"""Browser journeys through the front door, each page checked with axe (WCAG 2.2 AA): a police
officer refers a child, the front door confirms, rates and decides, a manager countersigns, and the
officer sees the outcome; the same referral made with JavaScript off; a referrer escalates and a
manager answers; a strategy meeting out of hours and an audit of referrals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo.generator import generate
from harbour.demo.signins import DEMO_SIGN_INS, REFERRER
from harbour.frontdoor import services
from harbour.frontdoor.codes import MeetingRole, MeetingStatus, Status
from harbour.frontdoor.models import Notification, Referral, StrategyMeeting
from harbour.frontdoor.tests.factories import COMPLETE
from harbour.partnership.models import Role, Staff

JOURNEY_ANSWERS = {
    **COMPLETE,
    "child_given_name": "Jordan",
    "child_family_name": "Meeting",
    "child_date_of_birth": dt.date(2010, 3, 14),
}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server: Any) -> str:
    """A small demo timed back from now, as ``make demo`` makes it (queues with referrals due
    soon as well as overdue, meetings still to come)."""
    generate(seed=5, children=80, referrals_now=timezone.now())
    return live_server.url


def _sign_out(page: Any) -> None:
    page.click("button:has-text('Sign out')")


def _continue(page: Any) -> None:
    page.click("button:has-text('Save and continue')")


def test_a_referral_from_the_officer_to_the_outcome(page, base):
    demo_sign_in(page, base, Role.REFERRER)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    assert_accessible(page, "referrals-home")
    page.get_by_role("button", name="Make a referral").click()
    expect(page.locator("h1")).to_have_text("Make a referral")
    assert_accessible(page, "referral-start")
    page.click("button:has-text('Start now')")

    # Search the person index first; this child is not there.
    page.fill("#id_name", "Zebedee Nobody")
    page.click("button:has-text('Search')")
    expect(page.locator("#results-heading")).to_have_text("No children found")
    assert_accessible(page, "referral-find-child")
    page.click("button:has-text('The child is not listed')")

    page.fill("#id_child_given_name", "Zebedee")
    page.fill("#id_child_family_name", "Nobody")
    page.fill("#id_child_date_of_birth_0", "4")
    page.fill("#id_child_date_of_birth_1", "5")
    page.fill("#id_child_date_of_birth_2", "2011")
    page.fill("#id_child_postcode", "rv1 2ab")
    assert_accessible(page, "referral-question-child")
    _continue(page)

    page.fill("#id_what_happened", "He was punched and robbed of his phone by older boys.")
    _continue(page)
    _continue(page)  # no concern chosen: a GOV.UK error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one concern")
    assert_accessible(page, "referral-question-concerns-error")
    page.check("input[name=concerns][value=serious_youth_violence]")
    _continue(page)
    page.fill("#id_reason", "He is placing himself at risk by going to the park at night.")
    _continue(page)
    # The language checker suggests other words, and never blocks.
    expect(page.locator("h1")).to_have_text("The child's voice")
    expect(message_banner(page)).to_contain_text("placing himself at risk")
    assert_accessible(page, "referral-question-voice-with-a-wording-suggestion")
    # Skip straight to the answers: the required items are still missing.
    page.get_by_role("link", name="Check your answers").click()
    page.click("button:has-text('Send referral')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("You cannot send this referral yet")
    expect(summary).to_contain_text("the child's own words")
    assert_accessible(page, "referral-check-answers-incomplete")
    summary.get_by_role("link", name="the child's own words", exact=False).click()
    page.fill("#id_child_voice", "I just want to feel safe on the way home.")
    page.click("button:has-text('Save and go back to your answers')")
    for slug, fill in (
        ("identity", lambda: page.select_option("#id_ethnicity", "not_known")),
        ("needs", lambda: page.check("input[name=known_needs][value=not_known]")),
        ("urgency", lambda: page.check("input[name=urgency][value=today]")),
    ):
        page.goto(f"{page.url.split('/referrals/')[0]}{_question_path(page, slug)}")
        fill()
        page.click("button:has-text('Save and go back to your answers')")
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    assert_accessible(page, "referral-check-answers")
    page.click("button:has-text('Send referral')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    assert_accessible(page, "referral-sent")
    referral = Referral.objects.get(child_family_name="Nobody")
    assert referral.status == Status.RECEIVED
    assert referral.completeness_score is not None and referral.completeness_score < 100
    _sign_out(page)

    # The front door: find it in the queue, confirm the child, rate and decide.
    demo_sign_in(page, base, Role.FRONT_DOOR_PRACTITIONER)
    page.get_by_role("link", name="Front door", exact=True).first.click()
    assert_accessible(page, "front-door-queue")
    page.get_by_role("link", name=str(referral.reference)).click()
    expect(page.locator("h1")).to_have_text("Zebedee Nobody")
    assert_accessible(page, "front-door-referral")
    page.get_by_role("link", name="Confirm who the child is").click()
    assert_accessible(page, "front-door-confirm-child")
    page.check("#child-new")
    page.click("button:has-text('Confirm')")
    expect(message_banner(page)).to_contain_text("Child confirmed")
    page.get_by_role("link", name="Rate red, amber or green").click()
    page.check("input[name=rag][value=amber]")
    page.fill("#id_rag_rationale", "Robbery by older boys, third incident; no protective adult.")
    page.click("button:has-text('Save rating')")
    page.get_by_role("link", name="Decide").click()
    page.check("input[name=outcome][value=roth]")
    page.fill("#id_rationale", "Harm is outside the home, from older boys linked to robberies.")
    page.fill(
        "#id_feedback_to_referrer", "Accepted on the ROTH pathway; a social worker will call."
    )
    page.click("button:has-text('Record decision')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("parents and carers")
    assert_accessible(page, "front-door-decide-error")
    page.fill("#id_parents_as_partners", "Mother wants help keeping him safe; she leads on routes.")
    page.click("button:has-text('Record decision')")
    # The sentence model (ADR 0044) suggests other words for "older boys ... no protective
    # adult" (a known false positive), so a suggestion banner may sit beside the success one.
    expect(page.get_by_role("alert", name="Success")).to_contain_text("A manager will")
    _sign_out(page)

    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.get_by_role("link", name="Front door", exact=True).first.click()
    page.get_by_role("link", name="Manager oversight").click()
    assert_accessible(page, "front-door-oversight")
    page.get_by_role("link", name=f"Countersign {referral.reference}").click()
    page.check("input[name=agree][value=yes]")
    page.click("button:has-text('Save')")
    expect(message_banner(page)).to_contain_text("Countersigned")
    _sign_out(page)

    demo_sign_in(page, base, Role.REFERRER)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    expect(message_banner(page)).to_contain_text(str(referral.reference))
    page.get_by_role("link", name=str(referral.reference)).first.click()
    expect(page.locator(".govuk-summary-card")).to_contain_text("Risk outside the home")
    expect(page.locator(".govuk-summary-card")).to_contain_text("a social worker will call")
    # The referrer is told the outcome, not the front door's internal rationale.
    expect(page.locator("body")).not_to_contain_text("linked to robberies")
    assert_accessible(page, "referral-outcome-for-the-referrer")


def _question_path(page: Any, slug: str) -> str:
    referral_id = page.url.split("/referrals/")[1].split("/")[0]
    return f"/referrals/{referral_id}/questions/{slug}/?from=check"


def test_a_complete_referral_with_javascript_off(browser, base):
    """Every page of the form works without JavaScript, from the start to the confirmation.
    Axe needs JavaScript, so these pages are checked with axe in the journey above; here the
    content of each page is asserted."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    officer = demo_sign_in(page, base, Role.REFERRER)
    heading = page.locator("h1")
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    expect(heading).to_have_text("Referrals")
    page.get_by_role("button", name="Make a referral").click()
    expect(heading).to_have_text("Make a referral")
    expect(page.locator("main")).to_contain_text("If a child is in immediate danger, call 999")
    page.click("button:has-text('Start now')")

    expect(heading).to_have_text("Find the child")
    page.fill("#id_name", "Robin Noscript")
    page.click("button:has-text('Search')")
    expect(page.locator("#results-heading")).to_have_text("No children found")
    page.click("button:has-text('The child is not listed')")

    def question(number: int, title: str) -> None:
        expect(heading).to_have_text(title)
        expect(page.locator(".govuk-caption-l")).to_have_text(
            f"Make a referral: question {number} of 11"
        )

    question(1, "About the child")
    page.fill("#id_child_given_name", "Robin")
    page.fill("#id_child_family_name", "Noscript")
    page.fill("#id_child_other_names", "Robbie")
    page.fill("#id_child_date_of_birth_0", "9")
    page.fill("#id_child_date_of_birth_1", "2")
    page.fill("#id_child_date_of_birth_2", "2012")
    page.check("input[name=child_sex][value=M]")
    page.fill("#id_child_address", "14 Ferry Lane, Riverside")
    page.fill("#id_child_postcode", "rv3 4cd")
    _continue(page)
    question(2, "What happened?")
    page.fill("#id_incident_date_0", "2")
    page.fill("#id_incident_date_1", "10")
    page.fill("#id_incident_date_2", str(timezone.localdate().year - 1))
    page.fill("#id_what_happened", "Robin was threatened with a knife by two older boys.")
    _continue(page)
    question(3, "What are you worried about?")
    _continue(page)  # nothing chosen: the error comes from the server, not a script
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one concern")
    page.check("input[name=concerns][value=serious_youth_violence]")
    page.check("input[name=concerns][value=knife_crime]")
    _continue(page)
    question(4, "Why are you making this referral?")
    page.fill("#id_reason", "Robin is frightened to walk home and the boys know where he lives.")
    _continue(page)
    question(5, "The child's voice")
    page.fill("#id_child_voice", "I want to go to school without looking over my shoulder.")
    _continue(page)
    question(6, "The child's identity")
    page.select_option("#id_ethnicity", "white_british")
    page.fill("#id_cultural_heritage", "Robin plays football for the Riverside juniors.")
    _continue(page)
    question(7, "The child's needs")
    page.check("input[name=known_needs][value=slcn]")
    page.fill("#id_needs_detail", "Speech and language therapy at school.")
    _continue(page)
    question(8, "The child's education")
    page.fill("#id_education_setting", "Ferry Lane Primary School, Year 6")
    _continue(page)
    question(9, "Parents and carers")
    page.check("input[name=parents_aware][value=yes]")
    page.check("input[name=consent][value=given]")
    _continue(page)
    question(10, "What you have done")
    page.fill("#id_actions_taken", "Walked Robin home and told his dad.")
    _continue(page)
    question(11, "How urgent is this?")
    page.check("input[name=urgency][value=today]")
    _continue(page)

    expect(heading).to_have_text("Check your answers before sending")
    expect(page.locator(".govuk-inset-text")).to_contain_text("This referral is 100% complete")
    answers = page.locator("main")
    for answer in ("Robin", "Noscript", "threatened with a knife", "over my shoulder", "Year 6"):
        expect(answers).to_contain_text(answer)
    page.click("button:has-text('Send referral')")

    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    referral = Referral.objects.get(child_family_name="Noscript")
    assert referral.status == Status.RECEIVED
    assert referral.referrer == officer and referral.received_at is not None
    assert referral.reference and referral.completeness_score == 100
    expect(page.locator(".govuk-panel__body")).to_contain_text(referral.reference)
    assert referral.concerns == ["serious_youth_violence", "knife_crime"]
    assert referral.child_date_of_birth == dt.date(2012, 2, 9)
    assert referral.child_postcode == "RV3 4CD"
    context.close()


def test_the_referrer_escalates_and_the_manager_answers(page, base):
    """No outcome in the partnership's time: the referrer escalates from the referral's page,
    sees the escalation route and the escalation waiting; a front-door manager resolves it from
    Manager oversight, and the referrer's messages say it has been answered."""
    officer = Staff.objects.get(email=REFERRER.email)
    referral = services.referral_start(actor=officer)
    services.referral_answer(
        actor=officer,
        referral=referral,
        answers={**JOURNEY_ANSWERS, "child_family_name": "Escalation"},
    )
    services.referral_submit(actor=officer, referral=referral)
    # The partnership's time for an outcome has passed.
    Referral.objects.filter(pk=referral.pk).update(
        escalation_from=timezone.now() - dt.timedelta(hours=2)
    )
    referral.refresh_from_db()
    reference = str(referral.reference)

    demo_sign_in(page, base, Role.REFERRER)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    page.get_by_role("link", name=reference).first.click()
    expect(page.locator("h1")).to_have_text("Jordan Escalation")
    escalate = page.get_by_role("link", name="Escalate: no outcome yet")
    expect(escalate).to_be_visible()
    assert_accessible(page, "referral-escalate-available")
    escalate.click()
    expect(page.locator("h1")).to_have_text("Escalate this referral")
    route = page.locator("ol.govuk-list--number > li")
    expect(route).to_have_count(3)
    expect(route.first).to_contain_text("Talk to the front-door team manager")
    assert_accessible(page, "referral-escalation-route")
    page.fill("#id_reason", "Jordan was hurt again at the weekend and we have heard nothing.")
    page.click("button:has-text('Escalate')")
    expect(message_banner(page)).to_contain_text("Escalated")
    waiting = page.locator(".govuk-inset-text").filter(has_text="Escalated by")
    expect(waiting).to_contain_text("Waiting for a manager's answer")
    expect(page.get_by_role("link", name="Escalate: no outcome yet")).to_have_count(0)
    assert_accessible(page, "referral-escalation-waiting")
    _sign_out(page)

    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.get_by_role("link", name="Front door", exact=True).first.click()
    page.get_by_role("link", name="Manager oversight").click()
    expect(page.locator("h1")).to_have_text("Manager oversight")
    resolve = page.get_by_role("link", name=f"Resolve the escalation of {reference}")
    expect(resolve).to_be_visible()
    assert_accessible(page, "front-door-oversight-escalation")
    resolve.click()
    expect(page.locator("h1")).to_have_text("Resolve the escalation")
    expect(page.locator("main")).to_contain_text("hurt again at the weekend")
    assert_accessible(page, "front-door-resolve-escalation")
    page.fill("#id_resolution", "Sorry for the delay: decided today, and I have called you.")
    page.click("button:has-text('Resolve')")
    expect(message_banner(page)).to_contain_text("Escalation resolved")
    expect(page.get_by_role("link", name=f"Resolve the escalation of {reference}")).to_have_count(0)
    _sign_out(page)

    demo_sign_in(page, base, Role.REFERRER)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    answered = f"Your escalation of referral {reference} has been answered"
    expect(message_banner(page)).to_contain_text(answered)
    page.get_by_role("link", name="All messages").click()
    expect(page.locator("h1")).to_have_text("Messages")
    message = page.locator("main li").filter(has_text=answered)
    expect(message).to_contain_text("New")
    assert_accessible(page, "referral-messages-escalation-answered")
    message.get_by_role("link", name=answered).click()
    expect(page.locator(".govuk-inset-text").filter(has_text="Escalated by")).to_contain_text(
        "Answered"
    )
    expect(page.locator("main")).to_contain_text("decided today, and I have called you")
    assert_accessible(page, "referral-escalation-answered")


def test_a_strategy_meeting_out_of_hours_and_an_audit_of_referrals(page, base):
    manager = Staff.objects.get(
        email=next(s.email for s in DEMO_SIGN_INS if s.role == Role.FRONT_DOOR_MANAGER)
    )
    referrer = Staff.objects.get(
        email=next(s.email for s in DEMO_SIGN_INS if s.role == Role.REFERRER)
    )
    referral = services.referral_start(actor=referrer)
    services.referral_answer(actor=referrer, referral=referral, answers=JOURNEY_ANSWERS)
    services.referral_submit(actor=referrer, referral=referral)
    services.referral_confirm_child(actor=manager, referral=referral, create=True)

    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.goto(f"{base}/referrals/{referral.pk}/")
    page.get_by_role("link", name="Decide").click()
    page.check("input[name=outcome][value=child_protection]")
    page.fill("#id_rationale", "Stabbed twice in a month: reasonable cause to suspect harm.")
    page.fill("#id_feedback_to_referrer", "Section 47 enquiry started; strategy meeting tonight.")
    page.click("button:has-text('Record decision')")
    expect(message_banner(page)).to_contain_text("Decision recorded")

    page.get_by_role("link", name="Convene a strategy meeting").click()
    # Out of hours, and within a working day of the decision: tonight, or first thing tomorrow.
    now = timezone.localtime()
    when = now + dt.timedelta(days=1) if now.hour >= 21 else now
    page.fill("#id_date_0", str(when.day))
    page.fill("#id_date_1", str(when.month))
    page.fill("#id_date_2", str(when.year))
    page.fill("#id_time", "07:30" if now.hour >= 21 else "21:30")
    page.click("button:has-text('Convene meeting')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Invite police")
    assert_accessible(page, "strategy-meeting-convene-error")
    for role in ("police", "health", "social_care", "education"):
        page.locator(f"input[name=agencies_{role}]").first.check()
    page.click("button:has-text('Convene meeting')")
    expect(message_banner(page)).to_contain_text("(out of hours)")
    assert_accessible(page, "strategy-meeting")
    meeting = StrategyMeeting.objects.get(referral=referral)
    assert meeting.out_of_hours and meeting.agencies.count() == 4
    assert not meeting.late
    expect(page.locator(".govuk-tag--red")).to_have_count(0)

    # One of the demo's meetings, held without police or health: the decisions say so.
    held = (
        StrategyMeeting.objects.filter(
            status=MeetingStatus.HELD,
            agencies__role__in=[MeetingRole.POLICE, MeetingRole.HEALTH],
            agencies__attended=False,
        )
        .order_by("pk")
        .first()
    )
    assert held is not None
    page.goto(f"{base}/front-door/strategy-meetings/{held.pk}/")
    expect(page.locator("h1")).to_have_text("Strategy meeting")
    expect(page.locator("main")).to_contain_text("Did not attend")
    expect(page.locator("main")).to_contain_text("did not attend:")
    expect(
        page.locator("#actions-heading + .harbour-table-scroll table tbody tr").first
    ).to_be_visible()
    assert_accessible(page, "strategy-meeting-held")

    # An audit of the front door's referrals, fed back to the team that referred. The demo's
    # round is there already, most of it scored and some fed back.
    page.goto(f"{base}/front-door/audits/")
    assert_accessible(page, "referral-audits")
    page.get_by_role("link", name="Multi-agency audit of referrals").click()
    expect(page.locator("h1")).to_contain_text("Multi-agency audit of referrals")
    expect(page.locator("main")).to_contain_text("Random sample of 10 referrals")
    expect(page.locator("main")).to_contain_text("Not scored")
    assert_accessible(page, "referral-audit-round")
    page.goto(f"{base}/front-door/audits/")
    page.get_by_role("link", name="Start an audit").click()
    # A school's referrals: each was made by someone, so there is someone to feed back to.
    school = (
        Referral.objects.filter(referring_agency__agency_type="school", referrer__isnull=False)
        .earliest("pk")
        .referring_agency
    )
    page.fill("#id_title", "School referrals this term")
    page.check("input[name=sampling][value=targeted]")
    page.fill("#id_sample_size", "3")
    page.select_option("#id_agency", label=str(school))
    page.click("button:has-text('Draw the sample')")
    expect(message_banner(page)).to_contain_text("referrals sampled")
    assert_accessible(page, "referral-audit")
    page.locator("table.govuk-table a").first.click()
    page.click("button:has-text('Save scores')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a grade for")
    assert_accessible(page, "referral-audit-score-error")
    for question in ("clarity", "voice", "identity", "needs", "timeliness"):
        page.check(f"input[name=score_{question}][value='2']")
    page.fill("#id_findings", "The reason was clear; the child's own words were missing.")
    page.click("button:has-text('Save scores')")
    page.locator("button:has-text('Feed back')").first.click()
    expect(message_banner(page)).to_contain_text("Findings sent")
    assert Notification.objects.filter(message__startswith="Audit findings").exists()
