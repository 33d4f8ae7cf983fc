"""Each format's reader (the engine, without a database): the shipped fixtures read cleanly, and
each kind of bad input is refused with its line and column."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harbour.demo import insight_files
from harbour.insight.engine import FORMATS, ImportRejected, read_file
from harbour.insight.engine.istv import weapon
from harbour.insight.engine.store import keyed
from harbour.insight.tests.conftest import fixture_bytes

STREET = "2024-01-riverside-street.csv"
HEADER = insight_files.STREET_HEADER
CRIME = "a" * 64


def street(*rows: str) -> bytes:
    return (",".join(HEADER) + "\n" + "\n".join(rows) + "\n").encode()


def row(
    crime_id: str = CRIME,
    month: str = "2024-01",
    lon: str = "-1.5",
    lat: str = "52.4",
    location: str = "On or near Mill Road",
    lsoa: str = "E01990001",
    crime_type: str = "Robbery",
) -> str:
    return (
        f"{crime_id},{month},Riverside Police,Riverside Police,{lon},{lat},{location},{lsoa},"
        f"Riverside 001A,{crime_type},Under investigation,"
    )


def errors_of(format_code: str, content: bytes, name: str = "") -> set[tuple[int, str | None]]:
    try:
        parsed = read_file(format_code, content, filename=name)
    except ImportRejected as rejected:
        return {(e.line, e.column) for e in rejected.errors}
    return {(e.line, e.column) for e in parsed.errors}


@pytest.mark.parametrize(
    ("format_code", "name", "rows", "notes"),
    [
        (
            "police-uk-street",
            STREET,
            40,
            {"anti_social_behaviour": 8, "no_location": 1, "zeroed": 0},
        ),
        ("police-uk-outcomes", "2024-01-riverside-outcomes.csv", 14, {"no_location": 0}),
        (
            "police-uk-stop-and-search",
            "2024-01-riverside-stop-and-search.csv",
            25,
            {"no_location": 3},
        ),
        ("ons-census", "TS021-ethnic-group-lsoa-riverside.csv", 60 * 25, {"areas": 60}),
        ("ons-census", "census2021-ts007a-lsoa.csv", 60 * 19, {"areas": 60}),
        ("dfe-exclusions", "riverside-exclusions.csv", 12, {"suppressed_cells": 4}),
        ("istv", "riverside-istv-2024-01.csv", 20, {}),
        ("lsoa-boundaries", "riverside-lsoa-2021.geojson", 60, {}),
        ("lsoa-boundaries", "riverside-lsoa-2021.geojsonl", 60, {}),
        ("lsoa-ward-lookup", "LSOA21_WD24_LAD24_EW_LU_riverside.csv", 60, {}),
    ],
)
def test_each_shipped_fixture_reads_cleanly(format_code, name, rows, notes):
    parsed = read_file(format_code, fixture_bytes(name), filename=name)
    assert parsed.errors == []
    assert len(parsed.frame) == rows
    assert notes.items() <= parsed.notes.items()
    assert parsed.table == FORMATS[format_code].table
    # Every row has a natural key of its own, so importing it again can add nothing.
    assert keyed(parsed)["record_key"].is_unique


def test_police_street_keeps_its_traps_as_published():
    parsed = read_file(
        "police-uk-street",
        street(
            row(crime_id="", crime_type="Anti-social behaviour"),
            row(crime_id="b" * 64, lon="", lat="", location="No Location", lsoa=""),
            row(crime_id="c" * 64, lon="0", lat="0", lsoa=""),
        ),
    )
    assert parsed.errors == []
    frame = parsed.frame
    assert frame["crime_id"].isna().tolist() == [True, False, False]
    assert frame["location_status"].tolist() == ["located", "no_location", "zeroed"]
    # A zeroed point is no point at all: it must not land at 0°, 0°.
    assert frame["longitude"].isna().tolist() == [False, True, True]
    assert parsed.notes == {"anti_social_behaviour": 1, "no_location": 1, "zeroed": 1}


def test_identical_anti_social_behaviour_rows_are_separate_incidents():
    same = row(crime_id="", crime_type="Anti-social behaviour")
    parsed = read_file("police-uk-street", street(same, same, same))
    keys = keyed(parsed)["record_key"]
    assert keys.is_unique
    assert [k.split("#")[1] for k in keys] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ((row(month="2024-13"),), {(2, "Month")}),
        ((row(month="Jan 2024"),), {(2, "Month")}),
        ((row(crime_type="Stabbing"),), {(2, "Crime type")}),
        ((row(lon="10.2", lat="70.1"),), {(2, "Longitude")}),
        ((row(lon="52.4", lat="-1.5"),), {(2, "Longitude")}),
        ((row(lon="-1.5", lat=""),), {(2, "Longitude")}),
        ((row(lon="west"),), {(2, "Longitude")}),
        ((row(lsoa="E02000001"),), {(2, "LSOA code")}),
        ((row(crime_id=""),), {(2, "Crime ID")}),
        ((row(crime_id="not-a-hash"),), {(2, "Crime ID")}),
        ((row(), row()), {(3, "Crime ID")}),
    ],
)
def test_a_bad_street_row_is_named_by_line_and_column(rows, expected):
    assert errors_of("police-uk-street", street(*rows)) == expected


def test_a_wrong_header_names_each_missing_and_unknown_column_on_line_1():
    header = ",".join(HEADER).replace("Crime type", "Category") + ",Extra"
    content = (header + "\n" + row() + ",\n").encode()
    assert errors_of("police-uk-street", content) == {
        (1, "Crime type"),
        (1, "Category"),
        (1, "Extra"),
    }


def test_a_ragged_line_is_refused_by_line():
    content = street(row(), row() + ",surplus")
    assert errors_of("police-uk-street", content) == {(3, None)}


def with_cell(text: str, line: int, position: int, value: str) -> bytes:
    """The CSV text with one cell of one line (the header is line 1) replaced."""
    lines = text.splitlines()
    cells = lines[line - 1].split(",")
    cells[position] = value
    lines[line - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("position", "value", "column"),
    [
        (1, "5 January 2024", "Date"),
        (0, "Frisk", "Type"),
        (6, "M", "Gender"),
        (7, "17-18", "Age range"),
        (8, "Martian - Any other", "Self-defined ethnicity"),
        (2, "Yes", "Part of a policing operation"),
    ],
)
def test_a_bad_stop_and_search_row_is_named(position, value, column):
    text = fixture_bytes("2024-01-riverside-stop-and-search.csv").decode()
    assert errors_of("police-uk-stop-and-search", with_cell(text, 3, position, value)) == {
        (3, column)
    }


def test_stop_and_search_ethnicity_keeps_the_source_and_its_five_group():
    parsed = read_file(
        "police-uk-stop-and-search", fixture_bytes("2024-01-riverside-stop-and-search.csv")
    )
    frame = parsed.frame
    groups = {"white", "black", "asian", "mixed", "other", "not_stated"}
    assert set(frame["ethnic_group"].dropna()) <= groups
    stated = frame[frame["self_defined_ethnicity"].notna()]
    assert stated["ethnic_group"].notna().all()
    assert stated["month"].eq("2024-01").all()


def census_text() -> str:
    return fixture_bytes("TS021-ethnic-group-lsoa-riverside.csv").decode()


def test_census_reads_title_lines_and_footnotes_and_sums_agree():
    parsed = read_file(
        "ons-census", census_text().encode(), filename="TS021-ethnic-group-lsoa-riverside.csv"
    )
    frame = parsed.frame
    one = frame[frame["lsoa21cd"] == "E01990001"]
    total = one.loc[one["level"] == "total", "count"].sum()
    assert one.loc[one["level"] == "group", "count"].sum() == total
    assert one.loc[one["level"] == "detail", "count"].sum() == total
    # The header is on line 7, below six title lines: the first data row is line 8.
    assert frame["line"].min() == 8


def test_census_in_the_bulk_layout_and_with_codes_and_names_in_one_column():
    bulk = read_file("ons-census", fixture_bytes("census2021-ts007a-lsoa.csv"), filename="x.csv")
    assert set(bulk.frame["dimension"]) == {"Age by five-year age bands"}
    text = census_text().replace('"Riverside 001A","E01990001"', '"E01990001 : Riverside 001A",""')
    parsed = read_file("ons-census", text.encode())
    first = parsed.frame[parsed.frame["line"] == 8]
    assert set(first["lsoa21cd"]) == {"E01990001"} and set(first["lsoa21nm"]) == {"Riverside 001A"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"White: Roma"', '"White: Romany"', {(7, "White: Romany"), (7, "White: Roma")}),
        ('"E01990002"', '"E99"', {(9, "mnemonic")}),
        ('"E01990003"', '"E01990001"', {(10, "mnemonic")}),
    ],
)
def test_bad_census_input_is_named(old, new, expected):
    assert errors_of("ons-census", census_text().replace(old, new, 1).encode()) == expected


def test_a_census_count_that_is_not_a_whole_number_is_named():
    text = census_text()
    line = text.splitlines()[7]
    cells = line.split(",")
    cells[2] = "12.5"
    found = errors_of("ons-census", text.replace(line, ",".join(cells), 1).encode())
    assert found == {(8, "Total: All usual residents")}


def test_a_census_table_harbour_cannot_identify_is_refused():
    text = census_text().replace('"TS021 - Ethnic group"', '"Some table"')
    with pytest.raises(ImportRejected, match="Which census table"):
        read_file("ons-census", text.encode(), filename="download.csv")


def exclusions_text() -> str:
    return fixture_bytes("riverside-exclusions.csv").decode()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("202223,", "2022/23,", {(2, "time_period")}),
        (",National,", ",Nation,", {(2, "geographic_level")}),
        (",E06099001,", ",Riverside,", {(5, "new_la_code")}),
        (",Academic year,", ",Financial year,", {(2, "time_identifier")}),
    ],
)
def test_bad_exclusions_rows_are_named(old, new, expected):
    assert errors_of("dfe-exclusions", exclusions_text().replace(old, new, 1).encode()) == expected


def test_exclusions_keep_the_publishers_symbols_beside_the_numbers():
    parsed = read_file("dfe-exclusions", fixture_bytes("riverside-exclusions.csv"))
    suppressed = parsed.frame[parsed.frame["perm_excl_symbol"] == "c"]
    assert len(suppressed) == 2 and suppressed["perm_excl"].isna().all()
    text = exclusions_text()
    header, first = text.splitlines()[:2]
    cells = first.split(",")
    cells[header.split(",").index("suspension")] = "lots"
    found = errors_of("dfe-exclusions", text.replace(first, ",".join(cells), 1).encode())
    assert found == {(2, "suspension")}
    unknown = text.replace("headcount", "pupils", 1)
    assert errors_of("dfe-exclusions", unknown.encode()) == {(1, "pupils")}


def istv_text() -> str:
    return fixture_bytes("riverside-istv-2024-01.csv").decode()


def test_istv_is_anonymous_a_patient_column_refuses_the_file():
    lines = istv_text().splitlines()
    lines[0] += ",NHS NUMBER"
    lines[1:] = [line + ",4857773456" for line in lines[1:]]
    with pytest.raises(ImportRejected) as refused:
        read_file("istv", ("\n".join(lines) + "\n").encode())
    assert [(e.line, e.column) for e in refused.value.errors] == [(1, "NHS NUMBER")]
    assert "anonymous" in refused.value.errors[0].detail


@pytest.mark.parametrize(
    ("position", "value", "column"),
    [
        (4, "2024-02-30T10:00", "ASSAULT DATE AND TIME"),
        (4, "2024-01-31T23:59", "ASSAULT DATE AND TIME"),  # after the arrival
        (3, "2024-03-02T10:00", "ARRIVAL DATE AND TIME AT ACCIDENT AND EMERGENCY DEPARTMENT"),
        (2, "rv", "SITE CODE (OF TREATMENT)"),
        (5, "", "ASSAULT METHOD"),
        (0, "01/01/2024", "REPORTING PERIOD START DATE"),
    ],
)
def test_bad_istv_rows_are_named(position, value, column):
    text = istv_text()
    # Line 3's method is quoted with commas in it; line 2's cells are plain.
    found = errors_of("istv", with_cell(text, 2, position, value))
    assert found == {(2, column)}


def test_istv_keeps_the_departments_words_and_derives_the_weapon():
    parsed = read_file("istv", fixture_bytes("riverside-istv-2024-01.csv"))
    frame = parsed.frame
    assert frame["assault_method"].notna().all()
    assert set(frame["weapon"]) <= {
        "knife_or_sharp",
        "firearm",
        "blunt_object",
        "bodily_force",
        "other",
    }
    assert weapon("Knife or other sharp object") == "knife_or_sharp"
    assert weapon("Bodily force (hit, kicked, punched)") == "bodily_force"
    assert weapon("A thrown chair") == "other"


def boundaries() -> dict:
    return json.loads(fixture_bytes("riverside-lsoa-2021.geojson"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["features"][0]["properties"].update(LSOA21CD="E02000001"), (1, "LSOA21CD")),
        (lambda d: d["features"][1]["properties"].update(LSOA21CD="E01990001"), (2, "LSOA21CD")),
        (lambda d: d["features"][2]["properties"].pop("LSOA21NM"), (3, "LSOA21NM")),
        (
            # A bow tie: the ring crosses itself.
            lambda d: d["features"][3]["geometry"].update(
                coordinates=[[[-1.5, 52.4], [-1.4, 52.5], [-1.4, 52.4], [-1.5, 52.5], [-1.5, 52.4]]]
            ),
            (4, "geometry"),
        ),
        (
            # British National Grid metres where degrees belong.
            lambda d: d["features"][4]["geometry"].update(
                coordinates=[
                    [[430000, 280000], [431000, 280000], [431000, 281000], [430000, 280000]]
                ]
            ),
            (5, "geometry"),
        ),
    ],
)
def test_bad_boundaries_are_named_by_feature(change, expected):
    document = boundaries()
    change(document)
    parsed = read_file("lsoa-boundaries", json.dumps(document).encode())
    assert {(e.line, e.column) for e in parsed.errors} == {expected}
    assert all(e.unit == "feature" for e in parsed.errors)


def test_boundaries_in_british_national_grid_are_refused_whole():
    document = boundaries()
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    with pytest.raises(ImportRejected, match="British National Grid"):
        read_file("lsoa-boundaries", json.dumps(document).encode())


def test_geojson_lines_name_a_bad_line():
    lines = fixture_bytes("riverside-lsoa-2021.geojsonl").decode().splitlines()
    lines[2] = lines[2][:-5]
    with pytest.raises(ImportRejected) as refused:
        read_file("lsoa-boundaries", ("\n".join(lines) + "\n").encode())
    assert [(e.line, e.unit) for e in refused.value.errors] == [(3, "line")]


def test_not_utf8_and_empty_files_are_refused_plainly():
    with pytest.raises(ImportRejected, match="UTF-8"):
        read_file("police-uk-street", b"\xff\xfe" + "Crime ID".encode("utf-16-le"))
    with pytest.raises(ImportRejected, match="empty"):
        read_file("police-uk-street", b"")
    with pytest.raises(ImportRejected, match="does not read"):
        read_file("police-uk-crimes", b"x")


@pytest.mark.parametrize("format_code", list(FORMATS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=400),
        st.lists(
            st.lists(
                st.sampled_from(["", "0", "x", "2024-01", "E01990001", '"', ",", "\n", "-1.5"]),
                max_size=14,
            ),
            max_size=6,
        ).map(lambda rows: "\n".join(",".join(r) for r in rows)),
    ),
    header=st.booleans(),
)
def test_no_input_crashes_a_reader_beyond_a_refusal(format_code, text, header):
    """Whatever arrives, a reader either returns rows (with their problems) or refuses the file
    with ``ImportRejected``; nothing else escapes."""
    prefix = ""
    if header and format_code.startswith("police-uk-s") and format_code.endswith("street"):
        prefix = ",".join(HEADER) + "\n"
    elif header and format_code == "istv":
        prefix = ",".join(insight_files.ISTV_HEADER) + "\n"
    try:
        parsed = read_file(format_code, (prefix + text).encode(), filename="TS021.csv")
    except ImportRejected:
        return
    if not parsed.errors:
        assert keyed(parsed)["record_key"].is_unique
