"""In headless Chromium: suggestions appear as a practitioner types (htmx posts the field with
the form's CSRF token), and each language page passes axe (WCAG 2.2 AA). These journeys check
axe without saving screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harbour.conftest import axe_violations
from harbour.language import services
from harbour.language.models import LanguageCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, user):
    page.goto(f"{base_url}/sign-in/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "correct horse battery")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def finish(page):
    yield
    # Leave no request in flight while the database is flushed.
    page.goto("about:blank")
    page.close()


def test_suggestions_appear_while_typing_and_never_block(page, live_server, practitioner, finish):
    sign_in(page, live_server.url, practitioner)
    page.goto(f"{live_server.url}/language/")
    assert axe_violations(page) == []
    page.click("#id_text")
    page.keyboard.type("Mia has been placing herself at risk.")
    region = page.locator("#id_text-language[role=status]")
    expect(region).to_contain_text("is being put at risk by adults who are exploiting her")
    assert axe_violations(page) == []
    page.fill("#id_text", "")
    page.keyboard.type("Mia is being exploited.")
    expect(region).to_contain_text("No suggestions.")
    assert set(LanguageCheck.objects.values_list("source", flat=True)) == {"typing"}
    page.click("button:has-text('Check wording')")
    expect(page.locator("#id_text-language")).to_contain_text("No suggestions.")
    assert LanguageCheck.objects.filter(source="submit").count() == 1


def test_the_report_and_rules_pages_pass_axe(
    page, live_server, leader, administrator, practitioner, finish
):
    services.language_check_record(actor=practitioner, text="He is not engaging.", context="plan")
    sign_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/language/report/")
    expect(page.locator("h1")).to_have_text("Child-centred language report")
    assert axe_violations(page) == []
    page.context.clear_cookies()
    sign_in(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/language/rules/add/")
    page.click("button:has-text('Add rule')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_violations(page) == []
    page.fill("#id_pattern", "sell REFLEXIVE")
    page.fill("#id_suggestion", "is being sexually exploited")
    page.fill("#id_reason", "Children cannot sell themselves.")
    page.fill("#id_example", "She has been selling herself.")
    page.click("button:has-text('Add rule')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Rule added")
    assert axe_violations(page) == []


def test_an_administrator_changes_a_rule_then_deletes_it(
    page, live_server, administrator, practitioner, finish
):
    rule = services.language_rule_add(
        actor=administrator,
        pattern=["sell", "REFLEXIVE"],
        suggestion="is being sexually exploited",
        reason="Children cannot sell themselves.",
        example="She has been selling herself.",
    )
    services.language_check_record(
        actor=practitioner, text="He sold himself for a phone.", context="case_note"
    )
    sign_in(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/language/rules/")
    page.get_by_role("link", name="Change sell REFLEXIVE").click()
    expect(page.locator("h1")).to_have_text("Change a language rule")
    expect(page.locator("#id_pattern")).to_have_value("sell REFLEXIVE")
    page.fill("#id_example", "Nothing here.")
    page.click("button:has-text('Save changes')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("finds nothing in the example")
    assert axe_violations(page) == []
    page.fill("#id_example", "She has been selling herself.")
    page.fill("#id_suggestion", "is being sexually exploited by adults")
    page.click("button:has-text('Save changes')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Rule changed")
    expect(page.locator("table")).to_contain_text("is being sexually exploited by adults")
    assert axe_violations(page) == []  # the rules page with its change, switch and delete
    page.get_by_role("link", name="Delete sell REFLEXIVE").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to delete this rule?")
    expect(page.locator(".govuk-inset-text")).to_contain_text("found wording 1 time")
    assert axe_violations(page) == []
    page.click("button:has-text('Delete rule')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Rule deleted: sell REFLEXIVE"
    )
    expect(page.locator("body")).to_contain_text("has not added any rules yet")
    assert axe_violations(page) == []
    rule.refresh_from_db()
    assert (rule.is_active, rule.retired_at is not None) == (False, True)
