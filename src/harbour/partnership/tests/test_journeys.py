"""An administrator runs the partnership in headless Chromium, with axe-core checking every page
(WCAG 2.2 AA) on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harbour.access.models import AuditEvent
from harbour.children.models import EducationLimit
from harbour.conftest import assert_accessible
from harbour.partnership import services
from harbour.partnership.models import Agency, InformationSharingAgreement, Role
from harbour.partnership.tests.conftest import make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def signed_in(page, live_server, administrator, analyst, police, police_team, agreement, guidance):
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", administrator.email)
    page.fill("#id_password", "a-test-password")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/")
    yield live_server.url
    # Leave no request in flight while the database is flushed: on in-memory SQLite the live
    # server shares this thread's connection.
    page.goto("about:blank")
    page.close()


def test_an_administrator_adds_an_agency_after_correcting_an_error(page, signed_in):
    page.goto(f"{signed_in}/partnership/")
    assert_accessible(page, "partnership home")
    page.click("a.govuk-link:has-text('Agencies')")
    expect(page).to_have_url(re.compile(r"/partnership/agencies/$"))
    assert_accessible(page, "agency list")
    page.click("a.govuk-button:has-text('Add an agency')")
    expect(page).to_have_url(re.compile(r"/partnership/agencies/add/$"))
    assert_accessible(page, "add an agency")
    page.click("button:has-text('Add agency')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page, "add an agency with errors")
    summary.locator("a", has_text="Enter the agency's name").click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.fill("#id_name", "Riverside Academy")
    page.fill("#id_code", "riverside-academy")
    page.check("#id_agency_type_5")  # School
    page.fill("#id_school_urn", "123456")
    page.click("button:has-text('Add agency')")
    page.wait_for_selector("h1:has-text('Riverside Academy')")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page, "agency detail")
    assert Agency.objects.filter(code="riverside-academy").exists()
    assert AuditEvent.objects.filter(event="agency.created").count() == 1


def test_an_administrator_reaches_every_other_page_without_accessibility_failures(
    page, signed_in, police, police_team, administrator, agreement, guidance
):
    for path in (
        "/partnership/staff/",
        f"/partnership/staff/?agency={police.pk}&role=analyst",
        "/partnership/staff/add/",
        f"/partnership/staff/{administrator.pk}/change/",
        f"/partnership/agencies/{police.pk}/",
        f"/partnership/agencies/{police.pk}/change/",
        f"/partnership/agencies/{police.pk}/teams/add/",
        f"/partnership/teams/{police_team.pk}/change/",
        "/partnership/agreements/",
        f"/partnership/agreements/{agreement.pk}/",
        "/partnership/agreements/add/",
        f"/partnership/agreements/{agreement.pk}/change/",
        "/partnership/threshold-guidance/",
        f"/partnership/threshold-guidance/{guidance.pk}/",
        "/partnership/threshold-guidance/add/",
        f"/partnership/threshold-guidance/{guidance.pk}/change/",
    ):
        page.goto(f"{signed_in}{path}")
        assert page.locator("h1").count() == 1, path
        # Name the screenshot by the page, not the database id, so each run overwrites the last.
        assert_accessible(
            page, re.sub(r"\d+", "n", path.split("?")[0]) + ("-filtered" if "?" in path else "")
        )


def test_an_agreement_with_one_party_shows_the_error_on_the_checkboxes(page, signed_in, police):
    page.goto(f"{signed_in}/partnership/agreements/add/")
    page.fill("#id_title", "Club sharing")
    page.fill("#id_reference", "ISA-CLUB")
    page.check(f"input[name=parties][value='{police.pk}']")
    page.check("input[name=purposes][value=safeguarding]")
    page.check("input[name=data_categories][value=identity]")
    page.check("input[name=lawful_basis][value=public_task]")
    page.fill("#id_start_date_0", "1")
    page.fill("#id_start_date_1", "4")
    page.fill("#id_start_date_2", "2025")
    page.click("button:has-text('Add agreement')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page, "agreement with one party")
    summary.locator("a", has_text="Select at least two parties").click()
    assert page.evaluate("document.activeElement.id") == "id_parties_0"
    assert InformationSharingAgreement.objects.filter(reference="ISA-CLUB").count() == 0


def test_an_administrator_changes_an_education_limit(page, signed_in):
    EducationLimit.objects.update_or_create(status="reduced_timetable", defaults={"max_days": 42})
    page.goto(f"{signed_in}/partnership/")
    page.click("a.govuk-link:has-text('Education limits')")
    expect(page.locator("h1")).to_have_text("Education limits")
    assert_accessible(page, "education limits")
    page.get_by_role("link", name="Change for part-time or reduced timetable").click()
    expect(page.locator("h1")).to_have_text("Change the limit for part-time or reduced timetable")
    expect(page.locator("#id_max_days")).to_have_value("42")
    page.fill("#id_max_days", "400")
    page.click("button:has-text('Save changes')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("from 1 to 365")
    assert_accessible(page, "change an education limit with errors")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_max_days"
    page.fill("#id_max_days", "35")
    page.click("button:has-text('Save changes')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "set to 35 days (5 weeks)"
    )
    expect(page.locator("table")).to_contain_text("35 days (5 weeks)")
    assert EducationLimit.objects.get(status="reduced_timetable").max_days == 35
    assert AuditEvent.objects.filter(event="education_limit.updated").count() == 1


def sign_in_as(page, base, staff):
    page.goto(f"{base}/sign-in/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", "a-test-password")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")


def sign_out(page):
    page.click("button:has-text('Sign out')")
    expect(page.locator("h1")).to_contain_text("Sign in")


def test_a_promotion_waits_for_a_second_administrator_and_self_promotion_is_refused(
    page, signed_in, administrator, second_administrator, analyst, council, council_team
):
    # The administrator tries to make themselves a front-door manager: refused, on the field.
    page.goto(f"{signed_in}/partnership/staff/")
    page.get_by_role("link", name="Change Ada Admin").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("This is your own account")
    page.check(f"input[name=role][value={Role.FRONT_DOOR_MANAGER}]")
    page.click("button:has-text('Save changes')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("You cannot change your own role. Ask another administrator")
    assert_accessible(page, "staff change own role refused")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "role"
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR

    # They ask for the analyst to become the council front door's manager: it waits.
    page.goto(f"{signed_in}/partnership/staff/")
    page.get_by_role("link", name="Change Ana Lyst").click()
    page.select_option("#id_agency", str(council.pk))
    page.select_option("#id_team", str(council_team.pk))
    page.check(f"input[name=role][value={Role.FRONT_DOOR_MANAGER}]")
    page.click("button:has-text('Save changes')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "waiting for another administrator to approve it"
    )
    page.get_by_role("link", name="Change waiting for approval for Ana Lyst").click()
    expect(page.locator("h1")).to_have_text("Change to Ana Lyst's access")
    expect(page.locator(".govuk-inset-text")).to_contain_text("You asked for this change")
    assert_accessible(page, "staff change waiting, as the administrator who asked")
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST
    sign_out(page)

    # A second administrator approves it from the partnership's pages.
    sign_in_as(page, signed_in, second_administrator)
    page.goto(f"{signed_in}/partnership/")
    page.click("a.govuk-link:has-text('Changes to who can see children')")
    expect(page.locator("h1")).to_have_text("Changes to who can see children")
    expect(page.locator("table").first).to_contain_text("Role: Analyst to Front-door manager")
    assert_accessible(page, "changes to who can see children")
    page.get_by_role("link", name="Decide the change to Ana Lyst's access").click()
    page.click("button:has-text('Record decision')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you approve or refuse this change"
    )
    assert_accessible(page, "staff change decision with errors")
    page.check("input[name=decision][value=approve]")
    page.click("button:has-text('Record decision')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Change approved")
    assert_accessible(page, "changes to who can see children after approval")
    analyst.refresh_from_db()
    assert (analyst.role, analyst.team) == (Role.FRONT_DOOR_MANAGER, council_team)
    sign_out(page)

    # The promoted account now opens the front door's queue.
    sign_in_as(page, signed_in, analyst)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Front door").click()
    expect(page).to_have_url(re.compile(r"/front-door/$"))
    assert_accessible(page, "front door queue after approval")
    assert [e.event for e in AuditEvent.objects.filter(event__startswith="staff.")] == [
        "staff.signed_in",
        "staff.access_change_requested",
        "staff.signed_out",
        "staff.signed_in",
        "staff.access_change_approved",
        "staff.access_changed",
        "staff.signed_out",
        "staff.signed_in",
    ]


def test_the_data_protection_officer_reads_the_changes_from_their_navigation(
    page, live_server, administrator, analyst, council, council_team
):
    services.staff_update(
        actor=administrator,
        first_name=analyst.first_name,
        last_name=analyst.last_name,
        email=analyst.email,
        staff=analyst,
        agency=council,
        team=council_team,
        role=Role.FRONT_DOOR_MANAGER,
        job_title="",
        is_active=True,
    )
    dpo = make_staff(council, Role.DATA_PROTECTION_OFFICER, "dee.pio@example.org")
    sign_in_as(page, live_server.url, dpo)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Access changes").click()
    expect(page.locator("h1")).to_have_text("Changes to who can see children")
    expect(page.locator(".govuk-service-navigation [aria-current=page]")).to_have_text(
        "Access changes"
    )
    expect(page.locator("table").first).to_contain_text("Role: Analyst to Front-door manager")
    assert_accessible(page, "changes to who can see children, as the data protection officer")
    page.get_by_role("link", name="View the change to Ana Lyst's access").click()
    expect(page.locator("h1")).to_have_text("Change to Ana Lyst's access")
    expect(page.locator("input[name=decision]")).to_have_count(0)
    assert_accessible(page, "a change to someone's access, as the data protection officer")
    page.goto("about:blank")
