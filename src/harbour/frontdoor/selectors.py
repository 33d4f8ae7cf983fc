"""Reads at the front door, each through the policy and audited: a referral names a child, so
every referral shown — in a list or on its own page — is an access event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children import record as child_records
from harbour.children.happening import HappeningNow, happening_now
from harbour.children.models import Child
from harbour.children.selectors import ChildSearch, child_search
from harbour.frontdoor import clocks, completeness
from harbour.frontdoor.codes import (
    MEETING_ROLE_AGENCY_TYPES,
    OPEN_STATUSES,
    REFERRAL_STEPS,
    Concern,
    MeetingRole,
    ServiceClock,
    Status,
    Urgency,
)
from harbour.frontdoor.models import (
    AuditedReferral,
    BankHoliday,
    CompletenessRule,
    DecisionState,
    Escalation,
    EscalationStage,
    Notification,
    Referral,
    ReferralAudit,
    ReferralDecision,
    ServiceLevel,
    StrategyMeeting,
)
from harbour.frontdoor.presenters import ClockPresenter, duration_in_words
from harbour.frontdoor.working_time import WorkingTime
from harbour.identity.matching import person_matches
from harbour.partnership import selectors as partnership_selectors
from harbour.partnership.models import Agency, Staff, ThresholdGuidance, ThresholdLevel
from harbour.web import lists

MAX_LIST = 200
QUEUE_PAGE_SIZE = 50  # a practitioner works down the queue a page at a time
APPROACHING = dt.timedelta(hours=4)  # "due soon" on the clock


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "referring_agency", "referring_team", "referrer", "child", "front_door", "rag_by"
    ).prefetch_related(
        Prefetch(
            "decisions",
            queryset=ReferralDecision.objects.select_related(
                "decided_by", "countersigned_by", "threshold"
            ),
        ),
        "escalations",
        Prefetch(
            "meetings",
            queryset=StrategyMeeting.objects.prefetch_related("agencies__agency"),
        ),
    )


def _audit_shown(actor: Staff, referral: Referral, *, section: str, basis: str) -> None:
    audit_record(
        actor=actor,
        event="referral.viewed",
        child_id=referral.child_id,
        section=section,
        purpose=policy.purpose_for(actor),
        basis=basis,
        subject=referral,
        detail={"reference": referral.reference or ""},
    )


def referral_for_actor(*, actor: Staff, referral_id: int, action: policy.Action) -> Referral:
    """One referral for an action, audited; a denied attempt is audited too and raises
    ``NotFound`` (or ``Forbidden`` when the role may never do this)."""
    policy.require_capability(actor, action)
    referral = _referrals().filter(pk=referral_id).first()
    try:
        if referral is None:
            raise policy.NotFound(referral_id)
        basis = policy.decide_referral(actor, action, referral)
    except policy.NotFound:
        audit_record(
            actor=actor,
            event="referral.access_denied",
            child_id=referral.child_id if referral else None,
            purpose=policy.purpose_for(actor),
            outcome="denied",
            detail={"action": str(action), "requested_id": str(referral_id)},
        )
        raise
    _audit_shown(actor, referral, section="referral", basis=basis)
    return referral


def current_decision(referral: Referral) -> ReferralDecision | None:
    """The decision that stands or waits; returned ones are history."""
    return referral.current_decision()


# Clock ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    step: str  # what is due next: "rating" or "decision"
    due_at: dt.datetime | None
    overdue: bool
    due_soon: bool
    kind: ClockPresenter | None = None  # which clock times the referral, and why

    @property
    def tag(self) -> tuple[str, str]:
        if self.overdue:
            return "Overdue", "govuk-tag--red"
        if self.due_soon:
            return "Due soon", "govuk-tag--orange"
        return "On time", "govuk-tag--green"


def clock_for(referral: Referral, now: dt.datetime) -> Clock:
    if not referral.rag:
        step, due = "rating", referral.rag_due_at
    else:
        step, due = "decision", referral.decision_due_at
    if referral.status == Status.DECIDED:
        step = "countersignature"
    overdue = due is not None and now > due
    soon = due is not None and not overdue and due - now <= APPROACHING
    return Clock(step, due, overdue, soon, ClockPresenter.of(referral))


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    clock: Clock
    decision: ReferralDecision | None


def sort_key(row: QueueRow) -> tuple[int, dt.datetime]:
    """The queue's order in Python (``_clock_ordered`` is the same in the database)."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    immediate = 0 if row.referral.urgency == Urgency.IMMEDIATE else 1
    return (immediate, row.clock.due_at or far)


def _clock_ordered(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """In the queue's order, by the database: immediate referrals first, then by what is due next
    (the rating, or once rated the decision; as ``clock_for``), the latest received first among
    equals. The database orders, so a page is the right page however many are open."""
    due = Case(When(rag="", then=F("rag_due_at")), default=F("decision_due_at"))
    immediate = Case(
        When(urgency=Urgency.IMMEDIATE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return referrals.annotate(queue_immediate=immediate, queue_due=due).order_by(
        "queue_immediate",
        F("queue_due").asc(nulls_last=True),
        F("received_at").desc(nulls_last=True),
        "-created_at",
        "-pk",
    )


def _open_at_front_door(actor: Staff) -> QuerySet[Referral]:
    return _clock_ordered(
        policy.front_door_referrals(actor, _referrals().filter(status__in=OPEN_STATUSES))
    )


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: Page[Referral]


# Age bands for the queue's filter: the same bands as every list of children.
AGE_BANDS = lists.AGE_BANDS


@dataclass(frozen=True)
class QueueFilters:
    agency: Agency | None = None
    urgency: str = ""
    rating: str = ""  # "none": not rated yet
    allocated: str = ""  # "mine" or "none"
    age: str = ""
    received_from: dt.date | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.agency, self.urgency, self.rating, self.allocated, self.age, self.received_from)
        )


def _filtered_queue(actor: Staff, filters: QueueFilters) -> QuerySet[Referral]:
    referrals = _open_at_front_door(actor)
    if filters.agency is not None:
        referrals = referrals.filter(referring_agency=filters.agency)
    if filters.urgency:
        referrals = referrals.filter(urgency=filters.urgency)
    if filters.rating == "none":
        referrals = referrals.filter(rag="")
    elif filters.rating:
        referrals = referrals.filter(rag=filters.rating)
    if filters.allocated == "mine":
        referrals = policy.allocated_to_actor(actor, referrals)
    elif filters.allocated == "none":
        referrals = referrals.filter(allocated_to__isnull=True)
    referrals = lists.filter_age_band(referrals, filters.age, "child_date_of_birth")
    if filters.received_from is not None:
        start = timezone.make_aware(dt.datetime.combine(filters.received_from, dt.time.min))
        referrals = referrals.filter(received_at__gte=start)
    return referrals


def front_door_queue_page(
    *, actor: Staff, page: Any = 1, filters: QueueFilters | None = None
) -> QueuePage:
    """One page of the open referrals at the actor's front door that the filters select, in the
    clock's order. Only the rows shown are audited as shown."""
    policy.require_capability(actor, policy.Action.FRONT_DOOR_TRIAGE)
    now = timezone.now()
    referrals = _filtered_queue(actor, filters or QueueFilters()).select_related("allocated_to")
    shown = Paginator(referrals, QUEUE_PAGE_SIZE).get_page(page)
    rows = [QueueRow(r, clock_for(r, now), current_decision(r)) for r in shown]
    for row in rows:
        _audit_shown(
            actor, row.referral, section="front_door_queue", basis=policy.REFERRAL_FRONT_DOOR
        )
    return QueuePage(rows, shown)


@dataclass(frozen=True)
class Workload:
    staff: Staff
    open: int
    past_due: int


def front_door_workload(*, actor: Staff) -> list[Workload]:
    """For a front-door manager: who at the front door holds how many open referrals, and how
    many of those are past the time to decide; and how many no one holds (``staff`` None is not
    used: the page counts those from the queue)."""
    if not policy.may_see_workload(actor):
        return []
    now = timezone.now()
    open_referrals = _open_at_front_door(actor).order_by()
    held = {
        row["allocated_to"]: row
        for row in open_referrals.filter(allocated_to__isnull=False)
        .values("allocated_to")
        .annotate(open=Count("pk"), past_due=Count("pk", filter=Q(decision_due_at__lt=now)))
    }
    people = policy.front_door_staff(actor, Staff.objects.all()).order_by("first_name", "last_name")
    return [
        Workload(
            person,
            held.get(person.pk, {}).get("open", 0),
            held.get(person.pk, {}).get("past_due", 0),
        )
        for person in people
    ]


def front_door_colleagues(*, actor: Staff) -> list[Staff]:
    """Whom a manager may allocate a referral to."""
    return partnership_selectors.front_door_colleagues(actor=actor)


def front_door_queue(*, actor: Staff, page: Any = 1) -> list[QueueRow]:
    """Open referrals at the actor's front door: immediate ones first, then by the clock (the
    first page unless another is asked for)."""
    return front_door_queue_page(actor=actor, page=page).rows


# Clock alerts (ADR 0019) ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockAlert:
    """An immediate referral not rated within its clock, as the banner on every page of its
    front door's staff names it: its reference and how late, never the child."""

    referral_id: int
    reference: str
    received_at: dt.datetime
    due_at: dt.datetime
    now: dt.datetime
    managers_told: bool

    @property
    def overdue_by(self) -> str:
        return duration_in_words(self.now - self.due_at)

    @property
    def allowed(self) -> str:
        return duration_in_words(self.due_at - self.received_at)


def _rating_overdue(referrals: QuerySet[Referral], now: dt.datetime) -> QuerySet[Referral]:
    """Immediate referrals not yet rated whose rating was due before ``now``: "past its clock"
    is strictly after the moment it was due."""
    return referrals.filter(
        service_clock=ServiceClock.IMMEDIATE,
        status=Status.RECEIVED,
        rag="",
        rag_due_at__lt=now,
    )


def clock_alerts(*, actor: Staff, now: dt.datetime | None = None) -> list[ClockAlert]:
    """The immediate referrals at the actor's front door not rated within their clock, the
    latest first, computed when the page is drawn (true the moment a clock passes, with no
    scheduler). Who sees them is the policy's (``clock_alert_referrals``). Only the reference
    and the times are read and shown — no child's details — so drawing the banner is not an
    access event; opening the referral is."""
    now = now or timezone.now()
    overdue = _rating_overdue(policy.clock_alert_referrals(actor, Referral.objects.all()), now)
    return [
        ClockAlert(
            referral_id=pk,
            reference=reference or "",
            received_at=received_at,
            due_at=due_at,
            now=now,
            managers_told=notified_at is not None,
        )
        for pk, reference, received_at, due_at, notified_at in overdue.order_by(
            "rag_due_at", "pk"
        ).values_list("pk", "reference", "received_at", "rag_due_at", "rating_overdue_notified_at")
        if received_at is not None and due_at is not None
    ]


@dataclass(frozen=True)
class Oversight:
    awaiting_countersign: list[QueueRow]
    against_the_clock: list[QueueRow]  # overdue or due soon
    escalations: list[Escalation]
    immediate_not_rated: list[QueueRow] = field(default_factory=list)  # past the clock


def oversight(*, actor: Staff) -> Oversight:
    """The manager's queue: decisions to countersign, referrals near or past the clock, and
    open escalations. The database picks them (the most pressing first), and only the rows in
    the lists are audited as shown."""
    policy.require_capability(actor, policy.Action.FRONT_DOOR_COUNTERSIGN)
    now = timezone.now()
    candidates = _open_at_front_door(actor).filter(
        Q(status=Status.DECIDED) | Q(queue_due__lte=now + APPROACHING)
    )[:MAX_LIST]
    rows = [QueueRow(r, clock_for(r, now), current_decision(r)) for r in candidates]
    awaiting = [
        r
        for r in rows
        if r.decision is not None and r.decision.state == DecisionState.AWAITING_COUNTERSIGN
    ]
    # The immediate referrals not rated in time, first on the page, whatever else is pressing
    # (and not listed again below it).
    late_immediate = [
        QueueRow(r, clock_for(r, now), current_decision(r))
        for r in _rating_overdue(_open_at_front_door(actor), now).order_by("rag_due_at", "pk")[
            :MAX_LIST
        ]
    ]
    late_ids = {row.referral.pk for row in late_immediate}
    against = [
        r for r in rows if (r.clock.overdue or r.clock.due_soon) and r.referral.pk not in late_ids
    ]
    listed = {id(row) for row in awaiting + against}
    for row in rows:
        if id(row) in listed:
            _audit_shown(
                actor, row.referral, section="oversight_queue", basis=policy.REFERRAL_FRONT_DOOR
            )
    for row in late_immediate:
        _audit_shown(
            actor, row.referral, section="oversight_clock_alerts", basis=policy.REFERRAL_FRONT_DOOR
        )
    escalations = list(
        policy.front_door_escalations(
            actor, Escalation.objects.filter(resolved_at__isnull=True)
        ).select_related("referral", "raised_by", "referral__referring_agency")
    )
    return Oversight(
        awaiting_countersign=awaiting,
        against_the_clock=against,
        escalations=escalations,
        immediate_not_rated=late_immediate,
    )


# The referrer's own referrals -------------------------------------------------------------------


def my_drafts(*, actor: Staff) -> list[Referral]:
    """The referrals the actor has started and not sent (a few at most), each audited."""
    policy.require_capability(actor, policy.Action.REFERRAL_MAKE)
    drafts = list(policy.own_referrals(actor, _referrals()).filter(status=Status.DRAFT))
    for referral in drafts:
        _audit_shown(actor, referral, section="my_referrals", basis=policy.REFERRAL_AUTHOR)
    return drafts


def my_sent_referrals(
    *,
    actor: Staff,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Referral]:
    """The referrals the actor has sent, newest first, filtered by status and the day they were
    sent. Not yet audited: the page audits the ones it shows (``my_referrals_shown``)."""
    policy.require_capability(actor, policy.Action.REFERRAL_MAKE)
    sent = policy.own_referrals(actor, _referrals()).exclude(status=Status.DRAFT)
    if status:
        sent = sent.filter(status=status)
    return lists.filter_dates(sent, "received_at", date_from, date_to).order_by(
        "-received_at", "-pk"
    )


def my_referrals_shown(*, actor: Staff, referrals: Iterable[Referral]) -> list[Referral]:
    """Audit each of the actor's own sent referrals a page shows (the referrer's basis)."""
    shown = list(referrals)
    for referral in shown:
        _audit_shown(actor, referral, section="my_referrals", basis="referral:referrer")
    return shown


@dataclass(frozen=True)
class Message:
    notification: Notification
    # The referral the message is about opens for its reader (their own, or their front
    # door's); audit findings sent to the rest of a referrer's team do not.
    may_open: bool


def my_messages(
    *,
    actor: Staff,
    shown: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Notification]:
    """The actor's messages, newest first: only the unread or the read ones (``shown``), made
    on or between two days. Not yet audited: ``messages_shown`` audits the ones a page shows."""
    items = policy.own_messages(actor, Notification.objects.all()).select_related("referral")
    if shown:
        items = items.filter(read_at__isnull=shown == "unread")
    return lists.filter_dates(items, "created_at", date_from, date_to)


def messages_shown(*, actor: Staff, notifications: Iterable[Notification]) -> list[Message]:
    """The messages a page shows. A message about a referral tells its reader about the child
    the referral is about (audit findings often name them), so each referral with a child is an
    access event, once however many messages."""
    messages: list[Message] = []
    audited: set[int] = set()
    for notification in notifications:
        referral = notification.referral
        basis = policy.referral_basis(actor, referral) if referral is not None else ""
        messages.append(Message(notification, may_open=bool(basis)))
        if referral is not None and referral.child_id is not None and referral.pk not in audited:
            audited.add(referral.pk)
            _audit_shown(
                actor,
                referral,
                section="notification",
                basis=basis or policy.NOTIFICATION_RECIPIENT,
            )
    return messages


def notifications(*, actor: Staff, unread_only: bool = False) -> list[Message]:
    """The actor's latest 50 messages (only the unread ones with ``unread_only``), audited."""
    items = my_messages(actor=actor, shown="unread" if unread_only else "")
    return messages_shown(actor=actor, notifications=items[:50])


def unread_count(*, actor: Staff) -> int:
    if not policy.is_active_actor(actor):
        return 0
    return policy.own_messages(actor, Notification.objects.filter(read_at__isnull=True)).count()


# Around a referral at the front door ------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """The child's history beside a referral at the front door."""

    record: child_records.ChildRecord | None
    earlier_referrals: list[Referral]  # at this front door in the last 12 months
    # What is happening now for the child, from the record's own decision (ADR 0023).
    happening: HappeningNow | None = None


def history(*, actor: Staff, referral: Referral) -> History:
    if referral.child_id is None:
        return History(None, [])
    result = child_records.child_record(actor=actor, child_id=referral.child_id)
    record = result if isinstance(result, child_records.ChildRecord) else None
    since = (referral.received_at or timezone.now()) - dt.timedelta(days=365)
    earlier = list(
        policy.referrals_visible(
            actor,
            _referrals()
            .filter(child_id=referral.child_id, received_at__gte=since)
            .exclude(pk=referral.pk)
            .exclude(status=Status.DRAFT),
        ).order_by("-received_at")
    )
    for other in earlier:
        _audit_shown(actor, other, section="earlier_referrals", basis=policy.REFERRAL_FRONT_DOOR)
    happening = (
        happening_now(actor=actor, child=record.child, decision=record.decision)
        if record is not None and record.decision is not None
        else None
    )
    return History(record, earlier, happening)


@dataclass(frozen=True)
class ChildCandidate:
    child: Child
    match_probability: float | None  # from the person index; None for a name search result
    reasons: tuple[str, ...] = ()

    @property
    def likelihood(self) -> str:
        """The probability in words a practitioner reads without rounding it up to certainty."""
        p = self.match_probability
        if p is None:
            return ""
        if p >= 0.995:
            return "more than 99% likely"
        if p < 0.01:
            return "less than 1% likely"
        return f"{round(p * 100)}% likely"


def child_candidates(*, actor: Staff, referral: Referral) -> list[ChildCandidate]:
    """Children who might be the one referred: first the person index's real-time matches on
    everything the referrer gave (name, date of birth, sex, postcode, NHS number), with their
    probability and why, then any more found by name and date of birth. Only children the actor
    may find are shown, and each one shown is audited."""
    name = referral.child_stated_name
    if not name and not referral.child_date_of_birth:
        return []
    purpose = policy.purpose_for(actor)
    shown: list[ChildCandidate] = []
    matches = person_matches(
        {
            "first_name": referral.child_given_name,
            "surname": referral.child_family_name,
            "dob": referral.child_date_of_birth,
            "sex": referral.child_sex,
            "postcode": referral.child_postcode,
            "nhs_number": referral.child_nhs_number,
        }
    )
    by_child = {m.person.child_id: m for m in matches if m.person.child_id is not None}
    findable = {
        c.pk: c
        for c in policy.findable_children(actor, Child.objects.filter(pk__in=by_child), purpose)
    }
    for child_id, match in by_child.items():
        child = findable.get(child_id)
        if child is None:
            continue
        shown.append(ChildCandidate(child, match.match_probability, tuple(match.reasons)))
        audit_record(
            actor=actor,
            event="child.viewed",
            child=child,
            section="front_door_candidates",
            purpose=purpose,
            basis="agreement",
            detail={"referral": referral.reference or "", "probability": match.match_probability},
        )
    results, _ = child_search(
        actor=actor,
        search=ChildSearch(name=name, date_of_birth=referral.child_date_of_birth),
    )
    if not results and referral.child_date_of_birth and name:
        # A misspelt name: fall back to the date of birth and the last name alone.
        results, _ = child_search(
            actor=actor,
            search=ChildSearch(
                name=referral.child_family_name, date_of_birth=referral.child_date_of_birth
            ),
        )
    known = {c.child.pk for c in shown}
    shown.extend(ChildCandidate(r.child, None) for r in results if r.child.pk not in known)
    return shown


def child_for_referral(*, actor: Staff, child_id: uuid.UUID) -> Child | None:
    """A child the actor may find (for choosing who a referral is about)."""
    purpose = policy.purpose_for(actor)
    return policy.findable_children(actor, Child.objects.filter(pk=child_id), purpose).first()


def decision_for_actor(*, actor: Staff, decision_id: int) -> ReferralDecision:
    decision = (
        ReferralDecision.objects.select_related(
            "referral__child",
            "referral__referring_agency",
            "referral__referring_team",
            "referral__rag_by",
            "decided_by",
            "threshold",
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise policy.NotFound(decision_id)
    referral_for_actor(
        actor=actor, referral_id=decision.referral_id, action=policy.Action.FRONT_DOOR_COUNTERSIGN
    )
    return decision


def escalation_for_actor(*, actor: Staff, escalation_id: int) -> Escalation:
    escalation = Escalation.objects.select_related("referral").filter(pk=escalation_id).first()
    if escalation is None:
        raise policy.NotFound(escalation_id)
    referral_for_actor(
        actor=actor,
        referral_id=escalation.referral_id,
        action=policy.Action.FRONT_DOOR_COUNTERSIGN,
    )
    return escalation


# The partnership's rules (no child data) --------------------------------------------------------


def thresholds() -> list[ThresholdGuidance]:
    """The current version of each level's threshold guidance."""
    today = timezone.localdate()
    current: dict[str, ThresholdGuidance] = {}
    for guidance in ThresholdGuidance.objects.filter(effective_from__lte=today).order_by(
        "-effective_from"
    ):
        current.setdefault(guidance.level, guidance)
    order = list(ThresholdLevel.values)
    return sorted(current.values(), key=lambda g: order.index(g.level))


def completeness_rules() -> list[tuple[CompletenessRule, completeness.Item]]:
    return [
        (rule, completeness.ITEMS_BY_KEY[rule.item])
        for rule in CompletenessRule.objects.all()
        if rule.item in completeness.ITEMS_BY_KEY
    ]


@dataclass(frozen=True)
class ClockLevels:
    """One clock's service levels for the rules page: the steps of a referral on it."""

    clock: str
    label: str
    description: str
    levels: list[ServiceLevel]


CLOCK_DESCRIPTIONS = {
    ServiceClock.IMMEDIATE: "The referrer says the child may be at risk of significant harm now. "
    "Counted in hours, through evenings, nights and weekends.",
    ServiceClock.OUT_OF_HOURS: "Received outside the front door's working hours, unless "
    "immediate or routine: the emergency duty team rates it. Counted in hours.",
    ServiceClock.TODAY: "The referrer asks the front door to look at it within 24 hours, or does "
    "not say how urgent it is.",
    ServiceClock.ROUTINE: "The referrer says it is routine: it may wait for the next working day.",
}
CLOCK_ORDER = (
    ServiceClock.IMMEDIATE,
    ServiceClock.OUT_OF_HOURS,
    ServiceClock.TODAY,
    ServiceClock.ROUTINE,
)


def service_levels() -> list[ServiceLevel]:
    """The levels with no clock: a strategy meeting's and a rapid response's."""
    return list(ServiceLevel.objects.filter(clock=""))


def clock_levels() -> list[ClockLevels]:
    """Each clock with its steps' levels, immediate first, steps in a referral's order."""
    by_key = clocks.service_levels()
    return [
        ClockLevels(
            clock=clock,
            label=ClockPresenter(clock, False, "", None).name,
            description=CLOCK_DESCRIPTIONS[clock],
            levels=[by_key[(step, clock)] for step in REFERRAL_STEPS if (step, clock) in by_key],
        )
        for clock in CLOCK_ORDER
    ]


def working_time() -> WorkingTime:
    return clocks.working_time()


def bank_holidays() -> list[BankHoliday]:
    return list(BankHoliday.objects.all())


def escalation_route() -> list[EscalationStage]:
    return list(EscalationStage.objects.all())


# Strategy meetings and audits --------------------------------------------------------------------


def meeting_for_actor(*, actor: Staff, meeting_id: int) -> StrategyMeeting:
    meeting = (
        StrategyMeeting.objects.select_related("referral", "convened_by", "recorded_by")
        .prefetch_related("agencies__agency", "actions__owner_agency")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise policy.NotFound(meeting_id)
    meeting.referral = referral_for_actor(
        actor=actor, referral_id=meeting.referral_id, action=policy.Action.FRONT_DOOR_TRIAGE
    )
    return meeting


def meeting_agency_choices() -> dict[str, list[Agency]]:
    agencies = list(Agency.objects.filter(is_active=True).order_by("name"))
    return {
        role: [a for a in agencies if a.agency_type in MEETING_ROLE_AGENCY_TYPES[role]]
        for role in MeetingRole
    }


@dataclass(frozen=True)
class AuditSummary:
    audit: ReferralAudit
    scored: int
    fed_back: int


def audits(*, actor: Staff) -> list[AuditSummary]:
    """The audit rounds at the actor's front door, with progress (no child is named)."""
    policy.require_capability(actor, policy.Action.REFERRAL_AUDIT)
    rounds = (
        policy.front_door_audits(actor, ReferralAudit.objects.all())
        .select_related("created_by")
        .annotate(
            scored=Count("cases", filter=Q(cases__audited_at__isnull=False)),
            fed_back=Count("cases", filter=Q(cases__fed_back_at__isnull=False)),
        )
    )
    return [AuditSummary(audit, audit.scored, audit.fed_back) for audit in rounds]


def audit_for_actor(*, actor: Staff, audit_id: int) -> tuple[ReferralAudit, list[AuditedReferral]]:
    policy.require_capability(actor, policy.Action.REFERRAL_AUDIT)
    audit = policy.front_door_audits(actor, ReferralAudit.objects.filter(pk=audit_id)).first()
    if audit is None:
        raise policy.NotFound(audit_id)
    cases = list(audit.cases.select_related("referral", "referral__referring_agency", "audited_by"))
    for case in cases:
        _audit_shown(
            actor, case.referral, section="referral_audit", basis=policy.REFERRAL_FRONT_DOOR
        )
    return audit, cases


def audit_case_for_actor(*, actor: Staff, case_id: int) -> AuditedReferral:
    case = AuditedReferral.objects.select_related("audit").filter(pk=case_id).first()
    if case is None:
        raise policy.NotFound(case_id)
    case.referral = referral_for_actor(
        actor=actor, referral_id=case.referral_id, action=policy.Action.REFERRAL_AUDIT
    )
    return case


def audit_findings_for_referrer(*, referral: Referral) -> list[AuditedReferral]:
    """Findings already fed back about this referral (shown to its referrer and front door)."""
    return list(referral.audits.filter(fed_back_at__isnull=False).select_related("audit"))


def referral_entries(child_id: uuid.UUID) -> list[tuple[dt.date, str, str, str, Agency]]:
    """The child's referrals, decisions and strategy meetings for the chronology, as (date,
    title, description, whom it names as its source, the agency whose record it is: the front
    door it was sent to). The chronology's own access decision and audit event cover them: they
    are part of who is involved with the child."""
    entries: list[tuple[dt.date, str, str, str, Agency]] = []
    concerns = dict(Concern.choices)
    for referral in _referrals().filter(child_id=child_id).exclude(status=Status.DRAFT):
        assert referral.received_at is not None
        named = ", ".join(concerns.get(c, c) for c in referral.concerns)
        entries.append(
            (
                timezone.localdate(referral.received_at),
                f"Referral {referral.reference} to the front door",
                f"{named}. {referral.reason}".strip(". "),
                referral.referring_agency.name,
                referral.front_door,
            )
        )
        decision = current_decision(referral)
        if decision is not None and decision.countersigned_at is not None:
            entries.append(
                (
                    timezone.localdate(decision.countersigned_at),
                    f"Decision on {referral.reference}: {decision.get_outcome_display()}",
                    decision.rationale,
                    referral.front_door.name,
                    referral.front_door,
                )
            )
        for meeting in referral.meetings.all():
            if meeting.held_at is not None:
                entries.append(
                    (
                        timezone.localdate(meeting.held_at),
                        "Strategy meeting held",
                        meeting.decisions,
                        referral.front_door.name,
                        referral.front_door,
                    )
                )
    return entries
