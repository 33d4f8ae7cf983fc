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
