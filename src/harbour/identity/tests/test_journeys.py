"""A browser journey through the review queue, each page checked with axe (WCAG 2.2 AA): the
front door opens a pair, reads why the model scored it (the waterfall chart, drawn by the
vendored Vega, and the same numbers as a table), and records a decision."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in, message_banner
from harbour.demo.generator import generate
from harbour.identity import linking
from harbour.identity.models import ReviewPair, ReviewStatus
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def base(live_server: Any) -> str:
    # This seed and size give the uncertain pairs (siblings, twins) that reach the queue.
    generate(seed=6, children=150)
    linking.link_train(seed=3)
    linking.link_run()
    return live_server.url


def test_the_front_door_reviews_a_pair(page, base):
    assert ReviewPair.objects.filter(status=ReviewStatus.PENDING).exists()
    demo_sign_in(page, base, Role.FRONT_DOOR_PRACTITIONER)
    page.get_by_role("link", name="Records to review").first.click()
    expect(page.locator("h1")).to_have_text("Records to review")
    assert_accessible(page, "identity-review-queue")

    page.locator("table a.govuk-link").first.click()
    expect(page.locator("h1")).to_have_text("Are these the same person?")
    expect(page.locator("#waterfall-section[data-drawn=true] svg")).to_be_visible()
    expect(page.get_by_role("table").nth(1)).to_contain_text("Date of birth")
    assert_accessible(page, "identity-review-pair")

    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether these records are the same person"
    )
    assert_accessible(page, "identity-review-pair-error")

    page.get_by_label("No, different people").check()
    page.get_by_label("Why?").fill("Twins: the school confirmed they are two children")
    page.get_by_role("button", name="Record decision").click()
    expect(message_banner(page)).to_contain_text("different people")
    assert_accessible(page, "identity-review-decided")
    assert ReviewPair.objects.filter(status=ReviewStatus.REJECTED).count() == 1


def test_an_administrator_imports_person_records(page, live_server, tmp_path):
    generate(seed=5, children=60)
    base = live_server.url
    demo_sign_in(page, base, Role.ADMINISTRATOR)
    page.get_by_role("link", name="Import records").first.click()
    expect(page.locator("h1")).to_have_text("Import person records")
    assert_accessible(page, "identity-import")

    header = "source_system,source_id,given_name,family_name,date_of_birth,nhs_number\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "Mosaic,1,Ava,Stone,27/03/2011,\nMosaic,2,Leo,Stone,2012-01-05,12\n")
    page.get_by_label("Whose records are these?").select_option(label="Riverside Police")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("nothing was saved")
    expect(page.locator("table")).to_contain_text("date_of_birth")
    assert_accessible(page, "identity-import-errors")

    good = tmp_path / "good.csv"
    good.write_text(header + "Mosaic,1,Ava,Stone,2011-03-27,\nMosaic,2,Leo,Stone,2012-01-05,\n")
    page.get_by_label("Whose records are these?").select_option(label="Riverside Police")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(message_banner(page)).to_contain_text("2 new")
