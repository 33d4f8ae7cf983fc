"""ONS Census 2021 tables by LSOA as Nomis gives them: the population each rate needs.

Two layouts of the same table are read:
* a Nomis query download: title lines (the table's code and name, the copyright line, the
  population, units and date), a blank line, the header ("2021 super output area - lower layer",
  "mnemonic", then one column per category), the rows, a blank line and footnotes;
* a Nomis bulk file (``census2021-ts021-lsoa.csv``): ``date``, ``geography``, ``geography code``
  and one column per category, each prefixed with the table's dimension ("Ethnic group: White").

The table is known from its title line or the file's name. Each category column must be one the
table publishes (an unknown one is an error, not a column dropped); columns of percentages
("%") are derived and left out. Rows are stored long: one row per LSOA and category, with the
category's five-group (or total) level, so rates can use the detail or the group."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from harbour.insight.engine.common import LSOA_CODE, Parsed, Progress, finish, no_progress
from harbour.tabular import ImportRejected, LineError, decode, read_csv

MAX_ROWS = 40_000  # England and Wales have 35,672 LSOAs (2021)
NOMIS_GEOGRAPHY = "2021 super output area - lower layer"

# Each table: its dimension's name in bulk files, and its categories in order, each with the
# five-group (or total) it belongs to. "total" is the table's all-people count.
ETHNIC_GROUP = {
    "Total: All usual residents": "total",
    "Asian, Asian British or Asian Welsh": "asian",
    "Asian, Asian British or Asian Welsh: Bangladeshi": "asian",
    "Asian, Asian British or Asian Welsh: Chinese": "asian",
    "Asian, Asian British or Asian Welsh: Indian": "asian",
    "Asian, Asian British or Asian Welsh: Pakistani": "asian",
    "Asian, Asian British or Asian Welsh: Other Asian": "asian",
    "Black, Black British, Black Welsh, Caribbean or African": "black",
    "Black, Black British, Black Welsh, Caribbean or African: African": "black",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "black",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "black",
    "Mixed or Multiple ethnic groups": "mixed",
    "Mixed or Multiple ethnic groups: White and Asian": "mixed",
    "Mixed or Multiple ethnic groups: White and Black African": "mixed",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "mixed",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "mixed",
    "White": "white",
    "White: English, Welsh, Scottish, Northern Irish or British": "white",
    "White: Irish": "white",
    "White: Gypsy or Irish Traveller": "white",
    "White: Roma": "white",
    "White: Other White": "white",
    "Other ethnic group": "other",
    "Other ethnic group: Arab": "other",
    "Other ethnic group: Any other ethnic group": "other",
}
AGE_BANDS = [
    "Total",
    "Aged 4 years and under",
    *(f"Aged {a} to {a + 4} years" for a in range(5, 85, 5)),
    "Aged 85 years and over",
]
AGE_GROUP = {band: ("total" if band == "Total" else band) for band in AGE_BANDS}
SEX = {"All persons": "total", "Female": "female", "Male": "male"}


class Table:
    def __init__(self, code: str, title: str, dimension: str, categories: dict[str, str]):
        self.code, self.title, self.dimension, self.categories = code, title, dimension, categories


TABLES = {
    "TS021": Table("TS021", "Ethnic group", "Ethnic group", ETHNIC_GROUP),
    "TS007A": Table("TS007A", "Age by five-year age bands", "Age", AGE_GROUP),
    "TS008": Table("TS008", "Sex", "Sex", SEX),
}
TABLE_CODE = re.compile(r"\b(TS\d{3}[A-Z]?)\b", re.IGNORECASE)


def _level(table: Table, category: str) -> str:
    """'total', 'group' (a heading with detail under it) or 'detail'."""
    if table.categories[category] == "total":
        return "total"
    if table.code == "TS021":
        return "detail" if ":" in category else "group"
    return "detail"


def _table_code(text: str, filename: str) -> Table:
    for source in (text[:500], filename):
        found = TABLE_CODE.search(source)
        if found and found.group(1).upper() in TABLES:
            return TABLES[found.group(1).upper()]
    # A bulk file renamed: its header names every category after the table's dimension.
    header = text.split("\n", 1)[0]
    for table in TABLES.values():
        if all(f"{table.dimension}: {c}" in header for c in table.categories):
            return table
    known = ", ".join(f"{t.code} ({t.title})" for t in TABLES.values())
    raise ImportRejected(
        "Which census table this is cannot be told from its title line or file name; "
        f"Harbour reads {known}"
    )


def _is_header(cells: list[str]) -> bool:
    first = [c.strip().lower() for c in cells[:3]]
    return bool(first) and (
        first[0] == NOMIS_GEOGRAPHY or first[:3] == ["date", "geography", "geography code"]
    )


def parse_census(content: bytes, *, filename: str = "", progress: Progress = no_progress) -> Parsed:
    text = decode(content)
    table = _table_code(text, filename)
    progress("reading", 0, 0)
    csv_table = read_csv(text, max_rows=MAX_ROWS, header_at=_is_header, stop_at_blank=True)
    header, lines = csv_table.header, csv_table.lines
    bulk = header[0].lower() == "date"
    prefix = f"{table.dimension}: "
    errors: list[LineError] = []
    columns: dict[int, str] = {}
    for position, name in enumerate(header):
        if position < (3 if bulk else 2) or name == "%" or name.startswith("%"):
            continue
        category = name[len(prefix) :] if bulk and name.startswith(prefix) else name
        if category not in table.categories:
            errors.append(
                LineError(
                    csv_table.header_line,
                    name,
                    f"is not a category of {table.code} ({table.title})",
                )
            )
        else:
            columns[position] = category
    missing = [c for c in table.categories if c not in columns.values()]
    errors += [
        LineError(csv_table.header_line, c, f"is a category of {table.code} and is missing")
        for c in missing
    ]
    if errors:
        raise ImportRejected(
            "The header is not the published one for this table; nothing was saved", errors
        )
    rows = csv_table.rows
    code_at = 2 if bulk else 1
    codes = [cells[code_at].strip() for cells in rows]
    names = [cells[1 if bulk else 0].strip() for cells in rows]
    if not bulk:
        # "E01031349 : Adur 001A" when the download has codes and names in one column.
        for i, name in enumerate(names):
            code, sep, rest = name.partition(" : ")
            if sep and not codes[i]:
                codes[i], names[i] = code.strip(), rest.strip()
    lsoa = re.compile(LSOA_CODE)
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        column = header[code_at]
        if not lsoa.match(code):
            errors.append(
                LineError(lines[i], column, "must be a 2021 LSOA code like E01033619", code[:60])
            )
        elif code in seen:
            errors.append(
                LineError(lines[i], column, f"repeats the LSOA of line {seen[code]}", code)
            )
        else:
            seen[code] = lines[i]
    positions = list(columns)
    values = np.array([[cells[p].strip().replace(",", "") for p in positions] for cells in rows])
    counts = pd.DataFrame(values, columns=[columns[p] for p in positions]).apply(
        pd.to_numeric, errors="coerce"
    )
    for j, position in enumerate(positions):
        bad = counts.iloc[:, j].isna() | (counts.iloc[:, j] < 0) | (counts.iloc[:, j] % 1 != 0)
        for found in np.flatnonzero(bad.to_numpy()):
            i = int(found)
            errors.append(
                LineError(
                    lines[i],
                    header[position],
                    "must be a whole number of people",
                    values[i, j][:60],
                )
            )
    progress("checking", len(rows), len(rows))
    wide = counts.fillna(0).astype("int64")
    wide.insert(0, "lsoa21cd", codes)
    wide.insert(1, "lsoa21nm", names)
    wide.insert(2, "line", lines)
    long = wide.melt(
        id_vars=["lsoa21cd", "lsoa21nm", "line"], var_name="category", value_name="count"
    )
    stored = pd.DataFrame(
        {
            "month": "2021-03",  # census day, 21 March 2021
            "table_code": table.code,
            "dimension": table.title,
            "lsoa21cd": long["lsoa21cd"],
            "lsoa21nm": long["lsoa21nm"],
            "category": long["category"],
            "group_code": long["category"].map(table.categories),
            "level": long["category"].map(lambda c: _level(table, c)),
            "count": long["count"].astype("int64"),
        }
    )
    return finish(
        "census_population",
        stored,
        long["line"].tolist(),
        errors,
        key_columns=("table_code", "lsoa21cd", "category"),
        notes={"areas": len(rows)},
    )
