"""A browser journey, each page checked with axe (WCAG 2.2 AA) and again at 390 px wide with no
sideways scroll: the hospital's system sends an emergency department attendance of a child
through the API; the background worker reacts; the child's lead practitioner sees the unread
count in the header, opens the notification centre, opens the notice and lands on the child's
record (issue 11, part 4; ADR 0028)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from harbour.access.models import AuditEvent, RelationshipKind, WorkingRelationship
from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.demo.riverside import ED
from harbour.demo.signins import LEAD_PRACTITIONER
from harbour.frontdoor import tokens
from harbour.identity.models import Person
from harbour.identity.tests.test_events_journey import link_as_the_truth_says
from harbour.notices.models import Notice
from harbour.partnership.models import Agency, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} scrolls sideways: {width} px wide"


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=5, children=80)
    link_as_the_truth_says()
    return live_server.url


def test_a_lead_practitioner_is_told_of_an_ed_attendance_and_opens_the_record(page, base):
    lead = WorkingRelationship.objects.filter(
        staff__email=LEAD_PRACTITIONER.email, kind=RelationshipKind.LEAD_PRACTITIONER
    ).earliest("pk")
    child = lead.child
    person = Person.objects.get(child=child)
    hospital = Agency.objects.get(code=ED)
    token = tokens.token_create(agency=hospital, name="Symphony EDIS")
    arrived = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    answer = page.request.post(
        f"{base}/api/events",
        headers={
            "Authorization": f"Bearer {token.secret}",
            "Idempotency-Key": "journey-ed-attendance-1",
        },
        data={
            "reference": "ATT-26-JOURNEY",
            "kind": "ed_attendance",
            "role": "patient",
            "category": "assault",
            "severity": 2,
            "summary": "Attended with a cut to the forearm after being attacked.",
            "ed_arrival_at": f"{arrived:%Y-%m-%dT%H:%M}",
            "ed_assault_at": f"{arrived - dt.timedelta(minutes=30):%Y-%m-%dT%H:%M}",
            "ed_assault_method": "03",
            "ed_location_type": "02",
            "person": {
                "source_system": "Symphony EDIS",
                "source_id": "RH-JOURNEY-1",
                "given_name": child.given_name,
                "family_name": child.family_name,
                "date_of_birth": f"{child.date_of_birth:%Y-%m-%d}",
            },
            "person_id": person.display_id,
        },
    )
    assert answer.status == 201, answer.text()
    assert not Notice.objects.exists()  # the worker has not run yet
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    notice = Notice.objects.get(recipient__email=LEAD_PRACTITIONER.email)
    assert AuditEvent.objects.filter(event="notices.notice_sent", child_id=child.pk).exists()

    page.set_viewport_size(DESKTOP)
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    count = page.locator(".harbour-account__notices .harbour-count")
    expect(count).to_contain_text("unread")
    unread = int(count.inner_text().split()[0])
    assert unread >= 1
    page.click(".harbour-account__notices")
    expect(page.locator("h1")).to_have_text("Notices")
    expect(page.locator(".harbour-notices__item").first).to_contain_text(notice.text)
    expect(page.locator(".harbour-notices__item").first).to_contain_text("Unread")
    assert_accessible(page, "notices-list")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page, "notices-list")
    assert_accessible(page, "notices-list-390px")

    page.locator(".harbour-notices__item").first.get_by_role("link").click()
    page.wait_for_url(f"{base}/children/{child.pk}/")
    expect(page.locator("main")).to_contain_text(child.family_name)
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert AuditEvent.objects.filter(
        event="child.viewed", child_id=child.pk, actor_id=notice.recipient_id
    ).exists()
    remaining = page.locator(".harbour-account__notices .harbour-count")
    if unread == 1:
        expect(remaining).to_have_count(0)
    else:
        expect(remaining).to_contain_text(str(unread - 1))

    page.goto(f"{base}/notices/settings/")
    assert_accessible(page, "notices-settings-390px")
    _no_sideways_scroll(page, "notices-settings")
    page.check("input[value=daily_digest]")
    page.click("button:has-text('Save')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Once a day")
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, "notices-list-after-settings")
