"""The board report in PDF (ADR 0035): the same sections as the pages and the Excel, rendered from
a Django template with print CSS by WeasyPrint. Each section's chart is the very Vega-Lite spec
the page draws (so it holds only the numbers its table publishes), drawn to SVG offline by
vl-convert and placed beside or above its table; a cover says what the report is, the period,
when it was made and what ``[c]`` means."""

from __future__ import annotations

import base64
import copy
import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import vl_convert as vlc
import weasyprint  # type: ignore[import-untyped]  # no stubs installed
from django.template.loader import render_to_string

from harbour import disclosure
from harbour.insight.assessment import Section

# Widths in CSS pixels of the charts drawn: a section with a few columns has its chart beside
# the table (half the page), a wider one above it (the page's width). A4 portrait with 18 mm
# margins leaves 174 mm, about 657 px at 96 to the inch.
HALF_WIDTH, FULL_WIDTH = 300, 620
# More columns than this and the table takes the page's width, the chart above it.
BESIDE_COLUMNS = 3
# About how wide a character of a chart's bold title is, in pixels.
TITLE_CHARACTER = 7


@dataclass(frozen=True)
class PrintedSection:
    section: Section
    chart: str  # a data: URL of the chart's SVG, or "" where the section has no chart
    beside: bool  # the chart beside the table (True) or above it


def _static(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """The page's spec with a width in pixels for the one the browser takes from its container,
    and no tooltips or interaction (paper has none)."""
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = width
    # A title longer than the chart is wide would be cut off: it goes over lines instead.
    title = fixed.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if isinstance(text, str):
        lines = textwrap.wrap(text, width=max(20, width // TITLE_CHARACTER))
        fixed["title"] = {**(title if isinstance(title, dict) else {}), "text": lines}
    fixed.setdefault("config", {})
    fixed["config"] = {
        **fixed["config"],
        "font": "Liberation Sans, Arial, DejaVu Sans, sans-serif",
        "background": "white",
        "view": {"stroke": None},
    }
    return fixed


def chart_svg(spec: dict[str, Any], *, width: int) -> str:
    """The chart drawn to SVG by vl-convert, offline (no network, no browser)."""
    return str(vlc.vegalite_to_svg(json.loads(json.dumps(_static(spec, width)))))


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def printed(section: Section) -> PrintedSection:
    beside = len(section.columns) <= BESIDE_COLUMNS
    if section.spec is None or section.empty:
        return PrintedSection(section, "", beside)
    svg = chart_svg(section.spec, width=HALF_WIDTH if beside else FULL_WIDTH)
    return PrintedSection(section, _data_url(svg), beside)


def board_report_pdf(
    parts: Sequence[tuple[str, Sequence[Section]]], *, title: str, period: str, made: str
) -> bytes:
    """A PDF of each part's sections (part's heading, its sections), with a cover and contents."""
    html = render_to_string(
        "insight/board_report.html",
        {
            "title": title,
            "period": period,
            "made": made,
            "note": disclosure.NOTE,
            "symbol": disclosure.SYMBOL,
            "parts": [
                (f"part-{n}", heading, [printed(s) for s in sections])
                for n, (heading, sections) in enumerate(parts, start=1)
            ],
        },
    )
    document = weasyprint.HTML(string=html, base_url=None)
    return bytes(document.write_pdf())
