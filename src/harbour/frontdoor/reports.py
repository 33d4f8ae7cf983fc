"""The front door's reports for managers, leaders and analysts: how complete referrals are (by
agency, team, item and month), how long decisions take, what referrals are about and where they
come from, strategy meetings held late or without police or health, and escalations.

Counts of referrals, never a named child. Each report is a list of ``Table`` objects, shown as
GOV.UK tables and downloaded as CSV from the same numbers. Every number goes through
``harbour.disclosure`` before it is shown (issue 13, part 7): a count of 1 to 4 is ``[c]``; where
a table's rows share out a total (referrals by agency, by month …) more cells are hidden so that
the total cannot give one back; a share or a mean over a hidden group, or a share whose part is 1
to 4, is ``[c]`` too. A CSV download computes only its own
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

from harbour import disclosure
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
from harbour.web import published

PERIODS = {"3": 3, "6": 6, "12": 12}  # months back from today
DEFAULT_PERIOD = "12"


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, shown as a percentage."""

    part: int
    whole: int

    def __str__(self) -> str:
        return f"{round(100 * self.part / self.whole)}%" if self.whole else "–"


@dataclass(frozen=True)
class Stat:
    """A mean, median or percentile over ``n`` referrals (or escalations), already written."""

    text: str
    n: int

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    key: str  # for the CSV file name and the page anchor
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    numeric_from: int = 1  # columns from this index are numbers (right-aligned)
    # The column whose rows share out one total (each referral in exactly one row): protected
    # with the total, so that no cell can be worked out from the others (secondary suppression).
    total_column: int | None = None


@dataclass
class Report:
    since: dt.date
    until: dt.date
    received: disclosure.Published
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def protect(table: Table, *, below: int | None = None) -> Table:
    """The table as it may be published: every count a ``disclosure.Published`` and every share
    or statistic over a hidden group, or a share whose part is 1 to 4, ``[c]``."""
    below = published.threshold() if below is None else below
    hidden_rows: set[int] = set()
    rows = [list(row) for row in table.rows]
    if table.total_column is not None and rows:
        column = disclosure.protect_column(
            [int(row[table.total_column]) for row in rows], threshold=below
        )
        for i, row in enumerate(rows):
            row[table.total_column] = column.cells[i][0]
            if row[table.total_column].suppressed:
                hidden_rows.add(i)

    def small(value: int) -> bool:
        return disclosure.is_small(value, below)

    def cell(i: int, value: Any) -> Any:
        hidden = disclosure.Published(0, suppressed=True, reason=disclosure.SECONDARY)
        if isinstance(value, disclosure.Published):
            return value
        if isinstance(value, bool) or not isinstance(value, int | Share | Stat):
            return value
        if i in hidden_rows:
            return hidden
        if isinstance(value, int):
            return disclosure.protect_count(value, threshold=below)
        if isinstance(value, Share):
            revealing = small(value.part) or small(value.whole)
            return hidden if revealing else str(value)
        return hidden if small(value.n) else str(value)

    shown = [[row[0], *(cell(i, v) for v in row[1:])] for i, row in enumerate(rows)]
    if any(c.suppressed for row in shown for c in row if isinstance(c, disclosure.Published)):
        note = f"{table.note} {disclosure.NOTE}.".strip()
    else:
        note = table.note
    return Table(
        table.key,
        table.title,
        table.columns,
        shown,
        note,
        table.numeric_from,
        table.total_column,
    )


def csv_rows(table: Table) -> list[list[Any]]:
    """The table's rows for its CSV: a published count as a plain number (no thousands
    separator), a hidden one as ``[c]``."""
    return [
        [c.csv if isinstance(c, disclosure.Published) else c for c in row] for row in table.rows
    ]


def _pct(part: int, whole: int) -> Share:
    return Share(part, whole)


def _mean(values: Iterable[float]) -> Stat:
    values = list(values)
    return Stat(f"{round(statistics.fmean(values))}" if values else "–", len(values))


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def _quantile_hours(values: list[float], q: float) -> Stat:
    if not values:
        return Stat("–", 0)
    if len(values) == 1:
        return Stat(f"{values[0]:.1f}", 1)
    return Stat(
        f"{statistics.quantiles(values, n=100, method='inclusive')[int(q * 100) - 1]:.1f}",
        len(values),
    )


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
    tables = [protect(build(inputs)) for build in TABLES.values()]
    received = disclosure.protect_count(len(inputs.referrals), threshold=published.threshold())
    return Report(inputs.since, inputs.until, received, tables)


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
    return ReportTable(inputs.since, inputs.until, protect(build(inputs)))


def _by_agency(referrals: list[Referral]) -> Table:
    return Table(
        "completeness-by-agency",
        "Completeness by referring agency",
        ["Agency", *COMPLETENESS_COLUMNS],
        _completeness_rows(_grouped(referrals, lambda r: r.referring_agency.name)),
        total_column=1,
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
        total_column=1,
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
        total_column=1,
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
        total_column=1,
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
        total_column=1,
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
        total_column=1,
    )


def _outcomes(referrals: list[Referral], decisions: dict[int, ReferralDecision]) -> Table:
    counted = Counter(decisions[r.pk].get_outcome_display() for r in referrals if r.pk in decisions)
    total = sum(counted.values())
    return Table(
        "outcomes",
        "Decisions",
        ["Decision", "Referrals", "Share of decisions"],
        [[name, n, _pct(n, total)] for name, n in sorted(counted.items())],
        total_column=1,
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
    groups = sorted(_group_escalations(escalations).items(), key=lambda item: item[0])
    resolved = [[e for e in group if e.resolved_at] for _, group in groups]
    # Raised = resolved + open in each row: protected as one table with its totals, so that no
    # hidden count can be worked out from the other two.
    counts = disclosure.protect_table(
        [
            [len(done), len(group) - len(done)]
            for (_, group), done in zip(groups, resolved, strict=True)
        ],
        threshold=published.threshold(),
    )
    rows = []
    for i, ((name, _), done) in enumerate(zip(groups, resolved, strict=True)):
        hours = [_hours(e.resolved_at - e.raised_at) for e in done]  # type: ignore[operator]
        median = _quantile_hours(hours, 0.5)
        rows.append(
            [
                name,
                counts.row_totals[i],
                counts.cells[i][0],
                counts.cells[i][1],
                median if not counts.cells[i][0].suppressed else counts.cells[i][0],
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
