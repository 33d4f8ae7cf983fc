"""Reads for cumulative-harm flags and needs discrepancies, each through the policy and audited:
every child named on a list or page is an access event (views never query these models)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import QuerySet

from harbour.access import policy
from harbour.children.models import Child
from harbour.children.selectors import child_find_for_actor
from harbour.identity.audit import audit_children
from harbour.identity.models import AlertStatus, FlagRule, HarmFlag, NeedsDiscrepancy

MAX_LIST = 500
A = TypeVar("A", HarmFlag, NeedsDiscrepancy)


def _open_on_list(actor: Any, items: QuerySet[A], section: str) -> list[A]:
    """The open items of the children on the actor's list (newest first, at most ``MAX_LIST``),
    each child named an access event."""
    policy.require_capability(actor, policy.Action.CHILD_ALERTS_VIEW)
    children = policy.alert_children(actor, Child.objects.all())
    shown = list(items.filter(child__in=children, status=AlertStatus.OPEN)[:MAX_LIST])
    audit_children(
        actor=actor,
        event="child.viewed",
        child_ids=(i.child_id for i in shown),
        section=section,
        basis="alerts_list",
    )
    return shown


def needs_list(*, actor: Any) -> list[NeedsDiscrepancy]:
    """Open needs discrepancies for the children on the actor's list, newest first."""
    needs = NeedsDiscrepancy.objects.select_related("child").order_by("-raised_at", "pk")
    return _open_on_list(actor, needs, "needs_list")


def flags_list(*, actor: Any) -> list[HarmFlag]:
    """Open cumulative-harm flags for the children on the actor's list, newest first: the order
    they were raised, never a score."""
    flags = HarmFlag.objects.select_related("child", "rule").order_by("-raised_at", "-pk")
    return _open_on_list(actor, flags, "flags_list")


def child_for_alerts(*, actor: Any, child_id: uuid.UUID) -> tuple[Child, policy.Decision]:
    """The child whose flags or discrepancies the actor opens (only through a working
    relationship, ``policy.decide_child_alerts``); a refusal is audited too."""
    return child_find_for_actor(
        actor=actor,
        child_id=child_id,
        action=policy.Action.CHILD_ALERTS_VIEW,
        decide=policy.decide_child_alerts,
    )


def child_needs(*, actor: Any, child: Child, decision: policy.Decision) -> list[NeedsDiscrepancy]:
    audit_children(
        actor=actor, event="identity.needs.viewed", child_ids=[child.pk], basis=decision.basis
    )
    return list(
        NeedsDiscrepancy.objects.filter(child=child)
        .select_related("acknowledged_by")
        .order_by("-raised_at", "pk")
    )


def child_flags(*, actor: Any, child: Child, decision: policy.Decision) -> list[HarmFlag]:
    audit_children(
        actor=actor, event="identity.flags.viewed", child_ids=[child.pk], basis=decision.basis
    )
    return list(
        HarmFlag.objects.filter(child=child)
        .select_related("rule", "acknowledged_by")
        .order_by("-raised_at", "-pk")
    )


def flag_rules(*, actor: Any) -> list[FlagRule]:
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    return list(FlagRule.objects.select_related("in_use_changed_by").order_by("code", "-version"))


def current_flag_rule(*, actor: Any, pk: int) -> FlagRule:
    policy.require_capability(actor, policy.Action.FLAG_RULES_MANAGE)
    rule = (
        FlagRule.objects.select_related("in_use_changed_by").filter(pk=pk, is_current=True).first()
    )
    if rule is None:
        raise policy.NotFound(pk)
    return rule
