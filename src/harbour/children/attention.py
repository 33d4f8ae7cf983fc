"""Children who need someone to look again: approaching 18 without a transition plan, education
that has gone on too long part-time or away from school, and long waits for assessment.

Casework roles see the named children they may see (each audited). Leaders see counts for the
partnership, never names, with small numbers suppressed."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.paginator import Page
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.codes import AssessmentKind, AssessmentStatus, EducationStatus
from harbour.children.models import (
    Assessment,
    Child,
    EducationEpisode,
    EducationLimit,
    Plan,
    TransitionPlan,
)
from harbour.children.sections import SECTION_CATEGORY
from harbour.partnership.models import AgencyType, Staff
from harbour.web import lists, published

LONG_WAIT_DAYS = 547  # eighteen months
MAX_LISTED = 2000  # a bound on each reason's query; the page shows 25 at a time (ADR 0031)
# The reasons a child is on the list, for its filter.
REASONS = {
    "transition": "Turns 18 within a year with no transition plan",
    "plan_review": "A plan's review is overdue",
    "education": "Out of school or on a reduced timetable past the limit",
    "assessment": "Waited more than 18 months for an assessment",
}


def eighteenth_birthday_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Dates of birth of children who turn 18 within the next 12 months."""
    return (lists.years_before(today, 18) + dt.timedelta(days=1), lists.years_before(today, 17))


class CohortCondition(Protocol):
    """A condition on a child (``OuterRef("pk")`` is the child) that puts them in the serious
    youth violence cohort, from an app above this one (the person index's events of harm)."""

    def __call__(self, today: dt.date) -> Q: ...


# In the order they were registered.
_cohort_conditions: list[CohortCondition] = []


def count_in_cohort(condition: CohortCondition) -> None:
    """Count the children ``condition`` finds in the serious youth violence cohort too (the apps
    that know them register when Django starts: this app sits below them, ADR 0020). Registering
    twice adds once."""
    if condition not in _cohort_conditions:
        _cohort_conditions.append(condition)


def syv_cohort(children: QuerySet[Child], *, today: dt.date | None = None) -> QuerySet[Child]:
    """Children in serious youth violence work: known to the police or youth justice, with a
    referral open, or with a person working with them (lead practitioner, team, panel); and
    children known to **any** agency for serious violence harm, whoever saw it (the conditions
    registered with ``count_in_cohort``: the person index counts an emergency department
    attendance or ambulance call-out for an assault, a police incident as victim or suspect, a
    youth justice contact, a school's exclusion for an assault or a weapon; ADR 0036)."""
    work = (
        WorkingRelationship.objects.current()
        .filter(child=OuterRef("pk"))
        .filter(
            Q(agency__agency_type__in=[AgencyType.POLICE, AgencyType.YOUTH_JUSTICE])
            | Q(
                kind__in=[
                    RelationshipKind.OPEN_REFERRAL,
                    RelationshipKind.LEAD_PRACTITIONER,
                    RelationshipKind.TEAM_AROUND_CHILD,
                    RelationshipKind.PANEL_MEMBERSHIP,
                ]
            )
        )
    )
    on = today or timezone.localdate()
    known = Q(Exists(work))
    for condition in _cohort_conditions:
        known |= condition(on)
    return children.filter(known)


def _over_limit(today: dt.date) -> Q:
    clauses = Q(pk__in=[])
    for status, max_days in EducationLimit.objects.values_list("status", "max_days"):
        clauses |= Q(status=status, start_date__lt=today - dt.timedelta(days=max_days))
    return clauses


@dataclass
class AttentionItem:
    child: Child
    reasons: list[str] = field(default_factory=list)


def attention_items(*, actor: Staff, reason: str = "", age: str = "") -> list[AttentionItem]:
    """The named children this person or their agency works with who need someone to look
    again (for one reason and of one age band, if asked), in name order; not yet audited. A
    reason comes only from an entry the person may see (``policy.record_entry_shown``: their own
    agency's, or shared with it by an agreement), so none tells them what another agency keeps
    from them."""
    policy.require_capability(actor, policy.Action.CHILD_VIEW)
    today = timezone.localdate()
    visible = lists.filter_age_band(
        policy.children_worked_with(actor, Child.objects.all()), age, "date_of_birth"
    )
    sharing = policy.entry_sharing(actor)

    def shown(entry: Any, category: str) -> bool:
        agency_id = entry.recorded_by_agency_id or entry.child.recorded_by_id
        return policy.record_entry_shown(sharing, agency_id, category)

    items: dict[Any, AttentionItem] = {}

    def note(child: Child, reason: str) -> None:
        items.setdefault(child.pk, AttentionItem(child)).reasons.append(reason)

    def wanted(kind: str) -> bool:
        return reason in ("", kind)

    low, high = eighteenth_birthday_window(today)
    no_plan = visible.filter(date_of_birth__range=(low, high)).exclude(
        Exists(TransitionPlan.objects.filter(child=OuterRef("pk")))
    )
    for child in no_plan.order_by("date_of_birth")[: MAX_LISTED if wanted("transition") else 0]:
        note(child, "Turns 18 within a year with no transition plan")
    for plan in (
        Plan.objects.filter(child__in=visible, closed_on__isnull=True, review_due__lt=today)
        .select_related("child")
        .order_by("review_due")[: MAX_LISTED if wanted("plan_review") else 0]
    ):
        if shown(plan, SECTION_CATEGORY["plans"]):
            note(
                plan.child,
                f"{plan.get_plan_type_display()} review overdue since {plan.review_due:%-d %B %Y}",
            )
    for episode in (
        EducationEpisode.objects.filter(child__in=visible, end_date__isnull=True)
        .filter(_over_limit(today))
        .select_related("child")[: MAX_LISTED if wanted("education") else 0]
    ):
        if not shown(episode, SECTION_CATEGORY["education"]):
            continue
        weeks = (today - episode.start_date).days // 7
        note(episode.child, f"{episode.get_status_display()} for {weeks} weeks")
    for assessment in (
        Assessment.objects.filter(
            child__in=visible,
            status=AssessmentStatus.WAITING,
            referred_on__lt=today - dt.timedelta(days=LONG_WAIT_DAYS),
        )
        .select_related("child")
        .order_by("referred_on")[: MAX_LISTED if wanted("assessment") else 0]
    ):
        if not shown(assessment, SECTION_CATEGORY["needs"]):
            continue
        months = (today - assessment.referred_on).days * 12 // 365
        note(assessment.child, f"Waiting {months} months for {assessment.get_kind_display()}")
    return sorted(
        items.values(), key=lambda i: (i.child.family_name, i.child.given_name, i.child.pk)
    )


def _audit_listed(actor: Staff, listed: list[AttentionItem]) -> None:
    """Each child shown is an access event; children on other pages are not shown."""
    purpose = policy.purpose_for(actor)
    bases = policy.relationship_bases(actor, [item.child.pk for item in listed])
    for item in listed:
        audit_record(
            actor=actor,
            event="child.viewed",
            child=item.child,
            section="attention_list",
            purpose=purpose,
            basis=bases[item.child.pk],
        )


def attention_for_caseworker(*, actor: Staff) -> list[AttentionItem]:
    """Every child on the list, each audited as shown."""
    listed = attention_items(actor=actor)
    _audit_listed(actor, listed)
    return listed


def attention_page(*, actor: Staff, reason: str = "", age: str = "", page: Any = 1) -> Page:
    """One page of the list that the filters select, only its children audited as shown."""
    shown = lists.paginate(attention_items(actor=actor, reason=reason, age=age), page)
    _audit_listed(actor, list(shown))
    return shown


@dataclass(frozen=True)
class Count:
    label: str
    value: int

    @property
    def shown(self) -> str:
        """Counts of 1 to 4 could identify a child: they are shown as ``[c]``
        (``harbour.disclosure``, at the partnership's threshold)."""
        return str(published.count(self.value))


@dataclass(frozen=True)
class WaitRow:
    kind: str
    waiting: Count
    median_months: str
    over_two_years: Count


@dataclass(frozen=True)
class CohortReport:
    cohort_size: Count
    approaching_18: Count
    approaching_18_without_plan: Count
    education: list[Count]
    education_alerts: Count
    waits: list[WaitRow]


def cohort_report(*, actor: Staff) -> CohortReport:
    """Counts for leaders about children in serious youth violence work. No names, no ids."""
    policy.require_capability(actor, policy.Action.COHORT_REPORT_VIEW)
    today = timezone.localdate()
    cohort = syv_cohort(Child.objects.all())
    low, high = eighteenth_birthday_window(today)
    approaching = cohort.filter(date_of_birth__range=(low, high))
    without_plan = approaching.exclude(Exists(TransitionPlan.objects.filter(child=OuterRef("pk"))))
    current = EducationEpisode.objects.filter(child__in=cohort, end_date__isnull=True)
    by_status = dict(
        (status, current.filter(status=status).values("child").distinct().count())
        for status in EducationStatus.values
    )
    alerts = current.filter(_over_limit(today)).values("child").distinct().count()
    waits = []
    for kind in AssessmentKind:
        pending = Assessment.objects.filter(
            child__in=cohort, kind=kind, status=AssessmentStatus.WAITING
        ).values_list("referred_on", flat=True)
        days = [(today - referred).days for referred in pending]
        median = statistics.median(days) if len(days) >= published.threshold() else None
        waits.append(
            WaitRow(
                kind.label,
                Count(kind.label, len(days)),
                f"{median * 12 / 365:.0f}" if median is not None else "–",
                Count(kind.label, sum(1 for d in days if d > 730)),
            )
        )
    return CohortReport(
        cohort_size=Count("Children in serious youth violence work", cohort.count()),
        approaching_18=Count("Turn 18 within a year", approaching.count()),
        approaching_18_without_plan=Count("… with no transition plan", without_plan.count()),
        education=[Count(EducationStatus(s).label, n) for s, n in by_status.items()],
        education_alerts=Count("Beyond the partnership's limit", alerts),
        waits=waits,
    )
