"""Reads for cumulative-harm flags and needs discrepancies, each through the policy and audited:
every child named on a list or page is an access event (views never query these models)."""

from __future__ import annotations

import uuid
from typing import Any

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children.models import Child
from harbour.identity.models import AlertStatus, FlagRule, HarmFlag, NeedsDiscrepancy

MAX_LIST = 500


def _audit_children(actor: Any, children: set[Any], section: str) -> None:
    for child_id in sorted(children, key=str):
        audit_record(
            actor=actor,
            event="child.viewed",
            child_id=child_id,
            section=section,
            purpose=policy.purpose_for(actor),
            basis="alerts_list",
        )


def needs_list(*, actor: Any) -> list[NeedsDiscrepancy]:
    """Open needs discrepancies for the children on the actor's list, newest first."""
    policy.require_capability(actor, policy.Action.CHILD_ALERTS_VIEW)
    children = policy.alert_children(actor, Child.objects.all())
    items = list(
        NeedsDiscrepancy.objects.filter(child__in=children, status=AlertStatus.OPEN)
        .select_related("child")
        .order_by("-raised_at", "pk")[:MAX_LIST]
    )
    _audit_children(actor, {i.child_id for i in items}, "needs_list")
    return items


def flags_list(*, actor: Any) -> list[HarmFlag]:
    """Open cumulative-harm flags for the children on the actor's list, newest first: the order
    they were raised, never a score."""
    policy.require_capability(actor, policy.Action.CHILD_ALERTS_VIEW)
    children = policy.alert_children(actor, Child.objects.all())
    items = list(
        HarmFlag.objects.filter(child__in=children, status=AlertStatus.OPEN)
        .select_related("child", "rule")
        .order_by("-raised_at", "-pk")[:MAX_LIST]
    )
    _audit_children(actor, {i.child_id for i in items}, "flags_list")
    return items


def child_for_alerts(*, actor: Any, child_id: uuid.UUID) -> tuple[Child, policy.Decision]:
    """The child whose flags or discrepancies the actor opens; a refusal is audited too."""
    policy.require_capability(actor, policy.Action.CHILD_ALERTS_VIEW)
    child = Child.objects.filter(pk=child_id).first()
    try:
        if child is None:
            raise policy.NotFound(child_id)
        return child, policy.decide_child_alerts(actor, child)
    except policy.NotFound:
        audit_record(
            actor=actor,
            event="child.access_denied",
            child_id=child.pk if child else None,
            purpose=policy.purpose_for(actor),
            outcome="denied",
            detail={"action": "child.alerts", "requested_id": str(child_id)},
        )
        raise


def _audit_child(actor: Any, child: Child, decision: policy.Decision, what: str) -> None:
    audit_record(
        actor=actor,
        event=f"identity.{what}.viewed",
        child=child,
        purpose=policy.purpose_for(actor),
        basis=decision.basis,
    )


def child_needs(*, actor: Any, child: Child, decision: policy.Decision) -> list[NeedsDiscrepancy]:
    _audit_child(actor, child, decision, "needs")
    return list(
        NeedsDiscrepancy.objects.filter(child=child)
        .select_related("acknowledged_by")
        .order_by("-raised_at", "pk")
    )


def child_flags(*, actor: Any, child: Child, decision: policy.Decision) -> list[HarmFlag]:
    _audit_child(actor, child, decision, "flags")
    return list(
        HarmFlag.objects.filter(child=child)
        .select_related("rule", "acknowledged_by")
        .order_by("-raised_at", "-pk")
    )


def flag_rules(*, actor: Any) -> list[FlagRule]:
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    return list(FlagRule.objects.order_by("code", "-version"))


def current_flag_rule(*, actor: Any, pk: int) -> FlagRule:
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    rule = FlagRule.objects.filter(pk=pk, is_current=True).first()
    if rule is None:
        raise policy.NotFound(pk)
    return rule
