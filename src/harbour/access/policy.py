"""The one access policy: may this actor do this action, on this child, for this purpose?

Every answer comes from four things — the actor's role, their agency, the information-sharing
agreements in force between agencies, and the working relationships with the child — and from
nothing else. Anything not granted here is refused; an empty or missing scope is nothing.

* A **role** grants capabilities (``ROLE_ACTIONS``); without one, nothing is allowed.
* A child is **visible** to an actor who has a current working relationship with them
  (personal, or agency-wide such as the agency's own record or a referral open at its front door),
  or an unexpired break-glass grant.
* A child is **findable** (appears in search, may be opened by break-glass) when visible, or when
  an agency that holds a record of the child shares an agreement in force with the actor's agency
  for this purpose covering identity data.
* Anything else does not exist for the actor: 404, never 403, so no one learns that it exists.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from harbour.access.models import BreakGlassGrant, RelationshipKind, WorkingRelationship
from harbour.partnership.models import (
    Agency,
    AgencyType,
    DataCategory,
    InformationSharingAgreement,
    Purpose,
    Role,
    Staff,
)

M = TypeVar("M", bound=Model)


class Action(enum.StrEnum):
    CHILD_SEARCH = "child.search"
    CHILD_VIEW = "child.view"
    CHILD_RECORD_EDIT = "child.record.edit"
    CHILD_BREAK_GLASS = "child.break_glass"
    CHILD_ACCESS_LOG_VIEW = "child.access_log.view"
    BREAK_GLASS_REVIEW = "break_glass.review"
    AUDIT_TRAIL_VIEW = "audit.view"
    # Suspicious-access alerts from the audit stream and the register of declared connections
    # (ADR 0041): the data protection officer's.
    ACCESS_ALERTS_REVIEW = "audit.access_alerts.review"
    PARTNERSHIP_VIEW = "partnership.view"
    # Counts about groups of children, never a named child, with small numbers suppressed.
    COHORT_REPORT_VIEW = "cohort_report.view"
    LANGUAGE_REPORT_VIEW = "language.report.view"
    LANGUAGE_RULES_MANAGE = "language.rules.manage"
    PARTNERSHIP_MANAGE = "partnership.manage"
    # The front door (referrals).
    REFERRAL_MAKE = "referral.make"
    FRONT_DOOR_TRIAGE = "front_door.triage"
    FRONT_DOOR_COUNTERSIGN = "front_door.countersign"
    FRONT_DOOR_RULES_MANAGE = "front_door.rules.manage"
    REFERRAL_AUDIT = "referral.audit"
    # A rapid response after a serious incident: the linked children, a named contact for each.
    RAPID_RESPONSE = "front_door.rapid_response"
    # The person index (ADR 0014): review the pairs linkage is unsure about; merge and split
    # people by hand; import an agency's person records.
    IDENTITY_REVIEW = "identity.review"
    IDENTITY_MERGE_SPLIT = "identity.merge_split"
    IDENTITY_IMPORT = "identity.import"
    # Agencies' events and needs as files (issue 11): an administrator uploads an agency's file
    # in one of the formats; the answer is counts or line-numbered errors, never a child.
    EVENTS_IMPORT = "identity.events.import"
    # Recording an event on a GOV.UK form, for an agency with no system feed (issue 11 part 2,
    # ADR 0030): which forms depends on the agency's kind too (``event_forms``).
    EVENT_RECORD = "identity.events.record"
    # Cumulative-harm flags and needs discrepancies for the children one works with; the
    # partnership's flag rules (issue 4, parts 6 and 7).
    CHILD_ALERTS_VIEW = "child.alerts.view"
    FLAG_RULES_MANAGE = "identity.flag_rules.manage"
    # The insight store (issue 13): what is in it, and importing public and partners' files
    # into it. Aggregate and pseudonymised data only (see the section at the end).
    INSIGHT_VIEW = "insight.view"
    INSIGHT_IMPORT = "insight.import"
    # The home page's headline figures (issue 13, part 3; ADR 0035): a few counts across the
    # partnership, small ones hidden, never a child.
    HEADLINES_VIEW = "headlines.view"
    # Emerging-pattern alerts (ADR 0034): anyone who reads the store sees them; leaders are told
    # of them, record what they did, and set what the monthly check watches.
    INSIGHT_ALERT_ACT = "insight.alerts.act"


_CASEWORK = frozenset(
    {
        Action.CHILD_SEARCH,
        Action.CHILD_VIEW,
        Action.CHILD_RECORD_EDIT,
        Action.CHILD_BREAK_GLASS,
        Action.PARTNERSHIP_VIEW,
        Action.REFERRAL_MAKE,
    }
)
_FRONT_DOOR = _CASEWORK | {
    Action.FRONT_DOOR_TRIAGE,
    Action.IDENTITY_REVIEW,
    Action.CHILD_ALERTS_VIEW,
    Action.RAPID_RESPONSE,
}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.REFERRER: _CASEWORK | {Action.EVENT_RECORD},
    Role.FRONT_DOOR_PRACTITIONER: _FRONT_DOOR,
    Role.FRONT_DOOR_MANAGER: _FRONT_DOOR
    | {
        Action.COHORT_REPORT_VIEW,
        Action.FRONT_DOOR_COUNTERSIGN,
        Action.REFERRAL_AUDIT,
        Action.IDENTITY_MERGE_SPLIT,
    },
    Role.LEAD_PRACTITIONER: _CASEWORK
    | {Action.CHILD_ACCESS_LOG_VIEW, Action.CHILD_ALERTS_VIEW, Action.EVENT_RECORD},
    Role.PANEL_CHAIR: _CASEWORK | {Action.HEADLINES_VIEW},
    # Analysts and leaders work on pseudonymised and aggregate data, never a named child.
    Role.ANALYST: frozenset(
        {
            Action.PARTNERSHIP_VIEW,
            Action.COHORT_REPORT_VIEW,
            Action.LANGUAGE_REPORT_VIEW,
            Action.INSIGHT_VIEW,
            Action.INSIGHT_IMPORT,
            Action.HEADLINES_VIEW,
        }
    ),
    Role.STRATEGIC_LEADER: frozenset(
        {
            Action.PARTNERSHIP_VIEW,
            Action.COHORT_REPORT_VIEW,
            Action.LANGUAGE_REPORT_VIEW,
            Action.INSIGHT_VIEW,
            Action.HEADLINES_VIEW,
            Action.INSIGHT_ALERT_ACT,
        }
    ),
    Role.DATA_PROTECTION_OFFICER: frozenset(
        {
            Action.CHILD_ACCESS_LOG_VIEW,
            Action.BREAK_GLASS_REVIEW,
            Action.AUDIT_TRAIL_VIEW,
            Action.ACCESS_ALERTS_REVIEW,
            Action.PARTNERSHIP_VIEW,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Action.PARTNERSHIP_VIEW,
            Action.PARTNERSHIP_MANAGE,
            Action.LANGUAGE_RULES_MANAGE,
            Action.FRONT_DOOR_RULES_MANAGE,
            Action.IDENTITY_IMPORT,
            Action.EVENTS_IMPORT,
            Action.FLAG_RULES_MANAGE,
        }
    ),
}

# What each role reads a child's record for, recorded on every access event.
ROLE_PURPOSE: dict[str, Purpose] = {
    Role.REFERRER: Purpose.SAFEGUARDING,
    Role.FRONT_DOOR_PRACTITIONER: Purpose.SAFEGUARDING,
    Role.FRONT_DOOR_MANAGER: Purpose.SAFEGUARDING,
    Role.LEAD_PRACTITIONER: Purpose.SAFEGUARDING,
    Role.PANEL_CHAIR: Purpose.PREVENTION,
    Role.ANALYST: Purpose.ANALYSIS,
    Role.STRATEGIC_LEADER: Purpose.ANALYSIS,
    Role.DATA_PROTECTION_OFFICER: Purpose.AUDIT,
}

BREAK_GLASS = "break_glass"


class NotFound(Exception):
    """The object does not exist for this actor (answer 404)."""


class Forbidden(Exception):
    """The actor's role may never do this (answer 403)."""


def agency_of(actor: Staff) -> Agency:
    """The agency an actor acts for. Every active actor has one (``is_active_actor``); an
    account without one may do nothing that needs it."""
    if actor.agency is None:
        raise Forbidden("an account with no agency")
    return actor.agency


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str = ""
    # True when the child is findable but not visible: the actor may break glass.
    may_break_glass: bool = False
    # The data categories of Harbour's shared record of the child that the actor may see.
    sections: frozenset[str] = field(default_factory=frozenset)
    # Another agency's own records (its events, the people named in them, its record of a need,
    # the evidence of a flag) are shown entry by entry: in full where they are the actor's own
    # agency's (``agency_id``), or where an agreement in force between the two agencies covers
    # the entry's data category for the actor's purpose (``shared``: agency id -> categories).
    agency_id: int | None = None
    shared: dict[int, frozenset[str]] = field(default_factory=dict, compare=False)


# Whoever asks: a signed-in member of staff, or a request's anonymous user (or no one) that the
# entry points below refuse.
Requester = AbstractBaseUser | AnonymousUser | None


def is_active_actor(actor: Requester) -> TypeGuard[Staff]:
    """Signed in, active, with a role, in an agency that is itself active."""
    return bool(
        isinstance(actor, Staff)
        and actor.is_authenticated
        and actor.is_active
        and actor.role
        and actor.agency_id
        and actor.agency is not None
        and actor.agency.is_active
    )


def can(actor: Requester, action: Action) -> TypeGuard[Staff]:
    """May the actor's role ever do this? (Navigation, and 403 before any object is looked up.)"""
    if not is_active_actor(actor):
        return False
    return action in ROLE_ACTIONS.get(actor.role, frozenset())


def purpose_for(actor: Requester) -> Purpose:
    return ROLE_PURPOSE.get(getattr(actor, "role", ""), Purpose.SAFEGUARDING)


def require_capability(actor: Requester, action: Action) -> None:
    if not can(actor, action):
        raise Forbidden(action)


def _today() -> dt.date:
    return timezone.localdate()


def agreements_in_force(
    actor: Staff, purpose: str, on: dt.date | None = None
) -> list[InformationSharingAgreement]:
    if not is_active_actor(actor):
        return []
    agreements = (
        InformationSharingAgreement.objects.in_force(on or _today())
        .filter(parties=actor.agency_id)
        .prefetch_related("parties")
    )
    return [a for a in agreements if purpose in a.purposes]


def partner_agency_ids(
    actor: Staff, purpose: str, category: str = DataCategory.IDENTITY
) -> set[int]:
    """Agencies whose records of a child the actor's agency may receive for this purpose."""
    ids: set[int] = set()
    for agreement in agreements_in_force(actor, purpose):
        if category in agreement.data_categories:
            ids.update(p.pk for p in agreement.parties.all() if p.is_active)
    return ids


def shared_categories(actor: Staff, purpose: str) -> dict[int, frozenset[str]]:
    """For each other active agency, the data categories that agreements in force between it and
    the actor's agency cover for this purpose (one query however many agreements)."""
    shared: dict[int, set[str]] = {}
    for agreement in agreements_in_force(actor, purpose):
        for party in agreement.parties.all():
            if party.is_active and party.pk != actor.agency_id:
                shared.setdefault(party.pk, set()).update(agreement.data_categories)
    return {agency_id: frozenset(categories) for agency_id, categories in shared.items()}


def _relationship_q(actor: Staff) -> Q:
    return Q(staff_id=actor.pk) | Q(agency_id=actor.agency_id)


def on_caseload(
    staff_id: int, agency_id: int | None, on: dt.date, opened: list[tuple[Any, dt.datetime]]
) -> list[bool]:
    """For each (child, moment) a member of staff opened a record on one day: whether the child
    was on their caseload then — a working relationship (their own, or their agency's) in force
    that day, or a break-glass grant open at that moment. ``harbour audit watch`` asks this of
    each record opened (ADR 0041): the audit event's basis is written by the code that decided,
    so it is checked against what is on record rather than trusted. Two queries per call."""
    ids = {child_id for child_id, _ in opened}
    who = Q(staff_id=staff_id) | (Q(agency_id=agency_id) if agency_id is not None else Q())
    related = set(
        WorkingRelationship.objects.filter(who, child_id__in=ids, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .values_list("child_id", flat=True)
    )
    grants: dict[Any, list[tuple[dt.datetime, dt.datetime]]] = {}
    for child_id, granted_at, expires_at in BreakGlassGrant.objects.filter(
        staff_id=staff_id, child_id__in=ids - related
    ).values_list("child_id", "granted_at", "expires_at"):
        grants.setdefault(child_id, []).append((granted_at, expires_at))
    return [
        child_id in related or any(start <= at <= end for start, end in grants.get(child_id, []))
        for child_id, at in opened
    ]


def may_declare_connection(actor: Requester, staff: Staff) -> bool:
    """A member of staff declares their own connections; the data protection officer records
    anyone's."""
    if not is_active_actor(actor):
        return False
    return actor.pk == staff.pk or can(actor, Action.ACCESS_ALERTS_REVIEW)


def role_basis(basis: str) -> bool:
    """Whether an audit event's basis is a role's own reach (the data protection officer's),
    not a relationship with the child."""
    return basis.startswith("role:")


def _visible_q(actor: Staff) -> Q:
    relationship = WorkingRelationship.objects.current().filter(
        _relationship_q(actor), child=OuterRef("pk")
    )
    grant = BreakGlassGrant.objects.filter(
        staff_id=actor.pk, child=OuterRef("pk"), expires_at__gt=timezone.now()
    )
    return Q(Exists(relationship)) | Q(Exists(grant))


def visible_children(actor: Requester, queryset: QuerySet[M]) -> QuerySet[M]:
    """Children the actor may open: a working relationship or a break-glass grant."""
    if not can(actor, Action.CHILD_VIEW):
        return queryset.none()
    return queryset.filter(_visible_q(actor))


def children_worked_with(
    actor: Staff, queryset: QuerySet[M], *, personal: bool = False
) -> QuerySet[M]:
    """Children the actor (or, unless ``personal``, their agency) has a current working
    relationship with: lists of "your" children. Break-glass grants are not work with a child."""
    if not can(actor, Action.CHILD_VIEW):
        return queryset.none()
    who = Q(staff_id=actor.pk) if personal else _relationship_q(actor)
    relationship = WorkingRelationship.objects.current().filter(who, child=OuterRef("pk"))
    return queryset.filter(Exists(relationship))


def personal_relationships(actor: Staff) -> QuerySet[WorkingRelationship]:
    """The actor's own current working relationships with children (lead practitioner, team
    around the child, panel), for lists of "your" children; none without the capability."""
    if not can(actor, Action.CHILD_VIEW):
        return WorkingRelationship.objects.none()
    return WorkingRelationship.objects.current().filter(staff_id=actor.pk)


def is_break_glass(basis: str) -> bool:
    """Whether a decision's (or an audit event's) basis is a break-glass grant."""
    return basis == BREAK_GLASS


def findable_children(actor: Requester, queryset: QuerySet[M], purpose: str) -> QuerySet[M]:
    """Children the actor may find in search: visible ones, and those held by an agency that
    shares identity data with the actor's agency for this purpose."""
    if not can(actor, Action.CHILD_SEARCH):
        return queryset.none()
    partners = partner_agency_ids(actor, purpose)
    held_by_partner = WorkingRelationship.objects.current().filter(
        child=OuterRef("pk"),
        kind=RelationshipKind.AGENCY_RECORD,
        agency_id__in=partners,
        agency__is_active=True,
    )
    return queryset.filter(_visible_q(actor) | Q(Exists(held_by_partner)))


def relationship_bases(actor: Staff, child_ids: Iterable[Any]) -> dict[Any, str]:
    """The strongest current reason this actor has to see each child, in two queries however
    many children: a personal relationship, else an agency-wide one, else a break-glass grant.
    Children with no reason are left out."""
    ids = list(child_ids)
    personal: dict[Any, list[str]] = {}
    agency: dict[Any, list[str]] = {}
    for child_id, kind, staff_id in (
        WorkingRelationship.objects.current()
        .filter(_relationship_q(actor), child_id__in=ids)
        .values_list("child_id", "kind", "staff_id")
    ):
        (personal if staff_id is not None else agency).setdefault(child_id, []).append(kind)
    granted = set(
        BreakGlassGrant.objects.filter(
            staff_id=actor.pk, child_id__in=ids, expires_at__gt=timezone.now()
        ).values_list("child_id", flat=True)
    )
    bases: dict[Any, str] = {}
    for child_id in ids:
        if child_id in personal:
            bases[child_id] = f"relationship:{min(personal[child_id])}"
        elif child_id in agency:
            bases[child_id] = f"agency:{min(agency[child_id])}"
        elif child_id in granted:
            bases[child_id] = BREAK_GLASS
    return bases


def relationship_basis(actor: Staff, child: Any) -> str:
    """The strongest current reason this actor has to see this child, or ''."""
    return relationship_bases(actor, [child.pk]).get(child.pk, "")


def sections_for(basis: str) -> frozenset[str]:
    """The data categories of Harbour's shared record of the child that the actor sees whole,
    whoever recorded each entry: the child's identity, for anyone who may open the child (finding
    the child already needed an agreement covering it, or a working relationship). Every other
    entry is shown one by one (``record_entry_shown``): a relationship says which children, an
    agreement says which of another agency's data (ADR 0017)."""
    return frozenset({DataCategory.IDENTITY}) if basis else frozenset()


def agency_entry_shown(decision: Decision, agency_id: int | None, data_category: str) -> bool:
    """Whether another agency's own record about a child (an event and who was named in it, its
    record of a need, a flag's evidence) is shown in full: only where the viewer may see the
    child, and the entry is their own agency's or an agreement in force between the two agencies
    covers its data category for the viewer's purpose. Otherwise the viewer sees only that the
    agency holds a record dated D, and whom to ask."""
    if not decision.allowed or agency_id is None:
        return False
    if agency_id == decision.agency_id:
        return True
    return data_category in decision.shared.get(agency_id, frozenset())


def may_change_record(actor: Staff, decision: Decision) -> bool:
    """Whether the actor may add to (and change what they can see of) the child's record whose
    decision this is: a working relationship, never break-glass, which is for reading in an
    emergency; and a role that changes records."""
    return (
        decision.allowed and decision.basis != BREAK_GLASS and can(actor, Action.CHILD_RECORD_EDIT)
    )


def record_entry_shown(decision: Decision, agency_id: int | None, data_category: str) -> bool:
    """Whether an entry of Harbour's shared record of a child (a need, the child's words, a
    plan…), recorded by ``agency_id``, is shown: where the viewer sees its section whole
    (``sections_for``), or as for another agency's own records (``agency_entry_shown``)."""
    if not decision.allowed:
        return False
    return data_category in decision.sections or agency_entry_shown(
        decision, agency_id, data_category
    )


def decide_child(actor: Staff, action: Action, child: Any, purpose: str) -> Decision:
    """Decide an action on one child. Raises ``Forbidden`` when the role may never do it, and
    ``NotFound`` when the child is outside everything the actor may reach."""
    require_capability(actor, action)
    if action == Action.CHILD_ACCESS_LOG_VIEW:
        if actor.role == Role.DATA_PROTECTION_OFFICER:
            return Decision(
                True,
                basis="role:data_protection_officer",
                sections=frozenset({DataCategory.IDENTITY}),
            )
        if (
            WorkingRelationship.objects.current()
            .filter(staff_id=actor.pk, child=child, kind=RelationshipKind.LEAD_PRACTITIONER)
            .exists()
        ):
            return Decision(
                True,
                basis=f"relationship:{RelationshipKind.LEAD_PRACTITIONER}",
                sections=frozenset({DataCategory.IDENTITY}),
            )
        raise NotFound(child.pk)
    basis = relationship_basis(actor, child)
    if basis:
        if action == Action.CHILD_BREAK_GLASS:
            return Decision(False, basis=basis)
        if action == Action.CHILD_RECORD_EDIT and basis == BREAK_GLASS:
            # Break-glass is for reading in an emergency; changing the record needs a
            # working relationship.
            raise Forbidden(action)
        shared = shared_categories(actor, purpose)
        return Decision(
            True,
            basis=basis,
            sections=sections_for(basis),
            agency_id=actor.agency_id,
            shared=shared,
        )
    findable = findable_children(actor, type(child).objects.filter(pk=child.pk), purpose).exists()
    if not findable:
        raise NotFound(child.pk)
    if action == Action.CHILD_BREAK_GLASS:
        return Decision(True, basis=BREAK_GLASS, may_break_glass=True)
    return Decision(False, may_break_glass=True)


class AppointmentRefused(Exception):
    """The person cannot join the team around this child: the message says why."""


def may_appoint_team(actor: Staff, child: Any) -> bool:
    """Who may add people to the team around a child: the child's lead practitioner, or the
    front door of an agency working with the child. (Joining the team opens the whole record to
    the person joining, so it is decided here, with everything else that grants access.)"""
    if not can(actor, Action.CHILD_RECORD_EDIT):
        return False
    current = WorkingRelationship.objects.current().filter(child=child)
    if current.filter(staff_id=actor.pk, kind=RelationshipKind.LEAD_PRACTITIONER).exists():
        return True
    return (
        actor.role in {Role.FRONT_DOOR_PRACTITIONER, Role.FRONT_DOOR_MANAGER}
        and current.filter(agency=actor.agency).exists()
    )


def decide_team_appointment(actor: Staff, child: Any, appointee: Any, kind: str) -> None:
    """Raise ``Forbidden`` if the actor may not appoint anyone to this child's team, and
    ``AppointmentRefused`` if this appointment is not allowed."""
    if not may_appoint_team(actor, child):
        raise Forbidden(Action.CHILD_RECORD_EDIT)
    is_lead = (
        WorkingRelationship.objects.current()
        .filter(child=child, staff_id=actor.pk, kind=RelationshipKind.LEAD_PRACTITIONER)
        .exists()
    )
    if kind == RelationshipKind.LEAD_PRACTITIONER and not (
        is_lead or actor.role == Role.FRONT_DOOR_MANAGER
    ):
        raise AppointmentRefused(
            "Only a front-door manager or the current lead practitioner can appoint "
            "a lead practitioner"
        )
    refusal = appointee_refusal(actor, appointee, "join the team around the child")
    if refusal:
        raise AppointmentRefused(refusal)


def appointee_refusal(actor: Staff, appointee: Any, to_do: str) -> str:
    """Why this person cannot be given work with a child by the actor ('' when they can): their
    role must work with children, and their agency must be the actor's or share with it under an
    agreement in force for the actor's purpose."""
    if not is_active_actor(appointee) or not can(appointee, Action.CHILD_VIEW):
        return "Select someone whose role works with children"
    if appointee.agency_id != actor.agency_id and appointee.agency_id not in partner_agency_ids(
        actor, purpose_for(actor)
    ):
        return (
            f"{appointee.agency} has no information-sharing agreement in force with "
            f"{actor.agency} for this work, so they cannot {to_do}"
        )
    return ""


# Referrals ---------------------------------------------------------------------------------------

REFERRAL_AUTHOR = "referral:author"  # a draft, seen only by the person writing it
REFERRAL_REFERRER = "referral:referrer"  # the referrer sees what they sent and the outcome
REFERRAL_FRONT_DOOR = "referral:front_door"  # the receiving front door sees everything


def referral_basis(actor: Staff, referral: Any) -> str:
    """Why this actor may see this referral, or '' (then it does not exist for them).

    A draft is its author's alone. Once sent, the referrer keeps sight of what they sent and of
    the outcome they are told; the front door it was sent to sees all of it."""
    if not is_active_actor(actor):
        return ""
    if referral.status == "draft":
        return REFERRAL_AUTHOR if referral.referrer_id == actor.pk else ""
    if can(actor, Action.FRONT_DOOR_TRIAGE) and actor.agency_id == referral.front_door_id:
        return REFERRAL_FRONT_DOOR
    if referral.referrer_id is not None and referral.referrer_id == actor.pk:
        return REFERRAL_REFERRER
    return ""


def decide_referral(actor: Staff, action: Action, referral: Any) -> str:
    """Raise ``Forbidden`` when the role may never do this, ``NotFound`` when the referral is
    not the actor's to see; otherwise return the basis. Triage and decisions need the front door
    the referral was sent to."""
    require_capability(actor, action)
    basis = referral_basis(actor, referral)
    if not basis:
        raise NotFound(referral.pk)
    if action in (
        Action.FRONT_DOOR_TRIAGE,
        Action.FRONT_DOOR_COUNTERSIGN,
        Action.REFERRAL_AUDIT,
    ) and (basis != REFERRAL_FRONT_DOOR):
        raise NotFound(referral.pk)
    return basis


def referrals_visible(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Referrals the actor may see: their own (drafts included) and, at a front door, every
    referral sent to it."""
    if not is_active_actor(actor):
        return queryset.none()
    mine = Q(referrer_id=actor.pk)
    if can(actor, Action.FRONT_DOOR_TRIAGE):
        return queryset.filter(mine | (Q(front_door_id=actor.agency_id) & ~Q(status="draft")))
    return queryset.filter(mine)


# Rapid response after a serious incident (issue 3, part 9; ADR 0016) ---------------------------


def rapid_response_agency_ids(actor: Staff, data_category: str) -> set[int]:
    """Agencies whose events of this data category a front door may use in a rapid response:
    its own, and those sharing that category with it under an agreement in force for its
    purpose. Empty without the capability."""
    if not can(actor, Action.RAPID_RESPONSE):
        return set()
    return {agency_of(actor).pk} | partner_agency_ids(actor, purpose_for(actor), data_category)


def front_door_rapid_response_agency_ids(front_door: Agency, data_category: str) -> set[int]:
    """As ``rapid_response_agency_ids``, for a front door itself rather than one of its staff:
    when the partnership's rule opens a rapid response as a serious incident arrives (ADR 0028),
    the links are found with what that front door may use for safeguarding."""
    if not front_door.is_active:
        return set()
    ids = {front_door.pk}
    for agreement in (
        InformationSharingAgreement.objects.in_force(_today())
        .filter(parties=front_door.pk)
        .prefetch_related("parties")
    ):
        if (
            Purpose.SAFEGUARDING in agreement.purposes
            and data_category in agreement.data_categories
        ):
            ids.update(p.pk for p in agreement.parties.all() if p.is_active)
    return ids


def rapid_response_children(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Linked children a rapid response names to the actor: those the actor may find (a working
    relationship, or an agency sharing identity data with the actor's agency). Others are shown
    only as another child, and whom to ask."""
    if not can(actor, Action.RAPID_RESPONSE):
        return queryset.none()
    return findable_children(actor, queryset, purpose_for(actor))


# Notices: the team around the child told when an agency's event arrives (ADR 0028) ------------

#: The personal working relationships that make someone one of the team around the child, told
#: when an agency records an event about the child.
NOTICE_RELATIONSHIPS = (
    RelationshipKind.LEAD_PRACTITIONER,
    RelationshipKind.TEAM_AROUND_CHILD,
    RelationshipKind.PANEL_MEMBERSHIP,
)


def notice_recipients(child: Any, staff: QuerySet[M]) -> QuerySet[M]:
    """Who is told when an agency records an event about a child: the team around the child,
    each person with a current personal working relationship (lead practitioner, team around
    the child, panel) whose account is active and whose role opens a child's record. Agency-wide
    relationships tell no one in particular; break-glass is not work with the child."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.CHILD_VIEW in actions]
    working = WorkingRelationship.objects.current().filter(
        child=child, staff__isnull=False, kind__in=NOTICE_RELATIONSHIPS
    )
    return staff.filter(
        pk__in=working.values("staff_id"), is_active=True, role__in=roles, agency__is_active=True
    ).order_by("pk")


def notice_shows_event(recipient: Staff, agency_id: int, data_category: str) -> bool:
    """Whether a notice about an agency's event may say what it was (its kind, category, the
    child's role, when) to this recipient: as the child's record would show the entry
    (``agency_entry_shown``), their own agency's, or an agreement in force between the two
    agencies covering that data category for the recipient's purpose. Otherwise the notice says
    only that the agency recorded a new event about a child they work with."""
    if not can(recipient, Action.CHILD_VIEW):
        return False
    decision = Decision(
        True,
        basis="notice",
        agency_id=recipient.agency_id,
        shared=shared_categories(recipient, purpose_for(recipient)),
    )
    return agency_entry_shown(decision, agency_id, data_category)


def own_notices(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The notices addressed to the actor, and no one else's."""
    if not is_active_actor(actor):
        return queryset.none()
    return queryset.filter(recipient_id=actor.pk)


def own_notice_preference(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The actor's own choice of how notices are emailed, and no one else's."""
    if not is_active_actor(actor):
        return queryset.none()
    return queryset.filter(staff_id=actor.pk)


# Automated referrals: another agency's system, not a person ------------------------------------

# Each automated feed and the one type of agency whose systems may send it (ADR 0011).
FEED_AGENCY_TYPES: dict[str, str] = {
    "custody": AgencyType.POLICE,
    "ambulance": AgencyType.AMBULANCE,
    "ed_assault": AgencyType.NHS_TRUST,
}
REFERRAL_SOURCE_SYSTEM = "referral:source_system"  # the sending system sees status and outcome

# The event forms for agencies with no system feed (ADR 0030), and the kinds of agency whose
# practitioners record each: a school its suspensions and exclusions; youth justice, the
# voluntary sector and children's social care (where the missing-person coordinators and youth
# workers who hold return-home interviews work) a missing episode and its interview. Police and
# health send theirs from their own systems.
EVENT_FORM_AGENCY_TYPES: dict[str, frozenset[str]] = {
    "exclusion": frozenset({AgencyType.SCHOOL}),
    "missing": frozenset(
        {AgencyType.YOUTH_JUSTICE, AgencyType.VCSE, AgencyType.CHILDRENS_SOCIAL_CARE}
    ),
}


def event_forms(actor: Requester) -> list[str]:
    """The event forms this person may use: their role records events, and their agency is
    active and of a kind that records that form's events."""
    if not can(actor, Action.EVENT_RECORD) or actor.agency is None or not actor.agency.is_active:
        return []
    kind = actor.agency.agency_type
    return [form for form, kinds in EVENT_FORM_AGENCY_TYPES.items() if kind in kinds]


def require_event_form(actor: Requester, form: str) -> Staff:
    """The actor, if they may record this form's events; ``Forbidden`` otherwise."""
    if form not in event_forms(actor):
        raise Forbidden(Action.EVENT_RECORD)
    assert isinstance(actor, Staff)
    return actor


def may_send_feed(agency: Any, feed: str) -> bool:
    """An active agency may send the feed its own kind of system produces, and no other."""
    return bool(agency.is_active) and FEED_AGENCY_TYPES.get(feed) == agency.agency_type


def source_referral_basis(agency: Any, referral: Any) -> str:
    """Why an agency's system may see this referral, or '' (then it does not exist for it): only
    referrals that its own systems sent, never those its staff made on the form."""
    if (
        agency.is_active
        and referral.referring_agency_id == agency.pk
        and referral.source in ("api", "bulk")
        and referral.status != "draft"
    ):
        return REFERRAL_SOURCE_SYSTEM
    return ""


OWN_SOURCE_RECORDS = "identity:own_source_records"  # an agency reads back its own records' numbers


def agency_source_records(agency: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The source records an agency may have person numbers for: the ones it sent itself, and
    none while the agency is inactive (issue 14, part 6)."""
    if not agency.is_active:
        return queryset.none()
    return queryset.filter(agency=agency)


# The person index (ADR 0014) ---------------------------------------------------------------------


def identity_agency_ids(actor: Staff) -> set[int]:
    """Agencies whose person records the actor may read in the person index: their own, and
    those sharing identity data with their agency for their purpose. Empty without the
    capability."""
    if not can(actor, Action.IDENTITY_REVIEW):
        return set()
    return {agency_of(actor).pk} | partner_agency_ids(actor, purpose_for(actor))


def review_pairs_visible(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Review pairs whose two records both come from agencies the actor may read."""
    agencies = identity_agency_ids(actor)
    if not agencies:
        return queryset.none()
    return queryset.filter(record_l__agency_id__in=agencies, record_r__agency_id__in=agencies)


def decide_review_pair(actor: Staff, action: Action, pair: Any) -> str:
    """Raise ``Forbidden`` when the role may never do this, ``NotFound`` when either record
    comes from an agency the actor may not read; otherwise return the basis. Confirming a pair
    whose NHS numbers differ is a merge across NHS numbers: a front-door manager's decision
    (``may_override_nhs_number``)."""
    require_capability(actor, action)
    agencies = identity_agency_ids(actor)
    if pair.record_l.agency_id not in agencies or pair.record_r.agency_id not in agencies:
        raise NotFound(pair.pk)
    return "agency:identity_review"


def may_override_nhs_number(actor: Staff) -> bool:
    """Only a front-door manager may join records with different NHS numbers, with a reason."""
    return can(actor, Action.IDENTITY_MERGE_SPLIT)


def decide_person(
    actor: Staff, action: Action, person: Any, record_agency_ids: Iterable[int]
) -> str:
    """A person in the index is shown with the records the actor may read; one with none of
    those does not exist for the actor."""
    require_capability(actor, action)
    if not (set(record_agency_ids) & identity_agency_ids(actor)):
        raise NotFound(person.pk)
    return "agency:identity_review"


# Cumulative-harm flags and needs discrepancies (issue 4, parts 6 and 7) ---------------------------


def alert_children(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Children whose flags and needs discrepancies are on the actor's list: those they work with
    themselves (as lead practitioner or in the team around the child); at a front door, those
    their agency works with."""
    if not can(actor, Action.CHILD_ALERTS_VIEW):
        return queryset.none()
    return children_worked_with(actor, queryset, personal=not _alerts_agency_wide(actor))


def _alerts_agency_wide(actor: Staff) -> bool:
    """A front door's alerts are for every child its agency works with; anyone else's for the
    children they work with themselves."""
    return actor.role in {Role.FRONT_DOOR_PRACTITIONER, Role.FRONT_DOOR_MANAGER}


def entry_sharing(actor: Staff, action: Action = Action.CHILD_VIEW) -> Decision:
    """For a list of children the actor works with (each already authorised, e.g. by
    ``children_worked_with`` or ``alert_children``), which entries about them the actor sees in
    full (``agency_entry_shown``, ``record_entry_shown``): the same entry-by-entry rule as on a
    child's own pages, which depends on the actor's agency and agreements, not on the child."""
    if not can(actor, action):
        return Decision(False)
    return Decision(
        True,
        basis="list",
        sections=frozenset({DataCategory.IDENTITY}),
        agency_id=actor.agency_id,
        shared=shared_categories(actor, purpose_for(actor)),
    )


def alert_list_sharing(actor: Staff) -> Decision:
    """``entry_sharing`` for the lists of flags and needs discrepancies."""
    return entry_sharing(actor, Action.CHILD_ALERTS_VIEW)


def alerts_open(actor: Staff, decision: Decision) -> bool:
    """Whether a child's flags and needs discrepancies open for an actor whose decision on the
    child is this one: they bring several agencies' records together, so only through a working
    relationship with the child (never break-glass), and for a role that works with them."""
    return (
        can(actor, Action.CHILD_ALERTS_VIEW) and decision.allowed and decision.basis != BREAK_GLASS
    )


def decide_child_alerts(actor: Staff, child: Any) -> Decision:
    """The decision on a child's flags and needs discrepancies page (``alerts_open``)."""
    require_capability(actor, Action.CHILD_ALERTS_VIEW)
    decision = decide_child(actor, Action.CHILD_VIEW, child, purpose_for(actor))
    if not alerts_open(actor, decision):
        raise NotFound(child.pk)
    return decision


# Separation of duties: who may change whom, and what waits for a second administrator -----------
# (issue 10, part 6; ADR 0018)

# The capabilities that read a child's data, by name or by record id: the record and search,
# break-glass, the front door's referrals and person index, flags and needs, rapid responses, and
# the data protection officer's access logs, break-glass reviews and audit trail. Counts about
# groups of children (COHORT_REPORT_VIEW, small numbers suppressed) and the partnership's own
# settings are not child data.
CHILD_DATA_ACTIONS = frozenset(
    {
        Action.CHILD_SEARCH,
        Action.CHILD_VIEW,
        Action.CHILD_RECORD_EDIT,
        Action.CHILD_BREAK_GLASS,
        Action.CHILD_ACCESS_LOG_VIEW,
        Action.BREAK_GLASS_REVIEW,
        Action.AUDIT_TRAIL_VIEW,
        Action.REFERRAL_MAKE,
        Action.FRONT_DOOR_TRIAGE,
        Action.FRONT_DOOR_COUNTERSIGN,
        Action.REFERRAL_AUDIT,
        Action.RAPID_RESPONSE,
        Action.IDENTITY_REVIEW,
        Action.IDENTITY_MERGE_SPLIT,
        Action.CHILD_ALERTS_VIEW,
    }
)
# Giving an account one of these takes two administrators: the child-data capabilities, and
# running the partnership itself (an administrator decides who sees children, so one
# administrator making another at once would be a second pair of hands they control).
APPROVAL_ACTIONS = CHILD_DATA_ACTIONS | {Action.PARTNERSHIP_MANAGE}

# The fields of an account that decide what it may reach (the rest — name, email, job title —
# decide nothing). Their values are kept as plain data: role code, agency and team ids, active.
STAFF_ACCESS_FIELDS = ("role", "agency", "team", "is_active")

OWN_ACCOUNT_REFUSALS = {
    "role": "You cannot change your own role. Ask another administrator",
    "agency": "You cannot change your own agency. Ask another administrator",
    "team": "You cannot change your own team. Ask another administrator",
    "is_active": "You cannot deactivate your own account",
}
DECIDE_OWN_REQUEST = "You asked for this change, so another administrator must decide on it"
DECIDE_OWN_ACCOUNT = (
    "This change is to your own account, so another administrator must decide on it"
)


def staff_access_values(staff: Staff) -> dict[str, Any]:
    """An account's access fields as plain data, to compare and to keep on a change request."""
    return {
        "role": staff.role or "",
        "agency": staff.agency_id,
        "team": staff.team_id,
        "is_active": bool(staff.is_active),
    }


def grants_child_access(role: str) -> bool:
    """Whether an account with this role can read any child's data."""
    return bool(ROLE_ACTIONS.get(role, frozenset()) & CHILD_DATA_ACTIONS)


def _approval_actions(role: str) -> frozenset[Action]:
    return ROLE_ACTIONS.get(role, frozenset()) & APPROVAL_ACTIONS


def is_own_account(actor: Staff, staff: Staff) -> bool:
    return staff.pk is not None and staff.pk == getattr(actor, "pk", None)


def staff_change_refusal(actor: Staff, staff: Staff, after: dict[str, Any]) -> dict[str, str]:
    """What the actor may not change on this account, field by field, with why. Nobody changes
    their own role, agency or team, or deactivates themselves: another administrator does."""
    if not is_own_account(actor, staff):
        return {}
    before = staff_access_values(staff)
    refused = {name: OWN_ACCOUNT_REFUSALS[name] for name in ("role", "agency", "team")}
    refused = {name: why for name, why in refused.items() if before[name] != after[name]}
    if before["is_active"] and not after["is_active"]:
        refused["is_active"] = OWN_ACCOUNT_REFUSALS["is_active"]
    return refused


def staff_change_needs_approval(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether a change to an account's access waits for a second administrator. It does when the
    account, active after the change, gains a capability that reads children's data or runs the
    partnership (a new account counts as having had no role); when an account that reads
    children's data moves to another agency or team (which changes whose children it sees); and
    when such an account is reactivated. A change that only takes access away applies at once."""
    if not after["is_active"]:
        return False
    gained = _approval_actions(after["role"]) - _approval_actions(before["role"])
    if gained:
        return True
    if not _approval_actions(after["role"]):
        return False
    if not before["is_active"]:
        return True
    moved = before["agency"] != after["agency"] or before["team"] != after["team"]
    return moved and grants_child_access(after["role"])


def may_read_staff_changes(actor: Staff) -> bool:
    """Changes to who can see children are read by the administrators, who decide them, and by
    the data protection officer, who oversees them (the same capability as the audit trail)."""
    return can(actor, Action.PARTNERSHIP_MANAGE) or can(actor, Action.AUDIT_TRAIL_VIEW)


def staff_change_decision_refusal(actor: Staff, change: Any) -> str:
    """Why the actor may not approve or refuse this change ('' when they may): it takes an active
    administrator who neither asked for it nor is the account it changes."""
    if not can(actor, Action.PARTNERSHIP_MANAGE):
        return "Only an administrator can decide on a change to someone's access"
    if change.requested_by_id == actor.pk:
        return DECIDE_OWN_REQUEST
    if change.staff_id == actor.pk:
        return DECIDE_OWN_ACCOUNT
    return ""


def may_decide_staff_change(actor: Staff, change: Any) -> bool:
    return not staff_change_decision_refusal(actor, change)


def may_withdraw_staff_change(actor: Staff, change: Any) -> bool:
    """The administrator who asked for a change may withdraw it while it waits."""
    return can(actor, Action.PARTNERSHIP_MANAGE) and change.requested_by_id == actor.pk


# Clocks by urgency: who is alerted when an immediate referral is not rated in time (issue 12,
# part 1; ADR 0019) -----------------------------------------------------------------------------


def clock_alert_referrals(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Referrals whose clock alerts (the banner on every page) the actor sees: those sent to the
    front door of their own agency, for the front door's practitioners and managers. Anyone else
    sees none."""
    if not can(actor, Action.FRONT_DOOR_TRIAGE):
        return queryset.none()
    return queryset.filter(front_door_id=actor.agency_id).exclude(status="draft")


def front_door_managers(front_door: Any, staff: QuerySet[M]) -> QuerySet[M]:
    """Who answers for a front door: its agency's active front-door managers. They are told of
    decisions waiting for their countersignature, of escalations, and of an immediate referral
    not rated in time (practitioners see the banner; managers answer for the clock)."""
    if not front_door.is_active:
        return staff.none()
    return staff.filter(
        agency_id=front_door.pk, role=Role.FRONT_DOOR_MANAGER, is_active=True
    ).order_by("pk")


# Messages (issue 10, part 2) ---------------------------------------------------------------------

#: The basis of reading a message about a referral one may not open: audit findings sent to the
#: rest of the referrer's team.
NOTIFICATION_RECIPIENT = "notification:recipient"


# Scopes: "my", "my front door's", "my team's" (issue 10, part 3) -------------------------------


def front_door_referrals(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Referrals sent to the actor's front door (drafts are their authors' alone): its queue, its
    audit samples. None without the front door's capability."""
    if not can(actor, Action.FRONT_DOOR_TRIAGE):
        return queryset.none()
    return queryset.filter(front_door_id=actor.agency_id).exclude(status="draft")


def allocated_to_actor(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """ "Mine" on the front door's list: the referrals allocated to the actor."""
    return queryset.filter(allocated_to_id=actor.pk)


def front_door_staff(actor: Staff, staff: QuerySet[M]) -> QuerySet[M]:
    """Who works the actor's front door (its active practitioners and managers): whom a referral
    may be allocated to, and whose workload a manager sees. None without the capability."""
    if not can(actor, Action.FRONT_DOOR_TRIAGE):
        return staff.none()
    return staff.filter(
        agency_id=actor.agency_id,
        role__in=[Role.FRONT_DOOR_PRACTITIONER, Role.FRONT_DOOR_MANAGER],
        is_active=True,
    )


def may_see_workload(actor: Staff) -> bool:
    """A front-door manager sees who holds how many of the front door's open referrals."""
    return can(actor, Action.FRONT_DOOR_COUNTERSIGN)


def allocation_refusal(actor: Staff, referral: Any, to: Staff | None) -> str:
    """Why the actor may not allocate this referral to ``to`` (None: take it off whoever has it),
    or "" if they may. Anyone at the front door takes a referral for themselves; a manager also
    gives one to, or takes one from, anyone who works the front door."""
    if not can(actor, Action.FRONT_DOOR_TRIAGE) or referral.front_door_id != actor.agency_id:
        return "Only the front door the referral was sent to allocates it"
    return _allocation_to_refusal(actor, to, "a referral")


def _allocation_to_refusal(actor: Staff, to: Staff | None, what: str) -> str:
    if may_see_workload(actor):
        if to is None or front_door_staff(actor, Staff.objects.filter(pk=to.pk)).exists():
            return ""
        return "Choose someone who works at this front door"
    if to is not None and to.pk == actor.pk:
        return ""
    return f"Only a front-door manager allocates {what} to someone else"


def may_allocate_work(actor: Staff) -> bool:
    """Whether the actor's shared lists (flags, record pairs, held records) are worked by
    allocation: a front door's are, a lead practitioner's own list of flags is theirs already."""
    return can(actor, Action.FRONT_DOOR_TRIAGE)


def work_allocation_refusal(actor: Staff, to: Staff | None, what: str) -> str:
    """Why the actor may not allocate an item of a front door's shared list (a flag, a record
    pair, a held record: the caller has found it through the actor's own list, so it is theirs
    to work) to ``to``, or "" if they may: the same rule as a referral's
    (``allocation_refusal``)."""
    if not may_allocate_work(actor):
        return f"Only the front door allocates {what}"
    return _allocation_to_refusal(actor, to, what)


def front_door_escalations(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Escalations of referrals sent to the actor's front door, for its managers."""
    if not can(actor, Action.FRONT_DOOR_COUNTERSIGN):
        return queryset.none()
    return queryset.filter(referral__front_door_id=actor.agency_id)


def own_referrals(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The referrals the actor wrote themselves, drafts included."""
    if not can(actor, Action.REFERRAL_MAKE):
        return queryset.none()
    return queryset.filter(referrer_id=actor.pk)


def front_door_audits(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rounds of referral audits at the actor's front door, for its managers."""
    if not can(actor, Action.REFERRAL_AUDIT):
        return queryset.none()
    return queryset.filter(front_door_id=actor.agency_id)


def front_door_rapid_responses(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rapid responses the actor's front door opened."""
    if not can(actor, Action.RAPID_RESPONSE):
        return queryset.none()
    return queryset.filter(front_door_id=actor.agency_id)


def own_messages(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The messages addressed to the actor; none to anyone signed out or inactive."""
    if not is_active_actor(actor):
        return queryset.none()
    return queryset.filter(recipient_id=actor.pk)


def audit_findings_recipients(referral: Any, staff: QuerySet[M]) -> QuerySet[M]:
    """Who is sent the findings of an audit of a referral: the person who referred, and the
    active members of the team they referred from (the findings are for the team's learning).
    A referral from another agency's system has no one here to tell. Only those who may see the
    referral can open it from the message (``referral_basis``); reading the message is audited
    for the child."""
    people = Q(pk=referral.referrer_id) if referral.referrer_id is not None else Q(pk__in=[])
    if referral.referring_team_id is not None:
        people |= Q(team_id=referral.referring_team_id)
    return staff.filter(people, is_active=True).order_by("pk")


def people_who_work_with_children(staff: QuerySet[M]) -> QuerySet[M]:
    """Active staff whose role works with children: those who may be offered as members of the
    team around a child (``decide_team_appointment`` decides each appointment)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.CHILD_VIEW in actions]
    return staff.filter(is_active=True, role__in=roles, agency__is_active=True)


def at_front_door(basis: str) -> bool:
    """Whether a referral's basis for the actor is the front door it was sent to."""
    return basis == REFERRAL_FRONT_DOOR


def may_escalate_as_referrer(actor: Staff, referral: Any) -> bool:
    """Only the person who sent a referral escalates it (when the time has passed, which the
    front door's rules decide)."""
    return referral_basis(actor, referral) == REFERRAL_REFERRER


def decide_referral_escalation(actor: Staff, referral: Any) -> str:
    """Raise ``Forbidden`` or ``NotFound`` unless the actor sent this referral; otherwise return
    the basis."""
    basis = decide_referral(actor, Action.REFERRAL_MAKE, referral)
    if basis != REFERRAL_REFERRER:
        raise NotFound(referral.pk)
    return basis


# The insight store (issue 13, parts 1, 2 and 8; ADR 0022) ----------------------------------------

# Analysts build the store and read it; leaders read it (``ROLE_ACTIONS``). Nothing in it names a
# child: police.uk, the census, DfE's statistics, ISTV and boundaries are aggregate or anonymous,
# and Harbour's own data will enter it only as pseudonymised extracts. Every read of it is for
# strategic analysis (``ROLE_PURPOSE``).
INSIGHT_PURPOSE = Purpose.ANALYSIS


def may_import_insight(actor: Staff) -> bool:
    """May the actor import files into the store (and see how each import went)?"""
    return can(actor, Action.INSIGHT_IMPORT)


def insight_imports_visible(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The store is the partnership's, not an agency's: whoever may import sees every import
    (who brought what in, when, and its problems by line); anyone else sees none."""
    if not may_import_insight(actor):
        return queryset.none()
    return queryset


def referrals_for_counting(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Every referral the front doors received, for the store's readers to **count** by group
    (disproportionality at Harbour's own stages, ADR 0024): the caller returns counts, never a
    referral or a child. Analysts and leaders may (``INSIGHT_VIEW``, the analysis purpose); anyone
    else is refused."""
    require_capability(actor, Action.INSIGHT_VIEW)
    return queryset.filter(received_at__isnull=False)


def records_for_counting(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """Every record of a kind (agencies' events, plans, working relationships, the cohort), for
    the store's readers to **count** by area and group (hidden harm, ADR 0036): the caller
    returns counts, never a record or a child. Analysts and leaders may (``INSIGHT_VIEW``, the
    analysis purpose); anyone else is refused."""
    require_capability(actor, Action.INSIGHT_VIEW)
    return queryset


#: The scheduled job that writes Harbour's pseudonymised extracts into the store (ADR 0039).
EXTRACT_SYSTEM_ACTOR = "insight-extract"


def records_for_extract(system_actor: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Every record of a kind the store's pseudonymised extracts hold (referrals received,
    standing decisions, plans, cumulative-harm flags, agencies' events), for the extract job
    alone: it runs with no person behind it, writes pseudonymised rows only (no name, date of
    birth, identifier or free text; the child as a keyed hash whose key is outside the store),
    and its readers see counts through ``records_for_counting``'s capability. Any other caller
    is refused."""
    if system_actor != EXTRACT_SYSTEM_ACTOR:
        raise Forbidden(Action.INSIGHT_IMPORT)
    return queryset


# The home page's headline figures (issue 13, part 3; ADR 0035) ----------------------------------


def may_see_headlines(actor: Requester) -> bool:
    """Whether the home page shows the actor the partnership's headline figures (leaders,
    analysts and panel chairs) rather than only their own work."""
    return can(actor, Action.HEADLINES_VIEW)


def counted_for_headlines(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """The partnership's records (referrals, decisions, flags, children, rapid responses), for
    the headline figures to **count**: the caller returns counts, never a record or a child, and
    every count goes through ``harbour.disclosure``. Anyone without ``HEADLINES_VIEW`` is
    refused."""
    require_capability(actor, Action.HEADLINES_VIEW)
    return queryset


def own_home_visits(actor: Staff, queryset: QuerySet[M]) -> QuerySet[M]:
    """When the actor last looked at their home page and what it showed them; no one else's."""
    if not is_active_actor(actor):
        return queryset.none()
    return queryset.filter(staff_id=actor.pk)


# Emerging-pattern alerts (issue 13, part 5; ADR 0034) ---------------------------------------------


def may_act_on_alerts(actor: Requester) -> bool:
    """May the actor record what was done about an alert, and change what the check watches?"""
    return can(actor, Action.INSIGHT_ALERT_ACT)


def alert_recipients(named: QuerySet[M], staff: QuerySet[M]) -> QuerySet[M]:
    """Who is told of a measure's alert: the leaders the measure names (``named``), those of them
    still active and still leaders; where it names none who are, every active leader, so an
    alert is never told to no one."""
    leaders = alert_leaders(staff)
    chosen = leaders.filter(pk__in=named.values("pk"))
    return (chosen if chosen.exists() else leaders).order_by("pk")


def alert_leaders(staff: QuerySet[M]) -> QuerySet[M]:
    """The members of staff a measure may name to be told of its alerts: active leaders who may
    act on alerts, in an active agency."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.INSIGHT_ALERT_ACT in actions]
    return staff.filter(is_active=True, role__in=roles, agency__is_active=True)


def may_be_named_for_alerts(staff: Any) -> bool:
    """Whether a member of staff may be named as a leader told of a measure's alerts."""
    return can(staff, Action.INSIGHT_ALERT_ACT)
