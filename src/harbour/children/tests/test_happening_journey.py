"""A browser journey, each page checked with axe (WCAG 2.2 AA), then again at 390 px wide with no
sideways scroll: the demo's lead practitioner opens a child stabbed yesterday and reads what is
happening now (an open flag, the adult who poses a risk, the incident, an overdue review, whom
to contact) at the top of every tab, under one sub-navigation that stays the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.models import Child, Plan
from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.demo.signins import LEAD_PRACTITIONER
from harbour.identity import flags
from harbour.identity.models import EventParticipant, EventRole, FlagRule, HarmFlag, Person
from harbour.partnership.models import Agency, AgencyType, Role, Staff
from harbour.testing import agency_event, linked_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
STABBING = "Stabbed in the thigh outside the chicken shop on the high street."
SUSPECT = "Kieran Test-Suspect"
EXPLANATION = "2 incidents of violence in 8 days, recorded by the police"


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px wide"


def _header_fits(page: Any, name: str) -> None:
    """Nothing in the header (the child's name, what is happening now, the sub-navigation) runs
    past the right edge of the screen."""
    spilling = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const header = document.querySelectorAll(
            '.moj-identity-bar, .moj-identity-bar *, #happening-now, #happening-now *, '
            + 'nav.moj-sub-navigation, nav.moj-sub-navigation *');
          return Array.from(header)
            .filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .map((el) => el.tagName + ': ' + (el.textContent || '').trim().slice(0, 40));
        }"""
    )
    assert spilling == [], f"{name}: the header spills out: {spilling}"


@pytest.fixture
def child(live_server: Any) -> Child:
    generate(seed=5, children=80)
    lead = Staff.objects.get(email=LEAD_PRACTITIONER.email)
    found = (
        WorkingRelationship.objects.current()
        .filter(staff=lead, kind=RelationshipKind.LEAD_PRACTITIONER)
        .select_related("child")
        .first()
    )
    assert found is not None, "the demo's lead practitioner leads for a child"
    child = found.child
    police = Agency.objects.filter(agency_type=AgencyType.POLICE).first()
    assert police is not None
    today = timezone.localdate()
    record = linked_record(child, police, "JOURNEY-1")
    earlier = agency_event(record, today - dt.timedelta(days=8), "OCC-J1", category="assault")
    stabbing = agency_event(
        record,
        today - dt.timedelta(days=1),
        "OCC-J2",
        category="violence_injury",
        severity=4,
        summary=STABBING,
    )
    EventParticipant.objects.create(
        event=stabbing,
        name=SUSPECT,
        approximate_age=27,
        is_adult=True,
        poses_risk=True,
        role=EventRole.SUSPECT,
    )
    flags.seed_example_rules()
    rule = FlagRule.objects.filter(is_current=True).first()
    assert rule is not None
    HarmFlag.objects.create(
        rule=rule,
        person=Person.objects.get(child=child),
        child=child,
        anchor=stabbing,
        evidence=[
            {
                "event": e.pk,
                "kind": e.get_kind_display(),
                "category": e.get_category_display(),
                "occurred_on": e.occurred_on.isoformat(),
                "date": f"{e.occurred_on:%-d %B %Y}",
                "severity": e.severity,
                "weapon": e.weapon,
                "role": e.get_role_display(),
                "agency": police.name,
                "record_reference": "test JOURNEY-1",
                "event_reference": e.source_reference,
            }
            for e in (earlier, stabbing)
        ],
        explanation=EXPLANATION,
    )
    Plan.objects.create(
        child=child,
        plan_type="risk_outside_the_home",
        outcomes="Safe routes to college",
        started_on=today - dt.timedelta(days=200),
        review_due=today - dt.timedelta(days=40),
        recorded_by_agency=lead.agency,
    )
    return child


def test_the_lead_practitioner_reads_what_is_happening_now_on_every_tab(page, live_server, child):
    lead = demo_sign_in(page, live_server.url, Role.LEAD_PRACTITIONER)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    summary = page.locator("#happening-now")
    expect(summary).to_contain_text("What is happening now")
    expect(summary).to_contain_text(EXPLANATION)
    expect(summary).to_contain_text(SUSPECT)
    expect(summary).to_contain_text(STABBING)
    expect(summary).to_contain_text("Review overdue by 40 days")
    expect(summary).to_contain_text(f"{lead.first_name} {lead.last_name}")
    # Whom to ring: the lead practitioner's work number, a link a phone can dial.
    assert lead.phone
    expect(summary.locator(f'a[href="tel:{lead.phone.replace(" ", "")}"]')).to_contain_text(
        lead.phone
    )
    assert_accessible(page, "happening-record")
    first_summary = summary.inner_text()
    navigation = page.locator("nav.moj-sub-navigation")
    tabs = navigation.locator("a").all_inner_texts()
    assert tabs == [
        "Record",
        "Chronology",
        "Associates",
        "Cumulative harm",
        "Needs across agencies",
    ]

    for tab in tabs[1:]:
        page.locator("nav.moj-sub-navigation").get_by_role("link", name=tab, exact=True).click()
        expect(page.locator("nav.moj-sub-navigation a[aria-current=page]")).to_have_text(tab)
        assert page.locator("nav.moj-sub-navigation a").all_inner_texts() == tabs
        assert page.locator("#happening-now").inner_text() == first_summary, tab
        assert_accessible(page, f"happening-{tab}")

    # At 390 px: the header and the tabs fit on every tab, and no tab scrolls sideways (a wide
    # table scrolls inside its own region, issue 12, part 8).
    page.set_viewport_size(PHONE)
    for tab in tabs:
        page.locator("nav.moj-sub-navigation").get_by_role("link", name=tab, exact=True).click()
        expect(page.locator("#happening-now")).to_contain_text(SUSPECT)
        _header_fits(page, tab)
        _no_sideways_scroll(page, tab)
        assert_accessible(page, f"happening-{tab}-390px")
    page.set_viewport_size(DESKTOP)
