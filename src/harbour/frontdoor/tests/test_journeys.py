"""Browser journeys through the front door, each page checked with axe (WCAG 2.2 AA): a police
officer refers a child, the front door confirms, rates and decides, a manager countersigns, and the
officer sees the outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.demo.signins import DEMO_SIGN_INS
from harbour.frontdoor import services
from harbour.frontdoor.codes import Status
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
    generate(seed=5, children=80)
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
    expect(page.locator(".govuk-notification-banner")).to_contain_text("placing himself at risk")
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
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Child confirmed")
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
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A manager will")
    _sign_out(page)

    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.get_by_role("link", name="Front door", exact=True).first.click()
    page.get_by_role("link", name="Manager oversight").click()
    assert_accessible(page, "front-door-oversight")
    page.get_by_role("link", name=f"Countersign {referral.reference}").click()
    page.check("input[name=agree][value=yes]")
    page.click("button:has-text('Save')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Countersigned")
    _sign_out(page)

    demo_sign_in(page, base, Role.REFERRER)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(str(referral.reference))
    page.get_by_role("link", name=str(referral.reference)).first.click()
    expect(page.locator(".govuk-summary-card")).to_contain_text("Risk outside the home")
    expect(page.locator(".govuk-summary-card")).to_contain_text("a social worker will call")
    # The referrer is told the outcome, not the front door's internal rationale.
    expect(page.locator("body")).not_to_contain_text("linked to robberies")
    assert_accessible(page, "referral-outcome-for-the-referrer")


def _question_path(page: Any, slug: str) -> str:
    referral_id = page.url.split("/referrals/")[1].split("/")[0]
    return f"/referrals/{referral_id}/questions/{slug}/?from=check"


def test_the_referral_form_works_with_javascript_off(browser, live_server):
    generate(seed=5, children=80)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    demo_sign_in(page, base, Role.REFERRER)
    page.goto(f"{base}/referrals/new/")
    page.click("button:has-text('Start now')")
    page.click("button:has-text('The child is not listed')")
    page.fill("#id_child_given_name", "Nojs")
    page.fill("#id_child_family_name", "Child")
    _continue(page)
    page.fill("#id_what_happened", "Found alone at the station at 2am.")
    _continue(page)
    expect(page.locator("h1")).to_have_text("What are you worried about?")
    assert Referral.objects.get(child_given_name="Nojs").what_happened.startswith("Found alone")


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
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")

    page.get_by_role("link", name="Convene a strategy meeting").click()
    page.fill("#id_date_0", "1")
    page.fill("#id_date_1", "1")
    page.fill("#id_date_2", str(timezone.localdate().year + 1))
    page.fill("#id_time", "21:30")
    page.click("button:has-text('Convene meeting')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Invite police")
    assert_accessible(page, "strategy-meeting-convene-error")
    for role in ("police", "health", "social_care", "education"):
        page.locator(f"input[name=agencies_{role}]").first.check()
    page.click("button:has-text('Convene meeting')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("(out of hours)")
    assert_accessible(page, "strategy-meeting")
    meeting = StrategyMeeting.objects.get(referral=referral)
    assert meeting.out_of_hours and meeting.agencies.count() == 4

    # An audit of the front door's referrals, fed back to the team that referred.
    page.goto(f"{base}/front-door/audits/")
    assert_accessible(page, "referral-audits")
    page.get_by_role("link", name="Start an audit").click()
    page.fill("#id_title", "Police referrals this term")
    page.check("input[name=sampling][value=targeted]")
    page.fill("#id_sample_size", "3")
    page.select_option("#id_agency", label=str(referral.referring_agency))
    page.click("button:has-text('Draw the sample')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("referrals sampled")
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
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Findings sent")
    assert Notification.objects.filter(message__startswith="Audit findings").exists()
