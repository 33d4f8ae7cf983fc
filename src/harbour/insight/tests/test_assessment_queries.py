"""The needs assessment's and disproportionality's queries (Ibis on DuckDB) over the fixtures,
each against the same figure worked out here with pandas from the fixture files themselves."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from harbour.insight import services
from harbour.insight.engine import queries
from harbour.insight.selectors import store_tables
from harbour.insight.tests.conftest import FIXTURES, fixture_bytes

pytestmark = pytest.mark.django_db

FILES = [
    ("riverside-lsoa-2021.geojson", "lsoa-boundaries"),
    ("LSOA21_WD24_LAD24_EW_LU_riverside.csv", "lsoa-ward-lookup"),
    ("2024-01-riverside-street.csv", "police-uk-street"),
    ("2024-02-riverside-street.csv", "police-uk-street"),
    ("2024-01-riverside-stop-and-search.csv", "police-uk-stop-and-search"),
    ("TS021-ethnic-group-lsoa-riverside.csv", "ons-census"),
    ("census2021-ts007a-lsoa.csv", "ons-census"),
    ("riverside-istv-2024-01.csv", "istv"),
]
VIOLENT = ["Violence and sexual offences", "Robbery", "Possession of weapons"]


@pytest.fixture
def tables(analyst):
    for name, format_code in FILES:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=fixture_bytes(name), file_name=name
        )
        assert run.status == "imported", (name, run.errors)
    return store_tables()


def street() -> pd.DataFrame:
    return pd.concat(
        pd.read_csv(FIXTURES / name, dtype=str)
        for name in ("2024-01-riverside-street.csv", "2024-02-riverside-street.csv")
    )


def searches() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "2024-01-riverside-stop-and-search.csv", dtype=str)


def as_dict(frame: pd.DataFrame, keys: list[str], value: str = "count") -> dict:
    return {
        tuple(None if pd.isna(v) else v for v in row[:-1]) if len(keys) > 1 else row[0]: row[-1]
        for row in frame[[*keys, value]].itertuples(index=False)
    }


def test_the_trend_by_year_and_calendar_month_and_its_profile(tables):
    violent = street()[lambda f: f["Crime type"].isin(VIOLENT)]
    expected = violent.groupby("Month").size()
    got = queries.execute(queries.seasonal_counts(queries.violent_crime(tables["police_street"])))
    assert {
        f"{r.year}-{r.calendar_month:02d}": r.count for r in got.itertuples(index=False)
    } == expected.to_dict()
    assert expected.sum() > 0 and len(expected) == 2
    profile = queries.execute(
        queries.month_of_year_profile(queries.violent_crime(tables["police_street"]))
    )
    assert profile["calendar_month"].tolist() == [1, 2]
    assert profile["count"].tolist() == [expected["2024-01"], expected["2024-02"]]
    assert profile["months"].tolist() == [1, 1]
    assert profile["mean"].tolist() == [float(expected["2024-01"]), float(expected["2024-02"])]


def test_where_violent_crime_happened_by_lsoa_with_its_name(tables):
    violent = street()[lambda f: f["Crime type"].isin(VIOLENT) & f["LSOA code"].notna()]
    expected = violent.groupby(["LSOA code", "LSOA name"]).size()
    got = queries.execute(
        queries.counts_by_named_lsoa(
            queries.violent_crime(tables["police_street"]), tables["lsoa_boundaries"]
        )
    )
    assert {(r.lsoa21cd, r.lsoa21nm): r.count for r in got.itertuples()} == expected.to_dict()


def test_when_assaults_happened_by_weekday_and_hour(tables):
    istv = pd.read_csv(FIXTURES / "riverside-istv-2024-01.csv", dtype=str)
    at = pd.to_datetime(istv["ASSAULT DATE AND TIME"])
    expected = pd.DataFrame({"weekday": at.dt.dayofweek, "hour": at.dt.hour}).value_counts()
    got = queries.execute(queries.hour_by_weekday(tables["istv_assaults"]))
    assert as_dict(got, ["weekday", "hour"]) == expected.to_dict()
    assert got["count"].sum() == len(istv)


def test_when_searches_happened_from_their_timestamps(tables):
    at = pd.to_datetime(searches()["Date"], utc=True)
    expected = pd.DataFrame({"weekday": at.dt.dayofweek, "hour": at.dt.hour}).value_counts()
    got = queries.execute(queries.hour_by_weekday(tables["police_stop_search"], at="searched_at"))
    assert as_dict(got, ["weekday", "hour"]) == expected.to_dict()


@pytest.mark.parametrize(
    ("column", "source"),
    [("age_range", "Age range"), ("gender", "Gender"), ("officer_defined_ethnicity", None)],
)
def test_who_was_searched_by_age_sex_and_ethnicity(tables, column, source):
    frame = searches()
    source = source or "Officer-defined ethnicity"
    expected = frame[source].value_counts(dropna=False)
    got = queries.execute(queries.counts_by(tables["police_stop_search"], [column]))
    assert {(None if pd.isna(k) else k): v for k, v in as_dict(got, [column]).items()} == {
        (None if pd.isna(k) else k): v for k, v in expected.items()
    }


def test_which_weapons_ed_and_police_record(tables):
    istv = pd.read_csv(FIXTURES / "riverside-istv-2024-01.csv", dtype=str)
    got = queries.execute(queries.counts_by(tables["istv_assaults"], ["assault_method"]))
    assert as_dict(got, ["assault_method"]) == istv["ASSAULT METHOD"].value_counts().to_dict()
    by_type = queries.execute(queries.counts_by(tables["police_street"], ["crime_type"]))
    assert as_dict(by_type, ["crime_type"]) == street()["Crime type"].value_counts().to_dict()


def census_frame(name: str, skip: int) -> pd.DataFrame:
    text = (FIXTURES / name).read_text()
    lines = text.splitlines()[skip:]
    body = [line for line in lines if line.strip()]
    return pd.read_csv(io.StringIO("\n".join(body)))


def test_children_by_ethnic_group_share_each_lsoa_s_children_among_its_people(tables):
    ethnic = census_frame("TS021-ethnic-group-lsoa-riverside.csv", 6)
    ethnic = ethnic[ethnic["mnemonic"].astype(str).str.match(r"^E0\d{7}$")]
    ages = pd.read_csv(FIXTURES / "census2021-ts007a-lsoa.csv")
    children = (
        ages.set_index("geography code")["Age: Aged 10 to 14 years"]
        + 0.6 * ages.set_index("geography code")["Age: Aged 15 to 19 years"]
    )
    heads = {
        "asian": "Asian, Asian British or Asian Welsh",
        "black": "Black, Black British, Black Welsh, Caribbean or African",
        "mixed": "Mixed or Multiple ethnic groups",
        "white": "White",
        "other": "Other ethnic group",
    }
    ethnic = ethnic.set_index("mnemonic")
    shared = ethnic.index.intersection(children.index)
    expected = {
        group: float(
            (
                children[shared]
                * ethnic.loc[shared, head].astype(float)
                / ethnic.loc[shared, "Total: All usual residents"].astype(float)
            ).sum()
        )
        for group, head in heads.items()
    }
    got = queries.execute(queries.children_by_ethnic_group(tables["census_population"]))
    assert set(got["group_code"]) == set(heads)
    for row in got.itertuples():
        assert row.children == pytest.approx(expected[row.group_code], rel=1e-9)
        assert row.lsoas == len(shared)


def test_children_searched_by_ethnic_group(tables):
    frame = searches()[lambda f: f["Age range"] == "10-17"]
    prefixes = {
        "White - ": "white",
        "Black/African/Caribbean/Black British - ": "black",
        "Asian/Asian British - ": "asian",
        "Mixed/Multiple ethnic groups - ": "mixed",
    }

    def group(text: object) -> str | None:
        if not isinstance(text, str):
            return None
        if text == "Other ethnic group - Not stated":
            return "not_stated"
        if text.startswith("Other ethnic group - "):
            return "other"
        return next((g for p, g in prefixes.items() if text.startswith(p)), None)

    expected = frame["Self-defined ethnicity"].map(group).value_counts(dropna=False).to_dict()
    got = queries.execute(queries.children_searched_by_ethnic_group(tables["police_stop_search"]))
    assert as_dict(got, ["ethnic_group"]) == expected
    assert sum(expected.values()) == 5
