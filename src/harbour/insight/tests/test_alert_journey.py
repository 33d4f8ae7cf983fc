"""A browser journey through an emerging-pattern alert, each page checked with axe (WCAG 2.2
AA): the monthly check finds the demo's rise, the named leader is told in their notices, opens
the alert (the method and figures, the series drawn beside its table), is told plainly what is
missing from the form, and records what was done."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo import insight_files
from harbour.demo.generator import generate
from harbour.insight import services
from harbour.insight.models import AlertAction, AlertMeasure
from harbour.partnership.models import Role, Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_opens_the_alert_and_records_what_was_done(page, live_server):
    generate(seed=5, children=40)
    analyst = Staff.objects.filter(role=Role.ANALYST).first()
    span = insight_files.months_between("2025-09", 14)
    for format_code, name, text in [
        ("lsoa-boundaries", "b.geojson", insight_files.boundaries_geojson()),
        (
            "police-uk-stop-and-search",
            "sas.csv",
            insight_files.stop_search_csv(span, 120, rise=True),
        ),
    ]:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=text.encode(), file_name=name
        )
        assert run.status == "imported", (name, run.errors[:3])
    call_command("insight", "alerts", "check")

    base = live_server.url
    leader = demo_sign_in(page, base, Role.STRATEGIC_LEADER)
    page.get_by_role("link", name="Notices").first.click()
    expect(page.locator(".harbour-notices")).to_contain_text("An emerging pattern to look at")
    page.get_by_role("link", name="Open the alert").first.click()

    expect(page.locator("h1")).to_have_text(
        "Black, Black British, Black Welsh, Caribbean or African, October 2026"
    )
    expect(page.locator(".govuk-summary-list").first).to_contain_text("upper tail")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Expected")
    expect(page.locator("[data-chart='alert-series'][data-drawn=true] svg")).to_be_visible()
    expect(page.locator("#alert-series-table")).to_contain_text("Month checked")
    expect(page.locator("#alert-series-table")).to_contain_text("[c]")
    assert_accessible(page, "insight-alert")

    page.get_by_role("button", name="Record it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what was done about the alert"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date it was done")
    assert_accessible(page, "insight-alert-error")

    page.get_by_label("What was done").fill(
        "Asked the police's stop and search lead why searches of Black children rose in "
        "October; to be discussed at the next board"
    )
    page.get_by_label("Day", exact=True).fill("1")
    page.get_by_label("Month", exact=True).fill("12")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_role("button", name="Record it").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("What was done is recorded")
    expect(page.locator("body")).to_contain_text("Recorded by")
    action = AlertAction.objects.get()
    assert action.recorded_by == leader and action.taken_on.isoformat() == "2026-12-01"

    page.get_by_role("link", name="Emerging patterns").first.click()
    expect(page.locator("h1")).to_have_text("Emerging patterns")
    expect(page.locator(".harbour-alerts")).to_contain_text("Action recorded")
    assert_accessible(page, "insight-alerts")

    # What the check watches: the leader makes it stricter for violent crime by area.
    page.get_by_role("link", name="What the check watches and how").click()
    expect(page.locator("h1")).to_have_text("What the check watches")
    assert_accessible(page, "insight-alert-measures")
    page.get_by_role("link", name="Change Violent crime in each LSOA (police.uk)").click()
    page.get_by_label("Months of baseline").fill("2")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Months of baseline must be 6 or more"
    )
    assert_accessible(page, "insight-alert-measure-error")
    page.get_by_label("Months of baseline").fill("18")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("settings are saved")
    expect(page.locator("table")).to_contain_text("18")
    assert AlertMeasure.objects.get(series="violent_crime_by_area").look_back == 18
