"""A browser journey, each page checked with axe (WCAG 2.2 AA): the demo's lead practitioner
opens their cumulative-harm flags, reads the records behind one, is asked to say what was done,
acknowledges it, then opens the needs that one agency knows and another does not; reads a flag
for being suspected with a flagged child; an administrator changes a rule's numbers, and
switches the co-involvement rule off, then, with no roles ticked, cannot switch it on."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.access.models import AuditEvent, WorkingRelationship
from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo.generator import generate
from harbour.demo.models import GroundTruth
from harbour.identity import flags, needs
from harbour.identity.models import (
    AlertStatus,
    FlagRule,
    FlagRuleKind,
    HarmFlag,
    Person,
    PersonRecord,
)
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=11, children=120)
    flags.seed_example_rules()
    people = {}
    for n, child_id in enumerate(
        sorted(set(GroundTruth.objects.values_list("child_id", flat=True)), key=str), start=1
    ):
        people[child_id] = Person.objects.create(number=n, child_id=child_id)
    PersonRecord.objects.bulk_create(
        PersonRecord(source_record_id=r, person=people[c], method="manual")
        for r, c in GroundTruth.objects.values_list("source_record_id", "child_id")
    )
    flags.raise_flags()
    needs.reconcile()
    return str(live_server.url)


def test_a_lead_practitioner_acknowledges_a_flag(page: Any, base: str) -> None:
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    page.get_by_role("link", name="Flags").first.click()
    expect(page.locator("h1")).to_have_text("Cumulative-harm flags")
    assert_accessible(page, "identity-flags")

    page.locator("table a.govuk-link").first.click()
    # A child's tab: the child's name is the page's heading, the tab's title under the header.
    expect(page.locator("main h2.govuk-heading-l")).to_have_text("Cumulative-harm flags")
    expect(page.locator("#happening-now")).to_contain_text("What is happening now")
    expect(page.locator(".govuk-summary-card").first).to_contain_text("The records that raised it")
    assert_accessible(page, "identity-child-flags")

    page.get_by_role("button", name="Acknowledge").first.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what was done")
    assert_accessible(page, "identity-child-flags-error")

    page.get_by_label("What was done").first.fill("Discussed with the police; strategy meeting")
    page.get_by_role("button", name="Acknowledge").first.click()
    expect(message_banner(page)).to_contain_text("Acknowledged")
    assert HarmFlag.objects.filter(status=AlertStatus.ACKNOWLEDGED).count() == 1

    page.locator("main").get_by_role("link", name="Needs across agencies").click()
    expect(page.locator("main h2.govuk-heading-l")).to_have_text("Needs across agencies")
    assert_accessible(page, "identity-child-needs")

    page.locator("nav, header").get_by_role("link", name="Needs across agencies").first.click()
    expect(page.locator("h1")).to_have_text("Needs one agency knows and another does not")
    assert_accessible(page, "identity-needs")


def test_an_administrator_changes_a_rules_numbers(page: Any, base: str) -> None:
    demo_sign_in(page, base, Role.ADMINISTRATOR)
    page.get_by_role("link", name="Flag rules").first.click()
    expect(page.locator("h1")).to_have_text("Cumulative-harm rules")
    assert_accessible(page, "identity-flag-rules")

    page.get_by_role("link", name="Three or more incidents", exact=False).first.click()
    expect(page.locator("h1")).to_have_text("Change a rule")
    expect(page.get_by_label("Within how many days")).to_have_value("90")
    assert_accessible(page, "identity-flag-rule-edit")

    page.get_by_label("How many incidents raise a flag").fill("three")
    page.get_by_label("Recorded by at least how many agencies").fill("0")
    page.get_by_role("button", name="Save as a new version").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The number of incidents must be a whole number")
    expect(summary).to_contain_text("The number of agencies must be a whole number from 1 to 10")
    assert_accessible(page, "identity-flag-rule-edit-error")

    page.get_by_label("How many incidents raise a flag").fill("4")
    page.get_by_label("Recorded by at least how many agencies").fill("2")
    page.get_by_label("Within how many days").fill("120")
    page.get_by_role("button", name="Save as a new version").click()
    expect(message_banner(page)).to_contain_text("is now version 2")
    rule = FlagRule.objects.get(code="violence-cluster", is_current=True)
    assert (rule.version, rule.parameters["count"], rule.parameters["days"]) == (2, 4, 120)


def test_a_lead_practitioner_reads_a_flag_for_being_suspected_with_a_flagged_child(
    page: Any, base: str
) -> None:
    lead = demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    caseload = WorkingRelationship.objects.filter(staff=lead).values_list("child_id", flat=True)
    flag = HarmFlag.objects.filter(
        rule__kind=FlagRuleKind.CO_INVOLVED_WITH_FLAGGED, child_id__in=list(caseload)
    ).first()
    assert flag is not None, "the demo flags one of the lead practitioner's children"
    page.goto(f"{base}/identity/children/{flag.child_id}/flags/")
    card = page.locator(".govuk-summary-card", has_text=flag.rule.title).first
    expect(card).to_contain_text("Recorded as suspect in an incident on")
    expect(card).to_contain_text("Alongside another child recorded as suspect, already flagged by")
    expect(card.locator("td").nth(3)).to_have_text("Suspect")
    assert_accessible(page, "identity-child-flags-co-involvement")


def test_an_administrator_switches_a_rule_off(page: Any, base: str) -> None:
    rule = FlagRule.objects.get(code="co-involved-flagged", is_current=True)
    raised = HarmFlag.objects.filter(rule=rule).count()
    assert rule.in_use and raised
    demo_sign_in(page, base, Role.ADMINISTRATOR)
    page.get_by_role("link", name="Flag rules").first.click()
    row = page.locator("tr", has_text=rule.title)
    expect(row).to_contain_text("In use")
    expect(row).to_contain_text("Switched on by harbour demo generate")
    page.get_by_role("link", name=f"Switch off “{rule.title}”").click()
    expect(page.locator("h1")).to_have_text("Switch off a rule")
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Suspect, Person reported missing, Person arrested, Associate"
    )
    assert_accessible(page, "identity-flag-rule-switch")

    page.get_by_role("button", name="Switch off").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why the rule is being switched off"
    )
    assert_accessible(page, "identity-flag-rule-switch-error")

    page.get_by_label("Why is the partnership switching this rule off?").fill(
        "The board paused it while the data protection impact assessment is reviewed"
    )
    page.get_by_role("button", name="Switch off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "switched off: it raises no new flags, and flags already raised stay"
    )
    expect(page.locator("tr", has_text=rule.title)).to_contain_text("Switched off by")
    assert_accessible(page, "identity-flag-rules-switched-off")
    rule.refresh_from_db()
    assert not rule.in_use
    assert AuditEvent.objects.filter(event="identity.flag_rule.switched_off").exists()
    flags.raise_flags()
    assert HarmFlag.objects.filter(rule=rule).count() == raised  # kept, and no new ones

    # Switched off, the rule may count no roles; switched on, it must count some.
    page.get_by_role("link", name=rule.title, exact=True).click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("This rule is switched off")
    for box in page.locator("input[name=roles]").all():
        box.uncheck()
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now version 2")
    page.get_by_role("link", name=f"Switch on “{rule.title}”").click()
    page.get_by_label("Why is the partnership switching this rule on?").fill("Agreed again")
    page.get_by_role("button", name="Switch on").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The rule counts no roles: change it to tick at least one before switching it on"
    )
    assert_accessible(page, "identity-flag-rule-switch-on-error")
    assert not FlagRule.objects.get(code=rule.code, is_current=True).in_use
