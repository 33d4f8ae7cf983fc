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
    AccessAlert,
    BreakGlassGrant,
    DeclaredConnection,
    RelationshipKind,
    ReviewOutcome,
    WorkingRelationship,
)
from harbour.partnership.models import Agency, Staff

MIN_BREAK_GLASS_REASON = 20
REASON_TOO_SHORT = (
    f"Explain why you need this record now, in at least {MIN_BREAK_GLASS_REASON} characters"
)


@transaction.atomic
def working_relationship_start(
    *,
    child: Any,
    kind: RelationshipKind,
    staff: Staff | None = None,
    agency: Agency | None = None,
    started_on: dt.date | None = None,
    note: str = "",
    actor: Staff | None = None,
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
def break_glass_grant(*, actor: Staff, child: Any, reason: str) -> BreakGlassGrant:
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
    *, actor: Staff, grant: BreakGlassGrant, outcome: str, note: str
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
    *, relationship: WorkingRelationship, actor: Staff | None = None, system_actor: str = ""
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


# Signing in and out (issue 10, finding 7; ADR 0018) --------------------------------------------

# Failed sign-ins name what was typed as the username (never the password), cut to the length of
# a username so a long paste cannot fill the log.
USERNAME_TRIED_LENGTH = 150
FAILED_SIGN_IN_ACTOR = "sign-in form"


def sign_in_record(*, actor: Staff) -> None:
    """Record a sign-in. Called before the session starts: if the event cannot be written,
    ``AuditWriteError`` stops the sign-in (503) and nobody is signed in unrecorded."""
    audit_record(actor=actor, event="staff.signed_in", subject=actor)


def sign_in_failed_record(*, username: str) -> None:
    """Record a failed sign-in: the username tried, and the account if one has that username (a
    run of failures on one account is what the data protection officer looks for). No person is
    signed in, so the form is the actor; the password is never recorded."""
    tried = username.strip()[:USERNAME_TRIED_LENGTH]
    account = Staff.objects.filter(username__iexact=tried).first() if tried else None
    audit_record(
        actor=None,
        system_actor=FAILED_SIGN_IN_ACTOR,
        event="staff.sign_in_failed",
        outcome="denied",
        subject=account,
        detail={"username": tried, "account_exists": account is not None},
    )


def password_reset_record(*, staff: Staff) -> None:
    """Record a password changed through an emailed reset link (ADR 0042). Nobody is signed in:
    the link is the actor, and the account is the subject."""
    audit_record(
        actor=None,
        system_actor="password reset link",
        event="staff.password_reset",
        subject=staff,
        detail={"username": staff.username},
    )


def sign_out_record(*, actor: Staff) -> None:
    """Record a sign-out, before the session ends."""
    audit_record(actor=actor, event="staff.signed_out", subject=actor)


@transaction.atomic
def declare_connection(
    *,
    actor: Staff,
    staff: Staff,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    connection: str,
) -> DeclaredConnection:
    """Add to the register of declared connections (ADR 0041): a member of staff declaring their
    own, or the data protection officer recording one. Audited without the name."""
    if not policy.may_declare_connection(actor, staff):
        raise policy.Forbidden(policy.Action.ACCESS_ALERTS_REVIEW)
    if not given_name.strip() or not family_name.strip() or not connection.strip():
        raise ValidationError("Give the person's first and last names and the connection")
    if date_of_birth > timezone.localdate() or date_of_birth.year < 1900:
        raise ValidationError("Give a date of birth between 1900 and today")
    entry = DeclaredConnection.objects.create(
        staff=staff,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        connection=connection.strip(),
        declared_by=actor,
    )
    audit_record(
        actor=actor,
        event="audit.connection_declared",
        subject=entry,
        purpose="audit",
        detail={"staff": staff.get_username(), "connection": entry.connection},
    )
    return entry


@transaction.atomic
def access_alert_looked_at(*, actor: Staff, alert: AccessAlert, note: str) -> AccessAlert:
    """The DPO has looked at an alert and says what they found or did (their words; Harbour
    draws no conclusion)."""
    policy.require_capability(actor, policy.Action.ACCESS_ALERTS_REVIEW)
    if alert.looked_at is not None:
        raise ValidationError("This alert has already been looked at")
    if not note.strip():
        raise ValidationError("Say what you found or did")
    alert.looked_at = timezone.now()
    alert.looked_at_by = actor
    alert.note = note.strip()
    alert.save(update_fields=["looked_at", "looked_at_by", "note"])
    audit_record(
        actor=actor,
        event="audit.access_alert_looked_at",
        subject=alert,
        purpose="audit",
        detail={"rule": alert.rule},
    )
    return alert
