"""A browser journey, each page checked with axe (WCAG 2.2 AA) and at 390 px wide with no
sideways scroll: a school's designated safeguarding lead records a suspension on the form for
agencies without a system feed — an error summary for bad input, check your answers with the
language checker's suggestion, then the confirmation (ADR 0030)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.conftest import assert_accessible
from harbour.demo.generator import generate
from harbour.demo.signins import DEMO_PASSWORD, SCHOOL_DSL
from harbour.identity.models import AgencyEvent, EventWordingFinding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SUMMARY = "Brought a knife to school. He is putting himself at risk with older males."


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px wide"


def _check(page: Any, name: str) -> None:
    assert_accessible(page, name)
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page, name)
    assert_accessible(page, f"{name}-390px")
    page.set_viewport_size(desktop)


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=5, children=40)
    return live_server.url


def test_a_school_records_a_suspension_on_the_form(page, base):
    page.goto(f"{base}/sign-in/")
    page.fill("#id_username", SCHOOL_DSL.email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/identity/record/")
    expect(page.locator("h1")).to_have_text("Record an event")
    _check(page, "event-forms-start")
    page.get_by_role("link", name="Record a suspension or permanent exclusion").click()
    page.click("button:has-text('Continue')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter your reference for the child")
    expect(summary).to_contain_text("Select the reason")
    _check(page, "event-form-exclusion-errors")
    page.fill("#id_source_id", "PUPIL-0042")
    page.fill("#id_given_name", "Jordan")
    page.fill("#id_family_name", "Testchild")
    page.fill("#id_date_of_birth_0", "14")
    page.fill("#id_date_of_birth_1", "3")
    page.fill("#id_date_of_birth_2", "2011")
    page.fill("#id_reference", "EXC-2026-17")
    page.check("input[name=kind][value=suspension]")
    page.select_option("#id_exclusion_reason", "OW")
    page.fill("#id_occurred_on_0", "2")
    page.fill("#id_occurred_on_1", "3")
    page.fill("#id_occurred_on_2", "2026")
    page.fill("#id_summary", SUMMARY)
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Check your answers before sending")
    expect(page.locator("main")).to_contain_text("1 suggestion for child-centred language")
    _check(page, "event-form-exclusion-check")
    page.click("button:has-text('Send')")
    expect(page.locator(".govuk-panel__title")).to_have_text("Recorded")
    expect(page.locator(".govuk-panel__body")).to_contain_text("EXC-2026-17")
    _check(page, "event-form-exclusion-done")
    event = AgencyEvent.objects.get(source_reference="EXC-2026-17")
    assert event.summary == SUMMARY and event.exclusion_reason == "OW"
    assert EventWordingFinding.objects.filter(event=event).exists()
