"""A browser journey through the store, each page checked with axe (WCAG 2.2 AA): an analyst
imports a police.uk file from the page, watches its progress, and finds it in the catalogue with
the chart (drawn by the vendored Vega) beside its table; a bad file is refused by line."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo.generator import generate
from harbour.demo.insight_files import months_between, street_csv
from harbour.insight.models import ImportStatus, SourceImport
from harbour.partnership.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_imports_a_police_uk_file_and_sees_it_in_the_store(
    page, live_server, tmp_path, settings
):
    # The import runs beside the web process, as in production, so its progress shows.
    settings.HARBOUR_INSIGHT_RUNNER = "thread"
    generate(seed=5, children=40)
    base = live_server.url
    demo_sign_in(page, base, Role.ANALYST)
    page.get_by_role("link", name="Data store").first.click()
    expect(page.locator("h1")).to_have_text("The analytical store")
    expect(page.get_by_text("The store is empty.")).to_be_visible()
    assert_accessible(page, "insight-store-empty")

    page.get_by_role("button", name="Import a file").click()
    expect(page.locator("h1")).to_have_text("Import a file into the store")
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what is in the file")
    assert_accessible(page, "insight-import-errors")

    bad = tmp_path / "2024-01-riverside-street.csv"
    good_text = street_csv(months_between("2023-01", 12), 4000, seed=11)
    lines = good_text.splitlines()
    lines[3] = lines[3].replace(",2023-01,", ",2023-13,", 1)
    bad.write_text("\n".join(lines) + "\n")
    page.get_by_label("Street-level crime (police.uk)").check()
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator("#import-status")).to_have_text("Refused", timeout=60_000)
    expect(page.locator("#import-errors")).to_contain_text("must be a month like 2024-03")
    expect(page.locator("#import-errors tbody tr").first).to_contain_text("4")
    assert_accessible(page, "insight-import-refused")

    good = tmp_path / "riverside-2023-street.csv"
    good.write_text(good_text)
    page.goto(f"{base}/insight/import/")
    page.get_by_label("Street-level crime (police.uk)").check()
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check and import").click()
    # The page arrives while the import runs: its progress shows, then the result replaces it.
    expect(page.locator("h1")).to_have_text("Import of riverside-2023-street.csv")
    expect(page.locator("progress.harbour-progress")).to_be_visible()
    assert_accessible(page, "insight-import-progress")
    expect(page.locator("#import-status")).to_have_text("Imported", timeout=120_000)
    expect(page.locator("#import-summary")).to_contain_text("48,000")
    assert_accessible(page, "insight-import-done")
    run = SourceImport.objects.get(status=ImportStatus.IMPORTED)
    assert (run.rows, run.new) == (48_000, 48_000)

    page.get_by_role("link", name="Back to the store").click()
    expect(page.locator("#catalogue")).to_contain_text("48,000")
    expect(page.locator("#rows-chart-section[data-drawn=true] svg")).to_be_visible()
    expect(page.locator("#rows-table")).to_contain_text("January 2023")
    expect(page.get_by_role("link", name=re.compile("riverside-2023-street.csv"))).to_be_visible()
    assert_accessible(page, "insight-store")
