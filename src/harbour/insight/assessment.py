"""The strategic needs assessment and disproportionality as sections: each a table (every count
through ``harbour.disclosure``) and the chart beside it, drawn from the published numbers only.
The pages, and the board report in Excel, show these same sections.

Nothing here is about a child: the figures are counts of police.uk's records, the emergency
departments' anonymous ISTV returns and the census."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from harbour import disclosure
from harbour.disclosure import Published
from harbour.insight import charts
from harbour.insight.engine.disproportionality import (
    ABOVE,
    BELOW,
    DEFAULT_REFERENCE,
    GROUPS,
    SHORT_GROUPS,
    SPANS,
    GroupRate,
    relative_rates,
)
from harbour.insight.engine.istv import WEAPON_LABELS
from harbour.insight.presenters import AlertPresenter, month_name
from harbour.insight.selectors import DisproportionalityFigures, NeedsFigures
from harbour.web import published
from harbour.web.published import threshold as published_threshold

NOT_RECORDED = "Not recorded"
WEEKDAYS = list(calendar.day_name)
ETHNIC_LABELS = {**GROUPS, "not_stated": "Not stated"}
INTERVAL_WORDS = {
    ABOVE: "Wholly above 1",
    BELOW: "Wholly below 1",
    SPANS: "Includes 1",
    "": "No interval",
}

Cell = Published | str
# Each section's sheet in the board report (Excel allows 31 characters).
SHEETS = {
    "trend-police": "Trend - police",
    "trend-ed": "Trend - emergency departments",
    "where": "Where - by LSOA",
    "where-ward": "Where - by ward",
    "when": "When - day and hour",
    "who-age": "Who - age",
    "who-sex": "Who - sex",
    "who-ethnicity": "Who - ethnic group",
    "weapons-ed": "Weapons - ED",
    "crime-types": "Crime types - police",
    "searched": "RRI - stop and search",
    "arrested": "RRI - arrest after a search",
    "harbour-arrested": "RRI - arrest (events)",
    "harbour-referred": "RRI - referral",
    "harbour-red": "RRI - rated red",
    "harbour-decided": "RRI - decision to act",
    "harbour-nfa": "RRI - no further action",
    "harbour-plan": "RRI - plan started",
    "harbour-panel": "RRI - brought to a panel",
    "harbour-flag": "RRI - cumulative-harm flag",
    "harbour-custody": "RRI - custody episode",
    "hh-store-area": "Hidden harm - ED and police",
    "hh-area": "Hidden harm - by LSOA",
    "hh-age": "Hidden harm - by age",
    "hh-sex": "Hidden harm - by sex",
    "hh-ethnicity": "Hidden harm - by ethnic group",
    "hh-girls": "Hidden harm - girls",
}


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Section:
    """A table and its chart: the same numbers twice."""

    key: str
    title: str
    description: str
    caption: str
    header: str  # the row headers' column
    columns: list[str]
    rows: list[Row]
    total: Row | None = None
    spec: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    period: str = ""  # the months its figures span, where not the page's

    @property
    def sheet(self) -> str:
        return SHEETS.get(self.key, self.title)

    @property
    def spec_id(self) -> str:
        return f"{self.key}-spec"

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def suppressed(self) -> bool:
        cells = [c for r in [*self.rows, *([self.total] if self.total else [])] for c in r.cells]
        return any(c == disclosure.SYMBOL or getattr(c, "suppressed", False) for c in cells)


def _label(value: object, labels: dict[str, str] | None = None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return NOT_RECORDED
    return (labels or {}).get(str(value), str(value))


def counts_section(
    frame: pd.DataFrame,
    column: str,
    *,
    key: str,
    title: str,
    description: str,
    header: str,
    labels: dict[str, str] | None = None,
    order: Sequence[str] = (),
) -> Section:
    """One column of counts with its total, protected together, and bars of the published."""
    values = [
        (_label(r[0], labels), int(r[1])) for r in frame[[column, "count"]].itertuples(index=False)
    ]
    if order:
        rank = {_label(v, labels): i for i, v in enumerate(order)}
        values.sort(key=lambda v: (rank.get(v[0], len(rank)), v[0]))
    protected = disclosure.protect_column([v for _, v in values], threshold=published_threshold())
    rows = [Row(label, [cell[0]]) for (label, _), cell in zip(values, protected.cells, strict=True)]
    published = pd.DataFrame(
        [
            {"label": r.label, "value": r.cells[0].value}
            for r in rows
            if isinstance(r.cells[0], Published) and not r.cells[0].suppressed
        ]
    )
    return Section(
        key=key,
        title=title,
        description=description,
        caption=title,
        header=header,
        columns=["Count"],
        rows=rows,
        total=Row("Total", [protected.total]) if rows else None,
        spec=charts.bars(published, title=title, label=header) if len(published) else None,
    )


def seasonal_section(frame: pd.DataFrame, *, key: str, title: str, description: str) -> Section:
    """Calendar months down, years across, each month's total over the years (the month-of-year
    profile) and each year's total: protected as one table with its totals."""
    if frame.empty:
        return Section(key, title, description, title, "Month", [], [])
    years = sorted(int(y) for y in frame["year"].unique())
    months = sorted(int(m) for m in frame["calendar_month"].unique())
    counts = {(int(r.year), int(r.calendar_month)): int(r.count) for r in frame.itertuples()}
    matrix = [[counts.get((y, m), 0) for y in years] for m in months]
    held = [[(y, m) in counts for y in years] for m in months]
    protected = disclosure.protect_table(matrix, threshold=published_threshold())
    rows = []
    for m, cells, total, present in zip(
        months, protected.cells, protected.row_totals, held, strict=True
    ):
        shown: list[Cell] = [c if p else "Not held" for c, p in zip(cells, present, strict=True)]
        rows.append(Row(calendar.month_name[m], [*shown, total]))
    points = pd.DataFrame(
        [
            {"month": m, "month_name": calendar.month_name[m], "year": str(y), "value": c.value}
            for m, cells, present in zip(months, protected.cells, held, strict=True)
            for y, c, p in zip(years, cells, present, strict=True)
            if p and not c.suppressed
        ]
    )
    return Section(
        key=key,
        title=title,
        description=description,
        caption=title,
        header="Month",
        columns=[*(str(y) for y in years), "All years"],
        rows=rows,
        total=Row("Total", [*protected.column_totals, protected.total]),
        spec=charts.seasonal_lines(points, title=title) if len(points) else None,
    )


def when_section(frame: pd.DataFrame, *, key: str, title: str, description: str) -> Section:
    """Hours down, weekdays across; no totals are published, so only counts of 1 to 4 are
    hidden."""
    if frame.empty:
        return Section(key, title, description, title, "Hour", [], [])
    counts = {(int(r.weekday), int(r.hour)): int(r.count) for r in frame.itertuples()}
    matrix = [[counts.get((d, h), 0) for d in range(7)] for h in range(24)]
    protected = disclosure.protect_table(matrix, totals=False, threshold=published_threshold())
    rows = [
        Row(f"{h:02d}:00 to {h:02d}:59", list(cells)) for h, cells in enumerate(protected.cells)
    ]
    points = pd.DataFrame(
        [
            {"weekday": WEEKDAYS[d], "hour": h, "value": cells[d].value}
            for h, cells in enumerate(protected.cells)
            for d in range(7)
            if not cells[d].suppressed and cells[d].true_value
        ]
    )
    points.attrs["weekdays"] = WEEKDAYS
    return Section(
        key=key,
        title=title,
        description=description,
        caption=title,
        header="Hour",
        columns=WEEKDAYS,
        rows=rows,
        spec=charts.heatmap(points, title=title) if len(points) else None,
        notes=["No totals are given, so that no hidden count can be worked out from them."],
    )


def _place_section(
    violent: pd.DataFrame,
    assaults: pd.DataFrame,
    *,
    code: str,
    name: str,
    key: str,
    title: str,
    description: str,
    header: str,
) -> Section:
    """Each place's violent crime (police) and assaults placed there (ED), protected together."""
    names: dict[str, str] = {}
    police: dict[str, int] = {}
    ed: dict[str, int] = {}
    for frame, into in ((violent, police), (assaults, ed)):
        for r in frame.to_dict("records"):
            names[r[code]] = r[name]
            into[r[code]] = int(r["count"])
    codes = sorted(names)
    if not codes:
        return Section(key, title, description, title, header, [], [])
    protected = disclosure.protect_table(
        [[police.get(c, 0), ed.get(c, 0)] for c in codes], threshold=published_threshold()
    )
    rows = [
        Row(f"{names[c]} ({c})", [*cells, total])
        for c, cells, total in zip(codes, protected.cells, protected.row_totals, strict=True)
    ]
    published = pd.DataFrame(
        [
            {"label": names[c], "value": cells[0].value}
            for c, cells in zip(codes, protected.cells, strict=True)
            if not cells[0].suppressed and cells[0].true_value
        ]
    )
    return Section(
        key=key,
        title=title,
        description=description,
        caption=title,
        header=header,
        columns=["Violent crime (police)", "Assaults (emergency departments)", "Both"],
        rows=rows,
        total=Row("Total", [*protected.column_totals, protected.total]),
        spec=charts.bars(
            published, title=f"Violent crime recorded by the police by {header}", label=header
        )
        if len(published)
        else None,
    )


WHAT_IS_COUNTED = (
    "Violent crime recorded by the police (violence and sexual offences, robbery, possession "
    "of weapons) and assaults seen by emergency departments that their description places "
)


def lsoa_section(violent: pd.DataFrame, assaults: pd.DataFrame) -> Section:
    return _place_section(
        violent,
        assaults,
        code="lsoa21cd",
        name="lsoa21nm",
        key="where",
        title="Where: violent crime and assaults by LSOA",
        description=WHAT_IS_COUNTED + "in the LSOA.",
        header="LSOA",
    )


def ward_section(violent: pd.DataFrame, assaults: pd.DataFrame) -> Section:
    section = _place_section(
        violent,
        assaults,
        code="ward_code",
        name="ward_name",
        key="where-ward",
        title="Where: violent crime and assaults by ward",
        description=WHAT_IS_COUNTED
        + "in an LSOA, added up by electoral ward through ONS's best-fit lookup of LSOAs to "
        "wards (each LSOA in one ward).",
        header="Ward",
    )
    if section.empty:
        section.notes.append(
            "No ward lookup is in the store yet: an analyst imports ONS's LSOA (2021) to ward "
            "best-fit lookup (format lsoa-ward-lookup) to see wards."
        )
    return section


def period(months: Sequence[str]) -> str:
    if not months:
        return ""
    if len(months) == 1:
        return month_name(months[0])
    return f"{month_name(months[0])} to {month_name(months[-1])}"


def needs_sections(figures: NeedsFigures) -> list[Section]:
    return [
        seasonal_section(
            figures.violent_by_month,
            key="trend-police",
            title="Trend: violent crime recorded by the police",
            description="Violence and sexual offences, robbery and possession of weapons "
            "(police.uk), by month: a line a year, so each month can be set beside the same "
            "month of other years.",
        ),
        seasonal_section(
            figures.assaults_by_month,
            key="trend-ed",
            title="Trend: assaults seen by emergency departments",
            description="Assaults recorded in the emergency departments' anonymous ISTV "
            "returns, by month.",
        ),
        lsoa_section(figures.violent_by_lsoa, figures.assaults_by_lsoa),
        ward_section(figures.violent_by_ward, figures.assaults_by_ward),
        when_section(
            figures.assaults_when,
            key="when",
            title="When: assaults seen by emergency departments by day and hour",
            description="When the assault happened, as the ISTV return records it.",
        ),
        counts_section(
            figures.searches_by_age,
            "age_range",
            key="who-age",
            title="Who: stop and search by age",
            description="Everyone searched, by police.uk's age ranges.",
            header="Age range",
            order=["under 10", "10-17", "18-24", "25-34", "over 34"],
        ),
        counts_section(
            figures.searches_by_sex,
            "gender",
            key="who-sex",
            title="Who: stop and search by sex",
            description="Everyone searched, by the sex police.uk records.",
            header="Sex",
        ),
        counts_section(
            figures.searches_by_ethnic_group,
            "ethnic_group",
            key="who-ethnicity",
            title="Who: stop and search by ethnic group",
            description="Everyone searched, by the ONS five-group of the ethnicity they gave "
            "(self-defined).",
            header="Ethnic group",
            labels=ETHNIC_LABELS,
            order=[*GROUPS, "not_stated"],
        ),
        counts_section(
            figures.assaults_by_weapon,
            "weapon",
            key="weapons-ed",
            title="Which weapons: assaults seen by emergency departments",
            description="The assault method the department recorded, grouped.",
            header="Weapon or method",
            labels=WEAPON_LABELS,
            order=list(WEAPON_LABELS),
        ),
        counts_section(
            figures.crimes_by_type,
            "crime_type",
            key="crime-types",
            title="Which crimes: street-level crime by type (police.uk)",
            description="Every crime and anti-social behaviour police.uk publishes, by type.",
            header="Crime type",
        ),
    ]


def _number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:,.{places}f}"


def stage_section(
    key: str,
    label: str,
    counts: pd.DataFrame,
    population: pd.DataFrame,
    reference: str,
    source: str = "police.uk",
    unit: str = "Searches",
    months: Sequence[str] = (),
) -> Section:
    """Children at a stage by ethnic group, their rate per 1,000 children of the population and
    the RRI against ``reference`` with its interval. Where a count is hidden, so are its rate,
    RRI and interval (each would give the count back from the published population)."""
    by_group = {
        ("not_stated" if pd.isna(r.ethnic_group) else r.ethnic_group): int(r.count)
        for r in counts.itertuples()
    }
    people = {r.group_code: float(r.children) for r in population.itertuples()}
    groups = [g for g in GROUPS if g in people]
    title = f"{label}: children aged 10 to 17 by ethnic group"
    description = (
        f"Children aged 10 to 17 at this stage, counted as {unit.lower()} ({source}); the "
        f"rate per 1,000 children of the same group living in the area over the whole "
        f"period; and the relative rate index (RRI) against "
        f"{GROUPS.get(reference, reference)} children with its 95% confidence interval."
    )
    if reference not in people:
        return Section(
            key, title, description, title, "Ethnic group", [], [], period=period(months)
        )
    rates = {r.group: r for r in relative_rates(by_group, people, reference=reference)}
    labels = [*groups, "not_stated"]
    protected = disclosure.protect_column(
        [by_group.get(g, 0) for g in labels], threshold=published_threshold()
    )
    rows = []
    chart_rows = []
    # A hidden reference count would come back from any other group's rate over its RRI.
    reference_hidden = protected.cells[labels.index(reference)][0].suppressed
    for group, (cell,) in zip(labels, protected.cells, strict=True):
        rate: GroupRate | None = rates.get(group)
        hidden = cell.suppressed
        symbol = disclosure.SYMBOL
        if rate is None:
            rows.append(Row(ETHNIC_LABELS[group], [cell, "", "", "", "", ""]))
            continue
        interval = f"{_number(rate.low)} to {_number(rate.high)}" if rate.low is not None else ""
        rows.append(
            Row(
                ETHNIC_LABELS[group] + (" (reference)" if rate.is_reference else ""),
                [
                    cell,
                    f"{rate.population:,.0f}",
                    symbol if hidden else _number(rate.rate),
                    symbol if hidden or reference_hidden else _number(rate.rri),
                    symbol if hidden or reference_hidden else interval,
                    symbol if hidden or reference_hidden else INTERVAL_WORDS[rate.interval],
                ],
            )
        )
        if (
            not (hidden or reference_hidden)
            and rate.rri
            and rate.low is not None
            and not rate.is_reference
        ):
            chart_rows.append(
                {"group": SHORT_GROUPS[group], "rri": rate.rri, "low": rate.low, "high": rate.high}
            )
    total_people = sum(people[g] for g in groups)
    chart_data = pd.DataFrame(chart_rows)
    return Section(
        key=key,
        title=title,
        description=description,
        caption=title,
        header="Ethnic group",
        columns=[
            unit,
            "Children in the population (estimate)",
            "Rate per 1,000",
            "Relative rate index",
            "95% confidence interval",
            "Interval against 1",
        ],
        rows=rows,
        total=Row("Total", [protected.total, f"{total_people:,.0f}", "", "", "", ""]),
        spec=charts.relative_rates(
            chart_data,
            title=f"{label}: relative rate index with its 95% interval",
            reference=SHORT_GROUPS.get(reference, reference),
        )
        if len(chart_data)
        else None,
        period=period(months),
        notes=[
            "The census publishes ethnic group by age only for larger areas, so each LSOA's "
            "children aged 10 to 17 (TS007A: 10 to 14, and three fifths of 15 to 19) are shared "
            "among its ethnic groups as its residents are (TS021): an estimate.",
            "An interval wholly above 1 means the group's rate is higher than the reference "
            "group's by more than chance alone would explain at the 95% level; it says nothing "
            "of why.",
        ],
    )


def disproportionality_sections(
    figures: DisproportionalityFigures, reference: str = DEFAULT_REFERENCE
) -> list[Section]:
    return [
        stage_section(
            stage.key,
            stage.label,
            stage.counts,
            figures.population,
            reference,
            stage.source,
            stage.unit,
            stage.months,
        )
        for stage in figures.stages
    ]


# Emerging-pattern alerts (ADR 0034) ------------------------------------------------------------


def alert_section(presenter: AlertPresenter) -> Section:
    """An alert's series month by month as a table, and the same numbers as a chart (a count
    the table hides is not drawn)."""
    alert, is_share = presenter.alert, presenter.is_share
    baseline = {p["month"] for p in alert.baseline}
    unit = "Searches" if alert.measure.series.startswith("children") else "Count"
    rows, chart_rows = [], []
    for point in alert.series:
        count = published.count(point["count"])
        period = (
            "Month checked"
            if point["month"] == alert.month
            else "Baseline"
            if point["month"] in baseline
            else "Earlier"
        )
        cells: list[Any] = [str(count)]
        if is_share:
            total = published.count(point["total"] or 0)
            hidden = count.suppressed or total.suppressed
            share = (
                disclosure.SYMBOL
                if hidden
                else f"{100 * point['count'] / point['total']:.0f}%"
                if point["total"]
                else "–"
            )
            cells += [str(total), share]
        cells.append(period)
        rows.append(Row(label=month_name(point["month"]), cells=cells))
        if not count.suppressed:
            chart_rows.append(
                {
                    "month": point["month"],
                    "value": point["count"],
                    "period": period,
                    "expected": round(alert.expected, 2) if point["month"] == alert.month else None,
                }
            )
    columns = [unit, "All children searched", "Share", "Part of the check"]
    if not is_share:
        columns = [unit, "Part of the check"]
    title = f"{alert.key_label}: month by month"
    return Section(
        key="alert-series",
        title=title,
        description=(
            "Each month the store holds up to the month checked. The baseline months are "
            "those the expectation was worked out from; the diamond marks what was expected "
            "in the month checked."
        ),
        caption=title,
        header="Month",
        columns=columns,
        rows=rows,
        spec=charts.alert_series(pd.DataFrame(chart_rows), title=title, value=unit)
        if chart_rows
        else None,
    )
