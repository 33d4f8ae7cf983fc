"""Browser journeys through the person index, each page checked with axe (WCAG 2.2 AA):

- the demo front-door manager merges a police record that carries a mistyped NHS number into the
  child's person (refused until the override is explained), then splits it back out;
- the demo front-door practitioner works through records held back from matching: attaches one
  to a person, keeps one held with a note, closes one that is not a record of a person."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo import riverside as rv
from harbour.demo.generator import generate
from harbour.demo.models import GroundTruth
from harbour.identity.linkage import model as linkage_model
from harbour.identity.models import (
    ChangeKind,
    HeldRecord,
    HeldStatus,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    SourceRecord,
)
from harbour.identity.tests.conftest import valid_nhs_number
from harbour.partnership.models import Agency, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def child_person() -> tuple[Person, Any]:
    """P-000001: a demo child with their agencies' records, one of which holds the child's NHS
    number (so another number is a conflict)."""
    for truth in GroundTruth.objects.select_related("child", "source_record").order_by("pk"):
        child = truth.child
        if child.nhs_number and truth.source_record.nhs_number == child.nhs_number:
            person = Person.objects.create(number=1, child=child)
            PersonRecord.objects.bulk_create(
                PersonRecord(source_record_id=r, person=person, method=LinkMethod.BATCH)
                for r in GroundTruth.objects.filter(child=child).values_list(
                    "source_record_id", flat=True
                )
            )
            return person, child
    raise AssertionError("the demo has no child whose NHS number an agency holds")


@pytest.fixture
def base(live_server: Any) -> str:
    generate(seed=11, children=60)
    return str(live_server.url)


def test_a_manager_merges_across_nhs_numbers_then_splits_the_record_back_out(
    page: Any, base: str
) -> None:
    person, child = child_person()
    mistyped = valid_nhs_number(int(child.nhs_number[:9]) + 7)
    police = SourceRecord.objects.create(
        agency=Agency.objects.get(code=rv.POLICE),
        source_system="Niche RMS",
        source_id="RVP-JOURNEY-1",
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        nhs_number=mistyped,
        as_of=dt.date(2026, 10, 1),
    )
    other = Person.objects.create(number=2)
    PersonRecord.objects.create(source_record=police, person=other, method=LinkMethod.BATCH)

    demo_sign_in(page, base, Role.FRONT_DOOR_MANAGER)
    page.goto(f"{base}/identity/people/{other.number}/")
    expect(page.locator("h1")).to_have_text("P-000002")
    assert_accessible(page, "identity-person")

    page.get_by_role("link", name="Merge with another person").click()
    expect(page.locator("h1")).to_have_text("Merge with another person")
    page.get_by_label("Which person is the same as this one?").fill("P-000001")
    page.get_by_label("Why are they the same person?").fill(
        "The police record is this child: same name, date of birth and address"
    )
    page.get_by_role("button", name="Merge").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("These records have different NHS numbers")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_nhs_override_reason")
    assert_accessible(page, "identity-person-merge-nhs-error")
    assert Person.objects.get(number=2).merged_into is None

    page.get_by_label("If their NHS numbers differ, why override them?").fill(
        "Police confirmed the custody record's NHS number was mistyped"
    )
    page.get_by_role("button", name="Merge").click()
    expect(message_banner(page)).to_contain_text("P-000002 is now part of P-000001")
    expect(page.locator("h1")).to_have_text("P-000001")
    expect(page.locator("main")).to_contain_text("RVP-JOURNEY-1")
    assert_accessible(page, "identity-person-merged")
    merge = PersonChange.objects.get(kind=ChangeKind.MERGE)
    assert (merge.person, merge.other) == (person, other)
    assert merge.nhs_override and "mistyped" in merge.nhs_override_reason

    page.get_by_role("link", name="Split records into a new person").click()
    expect(page.locator("h1")).to_have_text("Split records into a new person")
    page.get_by_label("Why are they a different person?").fill(
        "Police now say the custody record is the child's cousin"
    )
    page.get_by_role("button", name="Split").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the records that are a different person"
    )
    assert_accessible(page, "identity-person-split-error")

    page.get_by_label("Riverside Police (Niche RMS RVP-JOURNEY-1)", exact=False).check()
    page.get_by_label("Why are they a different person?").fill(
        "Police now say the custody record is the child's cousin"
    )
    page.get_by_role("button", name="Split").click()
    expect(message_banner(page)).to_contain_text("The records are now P-")
    assert_accessible(page, "identity-person-split")
    split = PersonChange.objects.get(kind=ChangeKind.SPLIT)
    assert split.source_record_ids == [police.pk]
    assert PersonRecord.objects.get(source_record=police).person == split.other
    assert split.other is not None and page.locator("h1").inner_text() == split.other.display_id


def held(agency_code: str, source_id: str, reason: str, **values: Any) -> HeldRecord:
    record = SourceRecord.objects.create(
        agency=Agency.objects.get(code=agency_code),
        source_id=source_id,
        as_of=dt.date(2026, 10, 1),
        **values,
    )
    return HeldRecord.objects.create(source_record=record, reason=reason)


def test_the_front_door_works_through_held_records(page: Any, base: str) -> None:
    person, child = child_person()
    attach = held(
        rv.AMBULANCE,
        "CAD-0001",
        linkage_model.NO_NAME,
        source_system="Cleric CAD",
        given_name="Unknown",
        nhs_number=child.nhs_number,
        postcode=child.postcode,
    )
    keep = held(
        rv.POLICE,
        "RVP-0002",
        linkage_model.NO_DOB_OR_NHS,
        source_system="Niche RMS",
        given_name="Jay",
        family_name="Doe",
    )
    close = held(
        rv.CSC,
        "LCS-TEST",
        f"{linkage_model.NO_NAME}; {linkage_model.NO_DOB_OR_NHS}",
        source_system="Liquidlogic LCS",
        family_name="Test",
    )

    demo_sign_in(page, base, Role.FRONT_DOOR_PRACTITIONER)
    page.get_by_role("link", name="Records to review").first.click()
    page.get_by_role("link", name="held records").click()
    expect(page.locator("h1")).to_have_text("Held records")
    expect(page.locator("table")).to_contain_text("First name (not usable: a placeholder)")
    expect(page.locator("table")).not_to_contain_text("Doe")  # the list names no one
    assert_accessible(page, "identity-held-records")

    page.get_by_role("link", name="Cleric CAD CAD-0001").click()
    expect(page.locator("h1")).to_have_text("A record held back from matching")
    expect(page.locator(".govuk-inset-text")).to_contain_text("No usable name")
    assert_accessible(page, "identity-held-record")
    page.get_by_label("Attach it to a person in the index").check()
    page.get_by_label("Why? If keeping it held, your note").fill(
        "The ambulance crew's NHS number is this child's"
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person number")
    assert_accessible(page, "identity-held-record-error")
    page.get_by_label("If attaching, which person is it?").fill(person.display_id)
    page.get_by_label("Why? If keeping it held, your note").fill(
        "The ambulance crew's NHS number is this child's"
    )
    page.get_by_role("button", name="Record decision").click()
    expect(message_banner(page)).to_contain_text("The record is now part of P-000001")
    expect(page.locator("h1")).to_have_text("Held records")
    assert_accessible(page, "identity-held-records-decided")

    page.get_by_role("link", name="Niche RMS RVP-0002").click()
    page.get_by_label("Keep it held, with a note").check()
    page.get_by_label("Why? If keeping it held, your note").fill(
        "Asked the police for Jay's date of birth"
    )
    page.get_by_role("button", name="Record decision").click()
    expect(message_banner(page)).to_contain_text("stays held")

    page.get_by_role("link", name="Liquidlogic LCS LCS-TEST").click()
    page.get_by_label("Close it: it is not a record of a person").check()
    page.get_by_label("Why? If keeping it held, your note").fill(
        "A test record made when the system was set up"
    )
    page.get_by_role("button", name="Record decision").click()
    expect(message_banner(page)).to_contain_text("closed")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("RVP-0002")

    statuses = {
        h.source_record.source_id: h.status
        for h in HeldRecord.objects.filter(pk__in=[attach.pk, keep.pk, close.pk])
    }
    assert statuses == {
        "CAD-0001": HeldStatus.ATTACHED,
        "RVP-0002": HeldStatus.HELD,
        "LCS-TEST": HeldStatus.CLOSED,
    }
    assert PersonRecord.objects.get(source_record=attach.source_record).person == person
