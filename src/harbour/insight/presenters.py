"""Display of the catalogue: months in words, counts with separators, statuses as GOV.UK tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from harbour.insight.engine import FORMATS
from harbour.insight.models import ImportStatus, SourceImport

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
