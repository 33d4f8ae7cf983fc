"""Browser journeys in headless Chromium, each page checked by axe-core for WCAG 2.2 AA and
saved as a screenshot under docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.access import policy
from harbour.access.models import AuditEvent, BreakGlassGrant
from harbour.children.models import Child
from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.demo.signins import DEMO_SIGN_INS
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=5, children=60)
    return live_server.url


def test_front_door_practitioner_finds_a_child_and_opens_their_summary(page, base):
    page.goto(f"{base}/sign-in/")
    assert_accessible(page, "sign-in")
    page.fill(
        "#id_username",
        next(s.email for s in DEMO_SIGN_INS if s.role == Role.FRONT_DOOR_PRACTITIONER),
    )
    page.fill("#id_password", "not-the-password")
    page.click("button:has-text('Sign in')")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "sign-in-error")
    user = demo_sign_in(page, base, Role.FRONT_DOOR_PRACTITIONER)
    assert page.locator(".govuk-service-navigation").inner_text().count("Find a child") == 1
    assert_accessible(page, "home-front-door-practitioner")
    child = policy.visible_children(user, Child.objects.order_by("family_name")).first()
    assert child is not None
    page.click("a.govuk-service-navigation__link:has-text('Find a child')")
    assert_accessible(page, "find-a-child")
    page.fill("#id_name", child.family_name)
    page.click("button:has-text('Search')")
    expect(page.locator("table.govuk-table")).to_be_visible()
    assert_accessible(page, "find-a-child-results")
    page.get_by_role("link", name=f"{child.given_name} {child.family_name}").first.click()
    expect(page.locator("h1")).to_have_text(f"{child.given_name} {child.family_name}")
    assert_accessible(page, "child-summary")
    assert AuditEvent.objects.filter(child_id=child.pk, section="record").count() == 1


def test_search_without_terms_shows_an_error_summary_that_links_to_the_field(page, base):
    demo_sign_in(page, base, Role.REFERRER)
    page.goto(f"{base}/children/?name=")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    assert_accessible(page, "find-a-child-error")


def test_referrer_breaks_glass_and_the_dpo_reviews_it(page, base):
    user = demo_sign_in(page, base, Role.REFERRER)
    findable = policy.findable_children(user, Child.objects.order_by("pk"), "safeguarding")
    child = findable.exclude(
        pk__in=policy.visible_children(user, Child.objects.all()).values("pk")
    ).first()
    assert child is not None
    page.goto(f"{base}/children/{child.pk}/")
    expect(page).to_have_url(re.compile(r"/break-glass/$"))
    assert_accessible(page, "break-glass")
    page.fill(
        "#id_reason", "Called to a stabbing; the child was present and may be at risk tonight"
    )
    page.click("button:has-text('Open the record')")
    expect(page.locator("h1")).to_have_text(f"{child.given_name} {child.family_name}")
    assert BreakGlassGrant.objects.filter(staff=user, child=child).exists()
    page.click("button:has-text('Sign out')")

    demo_sign_in(page, base, Role.DATA_PROTECTION_OFFICER)
    page.click("a.govuk-service-navigation__link:has-text('Break-glass reviews')")
    assert_accessible(page, "break-glass-queue")
    page.locator("table a:has-text('Review')").first.click()
    assert_accessible(page, "break-glass-review")
    page.click("text=See everything that was viewed")
    expect(page.locator("h1")).to_have_text("Who has viewed this record")
    assert_accessible(page, "who-has-viewed")
    page.go_back()
    page.check("input[value=justified]")
    page.click("button:has-text('Record review')")
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    page.click("a.govuk-service-navigation__link:has-text('Audit trail')")
    assert_accessible(page, "audit-trail")


@pytest.mark.parametrize("role", [Role.ANALYST, Role.STRATEGIC_LEADER, Role.ADMINISTRATOR])
def test_roles_without_casework_see_no_child_search(page, base, role):
    demo_sign_in(page, base, role)
    navigation = page.locator(".govuk-service-navigation").inner_text()
    assert "Find a child" not in navigation
    page.goto(f"{base}/children/")
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    assert_accessible(page, f"forbidden-{role}")


def test_public_pages_and_not_found_are_accessible(page, base):
    for path, name in [
        ("/accessibility/", "accessibility-statement"),
        ("/privacy/", "privacy-notice"),
        ("/no-such-page/", "not-found"),
    ]:
        page.goto(f"{base}{path}")
        assert_accessible(page, name)


def test_lead_practitioner_opens_a_child_from_home_and_sees_who_viewed_it(page, base):
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    expect(page.locator("#children-heading")).to_have_text("Children you work with")
    assert_accessible(page, "home-lead-practitioner")
    first = page.locator("table.govuk-table a").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(name)
    page.click("text=Who has viewed this record")
    expect(page.locator("h1")).to_have_text("Who has viewed this record")
    expect(page.locator("table.govuk-table")).to_contain_text("Viewed: the child's record")
    assert_accessible(page, "who-has-viewed-lead-practitioner")


ONE_MORE = "Rapid response"  # room left in the front door's header for the next item


def _navigation_rows(page: Any, extra: str = "") -> int:
    """How many rows the header's items take, with ``extra`` added as one more item."""
    return int(
        page.evaluate(
            """(extra) => {
              const list = document.querySelector('.govuk-service-navigation__list');
              if (extra) {
                const item = list.querySelector('li').cloneNode(true);
                item.className = 'govuk-service-navigation__item';
                item.querySelector('a').textContent = extra;
                list.appendChild(item);
              }
              const items = [...list.querySelectorAll('li')];
              return new Set(items.map(i => Math.round(i.getBoundingClientRect().top))).size;
            }""",
            extra,
        )
    )


@pytest.mark.parametrize("role", [s.role for s in DEMO_SIGN_INS])
def test_every_roles_navigation_is_one_row_at_desktop_width(page, base, role):
    page.set_viewport_size({"width": 1280, "height": 800})
    demo_sign_in(page, base, role)
    assert _navigation_rows(page) == 1
    if role in (Role.FRONT_DOOR_PRACTITIONER, Role.FRONT_DOOR_MANAGER):
        assert _navigation_rows(page, ONE_MORE) == 1


def test_the_front_door_holds_its_lists_and_marks_its_tab_on_them(page, base):
    page.set_viewport_size({"width": 1280, "height": 800})
    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Front door").click()
    current = page.locator(".govuk-service-navigation [aria-current=page]")
    expect(current).to_have_text("Front door")
    page.locator("main").get_by_role("link", name="needs across agencies").click()
    expect(page.locator("h1")).to_have_text("Needs one agency knows and another does not")
    expect(current).to_have_text("Front door")
    assert_accessible(page, "navigation-front-door-manager")
