"""The child's whole record, section by section, as one policy decision allows it.

Each section belongs to a data category of the information-sharing agreements; a section the
viewer may not see is not loaded at all, and the page says whom to ask."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.codes import SIBLING_RELATIONSHIPS, NeedKind
from harbour.children.models import (
    Assessment,
    Child,
    ChildName,
    ChildProfile,
    EducationEpisode,
    EducationLimit,
    FamilyMember,
    FormulationMeeting,
    Need,
    Plan,
    TransitionPlan,
    VoiceEntry,
)
from harbour.children.selectors import child_find_for_actor
from harbour.partnership.models import DataCategory

# Record section -> the data category an agreement must cover to show it.
SECTION_LABELS: dict[str, str] = {
    "communication": "how to communicate with the child",
    "about": "strengths, identity and wishes",
    "needs": "needs and assessments",
    "voice": "the child's own words",
    "education": "education",
    "family": "family and siblings",
    "involvement": "who is working with the child",
    "plans": "plans",
    "formulation": "formulation meetings",
    "transition": "transition to adult services",
}

SECTION_CATEGORY: dict[str, str] = {
    "communication": DataCategory.IDENTITY,
    "about": DataCategory.IDENTITY,
    "needs": DataCategory.HEALTH,
    "voice": DataCategory.SOCIAL_CARE,
    "education": DataCategory.EDUCATION,
    "family": DataCategory.FAMILY,
    "involvement": DataCategory.SOCIAL_CARE,
    "plans": DataCategory.SOCIAL_CARE,
    "formulation": DataCategory.SOCIAL_CARE,
    "transition": DataCategory.SOCIAL_CARE,
}


@dataclass(frozen=True)
class EducationAlert:
    episode: EducationEpisode
    days: int
    limit: int


@dataclass(frozen=True)
class SiblingInvolvement:
    member: FamilyMember
    visible: bool
    agencies: list[str]


@dataclass(frozen=True)
class Contact:
    name: str
    agency: str
    role: str


@dataclass
class ChildRecord:
    child: Child
    basis: str
    categories: frozenset[str]  # the data categories the decision allows
    shown: frozenset[str]
    hidden: frozenset[str]
    contacts: list[Contact]
    other_names: list[ChildName] = field(default_factory=list)
    profile: ChildProfile | None = None
    needs: list[Need] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    voice: list[VoiceEntry] = field(default_factory=list)
    education: list[EducationEpisode] = field(default_factory=list)
    education_alerts: list[EducationAlert] = field(default_factory=list)
    family: list[FamilyMember] = field(default_factory=list)
    siblings: list[SiblingInvolvement] = field(default_factory=list)
    involvement: list[WorkingRelationship] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    formulations: list[FormulationMeeting] = field(default_factory=list)
    transition_plan: TransitionPlan | None = None
    can_view_access_log: bool = False
    editable: frozenset[str] = frozenset()  # sections this actor may change
    can_appoint: bool = False  # may add people to the team around the child

    @property
    def linkable_family(self) -> set[uuid.UUID]:
        """Relatives whose own record the viewer may open; others are not linked at all, so the
        page never reveals that a record exists."""
        return {
            s.member.related_child_id
            for s in self.siblings
            if s.visible and s.member.related_child_id
        }

    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def has_ehc_plan(self) -> bool:
        return any(n.kind == NeedKind.EHC_PLAN and n.end_date is None for n in self.needs)


def education_alerts(episodes: list[EducationEpisode], today: dt.date) -> list[EducationAlert]:
    """Episodes that have lasted beyond the partnership's limit for their status."""
    limits = dict(EducationLimit.objects.values_list("status", "max_days"))
    alerts = []
    for episode in episodes:
        limit = limits.get(episode.status)
        if limit is None:
            continue
        days = ((episode.end_date or today) - episode.start_date).days
        if days > limit and episode.end_date is None:
            alerts.append(EducationAlert(episode, days, limit))
    return alerts


def _contacts(child: Child) -> list[Contact]:
    """Whom to ask about sections the viewer cannot see: the lead practitioner first, then the
    agencies that hold a record of the child."""
    contacts: list[Contact] = []
    for relationship in (
        WorkingRelationship.objects.current()
        .filter(child=child)
        .select_related("staff", "staff__agency", "agency")
        .order_by("kind")
    ):
        if relationship.kind == RelationshipKind.LEAD_PRACTITIONER and relationship.staff:
            staff = relationship.staff
            contacts.insert(
                0,
                Contact(str(staff), staff.agency.name if staff.agency else "", "Lead practitioner"),
            )
        elif relationship.kind == RelationshipKind.AGENCY_RECORD and relationship.agency:
            contacts.append(Contact("", relationship.agency.name, "Holds a record"))
    return contacts


def _siblings(actor: Any, family: list[FamilyMember]) -> list[SiblingInvolvement]:
    sibling_ids = [
        m.related_child_id
        for m in family
        if m.related_child_id and m.relationship in SIBLING_RELATIONSHIPS
    ]
    visible = set(
        policy.visible_children(actor, Child.objects.filter(pk__in=sibling_ids)).values_list(
            "pk", flat=True
        )
    )
    involved: dict[uuid.UUID, list[str]] = {}
    for child_id, agency in (
        WorkingRelationship.objects.current()
        .filter(child_id__in=visible, agency__isnull=False)
        .values_list("child_id", "agency__name")
        .order_by("agency__name")
    ):
        involved.setdefault(child_id, []).append(agency)
    return [
        SiblingInvolvement(
            m,
            m.related_child_id in visible,
            involved.get(m.related_child_id, []) if m.related_child_id else [],
        )
        for m in family
        if m.relationship in SIBLING_RELATIONSHIPS
    ]


def child_record(*, actor: Any, child_id: uuid.UUID) -> ChildRecord | policy.Decision:
    """The record, or (when the actor may only break glass) the decision saying so. One access
    event for the child, naming the sections shown, and one for each sibling whose involvement
    is shown."""
    child, decision = child_find_for_actor(
        actor=actor, child_id=child_id, action=policy.Action.CHILD_VIEW
    )
    if not decision.allowed:
        return decision
    shown = frozenset(
        s for s, category in SECTION_CATEGORY.items() if category in decision.sections
    )
    record = ChildRecord(
        child=child,
        basis=decision.basis,
        categories=decision.sections,
        shown=shown,
        hidden=frozenset(SECTION_CATEGORY) - shown,
        contacts=_contacts(child),
        other_names=list(child.other_names.all()),
    )
    if "communication" in shown or "about" in shown:
        record.profile = ChildProfile.objects.filter(child=child).first()
    if "needs" in shown:
        record.needs = list(child.needs.select_related("recorded_by_agency"))
        record.assessments = list(child.assessments.all())
    if "voice" in shown:
        record.voice = list(child.voice.select_related("recorded_by", "recorded_by_agency")[:20])
    if "education" in shown:
        record.education = list(child.education.select_related("setting"))
        record.education_alerts = education_alerts(record.education, record.today)
    if "family" in shown:
        record.family = list(child.family.all())
        record.siblings = _siblings(actor, record.family)
    if "involvement" in shown:
        record.involvement = list(
            WorkingRelationship.objects.current()
            .filter(child=child)
            .select_related("staff", "staff__agency", "agency")
            .order_by("kind")
        )
    if "plans" in shown:
        record.plans = list(
            child.plans.prefetch_related("actions__owner_agency", "reviews").select_related(
                "recorded_by"
            )
        )
    if "formulation" in shown:
        record.formulations = list(child.formulations.select_related("plan"))
    if "transition" in shown:
        record.transition_plan = TransitionPlan.objects.filter(child=child).first()
    try:
        record.can_view_access_log = policy.decide_child(
            actor, policy.Action.CHILD_ACCESS_LOG_VIEW, child, "audit"
        ).allowed
    except (policy.Forbidden, policy.NotFound):
        record.can_view_access_log = False
    if decision.basis != "break_glass" and policy.can(actor, policy.Action.CHILD_RECORD_EDIT):
        record.editable = shown
        record.can_appoint = policy.may_appoint_team(actor, child)
    purpose = policy.purpose_for(actor)
    audit_record(
        actor=actor,
        event="child.viewed",
        child=child,
        section="record",
        purpose=purpose,
        basis=decision.basis,
        detail={"sections": sorted(shown)},
    )
    for member in record.family:
        if member.related_child_id:
            audit_record(
                actor=actor,
                event="child.viewed",
                child_id=member.related_child_id,
                section="family_of_another_child",
                purpose=purpose,
                basis=decision.basis,
                detail={"via_child": str(child.pk)},
            )
    return record
