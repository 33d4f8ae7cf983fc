"""Browser journeys through the child's record, each page checked with axe (WCAG 2.2 AA)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.children.models import Assessment, Need
from harbour.conftest import assert_accessible, demo_sign_in
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
    page.get_by_role("link", name="Chronology").click()
    expect(page.locator("h1")).to_have_text("Chronology")
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
