"""A browser journey through a leader's home page, checked with axe (WCAG 2.2 AA): the headline
figures first, referrals by month drawn beside their table, and on a later look what changed
since the last one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.frontdoor.models import Referral
from harbour.pages.models import HomeVisit
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_sees_headline_figures_and_what_changed_since_they_last_looked(page, live_server):
    generate(seed=5, children=60)
    base = live_server.url
    leader = demo_sign_in(page, base, Role.STRATEGIC_LEADER)
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    expect(page.locator("#headline-referrals-this-month")).to_contain_text(
        "Referrals received this month"
    )
    expect(page.locator("#headline-cohort")).to_contain_text(
        "Children in serious youth violence work"
    )
    expect(page.get_by_text("This is the first time you have looked")).to_be_visible()
    expect(page.locator("[data-chart='referrals-by-month'][data-drawn=true] svg")).to_be_visible()
    expect(page.locator("#referrals-by-month-table tbody tr")).to_have_count(12)
    assert_accessible(page, "home-leader-first-look")

    # An hour later, after five more referrals reached the front door.
    HomeVisit.objects.filter(staff=leader).update(looked_at=timezone.now() - dt.timedelta(hours=1))
    front_door = Referral.objects.filter(received_at__isnull=False).first()
    assert front_door is not None
    for _ in range(5):
        Referral.objects.create(
            front_door=front_door.front_door,
            referring_agency=front_door.referring_agency,
            received_at=timezone.now(),
        )
    page.reload()
    expect(page.get_by_text("Changes are since you last looked")).to_be_visible()
    expect(page.locator("#headline-referrals-this-month")).to_contain_text(
        "Up 5 since you last looked"
    )
    assert_accessible(page, "home-leader-what-changed")
    page.get_by_role("link", name="The front-door report").first.click()
    expect(page.locator("h1")).to_contain_text("ront")
