"""Harbour's own operational data as pseudonymised extracts (issue 13, part 1; ADR 0039).

Each extract is a table of the store, one row an event of a child's journey: a referral
received, a standing decision, a plan started, a cumulative-harm flag raised, an agency's event
from the events feed. A row carries what disproportionality and hidden harm count, and nothing
that names anyone:

* ``pseudonym``: HMAC-SHA256 of the child's (or, where no child is known, the person's, the
  agency record's or the referral's) identifier under a key kept outside the store; the same
  child has the same pseudonym in every table and every run under one key, and no one holding
  the store alone can go back from it;
* ``month`` (``YYYY-MM``) of the event and ``age`` in whole years on its day: no date, no date
  of birth;
* ``sex``, ``ethnic_group`` (the ONS five-group, null where not stated), ``lsoa21cd`` where
  known, and coded fields (kind, category, outcome, rating, rule): no name, no identifier, no
  free text, no reference, no point or postcode.

``build`` refuses any column a table does not declare, so a field added to the Django side by
mistake never reaches a file. ``record_key`` is itself a keyed hash (of the row's own
identifier), so it is as pseudonymous as the rest.

Plain Python: no Django."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

STRING, INT, BOOL = pa.string(), pa.int64(), pa.bool_()
# How the catalogue names an extract's run (a ``SourceImport`` of this format).
EXTRACT_FORMAT = "harbour-extract"
EXTRACT_LABEL = "Harbour's pseudonymised extracts"

# What every extract's row says of the child.
PERSON: list[tuple[str, pa.DataType]] = [
    ("month", STRING),
    ("pseudonym", STRING),
    ("age", INT),
    ("sex", STRING),
    ("ethnic_group", STRING),
    ("lsoa21cd", STRING),
]

#: Each extract's table: its columns beyond ``PERSON``, and what its rows are.
EXTRACTS: dict[str, tuple[list[tuple[str, pa.DataType]], str]] = {
    "harbour_referrals": (
        [("rag", STRING), ("referring_agency_kind", STRING), ("source", STRING)],
        "Referrals received at the front door (Harbour, pseudonymised)",
    ),
    "harbour_decisions": (
        [("outcome", STRING)],
        "Standing (countersigned) front-door decisions (Harbour, pseudonymised)",
    ),
    "harbour_plans": (
        [("plan_type", STRING), ("closed", BOOL)],
        "Plans started (Harbour, pseudonymised)",
    ),
    "harbour_panels": (
        [],
        "Children brought to a panel (Harbour, pseudonymised)",
    ),
    "harbour_flags": (
        [("rule", STRING)],
        "Cumulative-harm flags raised (Harbour, pseudonymised)",
    ),
    "harbour_events": (
        [
            ("kind", STRING),
            ("category", STRING),
            ("role", STRING),
            ("severity", INT),
            ("weapon", BOOL),
            ("agency_kind", STRING),
        ],
        "Agencies' events from the events feed (Harbour, pseudonymised)",
    ),
}

#: The columns each extract's rows hold (without the store's key columns).
COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    table: [*PERSON, *extra] for table, (extra, _) in EXTRACTS.items()
}
LABELS = {table: label for table, (_, label) in EXTRACTS.items()}
FIVE_GROUPS = ("white", "mixed", "asian", "black", "other")
# The least a key may be: 32 bytes, as HMAC-SHA256's own output.
MIN_KEY_BYTES = 32


class ExtractRefused(ValueError):
    """The extract cannot run as asked (no key, a short key, a column no extract declares)."""


def pseudonym(key: bytes, kind: str, identifier: object) -> str:
    """The keyed hash of an identifier of a kind (``child``, ``person``, ``record``,
    ``referral``): 64 hexadecimal characters."""
    if len(key) < MIN_KEY_BYTES:
        raise ExtractRefused(f"The pseudonymisation key must be at least {MIN_KEY_BYTES} bytes")
    message = f"{kind}:{identifier}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def age_in_years(born: dt.date | None, on: dt.date | None) -> int | None:
    """Whole years on the day; none where either date is not known (or the day is before the
    birth, a record's error)."""
    if born is None or on is None:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age if age >= 0 else None


def five_group(ethnicity: str | None) -> str | None:
    """An ONS 19-group code (``black_caribbean``) to its five-group (``black``); refused, not
    known or blank: none (not stated)."""
    group = (ethnicity or "").partition("_")[0]
    return group if group in FIVE_GROUPS else None


def month_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def build(table: str, rows: Iterable[Mapping[str, Any]], *, key: bytes) -> pd.DataFrame:
    """An extract's rows ready for the store: each row given as its columns plus ``row_id`` (the
    row's own identifier, such as ``referral:<pk>``, which becomes the keyed ``record_key`` and
    is not kept). A column the table does not declare is refused, not dropped."""
    columns = [name for name, _ in COLUMNS[table]]
    allowed = {*columns, "row_id"}
    records = []
    for row in rows:
        unknown = set(row) - allowed
        if unknown:
            raise ExtractRefused(
                f"{table} has no column {', '.join(sorted(unknown))}: nothing was extracted"
            )
        records.append(row)
    frame = pd.DataFrame.from_records(records, columns=[*columns, "row_id"])
    frame["record_key"] = [pseudonym(key, "row", r) for r in frame.pop("row_id")]
    arrow = pa.Table.from_pandas(frame[columns], schema=pa.schema(COLUMNS[table]))
    values = arrow.to_pandas()
    hashed = pd.util.hash_pandas_object(values, index=False).to_numpy()
    values["row_hash"] = hashed.view(np.int64)
    values["record_key"] = frame["record_key"].to_numpy()
    return values
