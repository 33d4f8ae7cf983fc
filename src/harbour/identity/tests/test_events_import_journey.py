"""A browser journey, each page checked with axe (WCAG 2.2 AA) and again at 390 px: an
administrator imports an agency's ED attendances file from the page and is taken to the
import's own page, which shows what happened (here the background runner runs it at once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.identity.models import AgencyEvent, EventImport
from harbour.partnership.models import Agency, AgencyType, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).parent / "fixtures"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_an_administrator_imports_ed_attendances_and_sees_the_outcome(page, live_server):
    generate(seed=5, children=40)
    hospital = Agency.objects.filter(agency_type=AgencyType.NHS_TRUST).earliest("pk")
    before = AgencyEvent.objects.filter(agency=hospital).count()
    base = live_server.url
    demo_sign_in(page, base, Role.ADMINISTRATOR)
    page.goto(f"{base}/identity/events/import/")
    expect(page.locator("h1")).to_have_text("Import events and needs")
    assert_accessible(page, "events-import")

    page.get_by_label("Whose records are these?").select_option(label=hospital.name)
    page.check("input[name=file_format][value=ed-attendance]")
    page.set_input_files("input[type=file]", str(FIXTURES / "ed-attendance.csv"))
    page.get_by_role("button", name="Check and import").click()
    run = EventImport.objects.get()
    page.wait_for_url(f"{base}/identity/events/import/{run.pk}/")
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator("#import-summary")).to_contain_text("3 new")
    expect(page.locator("#import-summary")).to_contain_text(hospital.name)
    assert AgencyEvent.objects.filter(agency=hospital).count() == before + 3
    assert_accessible(page, "events-import-done")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "events-import-done-390px")
