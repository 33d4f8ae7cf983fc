"""Display logic for the partnership pages: labels, dates and status tags."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from harbour.partnership.models import (
    DataCategory,
    InformationSharingAgreement,
    Purpose,
    ThresholdGuidance,
)


@dataclass(frozen=True)
class Tag:
    """A GOV.UK tag: its text and colour modifier ('' for the default blue)."""

    text: str
    colour: str = ""

    @property
    def css_class(self) -> str:
        return f"govuk-tag govuk-tag--{self.colour}" if self.colour else "govuk-tag"


def long_date(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _labels(codes: list[str], choices: type[Purpose] | type[DataCategory]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(code, code)) for code in codes]


@dataclass(frozen=True)
class AgreementPresenter:
    agreement: InformationSharingAgreement
    today: dt.date

    @classmethod
    def for_today(cls, agreement: InformationSharingAgreement) -> AgreementPresenter:
        return cls(agreement, timezone.localdate())

    @property
    def purposes(self) -> list[str]:
        return _labels(self.agreement.purposes, Purpose)

    @property
    def data_categories(self) -> list[str]:
        return _labels(self.agreement.data_categories, DataCategory)

    @property
    def start_date(self) -> str:
        return long_date(self.agreement.start_date)

    @property
    def end_date(self) -> str:
        return long_date(self.agreement.end_date) or "No end date"

    @property
    def in_force(self) -> bool:
        return self.agreement.is_in_force(self.today)

    @property
    def status(self) -> Tag:
        if self.in_force:
            return Tag("In force", "green")
        if self.agreement.start_date > self.today:
            return Tag("Not yet in force", "blue")
        return Tag("Ended", "grey")


@dataclass(frozen=True)
class ThresholdGuidancePresenter:
    guidance: ThresholdGuidance

    @property
    def paragraphs(self) -> list[str]:
        text = self.guidance.body.replace("\r\n", "\n")
        return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]

    @property
    def indicators(self) -> list[str]:
        return [line.strip() for line in self.guidance.indicators.splitlines() if line.strip()]

    @property
    def effective_from(self) -> str:
        return long_date(self.guidance.effective_from)
