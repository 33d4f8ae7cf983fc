"""The front door's working time: its office hours, its working days (Monday to Friday, not bank
holidays), and the arithmetic of a service level on them (ADR 0019).

Plain Python on the partnership's data (``WorkingHours`` and ``BankHoliday`` rows, read by
``frontdoor.clocks``), so the models, the services and the demo all count time the same way. Times
of day are Riverside's (``settings.TIME_ZONE``): a working day ends at the same time on the clock
on the wall whether or not the clocks went forward in between."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from harbour.frontdoor.codes import Unit

DEFAULT_OPENS = dt.time(9, 0)
DEFAULT_CLOSES = dt.time(17, 0)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class WorkingTime:
    """When the front door's office is open. Outside it, referrals are out of hours: the
    emergency duty team's time."""

    opens: dt.time = DEFAULT_OPENS
    closes: dt.time = DEFAULT_CLOSES
    bank_holidays: frozenset[dt.date] = frozenset()
    zone: ZoneInfo = field(default_factory=_zone)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def out_of_hours(self, moment: dt.datetime) -> bool:
        """Before the office opens or from when it closes on a working day, or any time on a
        weekend or bank holiday."""
        local = self.local(moment)
        if not self.is_working_day(local.date()):
            return True
        return not (self.opens <= local.time() < self.closes)

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """``days`` working days after ``start``: the same time of day on the ``days``-th working
        day after the day it started (Friday 16:00 and one working day is Monday 16:00; Thursday
        before Good Friday is the Tuesday after Easter Monday)."""
        local = self.local(start)
        day, left = local.date(), days
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        wall = dt.datetime.combine(day, local.time(), tzinfo=self.zone)
        return wall.astimezone(start.tzinfo)

    def due(self, amount: int, unit: str, start: dt.datetime) -> dt.datetime:
        """When a step timed ``amount`` ``unit`` from ``start`` is due. An hours clock runs
        through evenings, nights, weekends and bank holidays: an immediate referral at 17:30 on a
        Friday with an hour's clock is due at 18:30 that Friday, not on Monday."""
        if unit == Unit.HOURS:
            # In UTC: hours that pass, whatever the clocks on the wall do meanwhile.
            return (start.astimezone(dt.UTC) + dt.timedelta(hours=amount)).astimezone(start.tzinfo)
        return self.add_working_days(start, amount)

    def describe(self) -> str:
        """The office hours in words, for the pages that say why a clock applies."""
        return f"Monday to Friday, {self.opens:%H:%M} to {self.closes:%H:%M}, except bank holidays"
