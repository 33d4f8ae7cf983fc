"""Checked tabular files, shared by every import (identity's person records, insight's sources).

Plain Python, without Django (a contract in pyproject.toml keeps it so), so that the insight
engine can use it and be benchmarked and run on Spark alone. Three things every all-or-nothing
import needs, done once:

* ``LineError`` and ``ImportRejected``: a file refused as a whole, every problem named by the
  line of the file it is on (the header is line 1) and the column;
* ``read_csv``: CSV text read with the line each row starts on (a quoted cell may hold a line
  break, so a row's line is not its index plus two), blank lines skipped, ragged rows refused;
* ``schema_errors``: pandera's failure cases turned into ``LineError`` by line and column.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

# Text columns backed by Arrow: pandera's string checks and pandas' string methods run in C++ on
# them, which a large file needs (an object column checks one Python string at a time).
ArrowText = Annotated[pd.StringDtype, "pyarrow", pd.NA]
ARROW_TEXT = pd.StringDtype("pyarrow")

MAX_ERRORS = 200


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    detail: str
    value: str | None = None
    # What ``line`` counts: a line of a text file, or a feature of a GeoJSON collection.
    unit: str = "line"

    def __str__(self) -> str:
        where = f"{self.unit} {self.line}" + (f", {self.column}" if self.column else "")
        shown = f" (got {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.detail}{shown}"

    def as_dict(self) -> dict[str, Any]:
        return {
            self.unit: self.line,
            "column": self.column,
            "problem": self.detail,
            "value": self.value,
        }


class ImportRejected(Exception):
    """The file was rejected as a whole; ``errors`` names each problem by line."""

    def __init__(self, message: str, errors: list[LineError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
        self.error_count = len(self.errors)


def problems(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''} in the file; nothing was saved"


def decode(content: bytes) -> str:
    """UTF-8 text (a byte-order mark is fine), or ``ImportRejected``."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(f"The file must be UTF-8 text (byte {error.start} is not)") from None


@dataclass
class CsvTable:
    header: list[str]
    # One list of cells per row, and the line of the file each row starts on.
    rows: list[list[str]]
    lines: list[int]
    # The line the header is on (after any title lines above it).
    header_line: int = 1


def read_csv(
    text: str,
    *,
    max_rows: int,
    header_at: Callable[[list[str]], bool] | None = None,
    stop_at_blank: bool = False,
    normalise_header: Callable[[str], str] = lambda name: name.strip(),
) -> CsvTable:
    """Read CSV text into rows with the line each starts on, or raise ``ImportRejected``.

    ``header_at`` finds the header below title lines (a Nomis download has several); without
    it the first line is the header. ``stop_at_blank`` ends the table at the first blank line
    after it (footnotes follow in Nomis files); otherwise blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    errors: list[LineError] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        header: list[str] | None = None
        header_line = 0
        for cells in reader:
            if header_at is None or header_at(cells):
                header, header_line = [normalise_header(c) for c in cells], reader.line_num
                break
        if header is None or not any(header):
            if header_at is not None and text.strip():
                raise ImportRejected("The file has no header line of the expected table")
            raise ImportRejected("The file is empty: it needs a header line and rows")
        if len(set(header)) != len(header):
            errors.append(LineError(header_line, None, "the header names a column twice"))
        start = reader.line_num + 1
        for cells in reader:
            if not cells or not any(cell.strip() for cell in cells):
                if stop_at_blank and rows:
                    break
                start = reader.line_num + 1
                continue
            if len(rows) >= max_rows:
                raise ImportRejected(f"A file may hold at most {max_rows:,} rows; split it")
            if len(cells) != len(header):
                errors.append(
                    LineError(start, None, f"has {len(cells)} cells; the header has {len(header)}")
                )
            else:
                rows.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportRejected(
            f"The file is not valid CSV: {error} (line {reader.line_num})"
        ) from None
    if errors:
        raise ImportRejected("The file's lines do not match its header; nothing was saved", errors)
    if not rows:
        raise ImportRejected("The file has a header but no rows")
    return CsvTable(header=header, rows=rows, lines=lines, header_line=header_line)


def frame_of(table: CsvTable, *, empty_is_missing: bool = True) -> pd.DataFrame:
    """The rows as a DataFrame of text (object) columns; empty cells missing."""
    frame = pd.DataFrame(table.rows, columns=table.header, dtype=object)
    if empty_is_missing:
        for column in frame.columns:
            stripped = frame[column].str.strip()
            frame[column] = stripped.where(stripped != "", None)
    return frame


def _trimmed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Spaces trimmed, and an empty cell missing."""
    text = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def read_text_frame(
    content: bytes, *, max_rows: int, normalise_header: Callable[[str], str] = str.strip
) -> tuple[pd.DataFrame, list[int], int]:
    """A CSV file with a header on line 1 as a frame of Arrow-backed text (empty cells missing),
    the line each row starts on, and the header's line.

    Arrow's reader does the work. It does not say which line a row came from, so its answer is
    used only when every line of the file is a row (no blank lines, no line breaks inside quoted
    cells): then row ``i`` is on line ``i + 2``. Otherwise, or when Arrow refuses the file (a
    ragged row, bad UTF-8), the file is read again line by line by ``read_csv``, which names the
    lines exactly and says what is wrong."""
    body = content[len(codecs.BOM_UTF8) :] if content.startswith(codecs.BOM_UTF8) else content
    try:
        first_line = body.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
        names = next(csv.reader([first_line]), [])
    except (UnicodeDecodeError, csv.Error):
        names = []
    table: pa.Table | None = None
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(block_size=1 << 22, autogenerate_column_names=False),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                # Every cell as text, as written ("090" stays "090"): the checks decide what
                # is a number.
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
                auto_dict_encode=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        table = None
    lines_in_file = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if (
        table is not None
        and names
        and table.num_rows > 0
        and table.num_rows + 1 == lines_in_file
        and b"\r\r" not in body
    ):
        if table.num_rows > max_rows:
            raise ImportRejected(f"A file may hold at most {max_rows:,} rows; split it")
        header = [normalise_header(name) for name in table.column_names]
        if len(set(header)) != len(header):
            raise ImportRejected(
                "The file's lines do not match its header; nothing was saved",
                [LineError(1, None, "the header names a column twice")],
            )
        columns = {
            name: _trimmed(table.column(i).cast(pa.string())) for i, name in enumerate(header)
        }
        frame = pa.table(columns).to_pandas(types_mapper={pa.string(): ARROW_TEXT}.get)
        return frame, list(range(2, table.num_rows + 2)), 1
    csv_table = read_csv(decode(content), max_rows=max_rows, normalise_header=normalise_header)
    frame = frame_of(csv_table).astype(ARROW_TEXT)
    return frame, csv_table.lines, csv_table.header_line


PANDERA_MESSAGES = {
    "not_nullable": "is required",
    "column_in_dataframe": "is a required column and is missing",
}


def schema_errors(
    failure_cases: pd.DataFrame,
    lines: Sequence[int],
    message: Callable[[str, str | None], str],
    *,
    header_line: int = 1,
) -> list[LineError]:
    """pandera's lazy failure cases as errors by line and column, sorted by line.

    A check on a row names the row's line; a check on the whole frame (a missing or unknown
    column) names the header line and the column it is about."""
    errors = []
    for case in failure_cases.to_dict("records"):
        index = case.get("index")
        schema_level = case.get("schema_context") == "DataFrameSchema"
        column = case.get("failure_case") if schema_level else case.get("column")
        has_index = index is not None and not pd.isna(index)
        value = None if schema_level else case.get("failure_case")
        check = str(case.get("check"))
        errors.append(
            LineError(
                line=lines[int(index)] if has_index else header_line,
                column=str(column) if column is not None else None,
                detail=PANDERA_MESSAGES.get(check) or message(check, column),
                value=None if value is None or pd.isna(value) else str(value)[:60],
            )
        )
    errors.sort(key=lambda e: (e.line, e.column or ""))
    return errors
