"""The phase's dice and clock, and what it shares: one ``random.Random`` and one Faker for the
whole phase, seeded from the generation's seed; the demo's "now"; the front door's clocks (its
service levels and working time, read from the partnership's rules as the front door's
services read them); and what the phase has read and planned (agencies, staff, children,
plans). Every part of the phase draws from the one generator in the same order as before the
phase was split into modules, so a seed makes the same data.

Times are in UTC, at whole minutes; the demo's "now" is the start of the reference date in
Riverside (``reference_moment``), or the moment the demo is generated."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from faker import Faker

from harbour.demo import riverside as rv
from harbour.demo.referrals.planned import Planned
from harbour.frontdoor import clocks
from harbour.frontdoor.models import CompletenessRule
from harbour.frontdoor.working_time import WorkingTime
from harbour.partnership.models import Agency, Staff

if TYPE_CHECKING:
    from harbour.demo.generator import _Child


T = TypeVar("T")


# The phase's own generators are seeded with the generation's seed plus this.
REFERRAL_SEED_OFFSET = 15_485_863


LONDON = ZoneInfo("Europe/London")


FRONT_DOOR_CODE = next(code for code, _team, front_door in rv.TEAMS if front_door)


def minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def reference_moment(reference_date: dt.date) -> dt.datetime:
    """The start of the reference date in Riverside, in UTC: the demo's "now"."""
    return dt.datetime.combine(reference_date, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)


class Year:
    """The phase's random draws, its times of day and its clocks, over the year it writes."""

    def __init__(
        self,
        *,
        seed: int,
        children: Sequence[_Child],
        agencies: dict[str, Agency],
        reference_date: dt.date,
        now: dt.datetime | None = None,
    ) -> None:
        self.rng = random.Random(seed + REFERRAL_SEED_OFFSET)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed + REFERRAL_SEED_OFFSET)
        self.children = list(children)
        self.agencies = agencies
        if now is None:
            self.today = reference_date
            self.now = reference_moment(reference_date)
        else:
            # Whole minutes, as the rest of the phase's times are.
            self.now = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
            self.today = self.now.astimezone(LONDON).date()
        self.front_door = agencies[FRONT_DOOR_CODE]
        self.rules: list[CompletenessRule] = []
        self.levels: clocks.Levels = {}
        self.working_time = WorkingTime()
        self.staff: list[Staff] = []
        self.plans: list[Planned] = []

    # -- random helpers -----------------------------------------------------------------------

    def pick(self, pairs: Sequence[tuple[T, float]]) -> T:
        return self.rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(minutes=round(60 * self.rng.uniform(low, high)))

    def between(self, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """A minute from ``earliest`` to ``latest``, both included."""
        earliest = minute(earliest) + dt.timedelta(minutes=1 if earliest.second else 0)
        if latest <= earliest:
            return earliest
        span = int((latest - earliest).total_seconds() // 60)
        return earliest + dt.timedelta(minutes=self.rng.randint(0, span))

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        """UTC, for a time of day in Riverside."""
        local = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)
        return minute((local + dt.timedelta(minutes=round(hour * 60))).astimezone(dt.UTC))

    @staticmethod
    def local(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(LONDON)

    def working(self, moment: dt.datetime) -> dt.datetime:
        """The front door works 8.30 to 6, Monday to Friday: later work waits for the morning."""
        local = self.local(moment)
        minutes = local.hour * 60 + local.minute
        if local.weekday() < 5 and 8 * 60 + 30 <= minutes < 18 * 60:
            return moment
        day = local.date()
        if local.weekday() >= 5 or minutes >= 18 * 60:
            day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return self.at(day, 8.5 + self.rng.uniform(0, 1.5))

    def in_working_hours(self, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """A minute from ``earliest`` to ``latest`` in the front door's working hours, where
        the next working hours come before ``latest``."""
        moment = self.between(earliest, latest)
        working = self.working(moment)
        return working if working <= latest else moment

    def due(self, step: str, received: dt.datetime) -> dt.datetime | None:
        """When a step with no clock (a strategy meeting) is due."""
        level = self.levels.get((step, ""))
        return level.due(received, self.working_time) if level else None

    def due_or(self, step: str, received: dt.datetime, hours: float) -> dt.datetime:
        return self.due(step, received) or received + dt.timedelta(hours=hours)

    def timed(self, urgency: str, received: dt.datetime) -> clocks.ReferralClock:
        """A referral's clock, as the front door's services set it when it arrives."""
        return clocks.referral_clock(
            urgency=urgency, received=received, levels=self.levels, working=self.working_time
        )

    def escalation_from(self, received: dt.datetime, urgency: str = "") -> dt.datetime:
        return self.timed(urgency, received).escalation_from or received + dt.timedelta(hours=72)

    @staticmethod
    def fill(template: str, plan: Planned, **extra: str) -> str:
        assert plan.about is not None
        return template.format(**plan.words, **plan.about.pronouns, **extra)

    def signed_in(self, email: str) -> Staff:
        return next(s for s in self.staff if s.email == email)


class Part:
    """One part of the phase: what it makes, drawn from the phase's ``Year``."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self.rng = year.rng
