"""Reads for access: the break-glass review queue and the audit trail. "Who has viewed this record"
is in ``harbour.pages.selectors``: it reads a child, and this app sits below the children app."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import BreakGlassGrant
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
