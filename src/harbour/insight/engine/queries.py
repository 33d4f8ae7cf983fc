"""Queries on the store, each written once as an Ibis expression and run on DuckDB (in process,
the default) or on PySpark (a region or the nation): ``connect`` gives the same named tables on
either engine, and each function here builds an expression from them. A test runs every one on
both engines over the fixtures and finds the same answers.

Later pages (the needs assessment, disproportionality, alerts, hidden harm) add their queries
here, in the same way: a function of ``Tables`` returning an expression."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]  # no type information shipped
import ibis.expr.types as ir  # type: ignore[import-untyped]  # no type information shipped
import pandas as pd

from harbour.insight.engine.extracts import EXTRACTS
from harbour.insight.engine.store import SCHEMAS

ENGINES = ("duckdb", "spark")
# Each source's table, and what its rows are, for people reading the catalogue.
SOURCE_TABLES = {
    "police_street": "Street-level crime and anti-social behaviour (police.uk)",
    "police_outcomes": "Outcomes of crimes (police.uk)",
    "police_stop_search": "Stop and search (police.uk)",
    "census_population": "Population by LSOA (Census 2021)",
    "dfe_exclusions": "Suspensions and permanent exclusions (DfE)",
    "istv_assaults": "Assaults seen by emergency departments (ISTV)",
    "lsoa_boundaries": "LSOA 2021 boundaries",
    "lsoa_wards": "LSOA 2021 to ward lookup (ONS)",
}


@dataclass
class Tables:
    """The store's tables on one engine, by name."""

    engine: str
    connection: Any
    tables: dict[str, ir.Table]

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]


def _spark() -> Any:
    # Spark binds the machine's external interface unless told otherwise (STACK-NOTES).
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from harbour.identity.linkage.engines import spark_session

    return spark_session()


def connect(root: Path, files: Mapping[str, Sequence[str]], *, engine: str = "duckdb") -> Tables:
    """Every table of the store as it stands: the files the catalogue names current for it
    (paths relative to ``root``); a table with none is empty, with its columns."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    session = None
    if engine == "duckdb":
        connection = ibis.duckdb.connect(threads=2)
    else:
        session = _spark()
        connection = ibis.pyspark.connect(session)
    tables: dict[str, ir.Table] = {}
    for name, schema in SCHEMAS.items():
        paths = [str(root / p) for p in files.get(name, ())]
        if paths and session is not None:
            # Ibis's Spark reader takes one path; Spark's own takes the list.
            session.read.parquet(*paths).createOrReplaceTempView(f"store_{name}")
            tables[name] = connection.table(f"store_{name}")
        elif paths:
            tables[name] = connection.read_parquet(paths, table_name=f"store_{name}")
        elif engine == "duckdb":
            # A fresh connection each time, so the name is free.
            tables[name] = connection.create_table(
                f"store_{name}", schema=ibis.Schema.from_pyarrow(schema), temp=True
            )
        else:
            tables[name] = connection.create_view(
                f"store_{name}", ibis.memtable(schema.empty_table()), overwrite=True
            )
    return Tables(engine=engine, connection=connection, tables=tables)


def execute(expression: ir.Table) -> pd.DataFrame:
    return expression.to_pandas()


def _months(table: ir.Table, months: tuple[str, str] | None) -> ir.Table:
    return table.filter(table.month.between(*months)) if months else table


def monthly_counts(
    table: ir.Table, *, by: Sequence[str] = (), months: tuple[str, str] | None = None
) -> ir.Table:
    """Rows a month, by the columns named (crime type, outcome, weapon...)."""
    table = _months(table, months)
    keys = ["month", *by]
    return table.group_by(keys).aggregate(count=table.count()).order_by(keys)


def counts_by_lsoa(
    table: ir.Table,
    *,
    months: tuple[str, str] | None = None,
    column: str | None = None,
    values: Sequence[str] = (),
) -> ir.Table:
    """Rows in each LSOA (rows with none are left out), optionally of some values of a column
    (such as crime types)."""
    table = _months(table, months)
    if column and values:
        table = table.filter(table[column].isin(list(values)))
    table = table.filter(table.lsoa21cd.notnull())
    return table.group_by("lsoa21cd").aggregate(count=table.count()).order_by("lsoa21cd")


def population_by_lsoa(
    census: ir.Table, *, table_code: str = "TS021", level: str = "group"
) -> ir.Table:
    """People in each LSOA by category: the denominators of rates per area."""
    rows = census.filter((census.table_code == table_code) & (census.level == level))
    return rows.select("lsoa21cd", "category", "group_code", "count").order_by(
        ["lsoa21cd", "category"]
    )


def population_by_group(
    census: ir.Table,
    *,
    table_code: str = "TS021",
    level: str = "group",
    lsoas: Sequence[str] = (),
) -> ir.Table:
    """People in each category over the area (or the LSOAs named): the denominators of rates
    by group."""
    rows = census.filter((census.table_code == table_code) & (census.level == level))
    if lsoas:
        rows = rows.filter(rows.lsoa21cd.isin(list(lsoas)))
    return (
        rows.group_by(["category", "group_code"])
        .aggregate(count=rows["count"].sum())
        .order_by("category")
    )


def rows_by_month(tables: Tables) -> ir.Table:
    """How many rows each source holds a month: what the store's page charts."""
    parts = [
        tables[name]
        .group_by("month")
        .aggregate(rows=tables[name].count())
        .mutate(source=ibis.literal(name))
        for name in SOURCE_TABLES
    ]
    union = parts[0].union(*parts[1:])
    return union.select("source", "month", "rows").order_by(["source", "month"])


# The strategic needs assessment (issue 13, part 3; ADR 0024) -------------------------------------

# police.uk's crime types that are violence, robbery or weapons: the needs assessment's "violent
# crime" (police.uk publishes no finer split, and no age).
VIOLENT_CRIME_TYPES = ("Violence and sexual offences", "Robbery", "Possession of weapons")


def counts_by(
    table: ir.Table, by: Sequence[str], *, months: tuple[str, str] | None = None
) -> ir.Table:
    """Rows by the columns named (age range, sex, ethnic group, weapon, crime type, H3 cell...),
    over the months given or all of them; rows with none of a column's value are counted under
    none (null), so nothing drops out of the total."""
    table = _months(table, months)
    keys = list(by)
    return table.group_by(keys).aggregate(count=table.count()).order_by(keys)


def violent_crime(street: ir.Table) -> ir.Table:
    """Street-level crimes of the violent types."""
    return street.filter(street.crime_type.isin(list(VIOLENT_CRIME_TYPES)))


def seasonal_counts(table: ir.Table, *, months: tuple[str, str] | None = None) -> ir.Table:
    """Rows by year and calendar month (1 to 12): the trend month by month, laid out so each
    year's months can be set beside the others' (the seasonality view)."""
    table = _months(table, months)
    dated = table.mutate(
        year=table.month.substr(0, 4).cast("int64"),
        calendar_month=table.month.substr(5, 2).cast("int64"),
    )
    return (
        dated.group_by(["year", "calendar_month"])
        .aggregate(count=dated.count())
        .order_by(["year", "calendar_month"])
    )


def month_of_year_profile(table: ir.Table, *, months: tuple[str, str] | None = None) -> ir.Table:
    """Each calendar month's rows over the years held, the number of such months held, and the
    mean a month: the month-of-year profile."""
    table = _months(table, months)
    dated = table.mutate(calendar_month=table.month.substr(5, 2).cast("int64"))
    grouped = dated.group_by("calendar_month").aggregate(
        count=dated.count(), months=dated.month.nunique()
    )
    return grouped.mutate(mean=grouped["count"] / grouped.months).order_by("calendar_month")


def hour_by_weekday(
    table: ir.Table, *, at: str | None = None, months: tuple[str, str] | None = None
) -> ir.Table:
    """Rows by weekday (0 Monday to 6 Sunday) and hour (0 to 23) of the timestamp column ``at``,
    or of the ``assault_weekday`` and ``assault_hour`` an ISTV return carries; rows with no time
    are left out."""
    table = _months(table, months)
    if at is not None:
        table = table.filter(table[at].notnull())
        table = table.mutate(
            weekday=table[at].day_of_week.index().cast("int64"),
            hour=table[at].hour().cast("int64"),
        )
    else:
        table = table.filter(table.assault_hour.notnull() & table.assault_weekday.notnull())
        table = table.mutate(weekday=table.assault_weekday, hour=table.assault_hour)
    return (
        table.group_by(["weekday", "hour"])
        .aggregate(count=table.count())
        .order_by(["weekday", "hour"])
    )


def counts_by_named_lsoa(
    table: ir.Table, boundaries: ir.Table, *, months: tuple[str, str] | None = None
) -> ir.Table:
    """Rows in each LSOA with its name from the boundaries the store holds (the code where it
    holds none); rows placed in no LSOA are left out."""
    counted = counts_by_lsoa(table, months=months)
    names = boundaries.select(code=boundaries.lsoa21cd, name=boundaries.lsoa21nm).distinct()
    joined = counted.left_join(names, counted.lsoa21cd == names.code)
    return joined.select(
        "lsoa21cd",
        lsoa21nm=ibis.coalesce(joined["name"], joined.lsoa21cd),
        count=joined["count"],
    ).order_by("lsoa21cd")


def counts_by_ward(
    table: ir.Table, wards: ir.Table, *, months: tuple[str, str] | None = None
) -> ir.Table:
    """Rows in each ward, from each LSOA's count and the latest ward lookup the store holds (a
    best-fit lookup puts each LSOA in one ward); rows in an LSOA the lookup lacks are left out."""
    counted = counts_by_lsoa(table, months=months)
    latest = wards.filter(wards.month == wards.month.max())
    lookup = latest.select(
        code=latest.lsoa21cd, ward_code=latest.ward_code, ward_name=latest.ward_name
    ).distinct()
    joined = counted.inner_join(lookup, counted.lsoa21cd == lookup.code)
    return (
        joined.group_by(["ward_code", "ward_name"])
        .aggregate(count=joined["count"].sum())
        .order_by("ward_code")
    )


# Disproportionality (issue 13, part 4; ADR 0024) --------------------------------------------------

# Children as police.uk's stop and search counts them (its "10-17" age range), and the census age
# bands that hold them: all of 10 to 14, and three of the five years of 15 to 19 (the census
# publishes no single years by LSOA, so the years are taken as equally many).
CHILD_AGE_RANGE = "10-17"
CHILD_AGE_BANDS = {"Aged 10 to 14 years": 1.0, "Aged 15 to 19 years": 3 / 5}


def children_by_ethnic_group(census: ir.Table) -> ir.Table:
    """Children aged 10 to 17 in each ONS five-group ethnic group over the area: in each LSOA,
    its children (TS007A) shared among the groups as its people are (TS021); summed. The census
    publishes ethnic group by age for larger areas only, so this is an estimate, stated as one."""
    ages = census.filter(
        (census.table_code == "TS007A") & census.category.isin(list(CHILD_AGE_BANDS))
    )
    weight = ibis.cases(
        *[(ages.category == band, share) for band, share in CHILD_AGE_BANDS.items()],
        else_=0.0,
    )
    children = ages.group_by("lsoa21cd").aggregate(children=(ages["count"] * weight).sum())
    ethnic = census.filter(census.table_code == "TS021")
    groups = ethnic.filter(ethnic.level == "group").select(
        "lsoa21cd", group_code=ethnic.group_code, people=ethnic["count"]
    )
    totals = ethnic.filter(ethnic.level == "total").select(
        total_lsoa=ethnic.lsoa21cd, total=ethnic["count"]
    )
    children = children.rename(child_lsoa="lsoa21cd")
    shared = groups.join(totals, groups.lsoa21cd == totals.total_lsoa)
    shared = shared.join(children, shared.lsoa21cd == children.child_lsoa)
    shared = shared.filter(shared.total > 0)
    estimated = shared.mutate(
        children=shared.children * shared.people.cast("float64") / shared.total
    )
    return (
        estimated.group_by("group_code")
        .aggregate(children=estimated.children.sum(), lsoas=estimated.lsoa21cd.nunique())
        .order_by("group_code")
    )


def children_searched_by_ethnic_group(
    stop_search: ir.Table, *, months: tuple[str, str] | None = None
) -> ir.Table:
    """Stop and searches of children (police.uk's 10-17) by the ONS five-group of their
    self-defined ethnicity (null where it was not stated)."""
    table = _months(stop_search, months)
    table = table.filter(table.age_range == CHILD_AGE_RANGE)
    return table.group_by("ethnic_group").aggregate(count=table.count()).order_by("ethnic_group")


# Emerging-pattern alerts (issue 13, part 5; ADR 0034) ---------------------------------------------

# The sources that arrive month by month, whose volume the check watches.
MONTHLY_SOURCES = ("police_street", "police_outcomes", "police_stop_search", "istv_assaults")


def _keyed(table: ir.Table, key: ir.Value) -> ir.Table:
    keyed = table.mutate(key=key)
    return (
        keyed.group_by(["month", "key"]).aggregate(count=keyed.count()).order_by(["month", "key"])
    )


def children_searched_monthly(tables: Tables) -> ir.Table:
    """Stop and searches of children (police.uk's 10-17) a month by the five-group of their
    ethnicity (key null where not stated)."""
    searches = tables["police_stop_search"]
    children = searches.filter(searches.age_range == CHILD_AGE_RANGE)
    return _keyed(children, children.ethnic_group)


def violent_crime_by_area_monthly(tables: Tables) -> ir.Table:
    """Violent crimes a month in each LSOA (rows placed in none left out)."""
    violent = violent_crime(tables["police_street"])
    violent = violent.filter(violent.lsoa21cd.notnull())
    return _keyed(violent, violent.lsoa21cd)


def assaults_by_area_monthly(tables: Tables) -> ir.Table:
    """Assaults seen by emergency departments a month in each LSOA (rows placed in none left
    out)."""
    assaults = tables["istv_assaults"]
    assaults = assaults.filter(assaults.lsoa21cd.notnull())
    return _keyed(assaults, assaults.lsoa21cd)


def source_volume_monthly(tables: Tables) -> ir.Table:
    """Rows a month from each source that arrives month by month (key: the table)."""
    parts = [
        tables[name]
        .group_by("month")
        .aggregate(count=tables[name].count())
        .mutate(key=ibis.literal(name))
        for name in MONTHLY_SOURCES
    ]
    union = parts[0].union(*parts[1:])
    return union.select("month", "key", "count").order_by(["month", "key"])


def months_held(table: ir.Table) -> ir.Table:
    return table.select("month").distinct().order_by("month")


# Each series the check can watch: its query, the table whose months it spans, and whether it is
# a share of the month's total (over every key, not stated included) or a count.
ALERT_SERIES: dict[str, tuple[Any, str, bool]] = {
    "children_searched_share": (children_searched_monthly, "police_stop_search", True),
    "children_searched_count": (children_searched_monthly, "police_stop_search", False),
    "violent_crime_by_area": (violent_crime_by_area_monthly, "police_street", False),
    "assaults_by_area": (assaults_by_area_monthly, "istv_assaults", False),
    "source_volume": (source_volume_monthly, "police_street", False),
}


# Harbour's own stages, from its pseudonymised extracts (issue 13, parts 1 and 4; ADR 0039) -------

CHILD_AGES = (10, 17)
# The events feed's kinds the stages read (``identity.models.EventKind``'s values; a test keeps
# them the same).
ARREST, CUSTODY = "arrest", "custody"


@dataclass(frozen=True)
class Stage:
    """A stage of a child's journey that Harbour's extracts hold: its table and which rows."""

    key: str
    label: str
    table: str
    unit: str  # what a count counts
    source: str
    where: Any = None  # a function of the table giving the rows' condition, or none (every row)


HARBOUR_STAGES = (
    Stage(
        "harbour-arrested",
        "Arrest (the police's events)",
        "harbour_events",
        "Arrests",
        "the police's events sent to Harbour",
        lambda t: t.kind == ARREST,
    ),
    Stage(
        "harbour-referred",
        "Referral to the front door",
        "harbour_referrals",
        "Referrals",
        "Harbour's front-door referrals",
    ),
    Stage(
        "harbour-red",
        "Referral rated red",
        "harbour_referrals",
        "Referrals",
        "Harbour's front-door referrals",
        lambda t: t.rag == "red",
    ),
    Stage(
        "harbour-decided",
        "Decision to act (any outcome but no further action)",
        "harbour_decisions",
        "Decisions",
        "Harbour's countersigned front-door decisions",
        lambda t: t.outcome != "nfa",
    ),
    Stage(
        "harbour-nfa",
        "Decision of no further action",
        "harbour_decisions",
        "Decisions",
        "Harbour's countersigned front-door decisions",
        lambda t: t.outcome == "nfa",
    ),
    Stage("harbour-plan", "Plan started", "harbour_plans", "Plans", "Harbour's plans"),
    Stage(
        "harbour-panel",
        "Brought to a panel",
        "harbour_panels",
        "Children brought to a panel",
        "Harbour's panel memberships",
    ),
    Stage(
        "harbour-flag",
        "Cumulative-harm flag raised",
        "harbour_flags",
        "Flags",
        "Harbour's cumulative-harm flags",
    ),
    Stage(
        "harbour-custody",
        "Custody episode (the police's events)",
        "harbour_events",
        "Custody episodes",
        "the police's events sent to Harbour",
        lambda t: t.kind == CUSTODY,
    ),
)


def children_at_stage_by_ethnic_group(
    tables: Tables, stage: Stage, *, months: tuple[str, str] | None = None
) -> ir.Table:
    """Rows of a stage for children aged 10 to 17 on the day, by the five-group of their
    ethnicity (null where not stated), with the first and last month each group's rows span."""
    table = _months(tables[stage.table], months)
    if stage.where is not None:
        table = table.filter(stage.where(table))
    table = table.filter(table.age.between(*CHILD_AGES))
    return (
        table.group_by("ethnic_group")
        .aggregate(count=table.count(), first_month=table.month.min(), last_month=table.month.max())
        .order_by("ethnic_group")
    )


def extract_rows_by_month(tables: Tables) -> ir.Table:
    """How many rows each of Harbour's extracts holds a month."""
    parts = [
        tables[name]
        .group_by("month")
        .aggregate(rows=tables[name].count())
        .mutate(source=ibis.literal(name))
        for name in EXTRACTS
    ]
    union = parts[0].union(*parts[1:])
    return union.select("source", "month", "rows").order_by(["source", "month"])
