"""Writes for access: working relationships, break-glass grants and their review. A child is
typed as the policy types it, ``Any``: this app sits below the children app (ADR 0020)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import (
    BreakGlassGrant,
    RelationshipKind,
    ReviewOutcome,
    WorkingRelationship,
)
from harbour.partnership.models import Agency

MIN_BREAK_GLASS_REASON = 20
REASON_TOO_SHORT = (
    f"Explain why you need this record now, in at least {MIN_BREAK_GLASS_REASON} characters"
)


@transaction.atomic
def working_relationship_start(
    *,
    child: Any,
    kind: RelationshipKind,
    staff: Any = None,
    agency: Agency | None = None,
    started_on: dt.date | None = None,
    note: str = "",
    actor: Any = None,
    system_actor: str = "",
) -> WorkingRelationship:
    relationship = WorkingRelationship(
        child=child,
        kind=kind,
        staff=staff,
        agency=agency,
        note=note,
        started_on=started_on or timezone.localdate(),
    )
    relationship.full_clean()
    relationship.save()
    audit_record(
        actor=actor,
        system_actor=system_actor,
        event="relationship.started",
        child=child,
        subject=relationship,
        detail={"kind": str(kind)},
    )
    return relationship


@transaction.atomic
def break_glass_grant(*, actor: Any, child: Any, reason: str) -> BreakGlassGrant:
    reason = reason.strip()
    if len(reason) < MIN_BREAK_GLASS_REASON:
        raise ValidationError({"reason": REASON_TOO_SHORT})
    purpose = policy.purpose_for(actor)
    decision = policy.decide_child(actor, policy.Action.CHILD_BREAK_GLASS, child, purpose)
    if not decision.allowed:
        raise ValidationError("You already have access to this record")
    grant = BreakGlassGrant.objects.create(
        child=child,
        staff=actor,
        reason=reason,
        expires_at=timezone.now() + dt.timedelta(hours=settings.HARBOUR_BREAK_GLASS_HOURS),
    )
    audit_record(
        actor=actor,
        event="child.break_glass",
        child=child,
        purpose=purpose,
        basis="break_glass",
        subject=grant,
        detail={"reason": reason},
    )
    return grant


@transaction.atomic
def break_glass_review(
    *, actor: Any, grant: BreakGlassGrant, outcome: str, note: str
) -> BreakGlassGrant:
    policy.require_capability(actor, policy.Action.BREAK_GLASS_REVIEW)
    if grant.reviewed_at is not None:
        raise ValidationError("This access has already been reviewed")
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": "Select whether the access was justified"})
    if outcome == ReviewOutcome.NOT_JUSTIFIED and not note.strip():
        raise ValidationError({"note": "Say what happens next when the access was not justified"})
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = actor
    grant.review_outcome = outcome
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note"])
    audit_record(
        actor=actor,
        event="break_glass.reviewed",
        child_id=grant.child_id,
        purpose="audit",
        subject=grant,
        detail={"outcome": outcome},
    )
    return grant


@transaction.atomic
def working_relationship_end(
    *, relationship: WorkingRelationship, actor: Any = None, system_actor: str = ""
) -> WorkingRelationship:
    """End a working relationship today. It is kept, never deleted (the audit trail and the
    record's history still show it), and — as ``ended_on`` is inclusive — it lasts to the end of
    today."""
    relationship.ended_on = timezone.localdate()
    relationship.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        system_actor=system_actor,
        event="relationship.ended",
        child_id=relationship.child_id,
        subject=relationship,
        detail={"kind": str(relationship.kind)},
    )
    return relationship
