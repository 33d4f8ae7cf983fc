"""A browser journey, each page checked with axe (WCAG 2.2 AA): the lead practitioner reads
other agencies' events in a child's chronology, then who the child has been involved with (the
network picture and its table)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.access.models import WorkingRelationship
from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.demo.models import DemoPattern, GroundTruth, Pattern
from harbour.demo.signins import LEAD_PRACTITIONER
from harbour.identity.models import LinkMethod, Person, PersonRecord
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_as_the_truth_says() -> None:
    """The person index, built from the ground truth rather than trained (the linkage has its
    own tests): one person per child, holding every record of them."""
    people: dict[Any, Person] = {}
    links = []
    for number, (record_id, child_id) in enumerate(
        GroundTruth.objects.order_by("child_id", "source_record_id").values_list(
            "source_record_id", "child_id"
        ),
        start=1,
    ):
        if child_id not in people:
            people[child_id] = Person.objects.create(number=number, child_id=child_id)
        links.append(
            PersonRecord(
                source_record_id=record_id, person=people[child_id], method=LinkMethod.MANUAL
            )
        )
    PersonRecord.objects.bulk_create(links)


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=5, children=80)
    link_as_the_truth_says()
    return live_server.url


def test_the_lead_practitioner_reads_other_agencies_events_and_the_childs_associates(page, base):
    caseload = set(
        WorkingRelationship.objects.filter(staff__email=LEAD_PRACTITIONER.email).values_list(
            "child_id", flat=True
        )
    )
    patterns = DemoPattern.objects.filter(child_id__in=caseload)
    chosen = (
        patterns.filter(pattern=Pattern.MISSING_WITH_ADULTS).first()
        or patterns.filter(pattern=Pattern.CO_INVOLVED).first()
        or patterns.first()
    )
    assert chosen is not None, "the demo gives the lead practitioner's children patterns"
    demo_sign_in(page, base, Role.LEAD_PRACTITIONER)
    page.goto(f"{base}/children/{chosen.child_id}/chronology/")
    expect(page.locator("main h2.govuk-heading-l")).to_have_text("Chronology")
    page.check("input[name=types][value=agency_event]")
    page.click("button:has-text('Apply filters')")
    expect(page.locator(".moj-timeline__byline").first).to_contain_text(
        "Agencies' own records of events"
    )
    assert_accessible(page, "chronology-agency-events")
    page.get_by_role("link", name="has been involved with").click()
    expect(page.locator("main h2.govuk-heading-l")).to_contain_text("has been involved with")
    if chosen.pattern in (Pattern.MISSING_WITH_ADULTS, Pattern.CO_INVOLVED):
        expect(page.get_by_role("img", name="has been involved with")).to_be_visible()
        expect(page.locator("table.govuk-table")).to_be_visible()
    assert_accessible(page, "child-associates")
