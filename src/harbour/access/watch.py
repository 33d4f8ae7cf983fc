"""Suspicious-access rules over the audit stream (issue 16 part 4, ADR 0041), run by
``harbour audit watch`` from a timer. Each rule reads the events in which staff saw a child's
data and raises an ``AccessAlert`` for the data protection officer with the events behind it:

* **many children in an hour**: one person opening the records of at least N different children
  within any 60 minutes;
* **out of hours**: one person opening at least M different children's records in one night
  (from the evening to the morning, local time) or one weekend day;
* **not on the caseload**: a record opened with no working relationship (theirs or their
  agency's) on record that day and no break-glass grant open at that moment, checked against the
  relationships on record rather than trusting the event's own basis;
* **a declared connection**: a child matching an entry in the register of declared connections
  (same name and date of birth) seen in any way by the member of staff who declared it.

The first three count records *opened* (a record, its chronology, an edit…): a list, a search
result or a home page shows a row per child and records an event per child, and counting those
would raise an alert each time a front door practitioner opens their queue. The fourth counts
every event, lists included: seeing one's own relative at all is the conflict.

Thresholds are settings (``HARBOUR_AUDIT_WATCH``). Every run reads ``look_back_hours`` of the
stream and is idempotent: an alert has a key, and a run that finds it again extends it (the hour
rule, as a burst goes on) or leaves it be. The alerts state what happened; the DPO decides."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import (
    AccessAlert,
    AccessAlertRule,
    AuditEvent,
    DeclaredConnection,
    WorkingRelationship,
)
from harbour.partnership.models import Agency, Staff

VIEW_EVENTS = ("child.viewed", "referral.viewed")
# Sections that show a row per child of a list the page put in front of the viewer.
LIST_SECTIONS = frozenset(
    {
        "home_list",
        "attention_list",
        "search_result",
        "sibling_candidates",
        "front_door_candidates",
        "family_of_another_child",
        "associate_of_another_child",
        "needs_list",
        "flags_list",
    }
)
MAX_EVENTS_KEPT = 500
SYSTEM_ACTOR = "audit-watch"


@dataclass(frozen=True)
class View:
    sequence: int
    at: dt.datetime
    actor_id: int
    agency: str
    child_id: uuid.UUID
    section: str
    basis: str

    @property
    def opened(self) -> bool:
        return self.section not in LIST_SECTIONS

    def fact(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "at": self.at.isoformat(timespec="seconds"),
            "section": self.section,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str
    actor_id: int
    views: tuple[View, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    # The hour rule's bursts grow: a later run adds to the alert instead of making another.
    extend_within: dt.timedelta | None = None


@dataclass
class WatchResult:
    raised: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    extended: int = 0
    views_read: int = 0

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def thresholds() -> dict[str, Any]:
    return dict(settings.HARBOUR_AUDIT_WATCH)


def read_views(*, since: dt.datetime, until: dt.datetime) -> list[View]:
    rows = (
        AuditEvent.objects.filter(
            event__in=VIEW_EVENTS,
            outcome="allowed",
            actor_id__isnull=False,
            child_id__isnull=False,
            occurred_at__gte=since,
            occurred_at__lte=until,
        )
        .order_by("sequence")
        .values_list(
            "sequence", "occurred_at", "actor_id", "actor_agency", "child_id", "section", "basis"
        )
    )
    return [
        View(sequence, at, actor_id, agency, child_id, section, basis)
        for sequence, at, actor_id, agency, child_id, section, basis in rows
        if actor_id is not None and child_id is not None  # filtered above; for the types
    ]


def _children(views: Iterable[View]) -> int:
    return len({v.child_id for v in views})


def many_children_in_an_hour(views: list[View], limit: int) -> list[Finding]:
    """Every moment at which one person had opened ``limit`` or more different children in the
    hour up to it, as bursts: one finding per burst, keyed by the burst's first event."""
    findings: list[Finding] = []
    hour = dt.timedelta(hours=1)
    by_actor: dict[int, list[View]] = defaultdict(list)
    for view in views:
        if view.opened:
            by_actor[view.actor_id].append(view)
    for actor_id, mine in by_actor.items():
        burst: list[View] = []
        start = 0
        for end, view in enumerate(mine):
            while mine[start].at < view.at - hour:
                start += 1
            window = mine[start : end + 1]
            if _children(window) < limit:
                continue
            if burst and window[0].at <= burst[-1].at:
                burst.extend(v for v in window if v.sequence > burst[-1].sequence)
            else:
                if burst:
                    findings.append(_burst(actor_id, burst, limit))
                burst = list(window)
        if burst:
            findings.append(_burst(actor_id, burst, limit))
    return findings


def _burst(actor_id: int, burst: list[View], limit: int) -> Finding:
    return Finding(
        AccessAlertRule.MANY_CHILDREN,
        f"{AccessAlertRule.MANY_CHILDREN}:{actor_id}",
        actor_id,
        tuple(burst),
        {"threshold": limit, "window_minutes": 60},
        extend_within=dt.timedelta(hours=1),
    )


def out_of_hours_period(at: dt.datetime, limits: dict[str, Any]) -> str:
    """'night of 2026-12-07', 'weekend day 2026-12-05', or '' in working hours (local time)."""
    local = timezone.localtime(at)
    if local.hour >= limits["evening_starts"]:
        return f"night of {local.date().isoformat()}"
    if local.hour < limits["morning_ends"]:
        return f"night of {(local.date() - dt.timedelta(days=1)).isoformat()}"
    if limits["weekends_out_of_hours"] and local.weekday() >= 5:
        return f"weekend day {local.date().isoformat()}"
    return ""


def out_of_hours(views: list[View], limits: dict[str, Any]) -> list[Finding]:
    limit = limits["out_of_hours_children"]
    groups: dict[tuple[int, str], list[View]] = defaultdict(list)
    for view in views:
        if not view.opened:
            continue
        period = out_of_hours_period(view.at, limits)
        if period:
            groups[(view.actor_id, period)].append(view)
    return [
        Finding(
            AccessAlertRule.OUT_OF_HOURS,
            f"{AccessAlertRule.OUT_OF_HOURS}:{actor_id}:{period}",
            actor_id,
            tuple(group),
            {
                "threshold": limit,
                "period": period,
                "hours": f"{limits['evening_starts']:02d}:00 to {limits['morning_ends']:02d}:00",
            },
        )
        for (actor_id, period), group in groups.items()
        if _children(group) >= limit
    ]


def not_on_caseload(views: list[View]) -> list[Finding]:
    """Records opened with nothing on record to reach them: asked of the policy per person and
    day in one query each, whatever the number of events."""
    opened = [v for v in views if v.opened and not policy.role_basis(v.basis)]
    agencies = dict(
        Agency.objects.filter(code__in={v.agency for v in opened}).values_list("code", "pk")
    )
    groups: dict[tuple[int, dt.date, str], list[View]] = defaultdict(list)
    for view in opened:
        groups[(view.actor_id, timezone.localtime(view.at).date(), view.agency)].append(view)
    findings: list[Finding] = []
    for (actor_id, day, _agency), group in groups.items():
        unexplained: dict[uuid.UUID, list[View]] = defaultdict(list)
        # The agency the event recorded (staff can move agencies; the event says which then).
        reached = policy.on_caseload(
            actor_id, agencies.get(group[0].agency), day, [(v.child_id, v.at) for v in group]
        )
        for view, ok in zip(group, reached, strict=True):
            if not ok:
                unexplained[view.child_id].append(view)
        for child_id, child_views in unexplained.items():
            findings.append(
                Finding(
                    AccessAlertRule.NOT_ON_CASELOAD,
                    f"{AccessAlertRule.NOT_ON_CASELOAD}:{actor_id}:{child_id}:{day.isoformat()}",
                    actor_id,
                    tuple(child_views),
                    {
                        "day": day.isoformat(),
                        "bases_recorded": sorted({v.basis for v in child_views}),
                    },
                )
            )
    return findings


def _child_model() -> Any:
    """The child model, through a working relationship's foreign key: in this app only the
    models import the children app's (the layers, ADR 0020), and a child is typed as Any."""
    return WorkingRelationship._meta.get_field("child").related_model


def declared_connections(views: list[View], *, on: dt.date) -> list[Finding]:
    """Children matching an entry in the register (same name, ignoring case, and date of birth)
    seen by the member of staff who declared the connection."""
    entries = DeclaredConnection.objects.filter(staff_id__in={v.actor_id for v in views}).exclude(
        ended_on__lt=on
    )
    by_staff: dict[int, dict[uuid.UUID, DeclaredConnection]] = defaultdict(dict)
    for entry in entries:
        matches = (
            _child_model()
            .objects.annotate(given_lower=Lower("given_name"), family_lower=Lower("family_name"))
            .filter(
                given_lower=entry.given_name.strip().lower(),
                family_lower=entry.family_name.strip().lower(),
                date_of_birth=entry.date_of_birth,
            )
            .values_list("pk", flat=True)
        )
        for child_id in matches:
            by_staff[entry.staff_id][child_id] = entry
    groups: dict[tuple[int, uuid.UUID, dt.date], list[View]] = defaultdict(list)
    for view in views:
        if view.child_id in by_staff.get(view.actor_id, {}):
            groups[(view.actor_id, view.child_id, timezone.localtime(view.at).date())].append(view)
    findings = []
    for (actor_id, child_id, day), group in groups.items():
        entry = by_staff[actor_id][child_id]
        findings.append(
            Finding(
                AccessAlertRule.DECLARED_CONNECTION,
                f"{AccessAlertRule.DECLARED_CONNECTION}:{actor_id}:{child_id}:{day.isoformat()}",
                actor_id,
                tuple(group),
                {
                    "day": day.isoformat(),
                    "connection": entry.connection,
                    "declared_on": timezone.localtime(entry.declared_at).date().isoformat(),
                },
            )
        )
    return findings


def find(*, now: dt.datetime | None = None) -> list[Finding]:
    """Every rule over the look-back window; nothing written."""
    now = now or timezone.now()
    limits = thresholds()
    views = read_views(since=now - dt.timedelta(hours=limits["look_back_hours"]), until=now)
    return [
        *many_children_in_an_hour(views, limits["many_children_per_hour"]),
        *out_of_hours(views, limits),
        *not_on_caseload(views),
        *declared_connections(views, on=timezone.localtime(now).date()),
    ]


def watch(*, now: dt.datetime | None = None) -> WatchResult:
    """Run every rule and keep what they find as alerts in the DPO's queue, each new one
    recorded in the audit trail too."""
    result = WatchResult()
    for finding in find(now=now):
        with transaction.atomic():
            if _keep(finding, result):
                result.raised[finding.rule] += 1
    return result


def _keep(finding: Finding, result: WatchResult) -> bool:
    views = finding.views
    sequences = [v.sequence for v in views]
    if finding.extend_within is not None:
        # The same person's burst, found again or gone on: the open alert grows with it.
        current = (
            AccessAlert.objects.select_for_update()
            .filter(
                rule=finding.rule,
                staff_id=finding.actor_id,
                last_seen__gte=views[0].at - finding.extend_within,
            )
            .order_by("-last_seen")
            .first()
        )
        if current is not None:
            known = set(current.sequences)
            added = [v for v in views if v.sequence not in known]
            if added:
                facts = dict(current.facts)
                facts["events"] = (facts.get("events", []) + [v.fact() for v in added])[
                    :MAX_EVENTS_KEPT
                ]
                current.sequences = sorted(known | {v.sequence for v in added})
                facts["children_ids"] = sorted(
                    set(facts.get("children_ids", [])) | {str(v.child_id) for v in added}
                )
                current.children = len(facts["children_ids"])
                current.facts = facts
                current.last_seen = max(current.last_seen, views[-1].at)
                current.save()
                result.extended += 1
            return False
        key = f"{finding.key}:{sequences[0]}"
    else:
        key = finding.key
        if AccessAlert.objects.filter(key=key).exists():
            return False
    facts = {
        **finding.facts,
        "events": [v.fact() for v in views][:MAX_EVENTS_KEPT],
        "children_ids": sorted({str(v.child_id) for v in views}),
    }
    staff = Staff.objects.filter(pk=finding.actor_id).first()
    if staff is None:
        return False
    alert = AccessAlert.objects.create(
        rule=finding.rule,
        key=key[:200],
        staff=staff,
        first_seen=views[0].at,
        last_seen=views[-1].at,
        children=_children(views),
        sequences=sequences,
        facts=facts,
    )
    audit_record(
        actor=None,
        system_actor=SYSTEM_ACTOR,
        event="audit.access_alert_raised",
        subject=alert,
        purpose="audit",
        detail={"rule": finding.rule, "events": len(views)},
    )
    return True
