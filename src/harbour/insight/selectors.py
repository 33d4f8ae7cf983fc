"""Reads of the store and its catalogue, each asking the policy first. Nothing here reads a
child's data: the store holds aggregate, anonymous and (later) pseudonymised rows only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, QuerySet

from harbour.access import policy
from harbour.frontdoor.codes import Outcome, Rag
from harbour.frontdoor.models import DecisionState, Referral, ReferralDecision
from harbour.insight.engine import queries
from harbour.insight.models import Alert, AlertCheck, SourceImport, StoreFile
from harbour.insight.services import current_files, store_root
from harbour.partnership.models import Staff

RECENT_IMPORTS = 25


@dataclass(frozen=True)
class SourceHolding:
    table: str
    label: str
    rows: int
    months: int
    first_month: str
    last_month: str
    last_import: SourceImport | None


@dataclass(frozen=True)
class Catalogue:
    holdings: list[SourceHolding]
    imports: list[SourceImport]
    # Rows a month by source, as the store's queries count them: what the chart draws.
    monthly: pd.DataFrame


def store_tables(*, engine: str = "duckdb") -> queries.Tables:
    """The store's tables as they stand, on DuckDB (default) or Spark, for queries."""
    files = {
        table: [p for paths in months.values() for p in paths]
        for table, months in current_files().items()
    }
    return queries.connect(store_root(), files, engine=engine)


def store_catalogue(*, actor: Staff) -> Catalogue:
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    files = list(StoreFile.objects.filter(is_current=True).select_related("written_by"))
    imports = policy.insight_imports_visible(
        actor, SourceImport.objects.select_related("started_by")
    )
    latest: dict[str, SourceImport] = {}
    for run in imports.filter(status="imported").order_by("created_at"):
        latest[run.table] = run
    holdings = []
    for table, label in queries.SOURCE_TABLES.items():
        mine = [f for f in files if f.table == table]
        months = sorted(f.month for f in mine)
        holdings.append(
            SourceHolding(
                table=table,
                label=label,
                rows=sum(f.rows for f in mine),
                months=len(months),
                first_month=months[0] if months else "",
                last_month=months[-1] if months else "",
                last_import=latest.get(table),
            )
        )
    tables = store_tables()
    monthly = queries.execute(queries.rows_by_month(tables))
    return Catalogue(holdings=holdings, imports=list(imports[:RECENT_IMPORTS]), monthly=monthly)


def import_for_actor(*, actor: Staff, import_id: uuid.UUID) -> SourceImport:
    """One import as its page shows it; another's import exists for anyone who may import."""
    found = (
        policy.insight_imports_visible(actor, SourceImport.objects.select_related("started_by"))
        .filter(pk=import_id)
        .first()
    )
    if found is None:
        policy.require_capability(actor, policy.Action.INSIGHT_IMPORT)
        raise policy.NotFound(import_id)
    return found


@dataclass(frozen=True)
class NeedsFigures:
    """The needs assessment's figures as the store's queries give them (before suppression:
    the presenters protect every count before it is shown or exported)."""

    violent_by_month: pd.DataFrame
    assaults_by_month: pd.DataFrame
    violent_by_lsoa: pd.DataFrame
    assaults_by_lsoa: pd.DataFrame
    assaults_when: pd.DataFrame
    searches_by_age: pd.DataFrame
    searches_by_sex: pd.DataFrame
    searches_by_ethnic_group: pd.DataFrame
    assaults_by_weapon: pd.DataFrame
    crimes_by_type: pd.DataFrame
    months: list[str]


def needs_figures(*, actor: Staff) -> NeedsFigures:
    """The strategic needs assessment's aggregates: counts only, no row of a person."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    t = store_tables()
    run = queries.execute
    violent = queries.violent_crime(t["police_street"])
    months = run(queries.rows_by_month(t))
    return NeedsFigures(
        violent_by_month=run(queries.seasonal_counts(violent)),
        assaults_by_month=run(queries.seasonal_counts(t["istv_assaults"])),
        violent_by_lsoa=run(queries.counts_by_named_lsoa(violent, t["lsoa_boundaries"])),
        assaults_by_lsoa=run(
            queries.counts_by_named_lsoa(t["istv_assaults"], t["lsoa_boundaries"])
        ),
        assaults_when=run(queries.hour_by_weekday(t["istv_assaults"])),
        searches_by_age=run(queries.counts_by(t["police_stop_search"], ["age_range"])),
        searches_by_sex=run(queries.counts_by(t["police_stop_search"], ["gender"])),
        searches_by_ethnic_group=run(queries.counts_by(t["police_stop_search"], ["ethnic_group"])),
        assaults_by_weapon=run(queries.counts_by(t["istv_assaults"], ["weapon"])),
        crimes_by_type=run(queries.counts_by(t["police_street"], ["crime_type"])),
        months=sorted(
            m
            for m in months.loc[
                months["source"].isin(["police_street", "police_stop_search", "istv_assaults"]),
                "month",
            ].unique()
        ),
    )


@dataclass(frozen=True)
class StageFigures:
    """One stage of children's journeys the store holds: children at it by ethnic group."""

    key: str
    label: str
    counts: pd.DataFrame  # ethnic_group, count
    source: str = "police.uk"
    unit: str = "Searches"  # what a count counts: a child searched twice is two searches
    months: tuple[str, ...] = ()  # the months its counts span, where not the store's


@dataclass(frozen=True)
class DisproportionalityFigures:
    population: pd.DataFrame  # group_code, children, lsoas
    stages: list[StageFigures]
    months: list[str]


# The stages of a child's journey the store holds, in order. police.uk's stop and search gives
# the first two; referrals, decisions, plans and flags come with Harbour's own pseudonymised
# extracts (ADR 0024).
STAGES = (
    ("searched", "Stop and search", None, "Searches"),
    ("arrested", "Arrest after a stop and search", "Arrest", "Arrests"),
)


def disproportionality_figures(*, actor: Staff) -> DisproportionalityFigures:
    """Children at each stage by ethnic group, and children in the population by ethnic group:
    aggregates only."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    t = store_tables()
    searches = t["police_stop_search"]
    stages = []
    for key, label, outcome, unit in STAGES:
        table = searches if outcome is None else searches.filter(searches.outcome == outcome)
        stages.append(
            StageFigures(
                key=key,
                label=label,
                counts=queries.execute(queries.children_searched_by_ethnic_group(table)),
                unit=unit,
            )
        )
    stages.extend(harbour_stages(actor=actor))
    month_rows = queries.execute(queries.counts_by(searches, ["month"]))
    return DisproportionalityFigures(
        population=queries.execute(queries.children_by_ethnic_group(t["census_population"])),
        stages=stages,
        months=sorted(month_rows["month"].dropna()),
    )


# Harbour's own stages: referrals received for children aged 10 to 17 on the day, those rated red,
# and those whose standing (countersigned) decision is no further action.
HARBOUR_SOURCE = "Harbour's front-door referrals"


def five_group(ethnicity: str) -> str:
    """A referral's ONS 19-group code to the five-group; refused, not known or blank: not
    stated."""
    group = ethnicity.partition("_")[0]
    return group if group in ("white", "mixed", "asian", "black", "other") else "not_stated"


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def harbour_stages(*, actor: Staff) -> list[StageFigures]:
    """Referrals of children aged 10 to 17 by ethnic group at each of Harbour's stages: counts
    only (the policy gives the referrals to count; nothing about one leaves this function)."""
    referrals = policy.referrals_for_counting(actor, Referral.objects.all())
    nfa = set(
        ReferralDecision.objects.filter(
            referral__in=referrals,
            state=DecisionState.COUNTERSIGNED,
            outcome=Outcome.NO_FURTHER_ACTION,
        ).values_list("referral_id", flat=True)
    )
    counts: dict[str, dict[str, int]] = {"referred": {}, "red": {}, "nfa": {}}
    months: set[str] = set()
    for pk, ethnicity, born, received, rag in referrals.values_list(
        "pk", "ethnicity", "child_date_of_birth", "received_at", "rag"
    ):
        if born is None or received is None or not 10 <= _age_on(born, received.date()) <= 17:
            continue
        group = five_group(ethnicity)
        months.add(received.strftime("%Y-%m"))
        reached = [
            "referred",
            *(["red"] if rag == Rag.RED else []),
            *(["nfa"] if pk in nfa else []),
        ]
        for stage in reached:
            counts[stage][group] = counts[stage].get(group, 0) + 1
    labels = {
        "referred": ("Referral to the front door", "Referrals"),
        "red": ("Referral rated red", "Referrals"),
        "nfa": ("Decision of no further action", "Decisions"),
    }
    return [
        StageFigures(
            key=f"harbour-{stage}",
            label=label,
            counts=pd.DataFrame(
                {
                    "ethnic_group": [None if g == "not_stated" else g for g in counts[stage]],
                    "count": list(counts[stage].values()),
                }
            ),
            source=HARBOUR_SOURCE,
            unit=unit,
            months=tuple(sorted({min(months), max(months)})) if months else (),
        )
        for stage, (label, unit) in labels.items()
    ]


# Emerging-pattern alerts (ADR 0034): aggregate figures, no person --------------------------------


def alerts_for(*, actor: Staff, state: str = "", measure: str = "") -> QuerySet[Alert]:
    """The alerts, newest month first, for anyone who reads the store; filtered by whether an
    action was recorded and by measure."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    alerts = Alert.objects.select_related("measure").annotate(action_count=Count("actions"))
    if state == "open":
        alerts = alerts.filter(action_count=0)
    elif state == "acted":
        alerts = alerts.filter(action_count__gt=0)
    if measure:
        alerts = alerts.filter(measure__series=measure)
    return alerts.order_by("-month", "-raised_at", "-pk")


def alert_for(*, actor: Staff, alert_id: int) -> Alert:
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    alert = (
        Alert.objects.select_related("measure", "check_run")
        .prefetch_related("actions__recorded_by", "measure__leaders")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise policy.NotFound(alert_id)
    return alert


def latest_alert_check(*, actor: Staff) -> AlertCheck | None:
    """When the check last ran, and what it looked at."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    return AlertCheck.objects.order_by("-ran_at").first()
