"""The child's whole record, section by section, as one policy decision allows it.

Each section belongs to a data category of the information-sharing agreements. The team around
the child sees its shared record whole. Anyone else who may open the child (their agency's own
record of the child, a referral open at its front door, break-glass) sees each entry that their
own agency recorded, or that an agreement in force between their agency and the agency that
recorded it covers (``policy.record_entry_shown``); for the rest the page says which agency
holds entries dated when, and whom to ask. An entry nobody attributed to an agency (one that
arrived with the child from another system) is the agency's that first recorded the child."""

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
from harbour.children.sections import PROFILE_FIELDS, SECTION_CATEGORY, SECTION_LABELS
from harbour.children.selectors import child_find_for_actor
from harbour.partnership.models import DataCategory, Staff


@dataclass(frozen=True)
class Withheld:
    """An entry the viewer may not see: only whose it is and when."""

    agency: str
    on: dt.date | None


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
    phone: str = ""  # the member of staff's work telephone, if they gave one


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
    # Section -> entries in it that the viewer may not see (whose, and when).
    withheld: dict[str, list[Withheld]] = field(default_factory=dict)
    # The child's ethnicity, recorded with the child by the agency that first recorded them.
    ethnicity_shown: bool = False
    alerts_open: bool = False  # the child's flags and needs across agencies open for the viewer
    can_view_access_log: bool = False
    editable: frozenset[str] = frozenset()  # sections this actor may change
    can_appoint: bool = False  # may add people to the team around the child
    # The decision the record was shown by: the page's other parts (what is happening now) are
    # shown by it too.
    decision: policy.Decision | None = None

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
    def withheld_summary(self) -> list[tuple[str, list[tuple[str, int, dt.date | None]]]]:
        """For each section with entries the viewer may not see: its label, and for each agency
        holding them how many and the latest date."""
        summary = []
        for section in SECTION_LABELS:
            held = self.withheld.get(section)
            if not held:
                continue
            by_agency: dict[str, list[dt.date | None]] = {}
            for item in held:
                by_agency.setdefault(item.agency, []).append(item.on)
            summary.append(
                (
                    SECTION_LABELS[section],
                    [
                        (agency, len(dates), max((d for d in dates if d), default=None))
                        for agency, dates in sorted(by_agency.items())
                    ],
                )
            )
        return summary

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


TEAM_AROUND_CHILD = "In the team around the child"


def contacts_for(child: Child, *, team: bool = False) -> list[Contact]:
    """Whom to ask about sections the viewer cannot see: the lead practitioner first, then (with
    ``team``) the professionals in the team around the child, and the agencies that hold a
    record of the child; each person with their work telephone number if they gave one."""
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
                Contact(
                    str(staff),
                    staff.agency.name if staff.agency else "",
                    "Lead practitioner",
                    staff.phone,
                ),
            )
        elif (
            team and relationship.kind == RelationshipKind.TEAM_AROUND_CHILD and relationship.staff
        ):
            staff = relationship.staff
            agency = staff.agency.name if staff.agency else ""
            contacts.append(Contact(str(staff), agency, TEAM_AROUND_CHILD, staff.phone))
        elif relationship.kind == RelationshipKind.AGENCY_RECORD and relationship.agency:
            contacts.append(Contact("", relationship.agency.name, "Holds a record"))
    return contacts


def _siblings(actor: Staff, family: list[FamilyMember]) -> list[SiblingInvolvement]:
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


class _Entries:
    """Which of the record's entries the viewer may see, entry by entry."""

    def __init__(self, child: Child, decision: policy.Decision) -> None:
        self.child = child
        self.decision = decision
        self.withheld: dict[str, list[Withheld]] = {}

    def agency_of(self, entry: Any) -> Any:
        return getattr(entry, "recorded_by_agency", None) or self.child.recorded_by

    def shown(self, section: str, agency: Any) -> bool:
        agency_id = agency.pk if agency is not None else self.child.recorded_by_id
        return policy.record_entry_shown(self.decision, agency_id, SECTION_CATEGORY[section])

    def keep(
        self,
        section: str,
        entries: Any,
        on: Any = lambda e: None,
        agency: Any = None,
    ) -> list[Any]:
        kept: list[Any] = []
        for entry in entries:
            whose = agency(entry) if agency is not None else self.agency_of(entry)
            if self.shown(section, whose):
                kept.append(entry)
            else:
                name = whose.name if whose is not None else self.child.recorded_by.name
                self.withheld.setdefault(section, []).append(Withheld(name, on(entry)))
        return kept


def _relationship_agency(relationship: WorkingRelationship) -> Any:
    if relationship.agency is not None:
        return relationship.agency
    return relationship.staff.agency if relationship.staff else None


def child_record(*, actor: Staff, child_id: uuid.UUID) -> ChildRecord | policy.Decision:
    """The record, or (when the actor may only break glass) the decision saying so. One access
    event for the child, naming the sections shown, and one for each sibling whose name is
    shown."""
    child, decision = child_find_for_actor(
        actor=actor, child_id=child_id, action=policy.Action.CHILD_VIEW
    )
    if not decision.allowed:
        return decision
    entries = _Entries(child, decision)
    record = ChildRecord(
        child=child,
        basis=decision.basis,
        categories=decision.sections,
        shown=frozenset(),
        hidden=frozenset(),
        contacts=contacts_for(child),
        other_names=list(child.other_names.all()),
        decision=decision,
    )
    profile = ChildProfile.objects.filter(child=child).select_related("recorded_by_agency").first()
    if profile is not None:
        visible_parts = [
            part
            for part in PROFILE_FIELDS
            if entries.keep(part, [profile], on=lambda p: p.updated_at.date())
        ]
        if visible_parts:
            # Only the parts the viewer may see: the others are blanked on this copy.
            for part, names in PROFILE_FIELDS.items():
                if part not in visible_parts:
                    for name in names:
                        setattr(profile, name, "")
            record.profile = profile
    record.needs = entries.keep(
        "needs",
        child.needs.select_related("recorded_by_agency"),
        on=lambda n: n.start_date,
    )
    record.assessments = entries.keep(
        "needs",
        child.assessments.select_related("recorded_by_agency"),
        on=lambda a: a.referred_on,
    )
    record.voice = entries.keep(
        "voice",
        child.voice.select_related("recorded_by", "recorded_by_agency")[:20],
        on=lambda v: v.said_on,
    )
    record.education = entries.keep(
        "education",
        child.education.select_related("setting", "recorded_by_agency"),
        on=lambda e: e.start_date,
    )
    record.education_alerts = education_alerts(record.education, record.today)
    # Family members arrive with the child's record: the recording agency's.
    record.family = entries.keep("family", child.family.all(), agency=lambda m: child.recorded_by)
    record.siblings = _siblings(actor, record.family)
    record.involvement = entries.keep(
        "involvement",
        WorkingRelationship.objects.current()
        .filter(child=child)
        .select_related("staff", "staff__agency", "agency")
        .order_by("kind"),
        on=lambda r: r.started_on,
        agency=_relationship_agency,
    )
    record.plans = entries.keep(
        "plans",
        child.plans.prefetch_related("actions__owner_agency", "reviews").select_related(
            "recorded_by", "recorded_by_agency"
        ),
        on=lambda plan: plan.started_on,
    )
    record.formulations = entries.keep(
        "formulation",
        child.formulations.select_related("plan", "recorded_by_agency"),
        on=lambda m: m.held_on,
    )
    transition = (
        TransitionPlan.objects.filter(child=child).select_related("recorded_by_agency").first()
    )
    kept = entries.keep("transition", [transition] if transition else [], on=lambda t: t.agreed_on)
    record.transition_plan = kept[0] if kept else None
    record.withheld = entries.withheld
    record.ethnicity_shown = policy.record_entry_shown(
        decision, child.recorded_by_id, DataCategory.ETHNICITY
    )
    editing = policy.may_change_record(actor, decision)
    record.alerts_open = policy.alerts_open(actor, decision)
    if editing:
        # Working with the child: every section, to read what may be read and add to it.
        shown = frozenset(SECTION_CATEGORY)
    else:
        shown = (
            frozenset(
                section
                for section, category in SECTION_CATEGORY.items()
                if category in decision.sections or section in entries.withheld
            )
            | {
                section
                for section, present in (
                    ("needs", record.needs or record.assessments),
                    ("voice", record.voice),
                    ("education", record.education),
                    ("family", record.family),
                    ("involvement", record.involvement),
                    ("plans", record.plans),
                    ("formulation", record.formulations),
                    ("transition", record.transition_plan),
                )
                if present
            }
            | {part for part in PROFILE_FIELDS if record.profile and part not in entries.withheld}
        )
    record.shown = shown
    record.hidden = frozenset(entries.withheld)
    try:
        record.can_view_access_log = policy.decide_child(
            actor, policy.Action.CHILD_ACCESS_LOG_VIEW, child, "audit"
        ).allowed
    except (policy.Forbidden, policy.NotFound):
        record.can_view_access_log = False
    if editing:
        record.editable = frozenset(
            section
            for section in shown
            # One entry per child: changing it needs sight of it.
            if section not in ("transition", *PROFILE_FIELDS) or section not in entries.withheld
        )
        record.can_appoint = policy.may_appoint_team(actor, child)
    purpose = policy.purpose_for(actor)
    audit_record(
        actor=actor,
        event="child.viewed",
        child=child,
        section="record",
        purpose=purpose,
        basis=decision.basis,
        detail={
            "sections": sorted(shown),
            "withheld": {section: len(held) for section, held in sorted(entries.withheld.items())},
        },
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
