"""Browser journey for a list that can be worked (issue 12, part 4; ADR 0031), each page checked
with axe (WCAG 2.2 AA) and again at 390 px wide with no sideways scroll: a front-door
practitioner opens the records to review, filters them to pairs with different NHS numbers,
clears the filters, goes to the next page, takes a pair ("Assign to me") and comes back to the
same page, finds it under "Allocated to me", and sees what a filter matching nothing says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, message_banner
from harbour.identity.models import ReviewPair, SourceRecord
from harbour.partnership.models import AgencyType, Role, Team
from harbour.testing import make_agency, make_agreement, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery"


def _record(agency: Any, source_id: str) -> SourceRecord:
    return SourceRecord.objects.create(
        agency=agency, source_system="Niche RMS", source_id=source_id, as_of=dt.date(2026, 1, 1)
    )


@pytest.fixture
def base(live_server: Any) -> str:
    csc = make_agency("csc", AgencyType.CHILDRENS_SOCIAL_CARE, name="Riverside Council")
    Team.objects.create(agency=csc, name="Front Door (MASH)", is_front_door=True)
    police = make_agency("police", AgencyType.POLICE, name="Riverside Police")
    make_agreement(csc, police)
    make_staff(
        csc,
        Role.FRONT_DOOR_PRACTITIONER,
        email="ana.front@riverside.test",
        first_name="Ana",
        last_name="Front",
    )
    for n in range(30):
        ReviewPair.objects.create(
            record_l=_record(csc, f"CSC-{n:03d}"),
            record_r=_record(police, f"POL-{n:03d}"),
            match_probability=0.9 - n / 100,
            needs_nhs_override=n % 8 == 0,  # 4 of the 30
        )
    return live_server.url


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px wide"


def _check(page: Any, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, name)
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page, name)
    assert_accessible(page, f"{name}-390px")
    page.set_viewport_size(DESKTOP)


def test_a_practitioner_filters_pages_and_takes_a_pair(page, base):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/sign-in/")
    page.fill("#id_username", "ana.front@riverside.test")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/identity/review/")
    expect(page.locator("#list-count")).to_have_text(
        "Showing 1 to 25 of 30 pairs waiting, most likely matches first"
    )
    expect(page.locator("nav.govuk-pagination")).to_be_visible()
    _check(page, "worked-list-pairs")

    # Filter: only pairs whose NHS numbers differ. The filters work without JavaScript: a GET.
    page.get_by_text("Filter the list").click()
    page.get_by_label("NHS numbers").select_option("differ")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#list-count")).to_contain_text("4 pairs waiting")
    expect(page.locator("#list-count")).to_contain_text("matching the filters")
    assert "nhs=differ" in page.url
    _check(page, "worked-list-pairs-filtered")

    page.get_by_role("link", name="Clear filters").first.click()
    expect(page.locator("#list-count")).to_contain_text("of 30")

    # The next page, then take its first pair.
    page.locator("nav.govuk-pagination").get_by_role("link", name="Next page").click()
    expect(page.locator("#list-count")).to_have_text(
        "Showing 26 to 30 of 30 pairs waiting, most likely matches first"
    )
    first = page.locator("tbody tr").first
    pair = first.locator("a").first.inner_text()
    first.get_by_role("button", name="Assign to me").click()
    expect(message_banner(page)).to_contain_text("The record pair is now with you")
    assert "page=2" in page.url  # back to the page it was taken from
    row = page.locator("tbody tr").filter(has_text=pair)
    expect(row).to_contain_text("You")
    expect(row.get_by_role("button", name="Assign to me")).to_have_count(0)
    _check(page, "worked-list-pairs-assigned")

    # Allocated to me: just that one.
    page.goto(f"{base}/identity/review/?allocated=mine")
    expect(page.locator("#list-count")).to_have_text("1 pair waiting matching the filters")
    expect(page.locator("tbody tr")).to_have_count(1)

    # A filter that matches nothing says so, and how to see them all again.
    page.goto(f"{base}/identity/review/?allocated=mine&nhs=differ")
    expect(page.get_by_text("No pairs match these filters.")).to_be_visible()
    expect(page.locator("table.govuk-table")).to_have_count(0)
    _check(page, "worked-list-pairs-none-match")
