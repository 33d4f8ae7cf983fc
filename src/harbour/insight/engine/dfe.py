"""Suspensions and permanent exclusions in England, as Explore Education Statistics publishes its
data files: the service's standard time and geography columns, then filters, then indicators.

* time: ``time_period`` (``202324`` for the academic year 2023/24) and ``time_identifier``
  ("Academic year");
* geography: ``geographic_level`` (National, Regional, Local authority, School) with the codes
  each level needs (``country_code``, ``region_code``, ``new_la_code``, ``school_urn``) and names;
* filters, each optional: ``education_phase``, ``school_type``, ``breakdown_topic``,
  ``breakdown``;
* indicators: ``headcount``, ``suspension``, ``susp_rate``, ``perm_excl``, ``perm_excl_rate``,
  ``one_plus_susp``, ``one_plus_susp_rate``: numbers, or the service's symbols (``c`` kept
  confidential, ``x`` not available, ``z`` not applicable, ``low`` rounds to zero, ``u`` low
  reliability), kept beside the number as they were given.
"""

from __future__ import annotations

import pandas as pd

from harbour.insight.engine.common import (
    Parsed,
    Progress,
    finish,
    matches,
    no_progress,
    row_errors,
    text_ok,
)
from harbour.tabular import ImportRejected, LineError, read_text_frame

MAX_ROWS = 500_000
REQUIRED = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name")
GEOGRAPHY = (
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "school_urn",
    "school_laestab",
    "school_name",
)
FILTERS = ("education_phase", "school_type", "breakdown_topic", "breakdown")
INDICATORS = (
    "headcount",
    "suspension",
    "susp_rate",
    "perm_excl",
    "perm_excl_rate",
    "one_plus_susp",
    "one_plus_susp_rate",
)
COUNTS = ("headcount", "suspension", "perm_excl", "one_plus_susp")
SYMBOLS = ("c", "x", "z", "low", "u", ":")
LEVELS = {
    "National": ("country_code",),
    "Regional": ("region_code",),
    "Local authority": ("new_la_code",),
    "School": ("school_urn",),
}
CODES = {
    "country_code": r"^[EKWSN]92[0-9]{6}$",
    "region_code": r"^E12[0-9]{6}$",
    "new_la_code": r"^E0[6-9][0-9]{6}$|^E10[0-9]{6}$",
    "old_la_code": r"^[0-9]{3}$",
    "school_urn": r"^[0-9]{6}$",
    "school_laestab": r"^[0-9]{7}$",
}


def parse_exclusions(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    progress("reading", 0, 0)
    frame, lines, header_line = read_text_frame(
        content, max_rows=MAX_ROWS, normalise_header=lambda n: n.strip().lower()
    )
    known = set(REQUIRED) | set(GEOGRAPHY) | set(FILTERS) | set(INDICATORS)
    errors = [
        LineError(header_line, name, "is a required column and is missing")
        for name in REQUIRED
        if name not in list(frame.columns)
    ] + [
        LineError(
            header_line,
            name,
            "is not a column of this publication's data files (see docs/insight-import.md)",
        )
        for name in list(frame.columns)
        if name not in known
    ]
    present = [name for name in INDICATORS if name in list(frame.columns)]
    if not present:
        errors.append(LineError(header_line, None, "names none of the indicators"))
    if errors:
        raise ImportRejected("The header is not this publication's; nothing was saved", errors)
    progress("checking", 0, len(frame))

    def column(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)

    period = frame["time_period"]
    good_period = matches(period, r"[0-9]{6}")
    years = numbers_or_nan(period.str.slice(0, 4))
    ends = numbers_or_nan(period.str.slice(4, 6))
    good_period &= ((years + 1) % 100 == ends) & years.between(2000, 2100)
    errors += row_errors(
        ~good_period, lines, "time_period", "must be an academic year like 202324", period
    )
    errors += row_errors(
        frame["time_identifier"] != "Academic year",
        lines,
        "time_identifier",
        "must be 'Academic year'",
        frame["time_identifier"],
    )
    level = frame["geographic_level"]
    errors += row_errors(
        ~level.isin(list(LEVELS)),
        lines,
        "geographic_level",
        "must be one of: " + ", ".join(LEVELS),
        level,
    )
    for name, needed_by in (
        (code, [lv for lv, codes in LEVELS.items() if code in codes])
        for code in ("country_code", "region_code", "new_la_code", "school_urn")
    ):
        codes = column(name)
        errors += row_errors(
            level.isin(needed_by) & codes.isna(),
            lines,
            name,
            f"is required where geographic_level is {', '.join(needed_by)}",
        )
    for name, pattern in CODES.items():
        codes = column(name)
        bad = codes.notna() & ~matches(codes, pattern)
        errors += row_errors(bad, lines, name, "is not a code in the published form", codes)
    for name in (*GEOGRAPHY, *FILTERS, "country_name"):
        if name in frame and name not in CODES:
            errors += row_errors(
                ~text_ok(frame[name]),
                lines,
                name,
                "must be text of at most 200 characters without control characters",
                frame[name],
            )
    values: dict[str, pd.Series] = {}
    symbols: dict[str, pd.Series] = {}
    for name in INDICATORS:
        raw = column(name)
        symbol = raw.where(raw.isin(SYMBOLS))
        number = pd.to_numeric(raw.where(~raw.isin(SYMBOLS)), errors="coerce").astype("float64")
        bad = raw.notna() & symbol.isna() & (number.isna() | (number < 0))
        if name in COUNTS:
            bad |= number.notna() & (number % 1 != 0)
        errors += row_errors(
            bad,
            lines,
            name,
            "must be a number, or one of the symbols c, x, z, low, u",
            raw,
        )
        values[name], symbols[name] = number, symbol
    # One row a period, place and set of filter values.
    key = ["time_period", "geographic_level", *LEVELS_CODES, *FILTERS]
    keyed = pd.DataFrame({name: column(name).fillna("") for name in key})
    errors += row_errors(
        keyed.duplicated(),
        lines,
        None,
        "repeats the period, place and filters of an earlier line",
    )
    start_years = years.fillna(2000).astype("int64")
    stored = pd.DataFrame(
        {
            "month": start_years.map(lambda y: f"{y:04d}-09"),
            "time_period": period,
            "academic_year": start_years.map(lambda y: f"{y}/{(y + 1) % 100:02d}"),
            "geographic_level": level,
            "area_code": _area_code(frame, level),
            **{
                name: column(name)
                for name in (*GEOGRAPHY, *FILTERS, "country_code", "country_name")
            },
            **{name: values[name] for name in INDICATORS},
            **{f"{name}_symbol": symbols[name] for name in INDICATORS},
        }
    )
    progress("checking", len(frame), len(frame))
    return finish(
        "dfe_exclusions",
        stored,
        lines,
        errors,
        key_columns=("time_period", "geographic_level", "area_code", *FILTERS),
        notes={"suppressed_cells": int(sum((s == "c").sum() for s in symbols.values()))},
    )


LEVELS_CODES = ("country_code", "region_code", "new_la_code", "school_urn")


def numbers_or_nan(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _area_code(frame: pd.DataFrame, level: pd.Series) -> pd.Series:
    """The code of the row's own place: the school's URN, the authority's code, and so on."""
    out = pd.Series(None, index=frame.index, dtype=object)
    for name, codes in LEVELS.items():
        code = codes[0]
        if code in frame:
            chosen = level == name
            out[chosen] = frame.loc[chosen, code]
    return out
