"""Browser journeys through the child's record, each page checked with axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.children.models import Assessment, Need
from harbour.conftest import assert_accessible, axe_violations, demo_sign_in
from harbour.demo.generator import generate
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=5, children=80)
    return live_server.url


def test_lead_practitioner_reads_the_record_and_adds_a_need_with_a_pending_assessment(page, base):
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    page.locator("table.govuk-table a").first.click()
    expect(page.locator(".moj-identity-bar")).to_be_visible()
    assert_accessible(page, "child-record")
    page.get_by_role("link", name="Add a need").click()
    page.click("button:has-text('Add need')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "add-a-need-error")
    page.check("input[name=kind][value=neurodevelopmental]")
    page.fill("#id_description", "Suspected autism; the school has noticed sensory overload")
    page.click("button:has-text('Add need')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Need added")
    page.get_by_role("link", name="Add an assessment").click()
    assert_accessible(page, "add-an-assessment")
    page.check("input[name=kind][value=neurodevelopmental]")
    page.fill("#id_referred_on_0", "14")
    page.fill("#id_referred_on_1", "9")
    page.fill("#id_referred_on_2", "2024")
    page.check("input[name=status][value=waiting]")
    page.click("button:has-text('Add assessment')")
    expect(page.locator("#needs")).to_contain_text("Suspected autism")
    expect(page.locator("#needs")).to_contain_text("Waiting")
    assert Need.objects.filter(description__startswith="Suspected autism").exists()
    assert Assessment.objects.filter(referred_on__year=2024, referred_on__month=9).exists()
    page.get_by_role("link", name="Chronology", exact=True).click()
    expect(page.locator("main h2.govuk-heading-l")).to_have_text("Chronology")
    assert_accessible(page, "chronology")


def test_the_record_works_with_javascript_off(browser, live_server):
    generate(seed=5, children=80)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    demo_sign_in(page, live_server.url, Role.LEAD_PRACTITIONER)
    page.locator("table.govuk-table a").first.click()
    page.get_by_role("link", name="Record their words").click()
    page.fill("#id_said_on_0", "2")
    page.fill("#id_said_on_1", "11")
    page.fill("#id_said_on_2", "2026")
    page.fill("#id_words", "I feel safer when someone walks with me to the bus stop.")
    page.click("button:has-text('Save their words')")
    expect(page.locator("#voice")).to_contain_text("walks with me to the bus stop")
    context.close()


def test_caseworker_and_leader_lists(page, base):
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    page.click("a.govuk-service-navigation__link:has-text('Needs attention')")
    expect(page.locator("h1")).to_have_text("Children who need someone to look again")
    assert_accessible(page, "needs-attention")
    page.click("button:has-text('Sign out')")
    demo_sign_in(page, base, Role.STRATEGIC_LEADER)
    page.click("a.govuk-service-navigation__link:has-text('Reports')")
    expect(page.locator("h1")).to_have_text("Children in serious youth violence work")
    assert_accessible(page, "cohort-report")


def test_writing_a_plan_suggests_child_centred_words_as_you_type(page, base):
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    page.locator("table.govuk-table a").first.click()
    page.get_by_role("link", name="Start a plan").click()
    page.locator("#id_outcomes").press_sequentially(
        "He keeps placing himself at risk with older boys", delay=5
    )
    suggestions = page.locator("#id_outcomes-language")
    expect(suggestions).to_contain_text("placing himself at risk", timeout=10_000)
    assert_accessible(page, "start-a-plan-with-suggestion")


def test_lead_practitioner_ends_a_need_and_marks_an_assessment_completed(page, base):
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    page.locator("table.govuk-table a").first.click()
    expect(page.locator(".moj-identity-bar")).to_be_visible()
    child_id = page.url.rstrip("/").split("/")[-1]
    Need.objects.create(
        child_id=child_id,
        kind="other",
        description="Needs a quiet space to calm down",
        start_date=dt.date(2025, 1, 6),
    )
    assessment = Assessment.objects.create(
        child_id=child_id,
        kind="occupational_therapy",
        provider="Riverside OT service",
        referred_on=dt.date(2024, 2, 5),
    )
    page.reload()
    page.get_by_role("link", name="End the need: other need, Needs a quiet space").click()
    expect(page.locator("h1")).to_have_text("Mark the need as ended")
    page.fill("#id_end_date_0", "1")
    page.fill("#id_end_date_1", "1")
    page.fill("#id_end_date_2", "2025")
    page.click("button:has-text('Mark as ended')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("after it started")
    assert_accessible(page, "end-a-need-error")
    page.fill("#id_end_date_0", "3")
    page.fill("#id_end_date_1", "11")
    page.fill("#id_end_date_2", "2025")
    page.click("button:has-text('Mark as ended')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Need marked as ended")
    link = page.locator(f"a[href$='/assessments/{assessment.pk}/outcome/']")
    expect(link).to_have_accessible_name(
        "Mark as completed or withdrawn (Occupational therapy, referred 5 February 2024)"
    )
    link.click()
    expect(page.locator("h1")).to_have_text("Mark the assessment as completed or withdrawn")
    assert_accessible(page, "mark-an-assessment-completed")
    page.check("input[name=status][value=completed]")
    page.fill("#id_completed_on_0", "10")
    page.fill("#id_completed_on_1", "3")
    page.fill("#id_completed_on_2", "2025")
    page.fill("#id_outcome", "Sensory processing needs; a movement break plan for school")
    page.click("button:has-text('Save')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Assessment marked as completed"
    )
    expect(page.locator("#needs")).to_contain_text("Outcome: Sensory processing needs")
    assert axe_violations(page) == []  # the whole record again: no second screenshot
    assert Need.objects.get(description="Needs a quiet space to calm down").end_date == dt.date(
        2025, 11, 3
    )
    assert Assessment.objects.get(provider="Riverside OT service").status == "completed"
