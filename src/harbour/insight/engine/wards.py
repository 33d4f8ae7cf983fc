"""Wards: ONS's best-fit lookup of 2021 LSOAs to electoral wards (and their local authority), as
the Open Geography Portal gives it as CSV — ``LSOA21CD, LSOA21NM, WD24CD, WD24NM, LAD24CD,
LAD24NM``, with Welsh names and an ``ObjectId`` in some vintages. The ward year is whatever the
file's columns say (``WD22CD``, ``WD24CD``…), the same for the ward and the local authority.

Best fit means each LSOA lies in one ward, so a ward's count is the sum of its LSOAs'. Rows are
keyed on the LSOA; the store keeps each vintage as a month of its own (December of the ward
year), and queries read the latest."""

from __future__ import annotations

import re

import pandas as pd

from harbour.insight.engine.common import (
    CONTROL,
    LSOA_CODE,
    Parsed,
    Progress,
    finish,
    no_progress,
)
from harbour.tabular import ImportRejected, LineError, decode, read_csv

MAX_ROWS = 50_000  # England and Wales have 35,672 LSOAs
WARD_CODE = re.compile(r"^[EW]05[0-9]{6}$")
LAD_CODE = re.compile(r"^[EW]0[6-9][0-9]{6}$")
YEAR_COLUMN = re.compile(r"^WD([0-9]{2})CD$")
GUIDE = "an ONS LSOA (2021) to ward best-fit lookup, as downloaded"


def _columns(header: list[str], header_line: int) -> tuple[str, dict[str, str]]:
    """The ward year and the file's name for each column Harbour reads."""
    years = [m.group(1) for name in header if (m := YEAR_COLUMN.match(name))]
    if len(years) != 1:
        raise ImportRejected(
            "The header must name the ward code column once, like WD24CD; nothing was saved",
            [LineError(header_line, None, f"is not {GUIDE}")],
        )
    year = years[0]
    wanted = {
        "lsoa21cd": "LSOA21CD",
        "lsoa21nm": "LSOA21NM",
        "ward_code": f"WD{year}CD",
        "ward_name": f"WD{year}NM",
        "lad_code": f"LAD{year}CD",
        "lad_name": f"LAD{year}NM",
    }
    optional = {"LSOA21NMW", f"WD{year}NMW", f"LAD{year}NMW", "ObjectId", "FID", "OBJECTID"}
    required = ("lsoa21cd", "lsoa21nm", "ward_code", "ward_name")
    errors = [
        LineError(header_line, wanted[key], "is a required column and is missing")
        for key in required
        if wanted[key] not in header
    ] + [
        LineError(header_line, name, f"is not a column of this format ({GUIDE})")
        for name in header
        if name not in set(wanted.values()) | optional
    ]
    if errors:
        raise ImportRejected(
            "The header is not the published one for this format; nothing was saved", errors
        )
    return year, wanted


def parse_ward_lookup(content: bytes, *, progress: Progress = no_progress) -> Parsed:
    progress("reading", 0, 0)
    table = read_csv(decode(content), max_rows=MAX_ROWS)
    year, wanted = _columns(table.header, table.header_line)
    at = {key: table.header.index(name) for key, name in wanted.items() if name in table.header}
    lsoa = re.compile(LSOA_CODE)
    checks = {
        "lsoa21cd": (lsoa, "must be a 2021 LSOA code like E01033619"),
        "ward_code": (WARD_CODE, "must be a ward code like E05012345"),
        "lad_code": (LAD_CODE, "must be a local authority code like E06000001"),
    }
    optional = {"lad_code", "lad_name"}
    errors: list[LineError] = []
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for line, cells in zip(table.lines, table.rows, strict=True):
        row: dict[str, object] = {"month": f"20{year}-12"}
        for key, position in at.items():
            value = cells[position].strip()
            row[key] = value or None
            if not value and key in optional:
                continue
            if key in checks:
                pattern, detail = checks[key]
                if not pattern.match(value):
                    errors.append(LineError(line, wanted[key], detail, value[:60] or None))
            elif not value or len(value) > 100 or CONTROL.search(value):
                errors.append(LineError(line, wanted[key], "must be a name of 1 to 100 characters"))
        code = str(row.get("lsoa21cd") or "")
        if code in seen:
            errors.append(
                LineError(line, wanted["lsoa21cd"], f"repeats the LSOA of line {seen[code]}", code)
            )
        elif code:
            seen[code] = line
        rows.append(row)
    if not rows:
        raise ImportRejected("The file has a header and no rows")
    progress("checking", len(rows), len(rows))
    frame = pd.DataFrame(rows)
    for key in ("lad_code", "lad_name"):
        if key not in frame:
            frame[key] = None
    frame["ward_year"] = 2000 + int(year)
    return finish("lsoa_wards", frame, table.lines, errors, key_columns=("lsoa21cd",))
