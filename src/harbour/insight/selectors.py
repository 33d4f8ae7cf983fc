"""Reads of the store and its catalogue, each asking the policy first. Nothing here reads a
child's data: the store holds aggregate, anonymous and (later) pseudonymised rows only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from harbour.access import policy
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.attention import syv_cohort
from harbour.children.models import Child, Plan
from harbour.frontdoor.models import Referral
from harbour.identity.cohort import LOOKBACK_DAYS, SEEN_BY, harm_events
from harbour.identity.models import EXCLUSION_KINDS, AgencyEvent, EventKind
from harbour.insight.engine import extracts as extracts_engine
from harbour.insight.engine import hidden, queries
from harbour.insight.extracts import latest_extract
from harbour.insight.models import Alert, AlertCheck, AlertMeasure, SourceImport, StoreFile
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


def newest_month_held(*, actor: Staff) -> str:
    """The newest month the store holds of any source ("YYYY-MM"; "" while it holds none): how
    fresh the needs assessment is, for the home page's headline figures."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    newest = StoreFile.objects.filter(is_current=True).aggregate(newest=Max("month"))["newest"]
    return str(newest or "")


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
    violent_by_ward: pd.DataFrame
    assaults_by_ward: pd.DataFrame
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
        violent_by_ward=run(queries.counts_by_ward(violent, t["lsoa_wards"])),
        assaults_by_ward=run(queries.counts_by_ward(t["istv_assaults"], t["lsoa_wards"])),
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
    # When Harbour's extracts were last refreshed; none before the first (its stages are absent).
    extracted_at: dt.datetime | None = None


# The stages of a child's journey police.uk's stop and search gives; Harbour's own follow
# (``queries.HARBOUR_STAGES``, from its pseudonymised extracts, ADR 0039).
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
    latest = latest_extract()
    if latest is not None:
        stages.extend(harbour_stages(t))
    month_rows = queries.execute(queries.counts_by(searches, ["month"]))
    return DisproportionalityFigures(
        population=queries.execute(queries.children_by_ethnic_group(t["census_population"])),
        stages=stages,
        months=sorted(month_rows["month"].dropna()),
        extracted_at=latest.finished_at if latest is not None else None,
    )


# Harbour's own stages (ADR 0039): counted through Ibis on the store's pseudonymised extracts,
# which ``harbour insight extract`` refreshes on a schedule; before the first extract the page
# says so and shows the police.uk stages alone.
NO_EXTRACT_YET = (
    "Harbour's own stages (arrests and custody from the police's events, referrals, decisions, "
    "plans, panels and cumulative-harm flags) are counted from its pseudonymised extracts in "
    "the store, and no extract has run yet. They appear after the next scheduled run of "
    "harbour insight extract."
)


def five_group(ethnicity: str) -> str:
    """An ONS 19-group code to the five-group; refused, not known or blank: not stated."""
    return extracts_engine.five_group(ethnicity) or "not_stated"


def harbour_stages(tables: queries.Tables) -> list[StageFigures]:
    """Each of Harbour's stages: children aged 10 to 17 by ethnic group, counted by the store's
    queries on the extracts (counts only; the extracts hold no name or identifier)."""
    found = []
    for stage in queries.HARBOUR_STAGES:
        counts = queries.execute(queries.children_at_stage_by_ethnic_group(tables, stage))
        months = sorted({*counts["first_month"].dropna(), *counts["last_month"].dropna()})
        found.append(
            StageFigures(
                key=stage.key,
                label=stage.label,
                counts=counts[["ethnic_group", "count"]],
                source=stage.source,
                unit=stage.unit,
                months=tuple(sorted({months[0], months[-1]})) if months else (),
            )
        )
    return found


# Hidden harm (issue 13, part 6; ADR 0036): violence health sees and the police do not, and who
# each source sees against who is in the caseloads. Agencies' events and Harbour's caseloads are
# read through the policy to be counted: each row handed to the engine carries a number made up
# for this one query in place of the person, and nothing but counts leaves this module.


#: The sources and caseloads set side by side for girls and young women, in order.
SOURCE_ROWS = {
    "health": "Emergency department or ambulance: violence",
    "police": "Police: violence (victim, suspect or arrested)",
    "youth_justice": "Youth justice contact",
    "social_care": "Social care: violence or exploitation",
    "school": "Suspension or exclusion from school (any reason)",
    "missing": "Missing episode",
    "referral": "Referred to the front door",
    "plan": "An open plan",
    "lead": "A lead practitioner",
    "cohort": "In the serious youth violence cohort",
}
CASELOADS = ("referral", "plan", "lead", "cohort")


@dataclass(frozen=True)
class HiddenHarmFigures:
    """Counts only (before suppression: the presenters protect each before it is shown)."""

    by_group: dict[str, pd.DataFrame]  # lsoa21cd / age_band / sex / ethnic_group -> counts
    lsoa_names: dict[str, str]
    store_by_area: pd.DataFrame  # lsoa21cd, health, police
    store_months: list[str]
    sources_by_sex: pd.DataFrame  # source, sex, children
    since: dt.date
    today: dt.date


class _Numbers:
    """A number for each person, made up for one query."""

    def __init__(self) -> None:
        self.given: dict[object, int] = {}

    def __call__(self, key: object) -> int:
        return self.given.setdefault(key, len(self.given) + 1)


def _sex(*values: str | None) -> str:
    for value in values:
        if value in ("F", "M"):
            return value
    return "U"


def hidden_harm_figures(*, actor: Staff) -> HiddenHarmFigures:
    """Hidden harm's aggregates: counts by area, group, source and sex; no row of a person."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    today = timezone.localdate()
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    events = policy.records_for_counting(
        actor, AgencyEvent.objects.filter(occurred_on__range=(since, today))
    )
    number = _Numbers()
    link = "source_record__person_link__person"
    fields = (
        "kind",
        "occurred_on",
        "lsoa21",
        "source_record_id",
        "source_record__sex",
        "source_record__date_of_birth",
        f"{link}_id",
        f"{link}__child__sex",
        f"{link}__child__date_of_birth",
        f"{link}__child__ethnicity",
    )
    rows = []
    sources: list[tuple[str, int, str]] = []
    for kind, on, lsoa, record, sex, born, person, child_sex, child_born, ethnicity in (
        harm_events(events).values_list(*fields).iterator()
    ):
        key = number(("person", person) if person else ("record", record))
        seen_by = SEEN_BY.get(kind, "social_care")
        rows.append(
            {
                "person": key,
                "seen_by": seen_by,
                "occurred_on": on,
                "lsoa21cd": lsoa or None,
                "age_band": hidden.age_band(child_born or born, on),
                "sex": _sex(child_sex, sex),
                "ethnic_group": five_group(ethnicity or ""),
            }
        )
        if seen_by in SOURCE_ROWS:
            sources.append((seen_by, key, _sex(child_sex, sex)))
    others = events.filter(kind__in=[*EXCLUSION_KINDS, EventKind.MISSING]).values_list(
        "kind", "source_record_id", f"{link}_id", "source_record__sex", f"{link}__child__sex"
    )
    for kind, record, person, sex, child_sex in others.iterator():
        key = number(("person", person) if person else ("record", record))
        source = "missing" if kind == EventKind.MISSING else "school"
        sources.append((source, key, _sex(child_sex, sex)))
    referrals = policy.referrals_for_counting(
        actor, Referral.objects.filter(received_at__date__range=(since, today))
    ).values_list("pk", "child_id", "child_sex", "child__sex")
    for pk, child, sex, child_sex in referrals.iterator():
        sources.append(
            (
                "referral",
                number(("child", child) if child else ("referral", pk)),
                _sex(child_sex, sex),
            )
        )
    children = policy.records_for_counting(actor, Child.objects.all())
    caseloads = {
        "plan": children.filter(
            pk__in=Plan.objects.filter(closed_on__isnull=True).values("child_id")
        ),
        "lead": children.filter(
            pk__in=WorkingRelationship.objects.current()
            .filter(kind=RelationshipKind.LEAD_PRACTITIONER)
            .values("child_id")
        ),
        "cohort": syv_cohort(children, today=today),
    }
    for source, found in caseloads.items():
        for child, sex in found.values_list("pk", "sex").distinct().iterator():
            sources.append((source, number(("child", child)), _sex(sex)))

    table = hidden.events_table(pd.DataFrame(rows, columns=list(hidden.EVENT_COLUMNS)))
    by_group = {
        by: queries.execute(hidden.hidden_harm_by(table, by))
        for by in ("lsoa21cd", "age_band", "sex", "ethnic_group")
    }
    caseload = hidden.caseload_table(pd.DataFrame(sources, columns=list(hidden.CASELOAD_COLUMNS)))
    t = store_tables()
    names = queries.execute(t["lsoa_boundaries"].select("lsoa21cd", "lsoa21nm").distinct())
    store = queries.execute(
        hidden.store_health_against_police(t["istv_assaults"], t["police_street"])
    )
    months = queries.execute(queries.rows_by_month(t))
    return HiddenHarmFigures(
        by_group=by_group,
        lsoa_names=dict(zip(names["lsoa21cd"], names["lsoa21nm"], strict=True)),
        store_by_area=store,
        store_months=sorted(
            months.loc[months["source"].isin(["police_street", "istv_assaults"]), "month"].unique()
        ),
        sources_by_sex=queries.execute(hidden.people_by_source_and_sex(caseload)),
        since=since,
        today=today,
    )


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


def alert_measures(*, actor: Staff) -> list[AlertMeasure]:
    """What the monthly check watches and how, for anyone who reads the store."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    from harbour.insight.alerts import measures  # alerts reads the store through this module

    return measures()


def alert_measure(*, actor: Staff, series: str) -> AlertMeasure:
    found = next((m for m in alert_measures(actor=actor) if m.series == series), None)
    if found is None:
        raise policy.NotFound(series)
    return found


def alert_leaders() -> list[Staff]:
    """Who a measure may name to be told of its alerts (``policy.alert_leaders``)."""
    return list(
        policy.alert_leaders(Staff.objects.select_related("agency")).order_by(
            "last_name", "first_name", "pk"
        )
    )


def latest_alert_check(*, actor: Staff) -> AlertCheck | None:
    """When the check last ran, and what it looked at."""
    policy.require_capability(actor, policy.Action.INSIGHT_VIEW)
    return AlertCheck.objects.order_by("-ran_at").first()
