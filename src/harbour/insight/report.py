"""The board report in Excel (XlsxWriter): the needs assessment's and disproportionality's
sections, a sheet each, with the same protected numbers as the pages (a hidden count is ``[c]``
here too), and a first sheet saying what the report is and what ``[c]`` means."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import xlsxwriter  # type: ignore[import-untyped]  # no stubs installed

from harbour import disclosure
from harbour.disclosure import Published
from harbour.insight.assessment import Section

MAX_SHEET_NAME = 31
# A figure the page shows as text ("1,199", "55.90"): written to Excel as the number it is.
FIGURE = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")


def _sheet_name(section: Section, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", section.sheet)[:MAX_SHEET_NAME].strip()
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def board_report(
    parts: Sequence[tuple[str, Sequence[Section]]], *, title: str, period: str, made: str
) -> bytes:
    """An .xlsx of each part's sections: (part's heading, its sections)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        # Text is text: a cell that starts with = is never made a formula, nor a URL a link.
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    heading = book.add_format({"bold": True, "font_size": 16})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"})
    number = book.add_format({"num_format": "#,##0", "align": "right"})
    decimal = book.add_format({"num_format": "#,##0.00", "align": "right"})
    text_right = book.add_format({"align": "right"})
    total_label = book.add_format({"bold": True, "top": 1})
    total_number = book.add_format({"bold": True, "top": 1, "num_format": "#,##0"})
    total_text = book.add_format({"bold": True, "top": 1, "align": "right"})

    cover = book.add_worksheet("About this report")
    cover.set_column(0, 0, 100)
    cover.write(0, 0, title, heading)
    cover.write(1, 0, f"Period: {period}" if period else "Period: no data held yet")
    cover.write(2, 0, f"Made: {made}")
    cover.write(3, 0, disclosure.NOTE, wrap)
    row = 5
    used: set[str] = {"about this report"}
    sheets = []
    for part, sections in parts:
        cover.write(row, 0, part, bold)
        row += 1
        for section in sections:
            name = _sheet_name(section, used)
            sheets.append((name, section))
            cover.write_url(row, 0, f"internal:'{name}'!A1", string=section.title)
            row += 1
        row += 1

    for name, section in sheets:
        sheet = book.add_worksheet(name)
        sheet.set_column(0, 0, 48)
        sheet.set_column(1, max(1, len(section.columns)), 16)
        sheet.write(0, 0, section.title, heading)
        sheet.write(1, 0, section.description, wrap)
        if section.period:
            sheet.write(2, 0, f"Period: {section.period}")
        line = 3
        sheet.write(line, 0, section.header, head)
        for j, column in enumerate(section.columns, start=1):
            sheet.write(line, j, column, head)
        if section.empty:
            sheet.write(line + 1, 0, "No data held yet")
        rows = [*section.rows, *([section.total] if section.total else [])]
        for i, item in enumerate(rows, start=line + 1):
            is_total = section.total is not None and item is section.total
            sheet.write(i, 0, item.label, total_label if is_total else None)
            for j, cell in enumerate(item.cells, start=1):
                if isinstance(cell, Published) and not cell.suppressed:
                    sheet.write_number(i, j, cell.true_value, total_number if is_total else number)
                elif isinstance(cell, str) and FIGURE.match(cell):
                    figure = float(cell.replace(",", ""))
                    sheet.write_number(i, j, figure, decimal if "." in cell else number)
                else:
                    sheet.write_string(i, j, str(cell), total_text if is_total else text_right)
        line += len(rows) + 2
        for note in [*section.notes, disclosure.NOTE]:
            sheet.write(line, 0, note, wrap)
            line += 1
    book.close()
    return out.getvalue()
