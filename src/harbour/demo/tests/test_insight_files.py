"""Riverside's files for the insight store: the same LSOAs as the rest of the demo, every file
in its publisher's format and read by Harbour without a problem, and the same bytes each time."""

from __future__ import annotations

from harbour.demo import insight_files, riverside
from harbour.insight.engine import read_file


def test_the_files_use_riversides_lsoas():
    assert [(a.code, a.name) for a in insight_files.LSOAS] == [
        (a.code, a.name) for a in riverside.LSOAS
    ]


def test_two_years_of_every_format_read_cleanly_and_repeat_exactly(tmp_path):
    written = insight_files.write_demo_files(tmp_path / "a", last_month="2026-10", months=24)
    again = dict(
        (path.name, path)
        for _, path in insight_files.write_demo_files(
            tmp_path / "b", last_month="2026-10", months=24
        )
    )
    assert [(f, p.name) for f, p in written] == [
        ("lsoa-boundaries", "riverside-lsoa-2021.geojson"),
        ("lsoa-ward-lookup", "LSOA21_WD24_LAD24_EW_LU_riverside.csv"),
        ("ons-census", "TS021-ethnic-group-lsoa-riverside.csv"),
        ("ons-census", "census2021-ts007a-lsoa.csv"),
        ("police-uk-street", "riverside-street.csv"),
        ("police-uk-outcomes", "riverside-outcomes.csv"),
        ("police-uk-stop-and-search", "riverside-stop-and-search.csv"),
        ("dfe-exclusions", "riverside-exclusions.csv"),
        ("istv", "riverside-istv.csv"),
    ]
    for format_code, path in written:
        assert path.read_bytes() == again[path.name].read_bytes()
        parsed = read_file(format_code, path.read_bytes(), filename=path.name)
        assert parsed.errors == [], (format_code, parsed.errors[:3])
    paths = dict(written)
    street = read_file("police-uk-street", paths["police-uk-street"].read_bytes())
    assert sorted(set(street.frame["month"]))[0] == "2024-11"
    assert sorted(set(street.frame["month"]))[-1] == "2026-10"
