"""Hidden harm as sections (ADR 0036): a table each (every count through ``harbour.disclosure``)
with the chart beside it drawn from the published numbers only; the page and the board report
show these same sections.

* Where, from the store: assaults the emergency departments saw (ISTV) against the police's
  violence and sexual offences (police.uk), by LSOA, all ages.
* Where and who, from agencies' events of children: violence health saw, whether the police knew
  of it too, and the police's own, by LSOA, age band, sex and ethnic group.
* Girls and young women: the children each source sees and each caseload holds, by sex."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from harbour import disclosure
from harbour.disclosure import Published
from harbour.insight import charts
from harbour.insight.assessment import ETHNIC_LABELS, NOT_RECORDED, Row, Section, period
from harbour.insight.engine.disproportionality import GROUPS
from harbour.insight.engine.hidden import AGE_BANDS, WINDOW_DAYS
from harbour.insight.selectors import CASELOADS, SOURCE_ROWS, HiddenHarmFigures
from harbour.web.published import threshold as published_threshold

SEX_LABELS = {"F": "Female", "M": "Male", "U": "Not known or not recorded"}
GIRLS_COLUMNS = ["Girls and young women", "Boys, young men and sex not recorded"]
KNEW = "Seen by ED or ambulance: the police knew too"
DID_NOT = "Seen by ED or ambulance: the police did not know"
POLICE = "Violence seen by the police"
SEEN, CASELOAD = "Seen by an agency", "In a caseload"
DASH = "–"


def _both(*cells: Published) -> bool:
    return all(not c.suppressed for c in cells)


def _share(part: Published, whole: Published) -> str:
    """A share of two published counts; none where either is hidden (it would give it back)."""
    if not _both(part, whole) or not whole.true_value:
        return DASH
    return f"{100 * part.true_value / whole.true_value:.0f}%"


def store_area_section(figures: HiddenHarmFigures) -> Section:
    title = "Where: assaults seen by emergency departments against violence the police recorded"
    description = (
        "Assaults in the emergency departments' anonymous ISTV returns that their description "
        "places in the LSOA, against police.uk's violence and sexual offences there, people of "
        "every age. Nothing links one to the other: they are set side by side, never matched. "
        "By LSOA; the needs assessment adds violent crime and assaults up by ward."
    )
    frame = figures.store_by_area
    columns = ["Assaults (emergency departments)", "Violence and sexual offences (police)"]
    if frame.empty:
        return Section("hh-store-area", title, description, title, "LSOA", [], [])
    names = figures.lsoa_names
    codes = sorted(frame["lsoa21cd"], key=lambda c: (names.get(c, c), c))
    by_code = {r.lsoa21cd: (int(r.health), int(r.police)) for r in frame.itertuples()}
    protected = disclosure.protect_table(
        [list(by_code[c]) for c in codes], threshold=published_threshold()
    )
    overall = protected.column_totals
    area_rate = (
        overall[0].true_value / overall[1].true_value
        if _both(*overall) and overall[1].true_value
        else None
    )
    rows, points = [], []
    for code, (health, police) in zip(codes, protected.cells, strict=True):
        per_100, higher = DASH, DASH
        if _both(health, police) and police.true_value:
            rate = health.true_value / police.true_value
            per_100 = f"{100 * rate:.1f}"
            if area_rate is not None:
                higher = "Yes" if rate > area_rate else "No"
        label = f"{names.get(code, code)} ({code})"
        rows.append(Row(label, [health, police, per_100, higher]))
        if per_100 != DASH:
            points.append({"label": names.get(code, code), "rate": 100 * rate, "higher": higher})
    return Section(
        key="hh-store-area",
        title=title,
        description=description,
        caption=title,
        header="LSOA",
        columns=[*columns, "Assaults per 100 violent crimes", "Higher than the whole area"],
        rows=rows,
        total=Row(
            "Total",
            [*overall, f"{100 * area_rate:.1f}" if area_rate is not None else DASH, ""],
        ),
        spec=charts.rates_against_area(
            pd.DataFrame(points),
            title="Assaults seen by emergency departments per 100 violent crimes the police "
            "recorded, by LSOA (dashed: the whole area)",
            label="LSOA",
            value="Assaults per 100 violent crimes",
            overall=100 * area_rate if area_rate is not None else None,
        )
        if points
        else None,
        period=period(figures.store_months),
        notes=[
            "The police record violence of every kind, much of it without injury; emergency "
            "departments see the injured. Where an LSOA's assaults per 100 violent crimes are "
            "higher than the whole area's, health sees more there than the police's figures "
            "would suggest: violence the police may not be seeing.",
            "A rate is given only where both its counts are.",
        ],
    )


def _group_label(by: str, value: str, figures: HiddenHarmFigures) -> str:
    if value == "":
        return NOT_RECORDED
    if by == "lsoa21cd":
        name = figures.lsoa_names.get(value)
        return f"{name} ({value})" if name else value
    if by == "sex":
        return SEX_LABELS.get(value, value)
    if by == "ethnic_group":
        return ETHNIC_LABELS.get(value, value)
    return value


def _order(by: str) -> Sequence[str]:
    if by == "age_band":
        return AGE_BANDS
    if by == "sex":
        return list(SEX_LABELS)
    if by == "ethnic_group":
        return [*GROUPS, "not_stated"]
    return ()


def children_section(
    figures: HiddenHarmFigures, by: str, *, key: str, title: str, header: str
) -> Section:
    """Health's events of violence against children, whether the police knew, and the police's
    own, by ``by``."""
    description = (
        "Emergency department attendances and ambulance call-outs of children for serious "
        "violence (assault, violence with injury, robbery, a weapon, exploitation, a sexual "
        "offence), as the agencies' events record them: those the police also have an event "
        f"of serious violence for, for the same child within {WINDOW_DAYS} days either side, and "
        "those they do not. Beside them, the police's own events of serious violence to or by "
        "children. Events of the last two years; each event counts once."
    )
    frame = figures.by_group[by]
    span = f"{figures.since:%-d %B %Y} to {figures.today:%-d %B %Y}"
    if frame.empty:
        return Section(key, title, description, title, header, [], [], period=span)
    rank = {v: i for i, v in enumerate(_order(by))}
    values = sorted(
        frame.itertuples(),
        key=lambda r: (
            r[1] == "",
            rank.get(r[1], len(rank)),
            _group_label(by, r[1], figures),
        ),
    )
    threshold = published_threshold()
    # What health saw is not published, only its two parts: "the police knew" with no total
    # (only its small counts hidden) and "did not" with its total, so neither gives the other back
    # by subtraction; the police's own events (not a part of it) as a column with its total.
    knew = disclosure.protect_table(
        [[int(r.police_knew)] for r in values], threshold=threshold, totals=False
    )
    did_not = disclosure.protect_column(
        [int(r.police_did_not) for r in values], threshold=threshold
    )
    police = disclosure.protect_column([int(r.police) for r in values], threshold=threshold)
    rows, points = [], []
    for r, (known,), (unknown,), (own,) in zip(
        values, knew.cells, did_not.cells, police.cells, strict=True
    ):
        label = _group_label(by, r[1], figures)
        share = DASH
        if _both(known, unknown) and known.true_value + unknown.true_value:
            share = f"{100 * unknown.true_value / (known.true_value + unknown.true_value):.0f}%"
        rows.append(Row(label, [unknown, known, share, own]))
        for series, cell in ((DID_NOT, unknown), (KNEW, known), (POLICE, own)):
            if not cell.suppressed and cell.true_value:
                points.append({"label": label, "series": series, "value": cell.value})
    return Section(
        key=key,
        title=title,
        description=description,
        caption=title,
        header=header,
        columns=[DID_NOT, KNEW, "Share the police did not know", POLICE],
        rows=rows,
        total=Row("Total", [did_not.total, "", "", police.total]),
        spec=charts.grouped_bars(
            pd.DataFrame(points),
            title=title,
            label=header,
            series=[DID_NOT, KNEW, POLICE],
            value="Events",
        )
        if points
        else None,
        period=span,
        notes=[
            "Only the events the police did not know of have a total: a total of those they "
            "knew of, or of all health saw, would give a hidden count back. A share is given "
            "only where both its counts are; the chart draws only the counts the table gives."
        ],
    )


def girls_section(figures: HiddenHarmFigures) -> Section:
    title = "Girls and young women: what each agency sees against the caseloads"
    description = (
        "Different children each agency's events name in the last two years (violence seen by "
        "emergency departments and ambulances, the police, youth justice and social care; any "
        "suspension, exclusion or missing episode), against the children in Harbour's caseloads "
        "(referred to the front door in the last two years; with an open plan, a lead "
        "practitioner or in the serious youth violence cohort now), by sex. Where girls' share "
        "of what agencies see is larger than their share of a caseload, their harm may be going "
        "unanswered."
    )
    frame = figures.sources_by_sex
    span = f"{figures.since:%-d %B %Y} to {figures.today:%-d %B %Y}"
    counts = {(r.source, r.sex): int(r.children) for r in frame.itertuples()}
    sources = list(SOURCE_ROWS)
    if not counts:
        return Section("hh-girls", title, description, title, "Source", [], [], period=span)
    # Each row is protected with its own total: no total across the rows is published (a child
    # seen by several agencies is in several rows), so no sum links one row to another.
    rows, points = [], []
    for source in sources:
        protected = disclosure.protect_column(
            [
                counts.get((source, "F"), 0),
                counts.get((source, "M"), 0) + counts.get((source, "U"), 0),
            ],
            threshold=published_threshold(),
        )
        (girls,), (others,) = protected.cells
        total = protected.total
        share = _share(girls, total)
        rows.append(Row(SOURCE_ROWS[source], [girls, others, total, share]))
        if share != DASH:
            points.append(
                {
                    "label": SOURCE_ROWS[source],
                    "kind": CASELOAD if source in CASELOADS else SEEN,
                    "share": girls.true_value / total.true_value,
                }
            )
    return Section(
        key="hh-girls",
        title=title,
        description=description,
        caption=title,
        header="Source",
        columns=[*GIRLS_COLUMNS, "All children", "Girls' share"],
        rows=rows,
        spec=charts.shares(
            pd.DataFrame(points),
            title="Girls' and young women's share of each source and caseload",
            label="Source",
            kinds=[SEEN, CASELOAD],
        )
        if points
        else None,
        period=span,
        notes=[
            "Each row counts different children; a child seen by several agencies counts in "
            "each row, so the rows are not added up.",
            "A share is given only where both its counts are.",
        ],
    )


def hidden_harm_sections(figures: HiddenHarmFigures) -> list[Section]:
    return [
        store_area_section(figures),
        children_section(
            figures,
            "lsoa21cd",
            key="hh-area",
            title="Where: children's violence health saw, and whether the police knew",
            header="LSOA",
        ),
        children_section(
            figures,
            "age_band",
            key="hh-age",
            title="Who: children's violence health saw by age",
            header="Age at the time",
        ),
        children_section(
            figures,
            "sex",
            key="hh-sex",
            title="Who: children's violence health saw by sex",
            header="Sex",
        ),
        children_section(
            figures,
            "ethnic_group",
            key="hh-ethnicity",
            title="Who: children's violence health saw by ethnic group",
            header="Ethnic group",
        ),
        girls_section(figures),
    ]
