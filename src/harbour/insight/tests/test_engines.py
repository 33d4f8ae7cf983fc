"""Every store query, written once in Ibis, gives the same answers on PySpark (local mode) as on
DuckDB over the fixtures. One Spark session for the module: it takes seconds to start."""

from __future__ import annotations

import pandas as pd
import pytest

from harbour.insight import services
from harbour.insight.engine import queries
from harbour.insight.selectors import store_tables
from harbour.insight.tests.conftest import fixture_bytes

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

FIXTURES = [
    ("riverside-lsoa-2021.geojson", "lsoa-boundaries"),
    ("2024-01-riverside-street.csv", "police-uk-street"),
    ("2024-02-riverside-street.csv", "police-uk-street"),
    ("2024-01-riverside-outcomes.csv", "police-uk-outcomes"),
    ("2024-01-riverside-stop-and-search.csv", "police-uk-stop-and-search"),
    ("TS021-ethnic-group-lsoa-riverside.csv", "ons-census"),
    ("census2021-ts007a-lsoa.csv", "ons-census"),
    ("riverside-exclusions.csv", "dfe-exclusions"),
    ("riverside-istv-2024-01.csv", "istv"),
    ("LSOA21_WD24_LAD24_EW_LU_riverside.csv", "lsoa-ward-lookup"),
]


def same_shape(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order, numbers as numbers: engines may differ in row order and int width."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("float64")
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out.sort_values(list(out.columns)).reset_index(drop=True)


QUERIES = {
    "monthly crime by type": lambda t: queries.monthly_counts(
        t["police_street"], by=["crime_type"]
    ),
    "monthly outcomes": lambda t: queries.monthly_counts(t["police_outcomes"], by=["outcome_type"]),
    "monthly searches by ethnic group": lambda t: queries.monthly_counts(
        t["police_stop_search"], by=["ethnic_group", "age_range"]
    ),
    "assaults by weapon": lambda t: queries.monthly_counts(t["istv_assaults"], by=["weapon"]),
    "violence by LSOA": lambda t: queries.counts_by_lsoa(
        t["police_street"],
        months=("2024-01", "2024-02"),
        column="crime_type",
        values=["Violence and sexual offences", "Robbery", "Possession of weapons"],
    ),
    "population by LSOA": lambda t: queries.population_by_lsoa(t["census_population"]),
    "population by group": lambda t: queries.population_by_group(
        t["census_population"], lsoas=["E01990001", "E01990002"]
    ),
    "ages": lambda t: queries.population_by_group(
        t["census_population"], table_code="TS007A", level="detail"
    ),
    "rows by month": queries.rows_by_month,
    "violent crime by year and month": lambda t: queries.seasonal_counts(
        queries.violent_crime(t["police_street"])
    ),
    "month-of-year profile": lambda t: queries.month_of_year_profile(t["police_street"]),
    "assaults by weekday and hour": lambda t: queries.hour_by_weekday(t["istv_assaults"]),
    "searches by weekday and hour": lambda t: queries.hour_by_weekday(
        t["police_stop_search"], at="searched_at"
    ),
    "searches by age and sex": lambda t: queries.counts_by(
        t["police_stop_search"], ["age_range", "gender"]
    ),
    "violence by named LSOA": lambda t: queries.counts_by_named_lsoa(
        queries.violent_crime(t["police_street"]), t["lsoa_boundaries"]
    ),
    "violence by ward": lambda t: queries.counts_by_ward(
        queries.violent_crime(t["police_street"]), t["lsoa_wards"]
    ),
    "assaults by H3 cell": lambda t: queries.counts_by(t["istv_assaults"], ["h3_cell"]),
    "children by ethnic group": lambda t: queries.children_by_ethnic_group(t["census_population"]),
    "children searched by ethnic group": lambda t: queries.children_searched_by_ethnic_group(
        t["police_stop_search"]
    ),
    # The emerging-pattern check's series (ADR 0034).
    **{f"alert series {code}": q for code, (q, _, _) in queries.ALERT_SERIES.items()},
}


def test_duckdb_and_pyspark_give_the_same_answers(analyst):
    for name, format_code in FIXTURES:
        run = services.import_file(
            actor=analyst, format_code=format_code, content=fixture_bytes(name), file_name=name
        )
        assert run.status == "imported", (name, run.errors)
    duck, spark = store_tables(engine="duckdb"), store_tables(engine="spark")
    for name, query in QUERIES.items():
        on_duckdb = same_shape(queries.execute(query(duck)))
        on_spark = same_shape(queries.execute(query(spark)))
        assert len(on_duckdb) > 0, name
        pd.testing.assert_frame_equal(on_duckdb, on_spark, check_dtype=False, obj=name)
