"""Vega-Lite specs (built with Altair) for the store's pages, drawn in the page by the vendored
vega-embed; each chart has a table beside it with the same numbers, which is what people without
JavaScript, and screen readers, get."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

# GOV.UK Design System colours, one a source, in the catalogue's order.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#5694ca", "#505a5f"]


def rows_by_month(monthly: pd.DataFrame, labels: dict[str, str]) -> dict[str, Any]:
    """Rows a month in the store, stacked by source."""
    data = monthly.assign(source=monthly["source"].map(labels)).astype({"rows": "int64"})
    chart = (
        alt.Chart(data, title="Rows in the store by month")
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="Month", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(rows):Q", title="Rows"),
            color=alt.Color(
                "source:N",
                title="Source",
                scale=alt.Scale(domain=list(labels.values()), range=COLOURS[: len(labels)]),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            tooltip=["source:N", "month:O", alt.Tooltip("rows:Q", format=",")],
        )
        .properties(width="container", height=260)
    )
    return chart.to_dict()


# The needs assessment and disproportionality (ADR 0024). Every chart draws only numbers its
# table publishes: a count suppressed there (``[c]``) is left out of the chart's data, never
# drawn, so the chart cannot give it back.
BLUE, GREY = COLOURS[0], COLOURS[6]


def bars(data: pd.DataFrame, *, title: str, label: str, value: str = "Count") -> dict[str, Any]:
    """Horizontal bars, one a row of the table (``label``, ``value`` columns), largest first."""
    chart = (
        alt.Chart(data, title=title)
        .mark_bar(color=BLUE)
        .encode(
            y=alt.Y("label:N", title=label, sort="-x", axis=alt.Axis(labelLimit=260)),
            x=alt.X("value:Q", title=value),
            tooltip=[alt.Tooltip("label:N", title=label), alt.Tooltip("value:Q", title=value)],
        )
        .properties(width="container", height=max(120, 22 * len(data)))
    )
    return chart.to_dict()


def seasonal_lines(data: pd.DataFrame, *, title: str) -> dict[str, Any]:
    """A line a year over the calendar months (``month``, ``month_name``, ``year``, ``value``):
    the trend and its seasonality at once."""
    years = sorted(data["year"].unique())
    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "month_name:O",
                title="Month",
                sort=alt.SortField("month"),
                axis=alt.Axis(labelAngle=-45),
            ),
            y=alt.Y("value:Q", title="Count"),
            color=alt.Color(
                "year:N",
                title="Year",
                scale=alt.Scale(domain=[str(y) for y in years], range=COLOURS[: len(years)]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["year:N", "month_name:O", alt.Tooltip("value:Q", title="Count")],
        )
        .properties(width="container", height=260)
    )
    return chart.to_dict()


def heatmap(data: pd.DataFrame, *, title: str) -> dict[str, Any]:
    """Counts by weekday and hour (``weekday``, ``hour``, ``value``)."""
    chart = (
        alt.Chart(data, title=title)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="Hour of the day"),
            y=alt.Y("weekday:O", title="Day", sort=list(data.attrs.get("weekdays", []))),
            color=alt.Color("value:Q", title="Count", scale=alt.Scale(scheme="blues")),
            tooltip=["weekday:O", "hour:O", alt.Tooltip("value:Q", title="Count")],
        )
        .properties(width="container", height=220)
    )
    return chart.to_dict()


def relative_rates(data: pd.DataFrame, *, title: str, reference: str) -> dict[str, Any]:
    """Each group's relative rate index (``group``, ``rri``, ``low``, ``high``) with its 95%
    interval, on a log scale, against a line at 1 (the reference group's rate)."""
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=None, axis=alt.Axis(labelLimit=260)),
    )
    scale = alt.Scale(type="log")
    interval = base.mark_rule(color=GREY, strokeWidth=2).encode(
        x=alt.X("low:Q", title=f"Relative rate index (1 = {reference})", scale=scale),
        x2="high:Q",
    )
    point = base.mark_point(filled=True, size=90, color=BLUE).encode(
        x=alt.X("rri:Q", scale=scale),
        tooltip=[
            "group:N",
            alt.Tooltip("rri:Q", title="RRI", format=".2f"),
            alt.Tooltip("low:Q", title="95% interval from", format=".2f"),
            alt.Tooltip("high:Q", title="to", format=".2f"),
        ],
    )
    one = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="one:Q")
    chart = alt.layer(interval, point, one, title=title).properties(
        width="container", height=max(120, 40 * len(data))
    )
    return chart.to_dict()


# Hidden harm (ADR 0036): the same rule, only published numbers drawn.


def grouped_bars(
    data: pd.DataFrame, *, title: str, label: str, series: Sequence[str], value: str = "Count"
) -> dict[str, Any]:
    """Bars side by side for each row of the table (``label``, ``series``, ``value``), a colour a
    series in the order given (what health sees, then what the police see)."""
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            # In the table's order.
            y=alt.Y("label:N", title=label, sort=None, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("series:N", sort=list(series)),
            x=alt.X("value:Q", title=value),
            color=alt.Color(
                "series:N",
                title=None,
                sort=list(series),
                scale=alt.Scale(domain=list(series), range=COLOURS[: len(series)]),
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label),
                alt.Tooltip("series:N", title="What"),
                alt.Tooltip("value:Q", title=value),
            ],
        )
        .properties(width="container", height=max(140, 16 * len(data) + 60))
    )
    return chart.to_dict()


def shares(data: pd.DataFrame, *, title: str, label: str, kinds: Sequence[str]) -> dict[str, Any]:
    """A bar a row (``label``, ``kind``, ``share`` from 0 to 1), coloured by the kind of row (an
    agency seeing harm, or a caseload), in the table's order."""
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N", title=label, sort=list(data["label"]), axis=alt.Axis(labelLimit=300)
            ),
            x=alt.X(
                "share:Q", title="Share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=list(kinds), range=[BLUE, COLOURS[4]]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(width="container", height=max(140, 24 * len(data)))
    )
    return chart.to_dict()


def rates_against_area(
    data: pd.DataFrame, *, title: str, label: str, value: str, overall: float | None
) -> dict[str, Any]:
    """A bar a row (``label``, ``rate``, ``higher``: "Yes" or "No"), largest first, with a dashed
    line at the whole area's rate: where a row's bar passes the line is where it is higher."""
    bars_ = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=label, sort="-x", axis=alt.Axis(labelLimit=260)),
            x=alt.X("rate:Q", title=value),
            color=alt.Color(
                "higher:N",
                title="Higher than the whole area",
                scale=alt.Scale(domain=["Yes", "No"], range=[COLOURS[1], GREY]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label),
                alt.Tooltip("rate:Q", title=value, format=".1f"),
            ],
        )
    )
    layers: list[Any] = [bars_]
    if overall is not None:
        line = pd.DataFrame({"rate": [overall]})
        layers.append(
            alt.Chart(line).mark_rule(strokeDash=[4, 4], color="#0b0c0c").encode(x="rate:Q")
        )
    chart = alt.layer(*layers, title=title).properties(
        width="container", height=max(140, 16 * len(data))
    )
    return chart.to_dict()


def alert_series(data: pd.DataFrame, *, title: str, value: str) -> dict[str, Any]:
    """An alert's series month by month (``month``, ``value``, ``period``: the baseline, the
    month checked or earlier), with what was expected in the month checked (``expected``, on
    that month's row only) as a hollow point. Months whose count the table hides are left out,
    and no line joins the points, which would draw a value across the months left out."""
    periods = ["Earlier", "Baseline", "Month checked"]
    base = alt.Chart(data).encode(
        x=alt.X("month:O", title="Month", axis=alt.Axis(labelAngle=-45)),
    )
    points = base.mark_point(filled=True, size=70).encode(
        y=alt.Y("value:Q", title=value),
        color=alt.Color(
            "period:N",
            title=None,
            scale=alt.Scale(domain=periods, range=[GREY, BLUE, COLOURS[1]]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=["month:O", "period:N", alt.Tooltip("value:Q", title=value)],
    )
    expected = (
        base.transform_filter("isValid(datum.expected)")
        .mark_point(shape="diamond", size=110, color=COLOURS[1], filled=False, strokeWidth=2)
        .encode(
            y="expected:Q",
            tooltip=["month:O", alt.Tooltip("expected:Q", title="Expected", format=".1f")],
        )
    )
    chart = alt.layer(points, expected, title=title).properties(width="container", height=260)
    return chart.to_dict()
