"""In headless Chromium: the API's documentation page passes axe (WCAG 2.2 AA) and, at 390 px,
scrolls only inside its tables, never the page sideways (issue 12, part 8)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harbour.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_passes_axe_on_a_desktop_and_a_phone(page, live_server):
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator("h1")).to_have_text("Harbour automated referrals, events and needs")
    expect(page.locator("#schema-ReferralIn")).to_be_visible()
    assert_accessible(page, "api-documentation")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "api-documentation-390px")
    page.goto("about:blank")
