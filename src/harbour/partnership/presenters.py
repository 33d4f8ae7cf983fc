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
    Role,
    StaffChangeRequest,
    StaffChangeStatus,
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


# Changes to who can see children (ADR 0018) ---------------------------------------------------

ACCESS_FIELD_LABELS = {
    "role": "Role",
    "agency": "Agency",
    "team": "Team",
    "is_active": "Status",
}
STATUS_TAGS = {
    StaffChangeStatus.PENDING: Tag("Waiting for approval", "yellow"),
    StaffChangeStatus.APPROVED: Tag("Approved", "green"),
    StaffChangeStatus.REFUSED: Tag("Refused", "red"),
    StaffChangeStatus.WITHDRAWN: Tag("Withdrawn", "grey"),
}


@dataclass(frozen=True)
class AccessRow:
    """One access field of a change: what it is now (or was) and what it becomes."""

    label: str
    before: str
    after: str
    changes: bool


@dataclass(frozen=True)
class StaffChangePresenter:
    """A change to an account's access, in words: the agencies and teams by name (``agencies``
    and ``teams`` map ids to names, read once for a whole list)."""

    change: StaffChangeRequest
    agencies: dict[int, str]
    teams: dict[int, str]

    def _text(self, name: str, value: object) -> str:
        if name == "role":
            return (
                str(Role(value).label)
                if isinstance(value, str) and value in Role.values
                else ("No role")
            )
        if name == "agency":
            return self.agencies.get(value, "No agency") if isinstance(value, int) else "No agency"
        if name == "team":
            return self.teams.get(value, "No team") if isinstance(value, int) else "No team"
        return "Active" if value else "Inactive"

    @property
    def rows(self) -> list[AccessRow]:
        before, after = self.change.before, self.change.after
        return [
            AccessRow(
                label,
                self._text(name, before.get(name)),
                self._text(name, after.get(name)),
                before.get(name) != after.get(name),
            )
            for name, label in ACCESS_FIELD_LABELS.items()
            if name in after
        ]

    @property
    def summary(self) -> str:
        """The change in one line, for lists: "Role: Analyst to Front-door manager"."""
        parts = [f"{row.label}: {row.before} to {row.after}" for row in self.rows if row.changes]
        if self.change.new_account:
            return f"New account. {'; '.join(parts)}"
        return "; ".join(parts)

    @property
    def status(self) -> Tag:
        return STATUS_TAGS[StaffChangeStatus(self.change.status)]

    @property
    def staff_name(self) -> str:
        staff = self.change.staff
        return staff.get_full_name() or staff.email

    @property
    def requested_at(self) -> str:
        return _date_time(self.change.requested_at)

    @property
    def decided_at(self) -> str:
        return _date_time(self.change.decided_at)


def _date_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"
