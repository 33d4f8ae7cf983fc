"""The partnership's education limits (ADR 0008): how long a child may be on a reduced timetable,
in alternative provision, suspended or out of education before Harbour lists them as needing
someone to look again. Data, not code: everyone who may read the partnership's pages sees them;
administrators (``partnership.manage``) change them, each change audited in its transaction.

The limits hold no child data. The record's alerts, the "Needs attention" list and the leaders'
counts read the rows each time, so a change applies at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children.codes import EducationStatus
from harbour.children.models import EducationLimit
from harbour.partnership.models import Staff

# Full-time education is where a child should be: it has no limit.
LIMITED_STATUSES: tuple[EducationStatus, ...] = tuple(
    status for status in EducationStatus if status != EducationStatus.FULL_TIME
)
MIN_DAYS = 1
# A school year: a longer limit would never send anyone to look again in time.
MAX_DAYS = 365
DAYS_RANGE = f"Limit must be a whole number of days from {MIN_DAYS} to {MAX_DAYS}"


def limit_text(days: int) -> str:
    """'42 days (6 weeks)', '15 days (2 weeks and 1 day)', '1 day'."""
    plural = "s" if days != 1 else ""
    weeks, rest = divmod(days, 7)
    if weeks == 0:
        return f"{days} day{plural}"
    in_weeks = f"{weeks} week{'s' if weeks != 1 else ''}"
    if rest:
        in_weeks += f" and {rest} day{'s' if rest != 1 else ''}"
    return f"{days} day{plural} ({in_weeks})"


@dataclass(frozen=True)
class LimitRow:
    status: str
    label: str
    max_days: int | None  # None: no limit, so no alert

    @property
    def shown(self) -> str:
        return limit_text(self.max_days) if self.max_days is not None else "No limit"


def education_limits(*, actor: Staff) -> list[LimitRow]:
    """Every status that may have a limit, in the order of the status list, with its limit."""
    policy.require_capability(actor, policy.Action.PARTNERSHIP_VIEW)
    limits = dict(EducationLimit.objects.values_list("status", "max_days"))
    return [
        LimitRow(status.value, status.label, limits.get(status.value))
        for status in LIMITED_STATUSES
    ]


def education_limit_for_edit(*, actor: Staff, status: str) -> EducationLimit:
    """The limit to change, or a new one (not saved) where the status has none yet. A status that
    cannot have a limit is not found."""
    policy.require_capability(actor, policy.Action.PARTNERSHIP_MANAGE)
    if status not in LIMITED_STATUSES:
        raise policy.NotFound(status)
    return EducationLimit.objects.filter(status=status).first() or EducationLimit(status=status)


@transaction.atomic
def education_limit_set(*, actor: Staff, status: str, max_days: int) -> EducationLimit:
    """Set the limit for a status. Unchanged values write nothing; a change writes its audit
    event, naming the old and new number of days, in the same transaction."""
    policy.require_capability(actor, policy.Action.PARTNERSHIP_MANAGE)
    if status not in LIMITED_STATUSES:
        raise policy.NotFound(status)
    if isinstance(max_days, bool) or not isinstance(max_days, int):
        raise ValidationError({"max_days": DAYS_RANGE})
    if not MIN_DAYS <= max_days <= MAX_DAYS:
        raise ValidationError({"max_days": DAYS_RANGE})
    limit = EducationLimit.objects.select_for_update().filter(status=status).first()
    before = limit.max_days if limit is not None else None
    if limit is None:
        limit = EducationLimit(status=status, max_days=max_days)
    elif before == max_days:
        return limit
    limit.max_days = max_days
    limit.full_clean()
    limit.save()
    audit_record(
        actor=actor,
        event="education_limit.created" if before is None else "education_limit.updated",
        subject=limit,
        detail={"status": status, "from_days": before, "to_days": max_days},
    )
    return limit
