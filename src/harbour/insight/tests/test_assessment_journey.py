"""A browser journey through the needs assessment and disproportionality, each page checked with
axe (WCAG 2.2 AA): a leader reads the sections (charts drawn beside their tables), compares
with another reference group, is told plainly when the group is not one, and downloads the
board report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed
from playwright.sync_api import expect

from harbour.conftest import assert_accessible, demo_sign_in
from harbour.demo import insight_files
from harbour.demo.generator import generate
from harbour.insight import services
from harbour.partnership.models import Role, Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stock_the_store() -> None:
    analyst = Staff.objects.filter(role=Role.ANALYST).first()
    span = insight_files.months_between("2025-01", 12)
    files = [
        ("lsoa-boundaries", "b.geojson", insight_files.boundaries_geojson()),
        ("ons-census", "TS021.csv", insight_files.census_ts021_nomis()),
        ("ons-census", "census2021-ts007a-lsoa.csv", insight_files.census_ts007a_bulk()),
        ("police-uk-street", "street.csv", insight_files.street_csv(span, 150)),
        ("police-uk-stop-and-search", "sas.csv", insight_files.stop_search_csv(span, 150)),
        ("istv", "istv.csv", insight_files.istv_csv(span, 40)),
    ]
    for format_code, name, text in files:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=text.encode(), file_name=name
        )
        assert run.status == "imported", (name, run.errors[:3])


def test_a_leader_reads_the_needs_assessment_and_disproportionality(page, live_server):
    generate(seed=5, children=40)
    stock_the_store()
    base = live_server.url
    demo_sign_in(page, base, Role.STRATEGIC_LEADER)
    page.get_by_role("link", name="Needs assessment").first.click()
    expect(page.locator("h1")).to_have_text("Strategic needs assessment")
    for key in ("trend-police", "where", "when", "who-age", "weapons-ed"):
        expect(page.locator(f"[data-chart='{key}'][data-drawn=true] svg")).to_be_visible()
    expect(page.locator("#who-age-table")).to_contain_text("10-17")
    expect(page.locator("#when-table")).to_contain_text("[c]")
    assert_accessible(page, "insight-needs-assessment")

    page.get_by_role("link", name="Disproportionality by stage").first.click()
    expect(page.locator("h1")).to_have_text("Disproportionality by stage")
    expect(page.locator("[data-chart='searched'][data-drawn=true] svg")).to_be_visible()
    expect(page.locator("#searched-table")).to_contain_text("White (reference)")
    assert_accessible(page, "insight-disproportionality")

    page.get_by_label("Compare each group with").select_option("black")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#searched-table")).to_contain_text(
        "Black, Black British, Black Welsh, Caribbean or African (reference)"
    )

    page.goto(f"{base}/insight/disproportionality/?reference=purple")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select one of the five ethnic groups"
    )
    assert_accessible(page, "insight-disproportionality-error")

    page.goto(f"{base}/insight/disproportionality/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the board report (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "RRI - stop and search" in book.sheetnames
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the board report (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
