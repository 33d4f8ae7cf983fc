"""What every source's reader shares: the checked result, the header check, pandera's errors by
line, the natural key of each row and the checks on places (coordinates, LSOA codes)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.compute as pc

from harbour.tabular import ImportRejected, LineError, problems, schema_errors

# A progress report: (stage, done, total). The command prints it; the page shows it.
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """Progress reports go nowhere."""


# Great Britain and Northern Ireland with their islands, longitude and latitude (WGS 84). A
# point outside is not in the country (swapped or mistyped coordinates, or another grid).
UK_LONGITUDE = (-8.7, 1.9)
UK_LATITUDE = (49.8, 60.9)
LSOA_CODE = r"^[EW]01[0-9]{6}$"
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
# No control characters in text that will be shown on pages and written to Parquet.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Parsed:
    """A source file read and checked: rows ready for the store, or the problems with them."""

    table: str
    # The rows as the store keeps them, with the file's line of each in ``line``.
    frame: pd.DataFrame
    # Problems with single rows (a partnership may choose to quarantine these rows).
    errors: list[LineError] = field(default_factory=list)
    # Counts worth telling about (rows with no location, places found), never rows' contents.
    notes: dict[str, int] = field(default_factory=dict)
    # Columns that make a row's natural key; none: the whole row, counted among its twins.
    key_columns: tuple[str, ...] = ()
    # Columns Harbour adds (the LSOA it places a point in): not part of a whole-row key, so the
    # same row keeps its key whatever the store held when it came.
    derived: tuple[str, ...] = ()


def check_header(
    header: Sequence[str],
    expected: Sequence[str],
    *,
    header_line: int = 1,
    optional: Sequence[str] = (),
    guide: str = "",
) -> None:
    """The header must name every expected column (in any order) and no other."""
    known = set(expected) | set(optional)
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in known]
    errors = [
        LineError(header_line, name, "is a required column and is missing") for name in missing
    ] + [
        LineError(
            header_line,
            name,
            "is not a column of this format" + (f" ({guide})" if guide else ""),
        )
        for name in unknown
    ]
    if errors:
        raise ImportRejected(
            "The header is not the published one for this format; nothing was saved", errors
        )


def run_schema(
    schema: type[pandera.DataFrameModel],
    frame: pd.DataFrame,
    lines: Sequence[int],
    messages: dict[str, str],
    *,
    header_line: int = 1,
) -> list[LineError]:
    """Every pandera failure as an error by line and column (nothing raised)."""
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as failure:

        def message(check: str, column: str | None) -> str:
            for prefix, text in messages.items():
                if check.startswith(prefix):
                    return text
            if check.startswith("isin"):
                return "is not one of the published values"
            if check.startswith("str_length"):
                return "is empty or too long"
            if check.startswith("str_matches"):
                return "is not in the published form"
            return check

        return schema_errors(failure.failure_cases, lines, message, header_line=header_line)
    return []


def row_errors(
    mask: pd.Series, lines: Sequence[int], column: str | None, detail: str, values: Any = None
) -> list[LineError]:
    """An error on each row where ``mask`` is true."""
    # A comparison with a missing cell is neither true nor false: it is not an error here.
    found = np.flatnonzero(mask.astype("boolean").fillna(False).to_numpy(dtype=bool))
    shown = None if values is None else values.to_numpy()
    return [
        LineError(
            lines[int(i)],
            column,
            detail,
            None if shown is None or pd.isna(shown[i]) else str(shown[i])[:60],
        )
        for i in found
    ]


def text_ok(series: pd.Series, max_length: int = 200) -> pd.Series:
    """Missing, or text of at most ``max_length`` characters without control characters."""
    text = series.astype("string[pyarrow]")
    good = (text.str.len() <= max_length) & ~text.str.contains(CONTROL)
    return good.fillna(True).astype(bool)


def matches(series: pd.Series, pattern: str) -> pd.Series:
    """True where the text matches the whole pattern; false where it does not or is missing."""
    return series.str.fullmatch(pattern).astype("boolean").fillna(False).astype(bool)


NUMBER = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"


def numbers(series: pd.Series) -> pd.Series:
    """Numbers as floats, NaN where a cell is missing or not a number (in Arrow: a large file's
    coordinates are millions of cells)."""
    text = pa.array(series.astype("string[pyarrow]"), pa.string())
    numeric = pc.if_else(pc.match_substring_regex(text, NUMBER), text, pa.scalar(None, pa.string()))
    floats = pc.cast(numeric, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.Series(floats, index=series.index, dtype="float64")


def coordinates_ok(frame: pd.DataFrame, longitude: str, latitude: str) -> pd.Series:
    """Both missing, both zero (police.uk zeroes a point more than 20 km from a map point), or
    both numbers inside the country."""
    lon, lat = numbers(frame[longitude]), numbers(frame[latitude])
    both_missing = frame[longitude].isna() & frame[latitude].isna()
    zeroed = (lon == 0) & (lat == 0)
    inside = lon.between(*UK_LONGITUDE) & lat.between(*UK_LATITUDE)
    return both_missing | zeroed | inside


def finish(
    table: str,
    frame: pd.DataFrame,
    lines: Sequence[int],
    errors: list[LineError],
    *,
    key_columns: tuple[str, ...] = (),
    notes: dict[str, int] | None = None,
    derived: tuple[str, ...] = (),
) -> Parsed:
    frame = frame.copy()
    frame["line"] = np.asarray(lines, dtype="int64")
    errors.sort(key=lambda e: (e.line, e.column or ""))
    return Parsed(
        table=table,
        frame=frame,
        errors=errors,
        notes=notes or {},
        key_columns=key_columns,
        derived=derived,
    )


def refuse_or_quarantine(parsed: Parsed, *, quarantine: bool) -> list[LineError]:
    """Refuse the file for any row's problem, or set those rows aside (the partnership's
    choice) and return their problems, so they are listed and never silently dropped."""
    if not parsed.errors:
        return []
    if not quarantine:
        raise ImportRejected(problems(len(parsed.errors)), parsed.errors)
    bad_lines = {error.line for error in parsed.errors}
    parsed.frame = parsed.frame[~parsed.frame["line"].isin(bad_lines)].reset_index(drop=True)
    return parsed.errors
