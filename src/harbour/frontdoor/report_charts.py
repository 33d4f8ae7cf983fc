"""Charts beside the front-door report's tables (issue 13, part 3): Vega-Lite specs made with
Altair from the numbers the table publishes — a cell hidden as ``[c]`` is left out, never drawn,
so a chart cannot give back what its table keeps back."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from harbour import disclosure
from harbour.frontdoor.reports import Table

BLUE = "#1d70b8"
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#5694ca", "#505a5f"]


def number(cell: Any) -> float | None:
    """A published cell as a number: a count, "62", "50%" or "6.0"; None when it is hidden
    (``[c]``) or there is none (a dash)."""
    if isinstance(cell, disclosure.Published):
        return None if cell.suppressed else float(cell.true_value)
    text = str(cell).strip().rstrip("%").replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _bars(rows: list[tuple[str, float]], *, title: str, x: str) -> dict[str, Any]:
    data = pd.DataFrame(rows, columns=["label", "value"])
    chart = (
        alt.Chart(data, title=title)
        .mark_bar(color=BLUE)
        .encode(
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("value:Q", title=x),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=x)],
        )
        .properties(width="container", height=max(100, 26 * len(rows)))
    )
    return chart.to_dict()


def column_bars(table: Table, column: int, *, title: str, x: str) -> dict[str, Any] | None:
    """One bar a row of the table, from one of its columns."""
    rows = [
        (str(row[0]), value) for row in table.rows if (value := number(row[column])) is not None
    ]
    return _bars(rows, title=title, x=x) if rows else None


def month_lines(table: Table, *, title: str, y: str) -> dict[str, Any] | None:
    """A line a row over the table's month columns (completeness by agency, month by month)."""
    months = table.columns[1:]
    rows = [
        {"series": str(row[0]), "month": month, "value": value}
        for row in table.rows
        for month, cell in zip(months, row[1:], strict=False)
        if (value := number(cell)) is not None
    ]
    if not rows:
        return None
    series = sorted({str(r["series"]) for r in rows})
    chart = (
        alt.Chart(pd.DataFrame(rows), title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="Month", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("value:Q", title=y, scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "series:N",
                title="Agency",
                scale=alt.Scale(domain=series, range=(COLOURS * 10)[: len(series)]),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=240),
            ),
            tooltip=["series:N", "month:O", alt.Tooltip("value:Q", title=y)],
        )
        .properties(width="container", height=280)
    )
    return chart.to_dict()


# Which tables get a chart, and how: the ones leaders ask about first.
CHARTS = {
    "completeness-by-agency": lambda t: column_bars(
        t, 2, title="Mean completeness by referring agency", x="Mean completeness (%)"
    ),
    "completeness-by-agency-and-month": lambda t: month_lines(
        t, title="Mean completeness, month by month", y="Mean completeness (%)"
    ),
    "time-to-decision": lambda t: column_bars(
        t, 5, title="Decided within the service level", x="Share of decisions (%)"
    ),
    "outcomes": lambda t: column_bars(t, 1, title="Decisions by outcome", x="Referrals"),
    "concerns": lambda t: column_bars(t, 1, title="What referrals are about", x="Referrals"),
}


def chart_for(table: Table) -> dict[str, Any] | None:
    build = CHARTS.get(table.key)
    return build(table) if build else None
