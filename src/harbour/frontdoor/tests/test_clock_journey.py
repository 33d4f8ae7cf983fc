"""Browser journey for clocks by urgency (issue 12, part 1; ADR 0019), each page checked with axe
(WCAG 2.2 AA) and again at 390 px wide with no sideways scroll: an immediate referral arrives; an
hour later the front-door manager sees the banner on every page, opens the referral and sees which
clock applies and why, finds it on Manager oversight and in their messages, and rates it; an
administrator changes the immediate clock on the rules page, with a GOV.UK error first."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo.generator import generate
from harbour.demo.signins import REFERRER
from harbour.frontdoor import services
from harbour.frontdoor.codes import ServiceClock, Step, Urgency
from harbour.frontdoor.models import Notification, Referral, ServiceLevel
from harbour.frontdoor.tests.factories import COMPLETE
from harbour.partnership.models import Role, Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def base(live_server: Any) -> str:
    """A small demo timed back from now, as ``make demo`` makes it: it has an immediate referral
    that arrived 75 minutes ago and is not rated."""
    generate(seed=5, children=80, referrals_now=timezone.now())
    return live_server.url


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px wide"


def test_an_immediate_referral_past_its_hour_alerts_the_front_doors_manager(page, base):
    officer = Staff.objects.get(email=REFERRER.email)
    referral = services.referral_start(actor=officer)
    services.referral_answer(
        actor=officer,
        referral=referral,
        answers={
            **COMPLETE,
            "urgency": Urgency.IMMEDIATE,
            "child_given_name": "Rio",
            "child_family_name": "Clockwise",
            "child_date_of_birth": dt.date(2011, 2, 9),
        },
    )
    services.referral_submit(actor=officer, referral=referral)
    referral.refresh_from_db()
    reference = str(referral.reference)
    assert referral.service_clock == ServiceClock.IMMEDIATE

    # It has just arrived: the demo's immediate referral from 75 minutes ago is in the banner
    # (with any other of the demo's that the time of day has put past its clock), this one not yet.
    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    banner = page.locator("[data-clock-alerts]")
    expect(banner).to_contain_text(re.compile(r"(has|have) not been rated in time"))
    expect(banner).not_to_contain_text(reference)
    page.get_by_role("link", name="Front door", exact=True).first.click()
    row = page.locator("tr").filter(has_text=reference)
    expect(row).to_contain_text("Immediate clock: the child may be at risk of significant harm")
    expect(row).not_to_contain_text("Overdue")
    assert_accessible(page, "clock-queue-immediate-just-arrived")

    # An hour and a minute later (its times moved back, as the clock would move on).
    later = dt.timedelta(minutes=61)
    Referral.objects.filter(pk=referral.pk).update(
        received_at=F("received_at") - later,
        rag_due_at=F("rag_due_at") - later,
        decision_due_at=F("decision_due_at") - later,
        escalation_from=F("escalation_from") - later,
    )
    page.reload()
    expect(banner).to_contain_text(reference)
    expect(banner.locator("li").filter(has_text=reference)).to_contain_text(
        re.compile(r"\d+ minutes? overdue\. To be rated within 1 hour of arriving")
    )
    expect(page.locator("tr").filter(has_text=reference)).to_contain_text("Overdue")
    assert_accessible(page, "clock-alert-banner-on-the-queue")
    # The first page drawn after the clock passed told each front-door manager, once.
    managers = Staff.objects.filter(role=Role.FRONT_DOOR_MANAGER, agency=referral.front_door)
    told = Notification.objects.filter(referral=referral, message__contains="not rated within")
    assert told.count() == managers.count() >= 1
    page.goto(f"{base}/")  # on every page, not just the front door's
    expect(banner).to_contain_text(reference)

    banner.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text("Rio Clockwise")
    clock = page.locator("#referral-clock")
    expect(clock).to_contain_text("Immediate clock")
    expect(clock).to_contain_text("may be at risk of significant harm now")
    expect(clock).to_contain_text("The referrer may escalate from")
    assert_accessible(page, "clock-immediate-referral")

    page.goto(f"{base}/front-door/oversight/")
    late = page.locator("table[aria-describedby=late-immediate-heading]")
    expect(late).to_contain_text(reference)
    expect(late).to_contain_text("Rio Clockwise")
    assert_accessible(page, "clock-oversight-immediate-not-rated")
    page.goto(f"{base}/referrals/messages/")
    expect(page.locator("main")).to_contain_text(f"Immediate referral {reference} was not rated")
    assert_accessible(page, "clock-messages-immediate-not-rated")

    # At 390 px, the pages the alert reaches: nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    for name, path in (
        ("home", "/"),
        ("queue", "/front-door/"),
        ("referral", f"/referrals/{referral.pk}/"),
        ("oversight", "/front-door/oversight/"),
    ):
        page.goto(f"{base}{path}")
        expect(banner).to_be_visible()
        _no_sideways_scroll(page, name)
        assert_accessible(page, f"clock-{name}-390px")
    page.set_viewport_size(DESKTOP)

    # Rated: the banner no longer names it.
    page.goto(f"{base}/referrals/{referral.pk}/")
    page.get_by_role("link", name="Rate red, amber or green").click()
    page.check("input[name=rag][value=red]")
    page.fill("#id_rag_rationale", "Threats to stab him tonight; police are with him now.")
    page.click("button:has-text('Save rating')")
    expect(message_banner(page)).to_contain_text("Rated red")
    expect(page.locator("body")).not_to_contain_text(f"{reference}: ")
    assert reference not in (banner.text_content() if banner.count() else "")
    page.click("button:has-text('Sign out')")

    # The administrator sets the immediate clock, with a GOV.UK error first.
    demo_sign_in(page, base, Role.ADMINISTRATOR)
    page.goto(f"{base}/front-door/rules/")
    card = page.locator(".govuk-summary-card").filter(has_text="Immediate clock")
    expect(card).to_contain_text("Within 1 hour")
    assert_accessible(page, "clock-rules")
    card.get_by_role("link", name="Change rated red, amber or green on the immediate clock").click()
    page.check("input[name=unit][value=working_days]")
    page.click("button:has-text('Save changes')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The immediate clock runs in hours")
    assert_accessible(page, "clock-rules-immediate-error")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page, "service level error")
    assert_accessible(page, "clock-rules-immediate-error-390px")
    page.set_viewport_size(DESKTOP)
    page.check("input[name=unit][value=hours]")
    page.fill("#id_amount", "2")
    page.click("button:has-text('Save changes')")
    expect(message_banner(page)).to_contain_text("Service level changed")
    expect(card).to_contain_text("Within 2 hours")
    level = ServiceLevel.objects.get(step=Step.RAG, clock=ServiceClock.IMMEDIATE)
    assert level.amount == 2
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/front-door/rules/")
    _no_sideways_scroll(page, "rules")
    assert_accessible(page, "clock-rules-390px")
