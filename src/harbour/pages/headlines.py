"""The home page's headline figures for leaders, analysts and panel chairs (issue 13, part 3;
ADR 0035): a few counts across the partnership, each through ``harbour.disclosure`` and each with
what changed since the person last looked; and referrals received month by month, a chart beside
its table. Counts only, asked of the policy (``counted_for_headlines``): no child, no record,
leaves here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import altair as alt
import pandas as pd
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from harbour import disclosure
from harbour.access import policy
from harbour.children.attention import syv_cohort
from harbour.children.models import Child
from harbour.frontdoor.codes import RapidStatus
from harbour.frontdoor.models import DecisionState, RapidResponse, Referral
from harbour.frontdoor.models import ReferralDecision as Decision
from harbour.identity.models import AlertStatus, HarmFlag
from harbour.insight import selectors as insight_selectors
from harbour.insight.presenters import month_name
from harbour.pages.models import HomeVisit
from harbour.partnership.models import Staff
from harbour.web import published

# Decisions are counted over the last four weeks; referrals by calendar month, twelve of them.
WINDOW = dt.timedelta(days=28)
MONTHS = 12
# Looks at the home page less than this apart are one sitting: while it lasts, "since you last
# looked" keeps comparing with the sitting before, so reloading the page does not wipe it.
SITTING = dt.timedelta(minutes=30)
BLUE = "#1d70b8"


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    shown: str  # as the page shows it: "1,204", "[c]", "82%", "November 2026"
    value: int | str | None  # what is kept and compared: the published figure; None if hidden
    period: str  # what the figure covers; a change across periods is not a change
    detail: str
    unit: str = "count"  # "count", "percent" or "month"
    link: tuple[str, str] | None = None  # (address, words) where the figures behind it are
    change: str = ""


@dataclass(frozen=True)
class Headlines:
    figures: list[Headline]
    months: list[tuple[str, disclosure.Published]]  # referrals received, oldest first
    spec: dict[str, Any] | None
    last_looked: dt.datetime | None

    @property
    def months_hidden(self) -> bool:
        return any(cell.suppressed for _, cell in self.months)


def _month_starts(today: dt.date, n: int) -> list[dt.date]:
    first = today.replace(day=1)
    starts = [first]
    for _ in range(n - 1):
        starts.append((starts[-1] - dt.timedelta(days=1)).replace(day=1))
    return starts[::-1]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _count(value: int) -> tuple[str, int | None]:
    cell = published.count(value)
    return str(cell), cell.value


def referrals_by_month(actor: Staff, today: dt.date) -> list[tuple[str, disclosure.Published]]:
    """Referrals received each calendar month, the last twelve (this one so far). No totals are
    published, so each count stands alone: 1 to 4 is hidden."""
    starts = _month_starts(today, MONTHS)
    received = policy.counted_for_headlines(
        actor, Referral.objects.filter(received_at__gte=_aware(starts[0]))
    )
    counts = dict.fromkeys(starts, 0)
    for when in received.values_list("received_at", flat=True):
        counts[timezone.localtime(when).date().replace(day=1)] += 1
    return [(month_name(s.strftime("%Y-%m")), published.count(n)) for s, n in counts.items()]


def month_chart(months: list[tuple[str, disclosure.Published]]) -> dict[str, Any] | None:
    """Bars of the months the table publishes; a hidden month is not drawn."""
    short = {label: label[:3] + " " + label[-4:] for label, _ in months}  # "Jan 2026"
    data = pd.DataFrame(
        [
            {"month": label, "short": short[label], "value": cell.value}
            for label, cell in months
            if not cell.suppressed
        ]
    )
    if data.empty:
        return None
    # Every month on the axis, a hidden one as a gap: the axis does not hide which are hidden.
    axis = alt.Axis(labelAngle=-45, labelOverlap=False)
    chart = (
        alt.Chart(data, title="Referrals received by month")
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X(
                "short:O", title="Month", scale=alt.Scale(domain=list(short.values())), axis=axis
            ),
            y=alt.Y("value:Q", title="Referrals received"),
            tooltip=[alt.Tooltip("month:O", title="Month"), alt.Tooltip("value:Q", title="Count")],
        )
        .properties(width="container", height=240)
    )
    return chart.to_dict()


def _decisions_in_time(actor: Staff, now: dt.datetime) -> Headline:
    """Decisions countersigned in the last four weeks, and how many by the time the service
    level gave: on time and late protected together with their total."""
    decided = policy.counted_for_headlines(
        actor,
        Decision.objects.filter(
            state=DecisionState.COUNTERSIGNED, countersigned_at__gt=now - WINDOW
        ),
    )
    total = decided.count()
    on_time = decided.filter(referral__decision_due_at__gte=F("countersigned_at")).count()
    table = disclosure.protect_table([[on_time, total - on_time]], threshold=published.threshold())
    in_time, whole = table.cells[0][0], table.row_totals[0]
    share = (
        round(100 * in_time.true_value / whole.true_value)
        if whole.true_value and not (in_time.suppressed or whole.suppressed)
        else None
    )
    return Headline(
        "decided-in-time",
        "Decisions made within the service level",
        "–" if not whole.true_value else disclosure.SYMBOL if share is None else f"{share}%",
        share,
        "last 28 days",
        f"{in_time} of {whole} decisions countersigned in the last 28 days"
        if whole.true_value
        else "No decisions countersigned in the last 28 days",
        unit="percent",
    )


def figures(actor: Staff, now: dt.datetime | None = None) -> Headlines:
    """The headline figures the actor may see, as published. Raises ``policy.Forbidden``."""
    policy.require_capability(actor, policy.Action.HEADLINES_VIEW)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    months = referrals_by_month(actor, today)
    (last_label, last), (this_label, this) = months[-2], months[-1]
    report = (
        (reverse("frontdoor:report"), "The front-door report")
        if policy.can(actor, policy.Action.COHORT_REPORT_VIEW)
        else None
    )
    flags_open = policy.counted_for_headlines(
        actor, HarmFlag.objects.filter(status=AlertStatus.OPEN)
    ).count()
    cohort = syv_cohort(policy.counted_for_headlines(actor, Child.objects.all())).count()
    rapid = policy.counted_for_headlines(
        actor, RapidResponse.objects.exclude(status=RapidStatus.CLOSED)
    )
    rapid_open = rapid.count()
    late = rapid.filter(status=RapidStatus.OPEN, convene_by__lt=now).count()
    # Late and not late protected with the total open, so neither gives the other back.
    rapid_table = disclosure.protect_table(
        [[late, rapid_open - late]], threshold=published.threshold()
    )
    rapid_late, rapid_total = rapid_table.cells[0][0], rapid_table.row_totals[0]
    items = [
        Headline(
            "referrals-this-month",
            "Referrals received this month",
            str(this),
            this.value,
            this_label,
            f"{this_label} so far; {last} in {last_label}",
            link=report,
        ),
        replace(_decisions_in_time(actor, now), link=report),
        Headline(
            "flags-open",
            "Cumulative-harm flags not yet acknowledged",
            *_count(flags_open),
            "now",
            "Flags raised on a pattern of harm across agencies that no one has acknowledged",
        ),
        Headline(
            "cohort",
            "Children in serious youth violence work",
            *_count(cohort),
            "now",
            "Known to the police or youth justice, with a referral open, or with someone working "
            "with them",
            link=(reverse("children:cohort-report"), "The cohort report")
            if policy.can(actor, policy.Action.COHORT_REPORT_VIEW)
            else None,
        ),
        Headline(
            "rapid-open",
            "Rapid responses not yet closed",
            str(rapid_total),
            rapid_total.value,
            "now",
            f"{rapid_late} not yet convened and past the service level"
            if rapid_open
            else "None open",
        ),
    ]
    if policy.can(actor, policy.Action.INSIGHT_VIEW):
        newest = insight_selectors.newest_month_held(actor=actor)
        items.append(
            Headline(
                "store-newest",
                "Newest month in the analytical store",
                month_name(newest) or "Nothing held yet",
                newest or None,
                "now",
                "The needs assessment and disproportionality are as fresh as this",
                unit="month",
                link=(reverse("insight:needs"), "The needs assessment"),
            )
        )
    return Headlines(items, months, month_chart(months), None)


def _change(figure: Headline, before: dict[str, Any] | None) -> str:
    """What changed since the person last looked, in words."""
    if before is None:
        return "New since you last looked"
    if before.get("period") != figure.period:
        return "A new month has begun since you last looked"
    was, now = before.get("value"), figure.value
    if figure.unit == "month":
        if now == was:
            return "No new month since you last looked"
        return f"{month_name(str(now))} added since you last looked" if now else ""
    hidden = disclosure.SYMBOL in (figure.shown, before.get("shown", disclosure.SYMBOL))
    if (was is None or now is None) and hidden:
        return f"Cannot be compared: hidden ({disclosure.SYMBOL}) now or when you last looked"
    if was is None and now is None:
        return "None now or when you last looked"
    if was is None or now is None:
        return "None when you last looked" if was is None else "None now"
    difference = int(now) - int(was)
    if difference == 0:
        return "No change since you last looked"
    unit = " percentage points" if figure.unit == "percent" else ""
    if abs(difference) == 1 and unit:
        unit = " percentage point"
    return f"{'Up' if difference > 0 else 'Down'} {abs(difference):,}{unit} since you last looked"


def look(actor: Staff, headlines: Headlines, now: dt.datetime | None = None) -> Headlines:
    """Record that the actor looked at these figures now, and say what changed since the sitting
    before this one (nothing on a first look)."""
    now = now or timezone.now()
    seen = {
        f.key: {"value": f.value, "period": f.period, "shown": f.shown} for f in headlines.figures
    }
    visit = policy.own_home_visits(actor, HomeVisit.objects.all()).first()
    if visit is None:
        try:
            with transaction.atomic():
                HomeVisit.objects.create(staff=actor, looked_at=now, figures=seen)
        except IntegrityError:  # the same person's other tab got there first
            pass
        return headlines
    if now - visit.looked_at >= SITTING:
        visit.before_at, visit.before = visit.looked_at, visit.figures
    visit.looked_at, visit.figures = now, seen
    visit.save(update_fields=["looked_at", "figures", "before_at", "before"])
    if visit.before_at is None:
        return headlines
    before = visit.before
    return replace(
        headlines,
        figures=[replace(f, change=_change(f, before.get(f.key))) for f in headlines.figures],
        last_looked=visit.before_at,
    )
