"""Reads for access: the break-glass review queue and the audit trail. "Who has viewed this record"
is in ``harbour.pages.selectors``: it reads a child, and this app sits below the children app."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import AccessAlert, BreakGlassGrant
from harbour.access.presenters import SECTION_LABELS
from harbour.partnership.models import Agency, Staff
from harbour.web import lists


def break_glass_queue(
    *,
    actor: Staff,
    reviewed: bool = False,
    agency: Agency | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[BreakGlassGrant]:
    """Break-glass accesses awaiting (or having had) the data protection officer's review, by
    staff of the agency and opened between the dates if asked. Lists staff, reasons and dates;
    the child is named on the review page, which is audited."""
    if not policy.can(actor, policy.Action.BREAK_GLASS_REVIEW):
        return BreakGlassGrant.objects.none()
    grants = BreakGlassGrant.objects.filter(reviewed_at__isnull=not reviewed)
    if agency is not None:
        grants = grants.filter(staff__agency=agency)
    grants = lists.filter_dates(grants, "granted_at", date_from, date_to)
    return grants.select_related("staff", "staff__agency", "reviewed_by").order_by(
        "granted_at" if not reviewed else "-reviewed_at"
    )


def break_glass_for_review(*, actor: Staff, grant_id: uuid.UUID) -> BreakGlassGrant:
    policy.require_capability(actor, policy.Action.BREAK_GLASS_REVIEW)
    grant = (
        BreakGlassGrant.objects.select_related("child", "staff", "staff__agency")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None:
        raise policy.NotFound(grant_id)
    audit_record(
        actor=actor,
        event="child.viewed",
        child=grant.child,
        section="break_glass_review",
        purpose="audit",
        basis="role:data_protection_officer",
        subject=grant,
    )
    return grant


def access_alerts(*, actor: Staff, looked_at: bool = False) -> QuerySet[AccessAlert]:
    """The suspicious-access alerts ``harbour audit watch`` raised (ADR 0041), waiting (oldest
    first) or looked at (newest first): staff, rule, times and counts, never a child's name."""
    if not policy.can(actor, policy.Action.ACCESS_ALERTS_REVIEW):
        return AccessAlert.objects.none()
    alerts = AccessAlert.objects.filter(looked_at__isnull=not looked_at).select_related(
        "staff", "staff__agency", "looked_at_by"
    )
    return alerts.order_by("-looked_at" if looked_at else "first_seen")


@dataclass(frozen=True)
class AlertEvent:
    sequence: int
    at: dt.datetime
    section: str
    basis: str


def access_alert(*, actor: Staff, alert_id: int) -> tuple[AccessAlert, list[AlertEvent]]:
    """One alert and the events behind it (their sequence, time, what was shown and on what
    basis): each links to the trail filtered to that event's child, which names no child."""
    policy.require_capability(actor, policy.Action.ACCESS_ALERTS_REVIEW)
    alert = AccessAlert.objects.select_related("staff", "staff__agency").filter(pk=alert_id).first()
    if alert is None:
        raise policy.NotFound(alert_id)
    events = [
        AlertEvent(
            int(e["sequence"]),
            timezone.localtime(dt.datetime.fromisoformat(e["at"])),
            SECTION_LABELS.get(e["section"], e["section"].replace("_", " ")),
            e["basis"].replace("_", " ").replace(":", ": "),
        )
        for e in alert.facts.get("events", [])
    ]
    return alert, events
