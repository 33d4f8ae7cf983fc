"""The analytical store: Parquet files under one directory, partitioned by table (one a source)
and month: ``<root>/<table>/month=YYYY-MM/part-<import>.parquet``.

One file is current for each table and month. An import never changes a file: for each month it
touches it writes a new file holding the month's rows as they will be (the current file's rows,
replaced where the import updates them, and its new rows), and says which file it replaces. The
catalogue (the Django app's database) then makes the new files current in one transaction, and
only afterwards are the replaced files deleted. Queries read only the files the catalogue names
current, so an import that stops part-way leaves files no one reads, which the next import of
that table removes (``sweep``), and nothing partial is ever seen.

Each row carries its natural key (``record_key``) and a hash of its values (``row_hash``): a
key the store holds with the same hash is unchanged, with another hash is updated, and a key it
does not hold is new. Sources without a natural key (anti-social behaviour, stop and search,
ISTV) are keyed by the whole row and how many identical rows came before it in the file, so the
same file, or a later one repeating the same months, adds nothing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from harbour.insight.engine import dfe, extracts
from harbour.insight.engine.common import Parsed, Progress, no_progress

STRING, FLOAT, INT, BOOL = pa.string(), pa.float64(), pa.int64(), pa.bool_()
TIME = pa.timestamp("us")
KEY_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("record_key", STRING),
    ("row_hash", INT),
    ("import_id", STRING),
]

# The columns the street and outcomes files share.
PLACED: list[tuple[str, pa.DataType]] = [
    ("crime_id", STRING),
    ("month", STRING),
    ("reported_by", STRING),
    ("falls_within", STRING),
    ("longitude", FLOAT),
    ("latitude", FLOAT),
    ("location", STRING),
    ("location_status", STRING),
    ("lsoa21cd", STRING),
    ("lsoa21nm", STRING),
]
# Every table's columns and types, so that each file of a table has the same schema and an
# empty table can still be queried.
SCHEMAS: dict[str, pa.Schema] = {
    name: pa.schema([*columns, *KEY_COLUMNS])
    for name, columns in {
        "police_street": [
            *PLACED,
            ("crime_type", STRING),
            ("last_outcome_category", STRING),
            ("context", STRING),
        ],
        "police_outcomes": [*PLACED, ("outcome_type", STRING)],
        "police_stop_search": [
            ("month", STRING),
            ("searched_at", TIME),
            ("search_type", STRING),
            ("part_of_operation", BOOL),
            ("policing_operation", STRING),
            ("longitude", FLOAT),
            ("latitude", FLOAT),
            ("location_status", STRING),
            ("lsoa21cd", STRING),
            ("gender", STRING),
            ("age_range", STRING),
            ("self_defined_ethnicity", STRING),
            ("ethnic_group", STRING),
            ("officer_defined_ethnicity", STRING),
            ("legislation", STRING),
            ("object_of_search", STRING),
            ("outcome", STRING),
            ("outcome_linked", BOOL),
            ("removal_of_clothing", BOOL),
        ],
        "census_population": [
            ("month", STRING),
            ("table_code", STRING),
            ("dimension", STRING),
            ("lsoa21cd", STRING),
            ("lsoa21nm", STRING),
            ("category", STRING),
            ("group_code", STRING),
            ("level", STRING),
            ("count", INT),
        ],
        "dfe_exclusions": [
            ("month", STRING),
            ("time_period", STRING),
            ("academic_year", STRING),
            ("geographic_level", STRING),
            ("area_code", STRING),
            *[(name, STRING) for name in (*dfe.GEOGRAPHY, *dfe.FILTERS)],
            ("country_code", STRING),
            ("country_name", STRING),
            *[(name, FLOAT) for name in dfe.INDICATORS],
            *[(f"{name}_symbol", STRING) for name in dfe.INDICATORS],
        ],
        "istv_assaults": [
            ("month", STRING),
            ("period_start", TIME),
            ("period_end", TIME),
            ("site_code", STRING),
            ("arrived_at", TIME),
            ("assaulted_at", TIME),
            ("assault_hour", INT),
            ("assault_weekday", INT),
            ("assault_method", STRING),
            ("assault_method_other", STRING),
            ("weapon", STRING),
            ("location_type", STRING),
            ("location_description", STRING),
            ("lsoa21cd", STRING),
            ("longitude", FLOAT),
            ("latitude", FLOAT),
            ("h3_cell", STRING),
        ],
        "lsoa_wards": [
            ("month", STRING),
            ("lsoa21cd", STRING),
            ("lsoa21nm", STRING),
            ("ward_code", STRING),
            ("ward_name", STRING),
            ("ward_year", INT),
            ("lad_code", STRING),
            ("lad_name", STRING),
        ],
        "lsoa_boundaries": [
            ("month", STRING),
            ("lsoa21cd", STRING),
            ("lsoa21nm", STRING),
            ("geometry_wkb", pa.binary()),
            ("min_longitude", FLOAT),
            ("min_latitude", FLOAT),
            ("max_longitude", FLOAT),
            ("max_latitude", FLOAT),
        ],
    }.items()
}
# Harbour's own pseudonymised extracts (ADR 0039): written whole by ``replace``, never merged.
SCHEMAS.update(
    {name: pa.schema([*columns, *KEY_COLUMNS]) for name, columns in extracts.COLUMNS.items()}
)
STAGING = "_incoming"


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keyed(parsed: Parsed) -> pd.DataFrame:
    """The parsed rows with their natural key and the hash of their values.

    A whole-row key leaves out what Harbour added (``Parsed.derived``: the LSOA it placed a
    point in), so the same row keeps its key whatever the store held when it came; what was
    added still counts in the hash, so a row placed later is an update."""
    frame = parsed.frame.drop(columns=["line"])
    schema = SCHEMAS[parsed.table]
    values = [name for name in schema.names if name not in ("record_key", "row_hash", "import_id")]
    for name in values:
        if name not in frame:
            frame[name] = None
    frame = frame[values]
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    frame["row_hash"] = hashed.view(np.int64)
    if parsed.derived:
        source = [c for c in values if c not in parsed.derived]
        hashed = pd.util.hash_pandas_object(frame[source], index=False).to_numpy()
    # Identical rows are separate incidents: the whole row and its number among its twins.
    twin = pd.Series(hashed).groupby(hashed).cumcount().add(1).to_numpy()
    whole_row = pc.binary_join_element_wise(
        pc.cast(pa.array(hashed), pa.string()), pc.cast(pa.array(twin), pa.string()), "#"
    )
    if parsed.key_columns:
        parts = [
            pa.array(frame[c].astype("string[pyarrow]"), pa.string()) for c in parsed.key_columns
        ]
        parts = [pc.fill_null(p, "") for p in parts]
        joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
        # The first key column holds the key's identity (a crime id, a period, an LSOA); a row
        # without it (anti-social behaviour has no crime id) is keyed by its whole row.
        has_key = pc.invert(pc.equal(parts[0], ""))
        key = pc.if_else(has_key, joined, whole_row)
    else:
        key = whole_row
    frame["record_key"] = key.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    return frame


@dataclass
class WrittenFile:
    month: str
    path: str  # relative to the store's root
    rows: int
    replaces: list[str] = field(default_factory=list)


@dataclass
class Applied:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    files: list[WrittenFile] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    # Months the table held that the rows no longer have (``replace``): their files to retire.
    retired: list[str] = field(default_factory=list)


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".parquet.tmp")
    # Spark reads microseconds, not pandas' nanoseconds (STACK-NOTES).
    pq.write_table(table, temporary, coerce_timestamps="us", allow_truncated_timestamps=True)
    os.replace(temporary, path)


def apply(
    root: Path,
    table: str,
    frame: pd.DataFrame,
    *,
    current: Mapping[str, Sequence[str]],
    import_id: str,
    progress: Progress = no_progress,
    write: Callable[[pa.Table, Path], None] | None = None,
    written: list[str] | None = None,
) -> Applied:
    """Write the new file of every month the rows touch (see the module docstring). ``current``
    names each month's current files, relative to ``root``; nothing is deleted here. Each file
    is added to ``written`` as soon as it is on the disk, so a caller whose import fails part-way
    knows what to remove."""
    schema = SCHEMAS[table]
    applied = Applied()
    months = sorted(frame["month"].dropna().unique())
    for number, month in enumerate(months, start=1):
        progress("writing", number - 1, len(months))
        rows = frame[frame["month"] == month]
        existing_paths = list(current.get(month, ()))
        if existing_paths:
            existing = pq.read_table([str(root / p) for p in existing_paths], schema=schema)
            # Each new row's key looked up among the held ones, in Arrow (hash join, C++).
            position = pc.index_in(
                pa.array(rows["record_key"].astype("string[pyarrow]"), pa.string()),
                value_set=existing.column("record_key").combine_chunks(),
            )
            known = pd.Series(position.is_valid().to_numpy(zero_copy_only=False), index=rows.index)
            held_hash = pc.fill_null(pc.take(existing.column("row_hash"), position), 0)
            held_hash = held_hash.to_numpy(zero_copy_only=False)
            same = known & pd.Series(held_hash == rows["row_hash"].to_numpy(), index=rows.index)
            new_rows, updated_rows = rows[~known], rows[known & ~same]
            applied.unchanged += int(same.sum())
            if new_rows.empty and updated_rows.empty:
                continue
            replaced = set(updated_rows["record_key"])
            kept = existing.filter(
                pc.invert(
                    pc.is_in(existing["record_key"], value_set=pa.array(list(replaced), STRING))
                )
            )
            added = pd.concat([new_rows, updated_rows]).assign(import_id=import_id)
            result = pa.concat_tables(
                [kept, pa.Table.from_pandas(added, schema=schema, preserve_index=False)]
            )
            applied.new += len(new_rows)
            applied.updated += len(updated_rows)
        else:
            result = pa.Table.from_pandas(
                rows.assign(import_id=import_id), schema=schema, preserve_index=False
            )
            applied.new += len(rows)
        relative = f"{table}/month={month}/part-{import_id}.parquet"
        (write or _write)(result, root / relative)
        if written is not None:
            written.append(relative)
        applied.files.append(WrittenFile(month, relative, result.num_rows, existing_paths))
        applied.months.append(month)
    progress("writing", len(months), len(months))
    return applied


def replace(
    root: Path,
    table: str,
    frame: pd.DataFrame,
    *,
    current: Mapping[str, Sequence[str]],
    import_id: str,
    write: Callable[[pa.Table, Path], None] | None = None,
    written: list[str] | None = None,
) -> Applied:
    """The table as ``frame`` has it, whole (an extract, not an import that adds): for each month
    whose rows differ from the current file's (by key and hash), a new file naming the current
    one as replaced; a month whose rows are the same keeps its file (``unchanged``); a month the
    table held and the rows no longer have is retired (its files in ``retired``). Nothing is
    deleted here; files go into ``written`` as soon as they are on the disk."""
    schema = SCHEMAS[table]
    applied = Applied()
    months = sorted(frame["month"].dropna().unique())
    for month in months:
        rows = frame[frame["month"] == month]
        existing_paths = list(current.get(month, ()))
        if existing_paths:
            existing = pq.read_table(
                [str(root / p) for p in existing_paths],
                schema=schema,
                columns=["record_key", "row_hash"],
            ).to_pandas()
            held = set(zip(existing["record_key"], existing["row_hash"], strict=True))
            now = set(zip(rows["record_key"], rows["row_hash"], strict=True))
            if held == now and len(existing) == len(rows):
                applied.unchanged += len(rows)
                continue
            applied.updated += len(rows)
        else:
            applied.new += len(rows)
        result = pa.Table.from_pandas(
            rows.assign(import_id=import_id), schema=schema, preserve_index=False
        )
        relative = f"{table}/month={month}/part-{import_id}.parquet"
        (write or _write)(result, root / relative)
        if written is not None:
            written.append(relative)
        applied.files.append(WrittenFile(month, relative, result.num_rows, existing_paths))
        applied.months.append(month)
    applied.retired = [
        p for month, paths in current.items() if month not in set(months) for p in paths
    ]
    return applied


def sweep(root: Path, table: str, keep: set[str]) -> list[str]:
    """Delete the table's files the catalogue does not name (left by an import that stopped
    part-way); returns their paths. Call it only while holding the table's import lock."""
    removed: list[str] = []
    base = root / table
    if not base.exists():
        return removed
    for path in sorted(base.rglob("*")):
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            if relative not in keep:
                path.unlink()
                removed.append(relative)
    return removed


def remove(root: Path, paths: Sequence[str]) -> None:
    for relative in paths:
        (root / relative).unlink(missing_ok=True)


def read(
    root: Path, table: str, paths: Sequence[str], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The rows of the named files (all of the table's columns, or those asked for)."""
    schema = SCHEMAS[table]
    if not paths:
        empty = schema.empty_table()
        return (empty.select(list(columns)) if columns else empty).to_pandas()
    return pq.read_table(
        [str(root / p) for p in paths], schema=schema, columns=list(columns) if columns else None
    ).to_pandas()
