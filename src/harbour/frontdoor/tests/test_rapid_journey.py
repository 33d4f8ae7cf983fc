"""Browser journey for a rapid response after a serious incident, each page checked with axe
(WCAG 2.2 AA): a front-door manager finds yesterday's stabbing, sees the children linked to it
with the records behind each link, opens a rapid response, names a contact (and gets a GOV.UK
error for naming no one), records the meeting, is refused closing while children have no named
contact, names the rest and closes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo.generator import generate
from harbour.frontdoor.codes import RapidStatus
from harbour.frontdoor.models import RapidResponse
from harbour.partnership.models import Role
from harbour.testing import person_index_from_ground_truth

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server: Any) -> str:
    """A small demo timed back from now (its stabbing was yesterday), with the person index as
    the ground truth has it."""
    generate(seed=5, children=80, referrals_now=timezone.now())
    person_index_from_ground_truth()
    return live_server.url


def _name_contact(page: Any, index: int) -> None:
    page.select_option("#id_contact", index=index)
    page.click("button:has-text('Name this person')")
    expect(message_banner(page)).to_contain_text("named as the contact")


def test_a_rapid_response_from_the_incident_to_closing(page, base):
    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.get_by_role("link", name="Front door", exact=True).first.click()
    page.get_by_role("link", name="Rapid response", exact=True).click()
    expect(page.locator("h1")).to_have_text("Rapid response after a serious incident")
    assert_accessible(page, "rapid-list")

    stabbing = page.locator("tr", has_text="knife or weapon").first
    stabbing.get_by_role("link", name="See linked children").click()
    expect(page.locator("h1")).to_have_text("Serious incident")
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Involved in the incident")
    expect(page.locator("body")).to_contain_text("Why linked")
    assert_accessible(page, "rapid-incident")
    page.click("button:has-text('Open a rapid response')")

    expect(message_banner(page)).to_contain_text("opened")
    expect(page.locator("h1")).to_contain_text("Rapid response RR-")
    expect(page.locator(".govuk-warning-text")).to_contain_text("no named contact")
    assert_accessible(page, "rapid-response-open")

    # Naming no one is a GOV.UK error, and nothing is saved.
    page.locator(".govuk-summary-card a", has_text="Name a contact").first.click()
    page.click("button:has-text('Name this person')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select who will make contact with the child"
    )
    assert_accessible(page, "rapid-contact-error")
    _name_contact(page, 1)

    page.get_by_role("link", name="Record the meeting").click()
    met = timezone.localtime() - dt.timedelta(minutes=1)
    page.fill("#id_date_0", str(met.day))
    page.fill("#id_date_1", str(met.month))
    page.fill("#id_date_2", str(met.year))
    page.fill("#id_time", f"{met:%H:%M}")
    page.locator("input[name=agencies]").nth(0).check()
    page.locator("input[name=agencies]").nth(1).check()
    page.fill("#id_decisions", "Police to visit both homes today; a safety plan for school.")
    assert_accessible(page, "rapid-record")
    page.click("button:has-text('Save')")
    expect(page.locator("dl").first).to_contain_text("Met")

    response = RapidResponse.objects.get()
    page.click("button:has-text('Close the rapid response')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Name a contact for every child before closing"
    )
    assert_accessible(page, "rapid-close-refused")
    assert RapidResponse.objects.get(pk=response.pk).status == RapidStatus.CONVENED

    while page.locator(".govuk-summary-card a", has_text="Name a contact").count():
        page.locator(".govuk-summary-card a", has_text="Name a contact").first.click()
        _name_contact(page, 2)
    page.click("button:has-text('Close the rapid response')")
    expect(message_banner(page)).to_contain_text("closed")
    expect(page.locator(".govuk-tag", has_text="Closed")).to_be_visible()
    assert_accessible(page, "rapid-response-closed")
    assert RapidResponse.objects.get(pk=response.pk).status == RapidStatus.CLOSED
