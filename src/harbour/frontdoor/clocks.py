"""Clocks by urgency (issue 12, part 1; ADR 0019): which service levels time a referral, and when
each of its steps is due.

A referral is timed by one clock, chosen when it arrives and fixed on it with its due times:

* **immediate** when the referrer says the child may be at risk of significant harm now — an
  hours clock that runs through evenings, nights and weekends;
* otherwise **out of hours** (the emergency duty team's) when it arrives outside the front door's
  working hours and is not routine — also in hours, so it is not silently left to the next working
  day;
* otherwise the clock of its urgency: **today** (also when the referrer did not say: the front
  door treats an unstated urgency as for today) or **routine**.

The levels are the partnership's data (``ServiceLevel`` rows, one per step and clock), and so are
the working hours and bank holidays (``WorkingHours``, ``BankHoliday``). Both the front door's
services and the demo time referrals with ``referral_clock``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from harbour.frontdoor.codes import ServiceClock, Step, Urgency
from harbour.frontdoor.models import BankHoliday, ServiceLevel, WorkingHours
from harbour.frontdoor.working_time import WorkingTime

# (step, clock) -> level; a step with one level whatever the urgency has the clock "".
Levels = Mapping[tuple[str, str], ServiceLevel]


def working_time() -> WorkingTime:
    """The front door's working hours and bank holidays, as the partnership set them."""
    hours = WorkingHours.objects.order_by("pk").first()
    holidays = frozenset(BankHoliday.objects.values_list("day", flat=True))
    if hours is None:
        return WorkingTime(bank_holidays=holidays)
    return WorkingTime(opens=hours.opens_at, closes=hours.closes_at, bank_holidays=holidays)


def service_levels() -> dict[tuple[str, str], ServiceLevel]:
    return {(level.step, level.clock): level for level in ServiceLevel.objects.all()}


def choose_clock(urgency: str, out_of_hours: bool) -> str:
    """The clock for a referral of this urgency, received in or out of hours."""
    if urgency == Urgency.IMMEDIATE:
        return ServiceClock.IMMEDIATE
    if urgency == Urgency.ROUTINE:
        # Routine means it can wait for the next working day; its clock says when.
        return ServiceClock.ROUTINE
    if out_of_hours:
        return ServiceClock.OUT_OF_HOURS
    return ServiceClock.TODAY


def level_for(levels: Levels, step: str, clock: str) -> ServiceLevel | None:
    """The level for a step on a clock; where the partnership has none for that clock, the
    today clock's (the standard one), so no referral goes untimed."""
    return levels.get((step, clock)) or levels.get((step, ServiceClock.TODAY))


@dataclass(frozen=True)
class ReferralClock:
    """A referral's clock, as fixed on it when it arrives (or is reopened)."""

    clock: str
    out_of_hours: bool
    rag_due_at: dt.datetime | None
    decision_due_at: dt.datetime | None
    escalation_from: dt.datetime | None


def referral_clock(
    *, urgency: str, received: dt.datetime, levels: Levels, working: WorkingTime
) -> ReferralClock:
    """Which clock times a referral received at ``received`` and when each step falls due."""
    out_of_hours = working.out_of_hours(received)
    clock = choose_clock(urgency, out_of_hours)

    def due(step: str) -> dt.datetime | None:
        level = level_for(levels, step, clock)
        return level.due(received, working) if level is not None else None

    return ReferralClock(
        clock=clock,
        out_of_hours=out_of_hours,
        rag_due_at=due(Step.RAG),
        decision_due_at=due(Step.DECISION),
        escalation_from=due(Step.FEEDBACK),
    )
