"""Display logic for the front door's clocks (ADR 0019): how long in words, and which clock times
a referral and why, so templates stay declarative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from harbour.frontdoor.codes import ServiceClock, Urgency

if TYPE_CHECKING:
    from harbour.frontdoor.models import Referral


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def duration_in_words(span: dt.timedelta) -> str:
    """ "1 hour", "2 hours 14 minutes", "1 day 7 hours", "5 minutes": to the minute under a day,
    to the hour beyond it (a manager reads how late, not a stopwatch)."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return " ".join(
            part for part in (_plural(days, "day"), _plural(hours, "hour") if hours else "") if part
        )
    if hours:
        return " ".join(
            part
            for part in (_plural(hours, "hour"), _plural(minutes, "minute") if minutes else "")
            if part
        )
    return _plural(minutes, "minute")


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A %-d %B} at {local:%H:%M}"


@dataclass(frozen=True)
class ClockPresenter:
    """Which clock times a referral, in the words the queue and the referral's page use."""

    service_clock: str
    out_of_hours: bool
    urgency: str
    received_at: dt.datetime | None

    @classmethod
    def of(cls, referral: Referral) -> ClockPresenter:
        return cls(
            service_clock=referral.service_clock,
            out_of_hours=referral.received_out_of_hours,
            urgency=referral.urgency,
            received_at=referral.received_at,
        )

    @property
    def name(self) -> str:
        """ "Immediate clock", "Out-of-hours clock", or "Standard clock" for a referral timed
        before there were clocks by urgency."""
        if self.service_clock == ServiceClock.OUT_OF_HOURS:
            return "Out-of-hours clock"
        if self.service_clock:
            return f"{ServiceClock(self.service_clock).label} clock"
        return "Standard clock"

    @property
    def summary(self) -> str:
        """The clock and why, short enough for a row of the queue."""
        if self.service_clock == ServiceClock.IMMEDIATE:
            return "Immediate clock: the child may be at risk of significant harm now"
        if self.service_clock == ServiceClock.OUT_OF_HOURS:
            return "Out-of-hours clock: received out of hours, for the emergency duty team"
        if self.service_clock == ServiceClock.ROUTINE:
            if self.out_of_hours:
                return "Routine clock: received out of hours, waits for the next working day"
            return "Routine clock"
        if self.service_clock == ServiceClock.TODAY:
            if self.urgency == Urgency.TODAY:
                return "Today clock: to be looked at within 24 hours"
            return "Today clock: the referral does not say how urgent it is"
        return self.name

    def reason(self, office_hours: str = "") -> str:
        """Why this clock applies, in a sentence."""
        received = _when(self.received_at) if self.received_at else ""
        hours = f" ({office_hours})" if office_hours else ""
        if self.service_clock == ServiceClock.IMMEDIATE:
            return (
                "The referrer said the child may be at risk of significant harm now. The "
                "immediate clock runs in hours, through evenings, nights and weekends."
            )
        if self.service_clock == ServiceClock.OUT_OF_HOURS:
            return (
                f"Received {received}, outside the front door's working hours{hours}. The "
                "emergency duty team rates it: its clock runs in hours, so it does not wait for "
                "the next working day."
            )
        if self.service_clock == ServiceClock.ROUTINE:
            if self.out_of_hours:
                return (
                    f"The referrer said it is routine. Received {received}, out of hours"
                    f"{hours}: a routine referral waits for the front door's next working day."
                )
            return "The referrer said it is routine."
        if self.service_clock == ServiceClock.TODAY:
            if self.urgency == Urgency.TODAY:
                return "The referrer asked the front door to look at it within 24 hours."
            return (
                "The referral does not say how urgent it is, so the front door treats it as "
                "for today."
            )
        return "Received before the partnership had clocks by urgency: timed by the standard clock."
