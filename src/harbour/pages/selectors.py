"""Reads for pages that bring several apps together. "Who has viewed this record" reads the
access app's audit log about a child of the children app: it lives here, above both (ADR 0020),
because the access app sits below the children app."""

from __future__ import annotations

import uuid

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import AuditEvent
from harbour.children.models import Child
from harbour.partnership.models import Staff


def child_access_log(
    *, actor: Staff, child_id: uuid.UUID
) -> tuple[Child, list[AuditEvent], policy.Decision]:
    """Who has viewed or changed this child's record. Raises ``policy.Forbidden``/``NotFound``."""
    policy.require_capability(actor, policy.Action.CHILD_ACCESS_LOG_VIEW)
    child = Child.objects.filter(pk=child_id).first()
    try:
        if child is None:
            raise policy.NotFound(child_id)
        decision = policy.decide_child(actor, policy.Action.CHILD_ACCESS_LOG_VIEW, child, "audit")
    except policy.NotFound:
        audit_record(
            actor=actor,
            event="child.access_denied",
            child_id=child.pk if child else None,
            purpose="audit",
            outcome="denied",
            detail={
                "action": str(policy.Action.CHILD_ACCESS_LOG_VIEW),
                "requested_id": str(child_id),
            },
        )
        raise
    events = list(AuditEvent.objects.filter(child_id=child.pk).order_by("-sequence")[:500])
    audit_record(
        actor=actor,
        event="child.viewed",
        child=child,
        section="access_log",
        purpose="audit",
        basis=decision.basis,
    )
    return child, events, decision
