"""A browser journey, each page checked with axe (WCAG 2.2 AA) and again at 390 px wide with no
sideways scroll: the front door opens a referral for a child the police recorded as stabbed
yesterday and reads what is happening now beside it; decides with the referral beside the form;
and the manager reads what they are signing (the child, the referral, the rating, the decision
and what the referrer will be told) before countersigning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo.generator import generate
from harbour.demo.signins import FRONT_DOOR_PRACTITIONER, REFERRER
from harbour.frontdoor import services
from harbour.frontdoor.tests.factories import COMPLETE
from harbour.identity.models import EventParticipant, EventRole
from harbour.partnership.models import Agency, AgencyType, Role, Staff
from harbour.testing import agency_event, linked_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
STABBING = "Stabbed in the thigh in the park behind the leisure centre."
SUSPECT = "Wayne Test-Suspect"
FEEDBACK = "We are starting an assessment under the risk outside the home pathway today."


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px wide"


def _at_390(page: Any, name: str) -> None:
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page, name)
    assert_accessible(page, f"{name}-390px")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def referral(live_server: Any) -> Any:
    generate(seed=5, children=80, referrals_now=timezone.now())
    officer = Staff.objects.get(email=REFERRER.email)
    practitioner = Staff.objects.get(email=FRONT_DOOR_PRACTITIONER.email)
    referral = services.referral_start(actor=officer)
    services.referral_answer(
        actor=officer,
        referral=referral,
        answers={
            **COMPLETE,
            "child_given_name": "Tobias",
            "child_family_name": "Happening",
            "child_date_of_birth": dt.date(2010, 7, 1),
        },
    )
    services.referral_submit(actor=officer, referral=referral)
    services.referral_confirm_child(actor=practitioner, referral=referral, create=True)
    services.referral_rate(
        actor=practitioner,
        referral=referral,
        rag="red",
        rationale="Stabbed yesterday; the same adult is named in the police's record.",
    )
    referral.refresh_from_db()
    police = Agency.objects.filter(agency_type=AgencyType.POLICE).first()
    assert police is not None and referral.child is not None
    stabbing = agency_event(
        linked_record(referral.child, police, "JOURNEY-FD"),
        timezone.localdate() - dt.timedelta(days=1),
        "OCC-FD1",
        category="violence_injury",
        severity=4,
        summary=STABBING,
    )
    EventParticipant.objects.create(
        event=stabbing,
        name=SUSPECT,
        approximate_age=33,
        is_adult=True,
        poses_risk=True,
        role=EventRole.SUSPECT,
    )
    return referral


def test_the_front_door_decides_and_the_manager_countersigns_with_the_evidence(
    page, live_server, referral
):
    base = live_server.url
    demo_sign_in(page, base, Role.FRONT_DOOR_PRACTITIONER)
    page.goto(f"{base}/referrals/{referral.pk}/")
    summary = page.locator("#happening-now")
    expect(summary).to_contain_text("What is happening now")
    expect(summary).to_contain_text(STABBING)
    expect(summary).to_contain_text(SUSPECT)
    assert_accessible(page, "happening-beside-a-referral")
    _at_390(page, "happening-beside-a-referral")

    page.get_by_role("link", name="Decide", exact=True).click()
    aside = page.locator("#referral-aside")
    expect(aside).to_contain_text(COMPLETE["what_happened"])
    expect(aside).to_contain_text("Stabbed yesterday; the same adult")
    assert_accessible(page, "decide-with-the-referral")
    _at_390(page, "decide-with-the-referral")
    page.check("input[name=outcome][value=roth]")
    page.fill("#id_rationale", "A second serious assault; the harm is outside the home.")
    page.fill("#id_parents_as_partners", "Mother is working with us on safe routes home.")
    page.fill("#id_feedback_to_referrer", FEEDBACK)
    page.click("button:has-text('Record decision')")
    expect(message_banner(page)).to_contain_text("A manager will countersign it")
    page.click("button:has-text('Sign out')")

    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.goto(f"{base}/referrals/{referral.pk}/")
    page.get_by_role("link", name="Countersign the decision").click()
    expect(page.locator("#signing-child")).to_contain_text("Tobias Happening")
    expect(page.locator("#signing-referral")).to_contain_text(COMPLETE["what_happened"])
    expect(page.locator("#signing-referral")).to_contain_text("Today: the front door should")
    expect(page.locator("#signing-decision")).to_contain_text("Red: act today")
    expect(page.locator("#signing-decision")).to_contain_text("the harm is outside the home")
    expect(page.locator("#signing-feedback")).to_contain_text(FEEDBACK)
    assert_accessible(page, "countersign-with-the-evidence")
    _at_390(page, "countersign-with-the-evidence")
    page.check("input[name=agree][value=yes]")
    page.click("button:has-text('Save')")
    expect(message_banner(page)).to_contain_text("Countersigned")
