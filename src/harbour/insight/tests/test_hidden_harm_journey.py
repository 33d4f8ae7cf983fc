"""A browser journey to hidden harm, checked with axe (WCAG 2.2 AA): a leader goes from the needs
assessment to hidden harm, and sees health's violence against the police's by area and group,
and girls and young women against the caseloads, each chart drawn beside its table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.insight.tests.test_assessment_journey import stock_the_store
from harbour.partnership.models import Agency, AgencyType, Role
from harbour.testing import agency_event, linked_record, make_child

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def children_seen_by_health() -> None:
    """Twelve children an emergency department saw after an assault; the police saw six."""
    ed = Agency.objects.filter(agency_type=AgencyType.NHS_TRUST)[0]
    police = Agency.objects.filter(agency_type=AgencyType.POLICE)[0]
    csc = Agency.objects.filter(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)[0]
    day = timezone.localdate() - dt.timedelta(days=30)
    for n in range(12):
        child = make_child(csc, sex="F" if n % 2 else "M", given_name=f"Journey{n}")
        seen = agency_event(
            linked_record(child, ed, f"HHJ-ED-{n}"),
            day,
            f"HHJ-EDA-{n}",
            kind="ed_attendance",
            role="patient",
        )
        seen.lsoa21 = "E01990001"
        seen.save()
        if n < 6:
            agency_event(
                linked_record(child, police, f"HHJ-POL-{n}"), day, f"HHJ-INC-{n}", role="victim"
            )


def test_a_leader_reads_hidden_harm(page, live_server):
    generate(seed=5, children=40)
    stock_the_store()
    children_seen_by_health()
    base = live_server.url
    demo_sign_in(page, base, Role.STRATEGIC_LEADER)
    page.get_by_role("link", name="Needs assessment").first.click()
    page.get_by_role("link", name="Hidden harm").first.click()
    expect(page.locator("h1")).to_have_text("Hidden harm")
    for key in ("hh-store-area", "hh-area", "hh-sex", "hh-girls"):
        expect(page.locator(f"[data-chart='{key}'][data-drawn=true] svg")).to_be_visible()
    expect(page.locator("#hh-area-table")).to_contain_text("Riverside 001A (E01990001)")
    expect(page.locator("#hh-store-area-table")).to_contain_text("Assaults per 100 violent crimes")
    expect(page.locator("#hh-girls-table")).to_contain_text("In the serious youth violence cohort")
    assert "Journey1" not in page.content()
    assert_accessible(page, "insight-hidden-harm")
