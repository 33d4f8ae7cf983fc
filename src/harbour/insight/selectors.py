"""Reads of the store and its catalogue, each asking the policy first. Nothing here reads a
child's data: the store holds aggregate, anonymous and (later) pseudonymised rows only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pandas as pd

from harbour.access import policy
from harbour.insight.engine import queries
from harbour.insight.models import SourceImport, StoreFile
from harbour.insight.services import current_files, store_root
from harbour.partnership.models import Staff

RECENT_IMPORTS = 25


@dataclass(frozen=True)
class SourceHolding:
    table: str
    label: str
    rows: int
    months: int
    first_month: str
    last_month: str
    last_import: SourceImport | None


@dataclass(frozen=True)
class Catalogue:
    holdings: list[SourceHolding]
    imports: list[SourceImport]
    # Rows a month by source, as the store's queries count them: what the chart draws.
    monthly: pd.DataFrame


def store_tables(*, engine: str = "duckdb") -> queries.Tables:
    """The store's tables as they stand, on DuckDB (default) or Spark, for queries."""
    files = {
        table: [p for paths in months.values() for p in paths]
        for table, months in current_files().items()
    }
    return queries.connect(store_root(), files, engine=engine)


def store_catalogue(*, actor: Staff) -> Catalogue:
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    files = list(StoreFile.objects.filter(is_current=True).select_related("written_by"))
    imports = policy.insight_imports_visible(
        actor, SourceImport.objects.select_related("started_by")
    )
    latest: dict[str, SourceImport] = {}
    for run in imports.filter(status="imported").order_by("created_at"):
        latest[run.table] = run
    holdings = []
    for table, label in queries.SOURCE_TABLES.items():
        mine = [f for f in files if f.table == table]
        months = sorted(f.month for f in mine)
        holdings.append(
            SourceHolding(
                table=table,
                label=label,
                rows=sum(f.rows for f in mine),
                months=len(months),
                first_month=months[0] if months else "",
                last_month=months[-1] if months else "",
                last_import=latest.get(table),
            )
        )
    tables = store_tables()
    monthly = queries.execute(queries.rows_by_month(tables))
    return Catalogue(holdings=holdings, imports=list(imports[:RECENT_IMPORTS]), monthly=monthly)


def import_for_actor(*, actor: Staff, import_id: uuid.UUID) -> SourceImport:
    """One import as its page shows it; another's import exists for anyone who may import."""
    found = (
        policy.insight_imports_visible(actor, SourceImport.objects.select_related("started_by"))
        .filter(pk=import_id)
        .first()
    )
    if found is None:
        policy.require_capability(actor, policy.Action.INSIGHT_IMPORT)
        raise policy.NotFound(import_id)
    return found
