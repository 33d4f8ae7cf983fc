"""Why the model scored a pair as it did: Splink's waterfall chart as a Vega-Lite spec (drawn in
the page by the vendored vega-embed) and the same numbers as rows of a GOV.UK table, which is
what people without JavaScript, and screen readers, get."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COMPARISON_NAMES = {
    "Prior": "Starting point",
    "first_name": "First name",
    "surname": "Last name",
    "dob": "Date of birth",
    "postcode": "Postcode",
    "place": "Address and postcode",
    "nhs_number": "NHS number",
    "sex": "Sex",
    "Final score": "Match weight",
}
FOR, AGAINST, NONE, TOTAL = "For a match", "Against a match", "No evidence", "Total"
COLOURS = {FOR: "#00703c", AGAINST: "#d4351c", NONE: "#505a5f", TOTAL: "#1d70b8"}


def level_name(label: str, *, term_frequency: bool = False) -> str:
    """Splink's chart label in plain words (Harbour's own labels are already plain)."""
    if term_frequency:
        return "How common the value is: a common one counts for less, a rare one for more"
    text = label.strip()
    lower = text.lower()
    if lower.endswith("is null"):
        return "Not recorded in one or both records"
    if lower.startswith("exact match"):
        return "Exactly the same"
    if lower == "all other comparisons":
        return "Different"
    if "jaro" in lower and ">= 0.92" in lower:
        return "Spelt very nearly the same"
    if "jaro" in lower:
        return "Spelt similarly"
    return text


def comparison_name(column: str) -> str:
    if column.startswith("tf_"):
        return f"{COMPARISON_NAMES.get(column[3:], column[3:])}: how common it is"
    return COMPARISON_NAMES.get(column, column.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Bar:
    order: int
    name: str
    level: str
    weight: float
    start: float
    end: float
    kind: str
    value_l: str
    value_r: str

    @property
    def signed(self) -> str:
        return f"{self.weight:+.2f}"

    @property
    def bayes_factor(self) -> str:
        factor = 2.0**self.weight
        if abs(self.weight) < 0.005:
            return "No effect"
        if factor >= 1:
            return f"{factor:,.1f} times more likely"
        return f"{1 / factor:,.1f} times less likely"


def bars(contributions: list[dict[str, Any]]) -> list[Bar]:
    """The waterfall's bars in order: each starts where the last ended, except the prior and
    the final match weight, which start at zero."""
    out: list[Bar] = []
    running = 0.0
    for row in sorted(contributions, key=lambda r: r.get("bar_sort_order", 0)):
        column = str(row.get("column_name", ""))
        weight = float(row.get("log2_bayes_factor") or 0.0)
        is_tf = bool(row.get("term_frequency_adjustment"))
        if is_tf and weight == 0.0:
            continue  # no term-frequency adjustment at this level: nothing to show
        if column == "Final score":
            start, end, kind = 0.0, weight, TOTAL
        elif column == "Prior":
            start, end, kind = 0.0, weight, TOTAL
            running = weight
        else:
            start, end = running, running + weight
            running = end
            kind = FOR if weight > 0 else AGAINST if weight < 0 else NONE
        level = level_name(str(row.get("label_for_charts") or ""), term_frequency=is_tf)
        if column == "Prior":
            level = "How likely two records picked at random are the same person"
        elif column == "Final score":
            level = "The sum of everything above"
        out.append(
            Bar(
                order=len(out),
                name=comparison_name(column),
                level=level,
                weight=weight,
                start=start,
                end=end,
                kind=kind,
                value_l=str(row.get("value_l") or ""),
                value_r=str(row.get("value_r") or ""),
            )
        )
    return out


def deciding_evidence(contributions: list[dict[str, Any]], *, most: int = 2) -> str:
    """Which evidence decided a pair, in words for a list: the strongest comparisons for a
    match and against one (term-frequency adjustments counted with their comparison), and the
    comparisons neither record could be compared on, e.g. "For: last name, address. Against:
    first name. Not recorded: date of birth"."""
    totals: dict[str, float] = {}
    missing: list[str] = []
    for bar in bars(contributions):
        if bar.kind == TOTAL:
            continue
        name = bar.name.split(":")[0]
        totals[name] = totals.get(name, 0.0) + bar.weight
        if bar.level == "Not recorded in one or both records" and name not in missing:
            missing.append(name)
    ranked = sorted(totals.items(), key=lambda item: -abs(item[1]))
    for_ = [n.lower() if n != "NHS number" else n for n, w in ranked if w >= 1.0][:most]
    against = [n.lower() if n != "NHS number" else n for n, w in ranked if w <= -1.0][:most]
    parts = []
    if for_:
        parts.append("For: " + ", ".join(for_))
    if against:
        parts.append("Against: " + ", ".join(against))
    if missing:
        parts.append(
            "Not recorded: " + ", ".join(n.lower() if n != "NHS number" else n for n in missing)
        )
    return ". ".join(parts)


def waterfall_spec(contributions: list[dict[str, Any]], *, probability: float | None) -> dict:
    """Splink's waterfall chart as a Vega-Lite spec: one bar per comparison, green for evidence
    that the records are the same person, red against, the total in blue."""
    rows = bars(contributions)
    values = [
        {
            "order": b.order,
            "bar": f"{b.order + 1}. {b.name}",
            "level": b.level,
            "weight": round(b.weight, 4),
            "label": b.signed,
            "start": b.start,
            "end": b.end,
            "top": max(b.start, b.end),
            "kind": b.kind,
        }
        for b in rows
    ]
    shown = f", probability {probability:.1%}" if probability is not None else ""
    x = {
        "field": "bar",
        "type": "ordinal",
        "sort": {"field": "order"},
        "title": None,
        "axis": {"labelAngle": -30, "labelLimit": 220},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": f"Waterfall chart of the match weight{shown}: each comparison's "
        "contribution, as in the table below.",
        "width": "container",
        "height": 320,
        "data": {"values": values},
        "config": {
            "font": "Arial, sans-serif",
            "axis": {"labelFontSize": 13, "titleFontSize": 14},
            "legend": {"labelFontSize": 13, "titleFontSize": 14},
        },
        "layer": [
            {
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "start",
                        "type": "quantitative",
                        "title": "Evidence: above 0 for the same person, below 0 against",
                    },
                    "y2": {"field": "end"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": "Evidence",
                        "scale": {"domain": list(COLOURS), "range": list(COLOURS.values())},
                    },
                    "tooltip": [
                        {"field": "bar", "title": "Comparison"},
                        {"field": "level", "title": "Found"},
                        {"field": "label", "title": "Match weight"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "dy": -8, "fontSize": 12},
                "encoding": {
                    "x": x,
                    "y": {"field": "top", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
            {
                "mark": {"type": "rule", "color": "#0b0c0c", "aria": False},
                "encoding": {"y": {"datum": 0}},
            },
        ],
    }
