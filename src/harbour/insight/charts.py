"""Vega-Lite specs (built with Altair) for the store's pages, drawn in the page by the vendored
vega-embed; each chart has a table beside it with the same numbers, which is what people without
JavaScript, and screen readers, get."""

from __future__ import annotations

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
