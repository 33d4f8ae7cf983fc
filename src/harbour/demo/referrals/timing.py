"""How many referrals the year has, in which state, and when each step happened: the referrals
open on the reference date (in every state of the queue), those closed lately for the children
marked as referred lately, the few still waiting for the child to be confirmed, and the rest of
the year's, each received when its referrer sends referrals and confirmed, rated, decided and
countersigned at the pace of a busy front door."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from harbour.demo import riverside as rv
from harbour.demo.referrals.origins import EVENT_HOURS, ORIGINS, ORIGINS_BY_KEY, Origin
from harbour.demo.referrals.planned import (
    AWAITING,
    BACKLOG,
    CLOSED,
    ESCALATED,
    RATED,
    RECEIVED,
    RETURNED,
    Planned,
)
from harbour.demo.referrals.who import Referrers
from harbour.demo.referrals.year import FRONT_DOOR_CODE, Part, Year, minute
from harbour.frontdoor.codes import ServiceClock, Urgency

if TYPE_CHECKING:
    from harbour.demo.generator import _Child


CHILDREN_PER_REFERRAL = 8  # about one referral a year for every eight children
MIN_REFERRALS = 30
WINDOW_DAYS = 365
# Referrals still waiting for the front door to confirm who the child is.
UNCONFIRMED_SHARE = 0.016
MIN_UNCONFIRMED = 2
# Referrals open on the reference date, and the fewest with a confirmed child (so that even a
# small partnership's queue shows every state).
OPEN_SHARE = 0.15
MIN_OPEN_LINKED = 8
# The year's other closed referrals thin out in the weeks before the reference date, when the
# recently referred children's referrals arrived.
RECENT_DAYS = 56
RECENT_THINNING = 0.3
# Closed referrals that went back to the practitioner once, and that the referrer escalated.
RETURNED_SHARE = 0.01
ESCALATED_SHARE = 0.01
# Decided after the decision was due, on top of those the weekend makes late.
LATE_DECISION_RATE = 0.08


def apportion(weights: Sequence[float], total: int) -> list[int]:
    """Whole numbers in proportion to ``weights`` that add up to ``total`` (largest remainder)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [w * total / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Planner(Part):
    """Plans the year's referrals and times each step."""

    def __init__(self, year: Year, who: Referrers) -> None:
        super().__init__(year)
        self.who = who

    # -- open on the reference date -------------------------------------------------------------

    def plan_open(self) -> None:
        """The children the partnership phase marked as referred lately (``open_referral``).
        Enough of them for about one referral in seven of the year's to be open on the reference
        date still are, in states chosen so that the front door's queue shows every one; the
        others' referrals closed in the weeks before. A partnership with too few marked children
        has referrals open for other teenagers the statutory agencies know."""
        flagged = [c for c in self.year.children if c.open_referral]
        self.rng.shuffle(flagged)
        flagged.sort(key=lambda c: c.age < 11)  # the teenagers first
        target = max(MIN_OPEN_LINKED, round(OPEN_SHARE * self.total()) - self.unconfirmed_count())
        still_open, closed_lately = flagged[:target], flagged[target:]
        if len(still_open) < target:
            known = [
                c
                for c in self.year.children
                if not c.open_referral
                and c.age >= 11
                and any(code in c.holders for code in (rv.CSC, rv.POLICE, rv.YJS))
            ]
            self.rng.shuffle(known)
            known.sort(key=lambda c: FRONT_DOOR_CODE not in c.holders)
            still_open += known[: target - len(still_open)]
        for child in closed_lately:
            closed = self.plan_closed_lately(child)
            if closed is None:
                still_open.append(child)  # born too lately for a referral to have closed
            else:
                self.year.plans.append(closed)
        teens = [c for c in still_open if c.age >= 11]
        escalated = teens[0] if teens else (still_open[0] if still_open else None)
        rest = [c for c in still_open if c is not escalated]
        n = len(still_open)
        states: list[str] = [AWAITING] * (2 + round(0.08 * n))
        if n >= 8:
            states.append(RETURNED)
        states += [BACKLOG] * max(1, round(0.12 * n))
        remaining = max(0, len(rest) - len(states))
        states += [RATED] * (remaining // 2) + [RECEIVED] * (remaining - remaining // 2)
        # The states that wait on a decision go to the teenagers where there are enough.
        rest.sort(key=lambda c: c.age < 11)
        pairs = [(escalated, ESCALATED)] if escalated is not None else []
        pairs += list(zip(rest, states[: len(rest)], strict=True))
        for child, state in pairs:
            plan = Planned(
                state=state,
                origin=self.who.open_origin(child, state),
                received=self.year.now,
                child=child,
            )
            self.who.referred[child.id] = self.who.referred.get(child.id, 0) + 1
            self.time_open(plan)
            self.year.plans.append(plan)

    def plan_closed_lately(self, child: _Child) -> Planned | None:
        """A referral about a marked child that arrived in the last eight weeks and has closed:
        the front door's relationship with the child ended with it."""
        origin = self.who.open_origin(child, CLOSED)
        born = self.year.at(child.date_of_birth + dt.timedelta(days=1), 0)
        for _ in range(30):
            plan = Planned(state=CLOSED, origin=origin, received=self.year.now, child=child)
            plan.bulk = origin.automated and self.year.chance(origin.bulk_share)
            plan.chosen_by_referrer = not origin.automated and self.year.chance(
                origin.chooses_child
            )
            plan.ends_relationship = True
            event = self.year.now - self.year.hours(4 * 24.0, 56 * 24.0)
            plan.received = self.sendable(origin, event, plan.bulk)
            if plan.received <= born:
                continue
            if origin.automated:
                plan.event_at = plan.received - (
                    self.year.hours(1.0, 20.0) if plan.bulk else self.year.hours(0, 0.5)
                )
            age = self.who.age_on(child.date_of_birth, self.year.local(plan.received).date())
            plan.scenario = self.who.scenario_for(origin, age)
            plan.urgency = self.year.pick(plan.scenario.urgency)
            self.chain(plan)
            assert plan.countersigned_at is not None
            if plan.countersigned_at < self.year.now - dt.timedelta(hours=1):
                self.who.referred[child.id] = self.who.referred.get(child.id, 0) + 1
                return plan
        return None

    def time_open(self, plan: Planned) -> None:
        state, origin = plan.state, plan.origin
        assert plan.child is not None
        ago: dict[str, tuple[float, float]] = {
            RECEIVED: (1.0, 20.0) if self.year.chance(0.7) else (26.0, 70.0),
            RATED: (3.0, 36.0),
            AWAITING: (8.0, 96.0),
            RETURNED: (20.0, 96.0),
            BACKLOG: (5 * 24.0, 15 * 24.0),
            ESCALATED: (6 * 24.0, 9 * 24.0),
        }
        plan.bulk = origin.automated and self.year.chance(origin.bulk_share)
        plan.chosen_by_referrer = not origin.automated and self.year.chance(origin.chooses_child)
        born = self.year.at(plan.child.date_of_birth + dt.timedelta(days=1), 0)
        received = self.year.now
        for _ in range(50):
            received = self.sendable(
                origin, self.year.now - self.year.hours(*ago[state]), plan.bulk
            )
            if received <= born:
                received = self.year.between(
                    max(born, self.year.now - dt.timedelta(hours=12)), self.year.now
                )
            escalation_from = self.year.escalation_from(received)
            if state != ESCALATED or escalation_from < self.year.now - dt.timedelta(hours=12):
                break
        plan.received = received = min(received, self.year.now - dt.timedelta(minutes=30))
        if origin.automated:
            plan.event_at = received - (
                self.year.hours(1.0, 20.0) if plan.bulk else self.year.hours(0, 0.5)
            )
        left = self.year.now - received
        start = received
        if not plan.chosen_by_referrer:
            plan.confirmed_at = start = self.year.between(
                received + dt.timedelta(minutes=5),
                received + min(self.year.hours(0.2, 3.0), left / 3),
            )
        if state == RECEIVED:
            return
        plan.rag_at = self.year.between(
            start + dt.timedelta(minutes=5), start + min(self.year.hours(0.5, 20.0), left / 2)
        )
        if state in (AWAITING, RETURNED):
            plan.decided_at = self.year.in_working_hours(
                plan.rag_at + dt.timedelta(minutes=20), self.year.now - dt.timedelta(minutes=40)
            )
        if state == RETURNED:
            assert plan.decided_at is not None
            plan.returned = True
            plan.first_decided_at, plan.decided_at = plan.decided_at, None
            plan.returned_at = self.year.in_working_hours(
                plan.first_decided_at + dt.timedelta(minutes=10),
                self.year.now - dt.timedelta(minutes=20),
            )
        if state == ESCALATED:
            escalation_from = self.year.escalation_from(received)
            plan.escalated = True
            plan.escalated_at = self.year.between(
                escalation_from + dt.timedelta(hours=1),
                min(
                    escalation_from + dt.timedelta(hours=48), self.year.now - dt.timedelta(hours=1)
                ),
            )

    def sendable(self, origin: Origin, moment: dt.datetime, bulk: bool) -> dt.datetime:
        """The latest time at or before ``moment`` when this referrer sends referrals (a bulk
        feed's nightly file arrives at about two in the morning)."""
        local = self.year.local(moment)
        day = local.date()
        hour = local.hour + local.minute / 60
        if bulk:
            if hour < 2.6:
                day -= dt.timedelta(days=1)
            return self.year.at(day, 2.0 + self.rng.uniform(0, 0.6))
        low, high = origin.hours
        if low <= hour < high and not (origin.weekdays_only and day.weekday() >= 5):
            return minute(moment)
        if hour < low:
            day -= dt.timedelta(days=1)
        while origin.weekdays_only and day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        end = min(hour, high) if day == local.date() else high
        return self.year.at(day, self.rng.uniform(max(low, end - 3.0), end))

    # -- not yet confirmed ----------------------------------------------------------------------

    def total(self) -> int:
        return max(MIN_REFERRALS, round(len(self.year.children) / CHILDREN_PER_REFERRAL))

    def unconfirmed_count(self) -> int:
        return max(MIN_UNCONFIRMED, round(UNCONFIRMED_SHARE * self.total()))

    def plan_unconfirmed(self) -> None:
        """Recent referrals the front door has not matched to a child yet: most are about a
        child Harbour knows, under a nickname or a misspelt name; one is about a child new to
        Harbour."""
        count = self.unconfirmed_count()
        weights = (
            ("custody", 0.35),
            ("ed_feed", 0.2),
            ("ambulance_feed", 0.15),
            ("police", 0.2),
            ("ed", 0.1),
        )
        for i in range(count):
            origin = ORIGINS_BY_KEY[self.year.pick(weights)]
            plan = Planned(
                state=RATED if i == 1 else RECEIVED,
                origin=origin,
                received=self.year.now,
                linked=False,
            )
            plan.bulk = origin.automated and self.year.chance(origin.bulk_share)
            plan.received = min(
                self.sendable(origin, self.year.now - self.year.hours(1.0, 40.0), plan.bulk),
                self.year.now - dt.timedelta(minutes=30),
            )
            day = self.year.local(plan.received).date()
            if i < count - 1:
                plan.child = self.who.choose_child(origin, day)
            if plan.child is None:
                plan.new_child = self.who.new_child(origin, day)
            if origin.automated:
                plan.event_at = plan.received - (
                    self.year.hours(1.0, 20.0) if plan.bulk else self.year.hours(0, 0.5)
                )
            if plan.state == RATED:
                plan.rag_at = self.year.between(
                    plan.received + dt.timedelta(minutes=10),
                    self.year.now - dt.timedelta(minutes=20),
                )
            self.year.plans.append(plan)

    # -- the year's closed referrals ------------------------------------------------------------

    def plan_closed(self) -> None:
        """The rest of the year's referrals, decided and closed: the mix of referrers made up
        to the partnership's whole, with one or two decisions returned by the manager and one
        or two escalated by a referrer on the way."""
        total = self.total()
        count = max(0, total - len(self.year.plans))
        targets = apportion([o.weight for o in ORIGINS], total)
        used = {o.key: 0 for o in ORIGINS}
        for plan in self.year.plans:
            used[plan.origin.key] += 1
        left: list[float] = [max(0, t - used[o.key]) for o, t in zip(ORIGINS, targets, strict=True)]
        if not any(left):
            left = [o.weight for o in ORIGINS]
        origins: list[Origin] = []
        for origin, n in zip(ORIGINS, apportion(left, count), strict=True):
            origins += [origin] * n
        self.rng.shuffle(origins)
        n_returned = max(1, round(RETURNED_SHARE * count))
        n_escalated = max(1, round(ESCALATED_SHARE * count))
        for origin in origins:
            returned = escalated = False
            if not origin.automated and n_returned:
                returned, n_returned = True, n_returned - 1
            elif not origin.automated and n_escalated:
                escalated, n_escalated = True, n_escalated - 1
            closed = self.plan_one_closed(origin, returned=returned, escalated=escalated)
            if closed is not None:
                self.year.plans.append(closed)

    def plan_one_closed(self, origin: Origin, *, returned: bool, escalated: bool) -> Planned | None:
        for _ in range(30):
            bulk = origin.automated and self.year.chance(origin.bulk_share)
            days = self.rng.randint(3, WINDOW_DAYS - 3)
            if days < RECENT_DAYS and not self.year.chance(RECENT_THINNING):
                continue
            day = self.year.today - dt.timedelta(days=days)
            event = self.received_on(origin, day)
            received = event
            if bulk:
                night = self.year.local(event).date() + dt.timedelta(days=1)
                received = self.year.at(night, 2.0 + self.rng.uniform(0, 0.6))
            child = self.who.choose_child(origin, self.year.local(received).date())
            if child is None:
                continue
            plan = Planned(
                state=CLOSED,
                origin=origin,
                received=received,
                child=child,
                bulk=bulk,
                event_at=event if origin.automated else None,
                returned=returned,
                escalated=escalated,
                chosen_by_referrer=not origin.automated and self.year.chance(origin.chooses_child),
            )
            age = self.who.age_on(child.date_of_birth, self.year.local(received).date())
            plan.scenario = self.who.scenario_for(origin, age)
            plan.urgency = self.year.pick(plan.scenario.urgency)
            self.chain(plan)
            assert plan.countersigned_at is not None
            if plan.countersigned_at < self.year.now - dt.timedelta(hours=1):
                return plan
            self.who.referred[child.id] -= 1  # too late to have closed: try another day
        return None

    def received_on(self, origin: Origin, day: dt.date) -> dt.datetime:
        while origin.weekdays_only and day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        if origin.hours == (0.0, 24.0):
            return self.year.at(day, self.year.pick(EVENT_HOURS) + self.rng.random())
        return self.year.at(day, self.rng.uniform(*origin.hours))

    def chain(self, plan: Planned) -> None:
        """Confirmed, rated, decided and countersigned, at the pace of a busy front door:
        immediate referrals at once, the rest in working hours, some late."""
        received = plan.received
        urgent = plan.urgency == Urgency.IMMEDIATE
        timed = self.year.timed(plan.urgency, received)
        decision_due = timed.decision_due_at or received + dt.timedelta(hours=24)
        start = received
        if not plan.chosen_by_referrer:
            plan.confirmed_at = start = received + self.year.hours(0.1, 2.0)
        if urgent:
            plan.rag_at = start + self.year.hours(0.1, 1.5)
            decided = plan.rag_at + self.year.hours(0.5, 5.0)
        else:
            if timed.clock == ServiceClock.OUT_OF_HOURS:
                # The emergency duty team rates it in the night or at the weekend; the front
                # door decides in its working hours.
                plan.rag_at = start + self.year.hours(0.2, 2.5)
            else:
                delay = self.year.pick(
                    (((0.3, 4.0), 0.65), ((4.0, 20.0), 0.28), ((20.0, 40.0), 0.07))
                )
                plan.rag_at = self.year.working(start + self.year.hours(*delay))
            if self.year.chance(LATE_DECISION_RATE):
                decided = max(decision_due, plan.rag_at) + self.year.hours(1.0, 50.0)
            else:
                room = (decision_due - plan.rag_at).total_seconds() / 3600
                decided = self.year.working(
                    plan.rag_at + self.year.hours(0.3, max(0.6, room - 0.2))
                )
                if decided > decision_due:  # stayed late to decide on time
                    decided = plan.rag_at + self.year.hours(0.3, 2.5)
            decided = self.year.working(decided) if decided > decision_due else decided
        if plan.escalated:
            escalation_from = self.year.escalation_from(received, plan.urgency)
            decided = max(decided, self.year.working(escalation_from + self.year.hours(3.0, 30.0)))
            plan.escalated_at = self.year.between(
                escalation_from + dt.timedelta(minutes=30), decided - dt.timedelta(minutes=30)
            )
        if plan.returned:
            plan.first_decided_at = decided
            plan.returned_at = self.year.working(decided + self.year.hours(0.3, 5.0))
            decided = self.year.working(plan.returned_at + self.year.hours(1.0, 20.0))
        plan.decided_at = decided
        signed = decided + self.year.hours(0.2, 6.0)
        plan.countersigned_at = signed if urgent else self.year.working(signed)
        if plan.escalated:
            plan.escalation_resolved_at = plan.countersigned_at
