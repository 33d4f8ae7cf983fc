"""The front door's reports for managers, leaders and analysts: how complete referrals are (by
agency, team, item and month), how long decisions take, what referrals are about and where they
come from, strategy meetings held late or without police or health, and escalations.

Counts of referrals, never a named child. Each report is a list of ``Table`` objects, shown as
GOV.UK tables and downloaded as CSV from the same numbers. A CSV download computes only its own
table (``front_door_table``): the rows a table is made from are read when a table first asks for
them, so the strategy meetings' table never reads a referral."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone

from harbour.access import policy
from harbour.frontdoor import completeness
from harbour.frontdoor.codes import (
    EXTRA_FAMILIAL,
    Concern,
    MeetingRole,
    MeetingStatus,
    Source,
    Status,
)
from harbour.frontdoor.models import (
    DecisionState,
    Escalation,
    Referral,
    ReferralDecision,
    StrategyMeeting,
)
from harbour.partnership.models import Staff

PERIODS = {"3": 3, "6": 6, "12": 12}  # months back from today
DEFAULT_PERIOD = "12"


@dataclass
class Table:
    key: str  # for the CSV file name and the page anchor
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    numeric_from: int = 1  # columns from this index are numbers (right-aligned)


@dataclass
class Report:
    since: dt.date
    until: dt.date
    received: int
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _mean(values: Iterable[float]) -> str:
    values = list(values)
    return f"{round(statistics.fmean(values))}" if values else "–"


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def _quantile_hours(values: list[float], q: float) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[int(q * 100) - 1]:.1f}"


def _voice(r: Referral) -> bool:
    return bool(r.child_voice.strip())


def _grouped(
    referrals: list[Referral], key: Callable[[Referral], str]
) -> dict[str, list[Referral]]:
    groups: dict[str, list[Referral]] = defaultdict(list)
    for referral in referrals:
        groups[key(referral)].append(referral)
    return dict(sorted(groups.items()))


def _completeness_rows(groups: dict[str, list[Referral]]) -> list[list[Any]]:
    rows = []
    for name, group in groups.items():
        n = len(group)
        rows.append(
            [
                name,
                n,
                _mean(r.completeness_score or 0 for r in group),
                _pct(sum(_voice(r) for r in group), n),
                _pct(sum(bool(r.child_voice_absent_reason.strip()) for r in group), n),
                _pct(sum(not completeness.ethnicity_not_known(r) for r in group), n),
                _pct(sum(bool(r.reason.strip()) for r in group), n),
                _pct(sum(completeness.needs_not_known(r) or not r.known_needs for r in group), n),
            ]
        )
    return rows


COMPLETENESS_COLUMNS = [
    "Referrals",
    "Mean completeness (%)",
    "Child's own words",
    "Why not heard, instead",
    "Ethnicity known",
    "Reason given",
    "Needs not known",
]


class _Period:
    """The period a report covers and the rows its tables are made from, each read from the
    database only when a table first needs it (and then once for every table)."""

    def __init__(self, period: str) -> None:
        months = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])
        self.until = timezone.localdate()
        self.since = (self.until.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(
            day=1
        )

    @cached_property
    def referrals(self) -> list[Referral]:
        return list(
            Referral.objects.exclude(status=Status.DRAFT)
            .filter(received_at__date__gte=self.since)
            .select_related("referring_agency", "referring_team")
            .order_by("received_at")
        )

    @cached_property
    def decisions(self) -> dict[int, ReferralDecision]:
        ids = [r.pk for r in self.referrals]
        return {
            d.referral_id: d
            for d in ReferralDecision.objects.filter(
                referral_id__in=ids, state=DecisionState.COUNTERSIGNED
            )
        }


# Every table of the report, in the page's order, by its key (the CSV's address).
TABLES: dict[str, Callable[[_Period], Table]] = {
    "completeness-by-agency": lambda p: _by_agency(p.referrals),
    "completeness-by-team": lambda p: _by_team(p.referrals),
    "missing-items": lambda p: _by_item(p.referrals),
    "completeness-by-month": lambda p: _by_month(p.referrals),
    "completeness-by-agency-and-month": lambda p: _by_agency_and_month(p.referrals),
    "time-to-decision": lambda p: _time_to_decision(p.referrals, p.decisions),
    "concerns": lambda p: _concerns(p.referrals),
    "syv-by-agency": lambda p: _syv_by_agency(p.referrals),
    "sources": lambda p: _sources(p.referrals),
    "outcomes": lambda p: _outcomes(p.referrals, p.decisions),
    "strategy-meetings": lambda p: _meetings(p.since),
    "escalations": lambda p: _escalations(p.since),
}


def front_door_report(*, actor: Staff, period: str = DEFAULT_PERIOD) -> Report:
    """Every table, for the page."""
    policy.require_capability(actor, policy.Action.COHORT_REPORT_VIEW)
    inputs = _Period(period)
    tables = [build(inputs) for build in TABLES.values()]
    return Report(inputs.since, inputs.until, len(inputs.referrals), tables)


@dataclass
class ReportTable:
    since: dt.date
    until: dt.date
    table: Table


def front_door_table(*, actor: Staff, key: str, period: str = DEFAULT_PERIOD) -> ReportTable | None:
    """One table, for its CSV, computed alone; None when there is no table of that key."""
    policy.require_capability(actor, policy.Action.COHORT_REPORT_VIEW)
    build = TABLES.get(key)
    if build is None:
        return None
    inputs = _Period(period)
    return ReportTable(inputs.since, inputs.until, build(inputs))


def _by_agency(referrals: list[Referral]) -> Table:
    return Table(
        "completeness-by-agency",
        "Completeness by referring agency",
        ["Agency", *COMPLETENESS_COLUMNS],
        _completeness_rows(_grouped(referrals, lambda r: r.referring_agency.name)),
    )


def _by_team(referrals: list[Referral]) -> Table:
    return Table(
        "completeness-by-team",
        "Completeness by referring team",
        ["Team", *COMPLETENESS_COLUMNS],
        _completeness_rows(
            _grouped(
                referrals,
                lambda r: (
                    f"{r.referring_team.name}, {r.referring_agency.name}"
                    if r.referring_team
                    else (
                        f"No team (automated feed), {r.referring_agency.name}"
                        if r.source != Source.FORM
                        else f"No team, {r.referring_agency.name}"
                    )
                ),
            )
        ),
    )


def _by_item(referrals: list[Referral]) -> Table:
    missing = Counter(key for r in referrals for key in r.completeness_missing)
    n = len(referrals)
    return Table(
        "missing-items",
        "How often each item was missing when the referral arrived",
        ["Item", "Referrals missing it", "Share"],
        [
            [item.label, missing.get(item.key, 0), _pct(missing.get(item.key, 0), n)]
            for item in completeness.ITEMS
        ],
    )


def _by_month(referrals: list[Referral]) -> Table:
    return Table(
        "completeness-by-month",
        "Completeness over time",
        ["Month", *COMPLETENESS_COLUMNS],
        _completeness_rows(
            _grouped(referrals, lambda r: timezone.localtime(r.received_at).strftime("%Y-%m"))
        ),
    )


def _by_agency_and_month(referrals: list[Referral]) -> Table:
    months = sorted({timezone.localtime(r.received_at).strftime("%Y-%m") for r in referrals})
    rows = []
    for name, group in _grouped(referrals, lambda r: r.referring_agency.name).items():
        by_month = _grouped(group, lambda r: timezone.localtime(r.received_at).strftime("%Y-%m"))
        rows.append(
            [name, *(_mean(r.completeness_score or 0 for r in by_month.get(m, [])) for m in months)]
        )
    return Table(
        "completeness-by-agency-and-month",
        "Mean completeness (%) by referring agency, month by month",
        ["Agency", *months],
        rows,
        note="A dash: no referrals from that agency that month.",
    )


def _time_to_decision(referrals: list[Referral], decisions: dict[int, ReferralDecision]) -> Table:
    rows = []
    for name, group in _grouped(referrals, lambda r: r.get_source_display()).items():
        hours = []
        on_time = 0
        for r in group:
            decision = decisions.get(r.pk)
            if decision is None or r.received_at is None or decision.countersigned_at is None:
                continue
            hours.append(_hours(decision.countersigned_at - r.received_at))
            if r.decision_due_at and decision.countersigned_at <= r.decision_due_at:
                on_time += 1
        rows.append(
            [
                name,
                len(group),
                len(hours),
                _quantile_hours(hours, 0.5),
                _quantile_hours(hours, 0.9),
                _pct(on_time, len(hours)),
            ]
        )
    return Table(
        "time-to-decision",
        "Time from receipt to a countersigned decision",
        [
            "Source",
            "Referrals",
            "Decided",
            "Median (hours)",
            "90th percentile (hours)",
            "Within the service level",
        ],
        rows,
    )


def _concerns(referrals: list[Referral]) -> Table:
    named = Counter(c for r in referrals for c in set(r.concerns))
    n = len(referrals)
    return Table(
        "concerns",
        "What referrals are about",
        ["Concern", "Referrals naming it", "Share of referrals"],
        [
            [label, named.get(code, 0), _pct(named.get(code, 0), n)]
            for code, label in Concern.choices
        ],
        note="A referral can name more than one concern.",
    )


def _syv_by_agency(referrals: list[Referral]) -> Table:
    rows = []
    for name, group in _grouped(referrals, lambda r: r.referring_agency.name).items():
        syv = sum(Concern.SERIOUS_YOUTH_VIOLENCE in r.concerns for r in group)
        outside = sum(bool(EXTRA_FAMILIAL & set(r.concerns)) for r in group)
        rows.append([name, len(group), syv, _pct(syv, len(group)), _pct(outside, len(group))])
    return Table(
        "syv-by-agency",
        "How often each agency names serious youth violence",
        [
            "Agency",
            "Referrals",
            "Naming serious youth violence",
            "Share",
            "Any harm outside the home",
        ],
        rows,
        note="Harm outside the home: serious youth violence, criminal or sexual exploitation, "
        "county lines, or knife and weapon harm.",
    )


def _sources(referrals: list[Referral]) -> Table:
    rows = []
    for name, group in _grouped(
        referrals,
        lambda r: r.get_source_display() + (f": {r.get_feed_display()}" if r.feed else ""),
    ).items():
        rows.append([name, len(group), _mean(r.completeness_score or 0 for r in group)])
    return Table(
        "sources",
        "Automated and form referrals",
        ["Source", "Referrals", "Mean completeness (%)"],
        rows,
    )


def _outcomes(referrals: list[Referral], decisions: dict[int, ReferralDecision]) -> Table:
    counted = Counter(decisions[r.pk].get_outcome_display() for r in referrals if r.pk in decisions)
    total = sum(counted.values())
    return Table(
        "outcomes",
        "Decisions",
        ["Decision", "Referrals", "Share of decisions"],
        [[name, n, _pct(n, total)] for name, n in sorted(counted.items())],
    )


def _meetings(since: dt.date) -> Table:
    meetings = list(
        StrategyMeeting.objects.filter(scheduled_for__date__gte=since).prefetch_related("agencies")
    )
    held = [m for m in meetings if m.status == MeetingStatus.HELD]

    def attended(meeting: StrategyMeeting, role: str) -> bool:
        return any(a.role == role and a.attended for a in meeting.agencies.all())

    rows = [
        ["Convened", len(meetings)],
        ["Held", len(held)],
        ["Held late (after the service level)", sum(m.late for m in held)],
        ["Held out of hours", sum(m.out_of_hours for m in held)],
        ["Held without police", sum(not attended(m, MeetingRole.POLICE) for m in held)],
        ["Held without health", sum(not attended(m, MeetingRole.HEALTH) for m in held)],
        [
            "Planned and past their due time, not yet held",
            sum(
                m.status == MeetingStatus.PLANNED
                and m.due_by is not None
                and m.due_by < timezone.now()
                for m in meetings
            ),
        ],
    ]
    return Table("strategy-meetings", "Strategy meetings", ["Measure", "Meetings"], rows)


def _escalations(since: dt.date) -> Table:
    escalations = list(
        Escalation.objects.filter(raised_at__date__gte=since).select_related(
            "referral__referring_agency"
        )
    )
    rows = []
    for name, group in sorted(_group_escalations(escalations).items(), key=lambda item: item[0]):
        resolved = [e for e in group if e.resolved_at]
        rows.append(
            [
                name,
                len(group),
                len(resolved),
                len(group) - len(resolved),
                _quantile_hours([_hours(e.resolved_at - e.raised_at) for e in resolved], 0.5),  # type: ignore[operator]
            ]
        )
    return Table(
        "escalations",
        "Escalations by referrers",
        ["Referring agency", "Raised", "Resolved", "Open", "Median hours to resolve"],
        rows,
    )


def _group_escalations(escalations: list[Escalation]) -> dict[str, list[Escalation]]:
    groups: dict[str, list[Escalation]] = defaultdict(list)
    for e in escalations:
        groups[e.referral.referring_agency.name].append(e)
    return groups
