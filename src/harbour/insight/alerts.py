"""Emerging-pattern alerts (issue 13, part 5; ADR 0034): the monthly check, the leaders it tells,
what they record, and the measures' settings.

``run_check`` is what ``harbour insight alerts check [--month YYYY-MM]`` runs (from a timer,
once a month): for each active measure, each of its series (a group, an area, a source) is
checked against the months before (``engine/alerts.check``); a month that rises beyond them is
an alert, raised once (a database constraint), audited, and told to the measure's named leaders
through the notices (``policy.alert_recipients``). The figures behind each alert are kept with
it, as they were when it was raised."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import IntegrityError, transaction
from django.urls import reverse

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.insight.engine import alerts as engine
from harbour.insight.engine import queries
from harbour.insight.engine.disproportionality import GROUPS
from harbour.insight.models import Alert, AlertAction, AlertCheck, AlertMeasure, AlertSeries
from harbour.insight.selectors import store_tables
from harbour.notices import services as notices
from harbour.partnership.models import Staff

logger = logging.getLogger(__name__)
SYSTEM_ACTOR = "insight-alerts"
NOT_STATED = "Not stated"


# Whether each measure starts turned on, the first time it is looked at. Counting each group's
# searches as well as its share would raise two alerts on one rise, so that one starts off.
STARTS_ON = {AlertSeries.CHILDREN_SEARCHED_COUNT: False}


def measures() -> list[AlertMeasure]:
    """Every measure the engine can compute, each with its settings (a row made with the
    defaults the first time one is looked at, so a measure added later is there too)."""
    for series in AlertSeries:
        AlertMeasure.objects.get_or_create(
            series=series, defaults={"active": STARTS_ON.get(series, True)}
        )
    return list(AlertMeasure.objects.prefetch_related("leaders"))


@dataclass(frozen=True)
class Series:
    """One measure's counts a month for each key, with the months its source holds."""

    frame: pd.DataFrame  # month, key, count
    months: list[str]
    share: bool

    def points(self, key: str) -> list[engine.Point]:
        """The key's count each month held (0 where it had none), with the month's total over
        every key for a share."""
        mine = self.frame[self.frame["key"] == key].set_index("month")["count"]
        totals = self.frame.groupby("month")["count"].sum()
        return [
            engine.Point(
                month=m,
                count=int(mine.get(m, 0)),
                total=int(totals.get(m, 0)) if self.share else None,
            )
            for m in self.months
        ]

    @property
    def keys(self) -> list[str]:
        return sorted(k for k in self.frame["key"].dropna().unique())


def series_of(measure: str, tables: queries.Tables) -> Series:
    query, table, share = queries.ALERT_SERIES[measure]
    frame = queries.execute(query(tables))
    frame["key"] = frame["key"].astype(object).where(frame["key"].notna(), None)
    if measure == AlertSeries.SOURCE_VOLUME:
        months = sorted(frame["month"].unique())
    else:
        months = sorted(queries.execute(queries.months_held(tables[table]))["month"])
    return Series(frame=frame, months=list(months), share=share)


def key_labels(tables: queries.Tables) -> dict[str, str]:
    """Names for the keys: ethnic groups, LSOAs (as the boundaries name them), sources."""
    boundaries = queries.execute(
        tables["lsoa_boundaries"].select("lsoa21cd", "lsoa21nm").distinct()
    )
    return {
        **GROUPS,
        **{
            row.lsoa21cd: f"{row.lsoa21nm} ({row.lsoa21cd})"
            for row in boundaries.itertuples(index=False)
        },
        **queries.SOURCE_TABLES,
    }


@dataclass
class CheckResult:
    check: AlertCheck
    raised: list[Alert] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # measures with no month or baseline


def _latest_month(tables: queries.Tables) -> str | None:
    held = queries.execute(queries.rows_by_month(tables))
    held = held[held["source"].isin(queries.MONTHLY_SOURCES)]
    return str(held["month"].max()) if len(held) else None


def run_check(*, month: str | None = None, actor: Staff | None = None) -> CheckResult:
    """Check ``month`` (default: the latest month the store holds of a monthly source) for every
    active measure. A month already checked is checked again, raising only what it did not raise
    before. Returns the alerts raised now."""
    if actor is not None:
        policy.require_capability(actor, policy.Action.INSIGHT_ALERT_ACT)
    tables = store_tables()
    month = month or _latest_month(tables)
    if month is None:
        raise ValueError("The store holds no month of any monthly source yet")
    labels = key_labels(tables)
    run = AlertCheck.objects.create(
        month=month, system_actor="" if actor else SYSTEM_ACTOR, started_by=actor
    )
    result = CheckResult(check=run)
    for measure in [m for m in measures() if m.active]:
        series = series_of(measure.series, tables)
        if month not in series.months:
            result.skipped.append(measure.series)
            continue
        for key in series.keys:
            points = series.points(key)
            alerted = Alert.objects.filter(measure=measure, key=key, month__lt=month)
            finding = engine.check(
                points,
                month,
                look_back=measure.look_back,
                threshold=measure.threshold,
                min_count=measure.min_count,
                exclude=list(alerted.values_list("month", flat=True)),
            )
            run.series_checked += 1
            if finding is None or not finding.raised:
                continue
            alert = _raise(run, measure, key, labels.get(key, key), finding, points, actor)
            if alert is not None:
                result.raised.append(alert)
    run.alerts_raised = len(result.raised)
    run.save(update_fields=["series_checked", "alerts_raised"])
    return result


def _raise(
    run: AlertCheck,
    measure: AlertMeasure,
    key: str,
    label: str,
    finding: engine.Finding,
    points: Sequence[engine.Point],
    actor: Staff | None,
) -> Alert | None:
    """The alert, once; audited, and told to the measure's leaders."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                measure=measure,
                check_run=run,
                key=key,
                key_label=label,
                month=finding.month,
                observed=finding.observed,
                expected=finding.expected,
                probability=finding.probability,
                method=finding.method,
                dispersion=finding.dispersion,
                threshold=finding.threshold,
                look_back=measure.look_back,
                total=finding.total,
                baseline_share=finding.baseline_share,
                baseline=[_point(p) for p in finding.baseline],
                series=[_point(p) for p in points if p.month <= finding.month],
            )
            audit_record(
                actor=actor,
                system_actor="" if actor else SYSTEM_ACTOR,
                event="insight.alert_raised",
                subject=alert,
                purpose=policy.INSIGHT_PURPOSE,
                detail={
                    "measure": measure.series,
                    "key": key,
                    "month": finding.month,
                    "observed": finding.observed,
                    "expected": round(finding.expected, 2),
                    "probability": finding.probability,
                    "method": finding.method,
                },
            )
            recipients = policy.alert_recipients(
                measure.leaders.all(), Staff.objects.select_related("agency")
            )
            told = notices.tell(
                recipients=recipients,
                text=f"An emerging pattern to look at: {summary(alert)}",
                title="an emerging pattern to look at",
                link=reverse("insight:alert", args=[alert.pk]),
                basis="notice:alert_leader",
            )
    except IntegrityError:  # raised before, or by another run at the same moment
        return None
    transaction.on_commit(lambda: notices.email_waiting(notice_ids=[n.pk for n in told]))
    return alert


def _point(point: engine.Point) -> dict[str, Any]:
    return {"month": point.month, "count": point.count, "total": point.total}


def summary(alert: Alert) -> str:
    """One line, as a leader reads it: what rose, in which month, against what was expected."""
    what = AlertSeries(alert.measure.series).label
    return (
        f"{what}: {alert.key_label}, {month_label(alert.month)}: {alert.observed:,} "
        f"against {alert.expected:.1f} expected"
    )


def month_label(month: str) -> str:
    return dt.date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


@transaction.atomic
def record_action(
    *, actor: Staff, alert: Alert, action: str, taken_on: dt.date, taken_by: str
) -> AlertAction:
    """What was done about an alert, by whom and when: a leader's record, audited."""
    if not policy.may_act_on_alerts(actor):
        raise policy.Forbidden(policy.Action.INSIGHT_ALERT_ACT)
    recorded = AlertAction.objects.create(
        alert=alert,
        action=action,
        taken_on=taken_on,
        taken_by=taken_by or actor.get_full_name() or actor.get_username(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        event="insight.alert_action_recorded",
        subject=recorded,
        purpose=policy.INSIGHT_PURPOSE,
        detail={"alert": alert.pk, "taken_on": taken_on.isoformat(), "taken_by": taken_by},
    )
    return recorded


@transaction.atomic
def set_measure(
    *,
    series: str,
    active: bool | None = None,
    look_back: int | None = None,
    threshold: float | None = None,
    min_count: int | None = None,
    leaders: Sequence[str] | None = None,
    actor: Staff | None = None,
) -> AlertMeasure:
    """Change what the check watches and how (from the command line): audited. ``leaders``: the
    usernames of the leaders to tell (each must be one, by the policy)."""
    if actor is not None and not policy.may_act_on_alerts(actor):
        raise policy.Forbidden(policy.Action.INSIGHT_ALERT_ACT)
    measure = next(m for m in measures() if m.series == series)
    if look_back is not None and look_back < engine.MIN_BASELINE:
        raise ValueError(f"The look-back must be at least {engine.MIN_BASELINE} months")
    if threshold is not None and not 0 < threshold < 1:
        raise ValueError("The threshold is a probability, between 0 and 1")
    for name, value in (
        ("active", active),
        ("look_back", look_back),
        ("threshold", threshold),
        ("min_count", min_count),
    ):
        if value is not None:
            setattr(measure, name, value)
    measure.save()
    if leaders is not None:
        people = list(Staff.objects.filter(username__in=list(leaders)))
        unknown = set(leaders) - {p.get_username() for p in people}
        if unknown:
            raise ValueError(f"No such member of staff: {', '.join(sorted(unknown))}")
        refused = [p.get_username() for p in people if not policy.may_be_named_for_alerts(p)]
        if refused:
            raise ValueError(f"Not a leader who may act on alerts: {', '.join(refused)}")
        measure.leaders.set(people)
    audit_record(
        actor=actor,
        system_actor="" if actor else SYSTEM_ACTOR,
        event="insight.alert_measure_changed",
        subject=measure,
        purpose=policy.INSIGHT_PURPOSE,
        detail={
            "series": series,
            "active": measure.active,
            "look_back": measure.look_back,
            "threshold": measure.threshold,
            "min_count": measure.min_count,
            "leaders": sorted(p.get_username() for p in measure.leaders.all()),
        },
    )
    return measure
