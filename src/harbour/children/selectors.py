"""Reads of children. Each takes the actor, goes through the access policy, and writes one access
event per child shown in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.models import (
    OUTWARD_CODE,
    Assessment,
    Child,
    ChildName,
    ChildProfile,
    Need,
    Plan,
    PlanAction,
    TransitionPlan,
)
from harbour.partnership.models import DataCategory, Staff

MAX_SEARCH_RESULTS = 50
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ChildSearch:
    name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.postcode.strip())


@dataclass(frozen=True)
class SearchResult:
    child: Child
    visible: bool  # False: findable through an agreement, opened only by break-glass
    basis: str = ""


def normalise_postcode(value: str) -> str:
    """``rv12ab`` → ``RV1 2AB``; the first part of one alone (``sw1a``) → ``SW1A``."""
    compact = "".join(value.upper().split())
    if len(compact) <= 4 and re.match(OUTWARD_CODE, compact):
        return compact
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def child_search(*, actor: Staff, search: ChildSearch) -> tuple[list[SearchResult], bool]:
    """Children matching the search within what the actor may find. Returns the results shown and
    whether there were more than ``MAX_SEARCH_RESULTS``."""
    policy.require_capability(actor, policy.Action.CHILD_SEARCH)
    if search.is_empty:
        return [], False
    purpose = policy.purpose_for(actor)
    children = policy.findable_children(actor, Child.objects.all(), purpose)
    for term in search.name.split():
        alias = ChildName.objects.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term)
        )
        children = children.filter(
            Q(given_name__icontains=term)
            | Q(family_name__icontains=term)
            | Q(pk__in=alias.values("child_id"))
        )
    if search.date_of_birth:
        children = children.filter(date_of_birth=search.date_of_birth)
    if search.postcode.strip():
        postcode = normalise_postcode(search.postcode)
        if re.match(OUTWARD_CODE, postcode):
            postcode += " "  # the whole district: RV3 is not RV34
        children = children.filter(postcode__istartswith=postcode)
    found = list(
        children.order_by("family_name", "given_name", "date_of_birth")[: MAX_SEARCH_RESULTS + 1]
    )
    more = len(found) > MAX_SEARCH_RESULTS
    found = found[:MAX_SEARCH_RESULTS]
    # A child with a basis (relationship or break-glass) opens; the rest need a reason.
    bases = (
        policy.relationship_bases(actor, [c.pk for c in found])
        if policy.can(actor, policy.Action.CHILD_VIEW)
        else {}
    )
    results = [
        SearchResult(child=c, visible=c.pk in bases, basis=bases.get(c.pk, "agreement"))
        for c in found
    ]
    for result in results:
        audit_record(
            actor=actor,
            event="child.viewed",
            child=result.child,
            section="search_result",
            purpose=purpose,
            basis=result.basis,
        )
    return results, more


def child_find_for_actor(
    *,
    actor: Staff,
    child_id: uuid.UUID,
    action: policy.Action,
    decide: Callable[[Any, Child], policy.Decision] | None = None,
) -> tuple[Child, policy.Decision]:
    """Look up a child by id for an action, auditing a denied attempt. Raises ``NotFound``.
    ``decide`` is the policy's rule for an action that has one of its own (a child's flags and
    needs: ``policy.decide_child_alerts``); otherwise ``policy.decide_child``."""
    policy.require_capability(actor, action)
    purpose = policy.purpose_for(actor)
    child = Child.objects.select_related("recorded_by").filter(pk=child_id).first()
    try:
        if child is None:
            raise policy.NotFound(child_id)
        if decide is not None:
            return child, decide(actor, child)
        return child, policy.decide_child(actor, action, child, purpose)
    except policy.NotFound:
        audit_record(
            actor=actor,
            event="child.access_denied",
            child_id=child.pk if child else None,
            purpose=purpose,
            outcome="denied",
            detail={"action": str(action), "requested_id": str(child_id)},
        )
        raise


@dataclass(frozen=True)
class ChildWorkedWith:
    child: Child
    kind: str  # the actor's personal working relationship with the child
    relationship: str  # its label


MAX_CHILDREN_WORKED_WITH = 50


def children_worked_with(*, actor: Staff) -> list[ChildWorkedWith]:
    """The children this person works with personally (lead practitioner, team around the child,
    panel), for their home page. Agency-wide records are not listed: they are found by search."""
    children = policy.children_worked_with(actor, Child.objects.all(), personal=True)
    relationships = (
        policy.personal_relationships(actor)
        .filter(child__in=children)
        .select_related("child")
        .order_by("child__family_name", "child__given_name", "kind")
    )
    shown: dict[Any, ChildWorkedWith] = {}
    for relationship in relationships:
        if relationship.child_id not in shown:
            shown[relationship.child_id] = ChildWorkedWith(
                relationship.child, relationship.kind, relationship.get_kind_display()
            )
        if len(shown) == MAX_CHILDREN_WORKED_WITH:
            break
    purpose = policy.purpose_for(actor)
    for item in shown.values():
        audit_record(
            actor=actor,
            event="child.viewed",
            child=item.child,
            section="home_list",
            purpose=purpose,
            basis=f"relationship:{item.kind}",
        )
    return list(shown.values())


def child_for_edit(*, actor: Staff, child_id: uuid.UUID, category: str, section: str) -> Child:
    """The child whose record a form will change: checked for editing, and the form's showing of
    the child's name audited. Raises ``NotFound`` (audited) or ``Forbidden``."""
    from harbour.children.services import require_record_edit

    child, _ = child_find_for_actor(
        actor=actor, child_id=child_id, action=policy.Action.CHILD_RECORD_EDIT
    )
    try:
        decision = require_record_edit(actor=actor, child=child, category=category)
    except (policy.NotFound, policy.Forbidden):
        audit_record(
            actor=actor,
            event="child.access_denied",
            child=child,
            outcome="denied",
            purpose=policy.purpose_for(actor),
            detail={"action": f"edit_{section}"},
        )
        raise
    audit_record(
        actor=actor,
        event="child.viewed",
        child=child,
        section=f"edit_{section}",
        purpose=policy.purpose_for(actor),
        basis=decision.basis,
    )
    return child


def _entry_for_edit(actor: Staff, child: Child, entry: M, category: str) -> M:
    """An entry of the child's record that a form will change: one the actor may not see does
    not exist for them (``services.require_record_edit``)."""
    from harbour.children.services import require_record_edit

    require_record_edit(actor=actor, child=child, category=category, entry=entry)
    return entry


def child_profile_for_edit(*, actor: Staff, child: Child, category: str) -> ChildProfile | None:
    """The profile to prefill a form for one part of it with; the caller has checked and
    audited the edit of the child (``child_for_edit``)."""
    profile = ChildProfile.objects.filter(child=child).first()
    return _entry_for_edit(actor, child, profile, category) if profile else None


def transition_plan_for_edit(*, actor: Staff, child: Child) -> TransitionPlan | None:
    plan = TransitionPlan.objects.filter(child=child).first()
    return _entry_for_edit(actor, child, plan, DataCategory.SOCIAL_CARE) if plan else None


def plan_for_edit(*, actor: Staff, child: Child, plan_id: int) -> Plan:
    """One of this child's plans; another child's plan id is not found."""
    plan = Plan.objects.filter(child=child, pk=plan_id).first()
    if plan is None:
        raise policy.NotFound(plan_id)
    return _entry_for_edit(actor, child, plan, DataCategory.SOCIAL_CARE)


def plan_action_for_edit(*, plan: Plan, action_id: int) -> PlanAction:
    """One of this plan's actions (the plan came from ``plan_for_edit``); another plan's action
    id is not found."""
    action = plan.actions.filter(pk=action_id).first()
    if action is None:
        raise policy.NotFound(action_id)
    return action


def need_for_edit(*, actor: Staff, child: Child, need_id: int) -> Need:
    """One of this child's needs; another child's need id is not found. The caller has checked
    and audited the edit (``child_for_edit``)."""
    need = Need.objects.filter(child=child, pk=need_id).first()
    if need is None:
        raise policy.NotFound(need_id)
    return _entry_for_edit(actor, child, need, DataCategory.HEALTH)


def assessment_for_edit(*, actor: Staff, child: Child, assessment_id: int) -> Assessment:
    """One of this child's assessments; another child's assessment id is not found."""
    assessment = Assessment.objects.filter(child=child, pk=assessment_id).first()
    if assessment is None:
        raise policy.NotFound(assessment_id)
    return _entry_for_edit(actor, child, assessment, DataCategory.HEALTH)


def sibling_candidates(*, actor: Staff, child: Child) -> QuerySet[Child]:
    """Children the actor may see who share the child's last name or postcode: the choices
    when linking a family member to a child known to Harbour. Never the child themselves. The
    list names each of them to the actor, so each is an access event (naming the child whose
    record is being changed), and the choices are exactly the children audited."""
    same = Q(family_name__iexact=child.family_name)
    if child.postcode:
        same |= Q(postcode=child.postcode)
    ids = sorted(
        policy.visible_children(actor, Child.objects.filter(same))
        .exclude(pk=child.pk)
        .values_list("pk", flat=True),
        key=str,
    )
    bases = policy.relationship_bases(actor, ids)
    purpose = policy.purpose_for(actor)
    for candidate_id in ids:
        audit_record(
            actor=actor,
            event="child.viewed",
            child_id=candidate_id,
            section="sibling_candidates",
            purpose=purpose,
            basis=bases.get(candidate_id, ""),
            detail={"via_child": str(child.pk)},
        )
    return Child.objects.filter(pk__in=ids).order_by("given_name")


def lead_practitioner_name(child: Any) -> str:
    """Whom to ask, besides the agency: the child's current lead practitioner, if any."""
    relationship = (
        WorkingRelationship.objects.current()
        .filter(child_id=child.pk, kind=RelationshipKind.LEAD_PRACTITIONER, staff__isnull=False)
        .select_related("staff")
        .first()
    )
    if relationship is None or relationship.staff is None:
        return ""
    return str(relationship.staff)


def whom_to_ask(agency_name: str, lead_practitioner: str) -> str:
    if lead_practitioner:
        return f"ask {agency_name} or the lead practitioner, {lead_practitioner}"
    return f"ask {agency_name}"
