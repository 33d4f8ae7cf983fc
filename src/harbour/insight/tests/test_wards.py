"""Wards (issue 13, part 3 "where … ward"): ONS's LSOA (2021) to ward best-fit lookup read as
published, every bad row named by line and column and nothing saved, the parser never crashing,
and the needs assessment's counts by ward equal to the LSOAs' counts added up through it."""

from __future__ import annotations

import contextlib

import pandas as pd
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.insight import services
from harbour.insight.engine import queries, read_file
from harbour.insight.selectors import store_tables
from harbour.insight.tests.conftest import FIXTURES, fixture_bytes
from harbour.tabular import ImportRejected

LOOKUP = "LSOA21_WD24_LAD24_EW_LU_riverside.csv"
VIOLENT = ["Violence and sexual offences", "Robbery", "Possession of weapons"]


def lookup_text() -> str:
    return fixture_bytes(LOOKUP).decode()


def test_the_lookup_reads_as_published_with_its_ward_year():
    parsed = read_file("lsoa-ward-lookup", fixture_bytes(LOOKUP), filename=LOOKUP)
    assert parsed.errors == []
    assert len(parsed.frame) == 60 and parsed.frame["ward_code"].nunique() == 15
    assert set(parsed.frame["month"]) == {"2024-12"} and set(parsed.frame["ward_year"]) == {2024}
    first = parsed.frame.iloc[0]
    assert (first.lsoa21cd, first.ward_code, first.ward_name, first.lad_code) == (
        "E01990001",
        "E05990001",
        "Wharfside",
        "E06990001",
    )


def test_another_vintage_and_welsh_names_are_read_too():
    text = (
        "FID,LSOA21CD,LSOA21NM,LSOA21NMW,WD22CD,WD22NM,WD22NMW\n"
        "1,W01000001,Isle of Anglesey 007A,,W05000001,Aberffraw,Aberffraw\n"
    )
    parsed = read_file("lsoa-ward-lookup", text.encode())
    assert parsed.errors == []
    assert parsed.frame.iloc[0]["month"] == "2022-12"
    assert parsed.frame.iloc[0]["lad_code"] is None


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "detail"),
    [
        ("E01990002,", "E0199000X,", 3, "LSOA21CD", "must be a 2021 LSOA code"),
        ("E05990001,Wharfside,E06990001,Riverside,2", "E99,Wharfside,E06990001,Riverside,2", 3,
         "WD24CD", "must be a ward code"),
        ("E01990002,Riverside 001B", "E01990001,Riverside 001B", 3, "LSOA21CD",
         "repeats the LSOA of line 2"),
        ("Wharfside,E06990001,Riverside,2", ",E06990001,Riverside,2", 3, "WD24NM",
         "must be a name"),
        ("E06990001,Riverside,2", "X,Riverside,2", 3, "LAD24CD", "local authority code"),
    ],
)  # fmt: skip
def test_a_bad_row_is_named_by_line_and_column(old, new, line, column, detail):
    parsed = read_file("lsoa-ward-lookup", lookup_text().replace(old, new, 1).encode())
    assert [(e.line, e.column) for e in parsed.errors] == [(line, column)]
    assert detail in parsed.errors[0].detail


def test_a_bad_header_is_refused_naming_each_column():
    with pytest.raises(ImportRejected) as refused:
        read_file("lsoa-ward-lookup", lookup_text().replace("WD24NM", "WARDNAME", 1).encode())
    named = {(e.line, e.column) for e in refused.value.errors}
    assert named == {(1, "WD24NM"), (1, "WARDNAME")}
    with pytest.raises(ImportRejected, match="ward code column"):
        read_file("lsoa-ward-lookup", b"LSOA21CD,LSOA21NM\nE01990001,Riverside 001A\n")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_the_parser_never_crashes(content):
    with contextlib.suppress(ImportRejected):  # a refusal is an answer; anything else fails
        read_file("lsoa-ward-lookup", b"LSOA21CD,LSOA21NM,WD24CD,WD24NM\n" + content)


@pytest.fixture
def stocked(analyst):
    for name, format_code in [
        ("riverside-lsoa-2021.geojson", "lsoa-boundaries"),
        (LOOKUP, "lsoa-ward-lookup"),
        ("2024-01-riverside-street.csv", "police-uk-street"),
        ("2024-02-riverside-street.csv", "police-uk-street"),
        ("riverside-istv-2024-01.csv", "istv"),
    ]:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=fixture_bytes(name), file_name=name
        )
        assert run.status == "imported", (name, run.errors)
    return analyst


@pytest.mark.django_db
def test_counts_by_ward_are_the_lsoas_counts_added_up_through_the_lookup(stocked):
    street = pd.concat(
        pd.read_csv(FIXTURES / name, dtype=str)
        for name in ("2024-01-riverside-street.csv", "2024-02-riverside-street.csv")
    )
    lookup = pd.read_csv(FIXTURES / LOOKUP, dtype=str).set_index("LSOA21CD")["WD24CD"]
    violent = street[street["Crime type"].isin(VIOLENT) & street["LSOA code"].notna()]
    expected = violent["LSOA code"].map(lookup).dropna().value_counts().sort_index()
    t = store_tables()
    got = queries.execute(
        queries.counts_by_ward(queries.violent_crime(t["police_street"]), t["lsoa_wards"])
    )
    assert dict(zip(got["ward_code"], got["count"], strict=True)) == expected.to_dict()
    assert expected.sum() > 0


@pytest.mark.django_db
def test_the_needs_assessment_shows_wards_with_small_counts_hidden(client, stocked):
    client.force_login(stocked)
    page = client.get(reverse("insight:needs"))
    ward = next(s for s in page.context["sections"] if s.key == "where-ward")
    assert ward.rows and ward.header == "Ward" and ward.notes == []
    labels = [row.label for row in ward.rows]
    assert all("(E0599" in label for label in labels)
    shown = [cell for row in ward.rows for cell in row.cells]
    assert all(c.suppressed for c in shown if 0 < c.true_value < 5)
    assert "Where: violent crime and assaults by ward" in page.content.decode()


@pytest.mark.django_db
def test_without_a_lookup_the_page_says_how_to_add_one(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("insight:needs"))
    ward = next(s for s in page.context["sections"] if s.key == "where-ward")
    assert ward.rows == [] and "lsoa-ward-lookup" in ward.notes[0]
