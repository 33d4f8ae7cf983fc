"""Display of the catalogue: months in words, counts with separators, statuses as GOV.UK tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from harbour.insight.engine import FORMATS
from harbour.insight.engine.alerts import METHODS
from harbour.insight.engine.extracts import EXTRACT_FORMAT, EXTRACT_LABEL
from harbour.insight.models import AlertSeries, ImportStatus, SourceImport
from harbour.web import published

TAG_COLOURS = {
    ImportStatus.QUEUED: "govuk-tag--grey",
    ImportStatus.RUNNING: "govuk-tag--blue",
    ImportStatus.IMPORTED: "govuk-tag--green",
    ImportStatus.ALREADY_IMPORTED: "govuk-tag--grey",
    ImportStatus.REFUSED: "govuk-tag--red",
    ImportStatus.FAILED: "govuk-tag--red",
}
STAGES = {
    "reading": "Reading the file",
    "checking": "Checking every row",
    "placing": "Checking places against the LSOA boundaries",
    "writing": "Writing to the store",
    "done": "Finished",
}
NOTES = {
    "anti_social_behaviour": "Anti-social behaviour rows (no Crime ID)",
    "no_location": "Rows with no location",
    "zeroed": "Rows whose coordinates police.uk zeroed",
    "points_checked": "Points checked against their LSOA",
    "points_outside_their_lsoa": "Points outside the LSOA the file names",
    "points_not_checked": "Points not checked (no LSOA boundaries in the store yet)",
    "points_placed_in_an_lsoa": "Points placed in an LSOA",
    "points_in_no_lsoa": "Points in no LSOA the store holds",
    "placed_in_an_lsoa": "Assaults placed in an LSOA from their description",
    "not_placed": "Assaults whose description could not be placed",
    "areas": "Areas",
    "suppressed_cells": "Cells the publisher kept confidential (c)",
}


def month_name(month: str) -> str:
    if not month:
        return ""
    return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")


class ImportPresenter:
    def __init__(self, run: SourceImport) -> None:
        self.run = run

    def __getattr__(self, name: str) -> object:
        return getattr(self.run, name)

    @property
    def format_label(self) -> str:
        if self.run.format == EXTRACT_FORMAT:
            return EXTRACT_LABEL
        found = FORMATS.get(self.run.format)
        return found.label if found else self.run.format

    @property
    def tag_class(self) -> str:
        return TAG_COLOURS.get(ImportStatus(self.run.status), "govuk-tag--grey")

    @property
    def by(self) -> str:
        if self.run.started_by is not None:
            return self.run.started_by.get_full_name() or self.run.started_by.get_username()
        return f"Command ({self.run.system_actor or 'insight-import'})"

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.run.stage, "Waiting to start")

    @property
    def percent(self) -> int:
        if self.run.is_finished:
            return 100
        if self.run.total:
            return min(99, int(100 * self.run.done / self.run.total))
        return 0

    @property
    def months_label(self) -> str:
        months = self.run.months or []
        if not months:
            return "None"
        if len(months) == 1:
            return month_name(months[0])
        return f"{month_name(months[0])} to {month_name(months[-1])} ({len(months)} months)"

    @property
    def notes_list(self) -> list[tuple[str, int]]:
        return [
            (NOTES.get(k, k.replace("_", " ").capitalize()), v) for k, v in self.run.notes.items()
        ]


class HoldingPresenter:
    """One source's line of the catalogue: its months in words."""

    def __init__(self, holding: Any) -> None:
        self.holding = holding

    def __getattr__(self, name: str) -> object:
        return getattr(self.holding, name)

    @property
    def months_label(self) -> str:
        h = self.holding
        if not h.months:
            return "None yet"
        if h.months == 1:
            return month_name(h.first_month)
        return f"{month_name(h.first_month)} to {month_name(h.last_month)} ({h.months} months)"


# Emerging-pattern alerts (ADR 0034) -------------------------------------------------------------


class AlertPresenter:
    """An alert as its page and the list show it: the figures in words and the series as a
    table beside its chart, every count protected (``disclosure``)."""

    def __init__(self, alert: Any) -> None:
        self.alert = alert

    def __getattr__(self, name: str) -> Any:
        return getattr(self.alert, name)

    @property
    def measure_label(self) -> str:
        return str(AlertSeries(self.alert.measure.series).label)

    @property
    def is_share(self) -> bool:
        return self.alert.total is not None

    @property
    def month_label(self) -> str:
        return month_name(self.alert.month)

    @property
    def observed_shown(self) -> str:
        return str(published.count(self.alert.observed))

    @property
    def total_shown(self) -> str:
        return str(published.count(self.alert.total or 0))

    @property
    def expected_shown(self) -> str:
        return f"{self.alert.expected:.1f}"

    @property
    def ratio_shown(self) -> str:
        return f"{self.alert.observed / self.alert.expected:.1f}" if self.alert.expected else "–"

    @property
    def probability_shown(self) -> str:
        p = self.alert.probability
        return "less than 1 in 1,000,000" if p < 1e-6 else f"about 1 in {round(1 / p):,}"

    @property
    def probability_exact(self) -> str:
        return f"{self.alert.probability:.2g}"

    @property
    def threshold_shown(self) -> str:
        return f"1 in {round(1 / self.alert.threshold):,}"

    @property
    def method_label(self) -> str:
        return METHODS.get(self.alert.method, self.alert.method)

    @property
    def dispersion_shown(self) -> str:
        return f"{self.alert.dispersion:.2f}"

    @property
    def observed_share_shown(self) -> str:
        if not self.is_share or not self.alert.total:
            return ""
        return f"{100 * self.alert.observed / self.alert.total:.0f}%"

    @property
    def baseline_share_shown(self) -> str:
        share = self.alert.baseline_share
        return "" if share is None else f"{100 * share:.0f}%"

    @property
    def baseline_period(self) -> str:
        months = [p["month"] for p in self.alert.baseline]
        return f"{month_name(months[0])} to {month_name(months[-1])} ({len(months)} months)"

    @property
    def acted(self) -> bool:
        return bool(getattr(self.alert, "action_count", None) or self.alert.actions.exists())
