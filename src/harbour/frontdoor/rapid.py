"""Rapid response after a serious incident (issue 3, part 9; ADR 0016).

A stabbing, a shooting or a serious assault puts more children at risk than the one hurt: the
other children involved, their brothers and sisters, and the children they have been involved
with before (retaliation, exploitation, the same group). From a serious incident on an agency's
record the front door sees every child linked to it, **with the facts behind each link** (which
record, which date, which agency), opens a rapid response to be convened within the service level
(24 hours by default), and checks that each linked child has a named contact: their lead
practitioner, or someone named in the response. Nothing here scores or ranks a child; the links
are facts and a professional decides what to do with them.

Which incidents and links a front door may use is the policy's (``policy.rapid_response_agency_ids``
for events, ``policy.rapid_response_children`` for naming a child); every page that shows a child
audits it in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.access.models import RelationshipKind, WorkingRelationship
from harbour.children.codes import Relationship
from harbour.children.models import Child, FamilyMember
from harbour.frontdoor import clocks
from harbour.frontdoor.codes import LinkKind, RapidStatus, Step
from harbour.frontdoor.models import (
    RapidResponse,
    RapidResponseChild,
    SeriousIncidentRule,
    ServiceLevel,
)
from harbour.frontdoor.services import front_door_agency
from harbour.identity.models import (
    EVENT_KIND_CATEGORY,
    AgencyEvent,
    EventRole,
    PersonRecord,
)
from harbour.partnership.models import Agency, Purpose, Staff
from harbour.web import lists

RECENT_DAYS = 30  # serious incidents listed for a rapid response
ASSOCIATE_DAYS = 365  # co-involvement before the incident that makes a child an associate
SIBLINGS = (Relationship.SIBLING, Relationship.HALF_SIBLING)
LINK_ORDER = {LinkKind.INVOLVED: 0, LinkKind.SIBLING: 1, LinkKind.ASSOCIATE: 2}
SYSTEM_ACTOR = "frontdoor-serious-incident-rule"


def _serious(rule: SeriousIncidentRule | None = None) -> Q:
    """A serious incident by the partnership's rule (data, ``SeriousIncidentRule``): its kinds,
    categories and least severity."""
    rule = rule or SeriousIncidentRule.current()
    return Q(
        kind__in=list(rule.kinds),
        category__in=list(rule.categories),
        severity__gte=rule.minimum_severity,
    )


def _about_a_child(event: AgencyEvent, rule: SeriousIncidentRule) -> bool:
    """The person on the record was under the rule's age on the day (or their age is unknown)."""
    age = _age_on(event.source_record.date_of_birth, event.occurred_on)
    return age is None or age < rule.under_age


def _agencies_by_category(actor: Staff) -> dict[str, set[int]]:
    """For each data category an event can be, the agencies whose events of it the actor may use."""
    return {
        category: policy.rapid_response_agency_ids(actor, category)
        for category in set(EVENT_KIND_CATEGORY.values())
    }


def _front_door_agencies_by_category(front_door: Agency) -> dict[str, set[int]]:
    """The same for a front door itself, when the rule opens a response (no one acting)."""
    return {
        category: policy.front_door_rapid_response_agency_ids(front_door, category)
        for category in set(EVENT_KIND_CATEGORY.values())
    }


def _usable(events: QuerySet[AgencyEvent], allowed: dict[str, set[int]]) -> QuerySet[AgencyEvent]:
    """Only events from agencies sharing that kind of event with the actor."""
    q = Q(pk__in=[])
    for kind, category in EVENT_KIND_CATEGORY.items():
        if allowed[category]:
            q |= Q(kind=kind, agency_id__in=allowed[category])
    return events.filter(q)


def _age_on(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _children_of_records(record_ids: set[int]) -> dict[int, uuid.UUID]:
    """Each source record's Harbour child, where the person index links one (merges move a
    person's records to the person kept, so no chain to follow)."""
    return dict(
        PersonRecord.objects.filter(
            source_record_id__in=record_ids, person__child__isnull=False
        ).values_list("source_record_id", "person__child_id")
    )


def _what(event: AgencyEvent) -> str:
    weapon = ", a weapon involved" if event.weapon else ""
    return (
        f"{event.get_kind_display()} {event.source_reference}: "
        f"{event.get_category_display().lower()}{weapon}"
    )


def _reason(event: AgencyEvent, what: str, via: uuid.UUID | None = None) -> dict[str, str]:
    return {
        "on": event.occurred_on.isoformat(),
        "agency": event.agency.name,
        "what": what,
        "via": str(via or ""),
    }


# Who is linked to an incident -------------------------------------------------------------------


@dataclass
class Link:
    child_id: uuid.UUID
    link: str
    reasons: list[dict[str, str]] = field(default_factory=list)


class _Links:
    def __init__(self) -> None:
        self.by_child: dict[uuid.UUID, Link] = {}

    def add(self, child_id: uuid.UUID, link: str, reason: dict[str, str]) -> None:
        found = self.by_child.get(child_id)
        if found is None:
            found = self.by_child[child_id] = Link(child_id, link)
        elif LINK_ORDER[LinkKind(link)] < LINK_ORDER[LinkKind(found.link)]:
            found.link = link
        if reason not in found.reasons:
            found.reasons.append(reason)

    def ordered(self) -> list[Link]:
        return sorted(
            self.by_child.values(),
            key=lambda x: (LINK_ORDER[LinkKind(x.link)], x.reasons[0]["on"], str(x.child_id)),
        )


def _same_event(events: list[AgencyEvent]) -> QuerySet[AgencyEvent]:
    """Other people's records of the same events: the same agency and the agency's reference."""
    q = Q(pk__in=[])
    for event in events:
        q |= Q(agency_id=event.agency_id, source_reference=event.source_reference)
    return AgencyEvent.objects.filter(q).exclude(pk__in=[e.pk for e in events])


def linked_children(actor: Staff, incident: AgencyEvent) -> list[Link]:
    """The children linked to a serious incident, each with the facts behind the link:

    - **involved**: the child on whose record the incident is, the children the record names,
      and the children on other records of the same incident (same agency and reference);
    - **siblings** of a child involved, from the family recorded on their Harbour record;
    - **associates**: children named with a child involved in an earlier event (the year before
      the incident) from an agency that shares that kind of event with the actor's agency.

    Involved comes before sibling before associate; a child linked twice keeps every reason."""
    return _linked_children(incident, _agencies_by_category(actor))


def _linked_children(incident: AgencyEvent, allowed: dict[str, set[int]]) -> list[Link]:
    links = _Links()

    # Involved: every record of the incident (same agency and reference) and the records each
    # of them names.
    records_of_it = [incident, *_same_event([incident]).select_related("agency")]
    roles: dict[int, tuple[str, AgencyEvent]] = {}
    for event in records_of_it:
        roles.setdefault(event.source_record_id, (event.role, event))
    for event in records_of_it:
        for participant in event.participants.all():
            if participant.source_record_id is not None:
                roles.setdefault(participant.source_record_id, (participant.role, event))
    child_of = _children_of_records(set(roles))
    for record_id, (role, event) in roles.items():
        child_id = child_of.get(record_id)
        if child_id is not None:
            label = EventRole(role).label
            links.add(child_id, LinkKind.INVOLVED, _reason(event, f"{label}, {_what(event)}"))
    involved = set(links.by_child)
    if not involved:
        return []

    # Siblings, recorded either way round.
    siblings = FamilyMember.objects.filter(relationship__in=SIBLINGS).filter(
        Q(child_id__in=involved, related_child__isnull=False) | Q(related_child_id__in=involved)
    )
    for member in siblings:
        sibling: uuid.UUID | None
        of: uuid.UUID | None
        if member.child_id in involved:
            sibling, of = member.related_child_id, member.child_id
        else:
            sibling, of = member.child_id, member.related_child_id
        if sibling is None or sibling in involved:
            continue
        links.add(
            sibling,
            LinkKind.SIBLING,
            {
                "on": "",
                "agency": "Harbour child record",
                "what": f"Recorded as {member.get_relationship_display().lower()}",
                "via": str(of),
            },
        )

    # Associates: named together with a child involved in the year before.
    own = dict(
        PersonRecord.objects.filter(person__child_id__in=involved).values_list(
            "source_record_id", "person__child_id"
        )
    )
    since = incident.occurred_on - dt.timedelta(days=ASSOCIATE_DAYS)
    window = Q(occurred_on__gte=since, occurred_on__lte=incident.occurred_on)
    incident_refs = Q(agency_id=incident.agency_id, source_reference=incident.source_reference)
    earlier = list(
        _usable(AgencyEvent.objects.filter(window, source_record_id__in=own), allowed)
        .exclude(incident_refs)
        .select_related("agency")
        .prefetch_related("participants")
    )
    # (record named, event, the involved child it links to)
    pairs: list[tuple[int, AgencyEvent, uuid.UUID]] = []
    for event in earlier:
        via = own[event.source_record_id]
        for participant in event.participants.all():
            if participant.source_record_id is not None:
                pairs.append((participant.source_record_id, event, via))
    same = _same_event(earlier).exclude(source_record_id__in=own)
    by_ref = {(e.agency_id, e.source_reference): e for e in earlier}
    for other in same:
        found = by_ref.get((other.agency_id, other.source_reference))
        if found is not None:
            pairs.append((other.source_record_id, found, own[found.source_record_id]))
    naming_own = _usable(
        AgencyEvent.objects.filter(window, participants__source_record_id__in=own), allowed
    ).exclude(incident_refs)
    for event in naming_own.select_related("agency").prefetch_related("participants"):
        for participant in event.participants.all():
            if participant.source_record_id in own:
                pairs.append((event.source_record_id, event, own[participant.source_record_id]))
    associate_of = _children_of_records({record for record, _, _ in pairs})
    for record, event, via in pairs:
        child_id = associate_of.get(record)
        if child_id is None or child_id in involved or child_id == via:
            continue
        links.add(
            child_id,
            LinkKind.ASSOCIATE,
            _reason(event, "Named together in " + _what(event)[0].lower() + _what(event)[1:], via),
        )
    return links.ordered()


# What a viewer sees ------------------------------------------------------------------------------


@dataclass
class Contact:
    name: str
    agency: str
    as_lead: bool


@dataclass
class ShownChild:
    """A linked child as the viewer sees them: named if the policy lets the viewer find them,
    otherwise another child and whom to ask."""

    child_id: uuid.UUID
    link: str
    link_label: str
    named: bool
    label: str
    ask: str
    reasons: list[dict[str, Any]]
    contact: Contact | None
    row: RapidResponseChild | None = None

    @property
    def has_contact(self) -> bool:
        return self.contact is not None


def _holders(child_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    holders: dict[uuid.UUID, list[str]] = defaultdict(list)
    for child_id, name in (
        WorkingRelationship.objects.current()
        .filter(child_id__in=child_ids, kind=RelationshipKind.AGENCY_RECORD)
        .order_by("agency__name")
        .values_list("child_id", "agency__name")
    ):
        holders[child_id].append(name)
    return holders


def _leads(child_ids: set[uuid.UUID]) -> dict[uuid.UUID, Contact]:
    leads: dict[uuid.UUID, Contact] = {}
    for relationship in (
        WorkingRelationship.objects.current()
        .filter(
            child_id__in=child_ids, kind=RelationshipKind.LEAD_PRACTITIONER, staff__isnull=False
        )
        .select_related("staff__agency")
        .order_by("started_on", "pk")
    ):
        staff = relationship.staff
        assert staff is not None
        leads.setdefault(
            relationship.child_id, Contact(staff.get_full_name(), str(staff.agency), True)
        )
    return leads


def _show(
    actor: Staff,
    links: list[Link],
    rows: dict[uuid.UUID, RapidResponseChild] | None = None,
) -> list[ShownChild]:
    """The viewer's view of the links, auditing each child named to them."""
    ids = {link.child_id for link in links}
    named = {
        c.pk: c for c in policy.rapid_response_children(actor, Child.objects.filter(pk__in=ids))
    }
    holders = _holders(ids - set(named))
    leads = _leads(ids)
    rows = rows or {}
    labels = dict(LinkKind.choices)
    shown: list[ShownChild] = []
    for link in links:
        child = named.get(link.child_id)
        row = rows.get(link.child_id)
        contact = leads.get(link.child_id)
        if contact is None and row is not None and row.contact is not None:
            contact = Contact(row.contact.get_full_name(), str(row.contact.agency), False)
        agencies = holders.get(link.child_id) or ["children's social care"]
        shown.append(
            ShownChild(
                child_id=link.child_id,
                link=link.link,
                link_label=labels[link.link],
                named=child is not None,
                label=str(child) if child is not None else "Another child",
                ask="" if child is not None else "ask " + " or ".join(agencies),
                # The facts behind a link (which record, which date, what role) are details of
                # the child: only for a child the viewer may be told about.
                reasons=link.reasons if child is not None else [],
                contact=contact,
                row=row,
            )
        )
    labels_by_id = {s.child_id: s.label for s in shown}
    for s in shown:
        s.reasons = [
            {
                **r,
                "on_date": dt.date.fromisoformat(r["on"]) if r["on"] else None,
                "via_label": labels_by_id.get(uuid.UUID(r["via"]), "a child") if r["via"] else "",
            }
            for r in s.reasons
        ]
    purpose = policy.purpose_for(actor)
    for child_id in named:
        audit_record(
            actor=actor,
            event="front_door.rapid_response_child_shown",
            child_id=child_id,
            section="identity",
            purpose=purpose,
            basis="agency:rapid_response",
        )
    return shown


# Serious incidents and rapid responses (reads) -------------------------------------------------


@dataclass
class SeriousIncident:
    """One incident as the agency recorded it (its reference), on however many of its records:
    ``event`` is the record of the child harmed where there is one."""

    event: AgencyEvent
    children: list[ShownChild]
    response: RapidResponse | None


#: Which record of an incident stands for it: the child harmed first.
HARMED_FIRST = {EventRole.VICTIM: 0, EventRole.PATIENT: 1}


def serious_incidents(actor: Staff, *, today: dt.date | None = None) -> list[SeriousIncident]:
    """Serious incidents in the last ``RECENT_DAYS`` days about a child, from agencies sharing
    that kind of event with the actor's agency, newest first: one row per incident (agency and
    reference), with the children on its records (as the viewer may see them) and its rapid
    response if one has been opened."""
    policy.require_capability(actor, policy.Action.RAPID_RESPONSE)
    today = today or timezone.localdate()
    rule = SeriousIncidentRule.current()
    events = [
        e
        for e in _usable(
            AgencyEvent.objects.filter(
                _serious(rule), occurred_on__gte=today - dt.timedelta(days=RECENT_DAYS)
            ),
            _agencies_by_category(actor),
        )
        .select_related("agency", "source_record", "rapid_response")
        .order_by("-occurred_on", "-pk")
        if _about_a_child(e, rule)
    ]
    groups: dict[tuple[int, str], list[AgencyEvent]] = {}
    for event in events:
        groups.setdefault((event.agency_id, event.source_reference), []).append(event)
    child_of = _children_of_records({e.source_record_id for e in events})
    links = [
        Link(child_of[e.source_record_id], LinkKind.INVOLVED, [_reason(e, _what(e))])
        for e in events
        if e.source_record_id in child_of
    ]
    shown = {s.child_id: s for s in _show(actor, links)}
    incidents = []
    for group in groups.values():
        group.sort(key=lambda e: (HARMED_FIRST.get(EventRole(e.role), 2), e.pk))
        children = list(
            {
                child_of[e.source_record_id]: shown[child_of[e.source_record_id]]
                for e in group
                if e.source_record_id in child_of
            }.values()
        )
        response = next(
            (r for e in group if (r := getattr(e, "rapid_response", None)) is not None), None
        )
        incidents.append(SeriousIncident(group[0], children, response))
    return incidents


def incident_for_actor(actor: Staff, event_id: int) -> AgencyEvent:
    """A serious incident the actor may use, or ``NotFound``."""
    policy.require_capability(actor, policy.Action.RAPID_RESPONSE)
    event = (
        _usable(AgencyEvent.objects.filter(_serious(), pk=event_id), _agencies_by_category(actor))
        .select_related("agency", "source_record")
        .prefetch_related("participants")
        .first()
    )
    if event is None:
        raise policy.NotFound(event_id)
    return event


def incident_links(actor: Staff, incident: AgencyEvent) -> list[ShownChild]:
    """The children linked to an incident, as the viewer sees them (audited)."""
    return _show(actor, linked_children(actor, incident))


def responses(
    actor: Staff,
    *,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[RapidResponse]:
    """The actor's front door's rapid responses (of one status, opened between the dates, if
    asked), open first."""
    policy.require_capability(actor, policy.Action.RAPID_RESPONSE)
    chosen = policy.front_door_rapid_responses(actor, RapidResponse.objects.all())
    if status:
        chosen = chosen.filter(status=status)
    chosen = lists.filter_dates(chosen, "opened_at", date_from, date_to)
    found = list(chosen.select_related("incident__agency").prefetch_related("children"))
    order = {RapidStatus.OPEN: 0, RapidStatus.CONVENED: 1, RapidStatus.CLOSED: 2}
    return sorted(found, key=lambda r: (order[RapidStatus(r.status)], -r.opened_at.timestamp()))


@dataclass(frozen=True)
class Account:
    """Whether the agency's own account of an incident (what its record says happened) is
    shown: it is about the child on that record, so only when the viewer may be told who that
    child is (or the record is of nobody in Harbour). Otherwise, whom to ask."""

    shown: bool
    ask: str = ""


def incident_account(actor: Staff, incident: AgencyEvent) -> Account:
    child_id = _children_of_records({incident.source_record_id}).get(incident.source_record_id)
    if child_id is None or (
        policy.rapid_response_children(actor, Child.objects.filter(pk=child_id)).exists()
    ):
        return Account(True)
    return Account(False, f"ask {incident.agency.name}, who recorded it")


@dataclass
class ResponseView:
    response: RapidResponse
    children: list[ShownChild]
    account: Account

    @property
    def without_contact(self) -> list[ShownChild]:
        return [c for c in self.children if not c.has_contact]


def response_for_actor(actor: Staff, response_id: int) -> ResponseView:
    """One rapid response of the actor's front door, with its children as the viewer sees them
    (audited), or ``NotFound``."""
    policy.require_capability(actor, policy.Action.RAPID_RESPONSE)
    response = (
        policy.front_door_rapid_responses(actor, RapidResponse.objects.filter(pk=response_id))
        .select_related("incident__agency", "opened_by", "recorded_by", "closed_by")
        .prefetch_related("agencies_present")
        .first()
    )
    if response is None:
        raise policy.NotFound(response_id)
    rows = {
        row.child_id: row
        for row in response.children.select_related("contact__agency", "contact_named_by")
    }
    links = [Link(row.child_id, row.link, list(row.reasons)) for row in rows.values()]
    links.sort(key=lambda x: (LINK_ORDER[LinkKind(x.link)], str(x.child_id)))
    return ResponseView(
        response, _show(actor, links, rows), incident_account(actor, response.incident)
    )


def contact_choices(actor: Staff) -> list[Any]:
    """People who may be named as a child's contact: active, in a role that works with
    children, in the actor's agency or one sharing with it (``policy.appointee_refusal``)."""
    agencies = {actor.agency_id} | policy.partner_agency_ids(actor, policy.purpose_for(actor))
    people = (
        Staff.objects.filter(is_active=True, agency_id__in=agencies, agency__is_active=True)
        .select_related("agency")
        .order_by("agency__name", "last_name", "first_name")
    )
    found = [p for p in people if not policy.appointee_refusal(actor, p, "be named")]
    # The actor's own agency first (an order, not an access decision).
    own = actor.agency_id
    return sorted(found, key=lambda p: p.agency_id != own)


# Writes -----------------------------------------------------------------------------------------


def _next_reference(at: dt.datetime) -> str:
    prefix = f"RR-{timezone.localtime(at).year}-"
    last = (
        RapidResponse.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _audit(actor: Staff, event: str, response: RapidResponse, **detail: Any) -> None:
    audit_record(
        actor=actor,
        event=event,
        subject=response,
        purpose=policy.purpose_for(actor),
        basis="agency:rapid_response",
        detail={"reference": response.reference, **detail},
    )


@transaction.atomic
def rapid_response_open(
    *, actor: Staff, incident: AgencyEvent, at: dt.datetime | None = None
) -> RapidResponse:
    """Open a rapid response to a serious incident: the linked children as they are now, to be
    convened within the service level. One per incident."""
    incident = incident_for_actor(actor, incident.pk)
    existing = response_to(incident)
    if existing is not None:
        raise ValidationError(f"A rapid response is already open for this incident: {existing}")
    return _open(
        incident,
        front_door=policy.agency_of(actor),
        allowed=_agencies_by_category(actor),
        actor=actor,
        at=at,
    )


def response_to(incident: AgencyEvent) -> RapidResponse | None:
    """The rapid response to an incident (on any of its records: same agency and reference)."""
    return RapidResponse.objects.filter(
        incident__agency_id=incident.agency_id,
        incident__source_reference=incident.source_reference,
    ).first()


def standing_record(incident: AgencyEvent) -> AgencyEvent:
    """The record that stands for an incident among the agency's records of it (one per child):
    the child harmed first (victim, then patient), then the first recorded."""
    records = [incident, *_same_event([incident]).select_related("agency", "source_record")]
    records.sort(key=lambda e: (HARMED_FIRST.get(EventRole(e.role), 2), e.pk))
    return records[0]


@transaction.atomic
def rapid_response_open_by_rule(
    *, event_id: int, at: dt.datetime | None = None
) -> RapidResponse | None:
    """Open the rapid response to an incident that meets the partnership's rule for a serious
    incident (``SeriousIncidentRule``, with ``opens_automatically``), as it arrives (ADR 0028):
    for the partnership's front door, with the children linked as a front door finds them, on
    the record of the child harmed. The response already open when there is one; None when the
    event is not serious by the rule, is not about a child, or the front door may not use it."""
    rule = SeriousIncidentRule.current()
    event = (
        AgencyEvent.objects.filter(_serious(rule), pk=event_id)
        .select_related("agency", "source_record")
        .first()
    )
    if event is None or not _about_a_child(event, rule):
        return None
    existing = response_to(event)
    if existing is not None or not rule.opens_automatically:
        return existing
    front_door = front_door_agency()
    if front_door is None:
        return None
    allowed = _front_door_agencies_by_category(front_door)
    incident = standing_record(event)
    if not _usable(AgencyEvent.objects.filter(pk=incident.pk), allowed).exists():
        return None
    try:
        return _open(incident, front_door=front_door, allowed=allowed, actor=None, at=at)
    except ValidationError:  # no child known to Harbour linked to it (yet)
        return None


def _open(
    incident: AgencyEvent,
    *,
    front_door: Agency,
    allowed: dict[str, set[int]],
    actor: Staff | None,
    at: dt.datetime | None,
) -> RapidResponse:
    links = _linked_children(incident, allowed)
    if not links:
        raise ValidationError("No child known to Harbour is linked to this incident")
    at = at or timezone.now()
    level = ServiceLevel.objects.filter(step=Step.RAPID_RESPONSE, clock="").first()
    convene_by = (
        level.due(at, clocks.working_time()) if level is not None else at + dt.timedelta(hours=24)
    )
    try:
        with transaction.atomic():
            response = RapidResponse.objects.create(
                reference=_next_reference(at),
                incident=incident,
                front_door=front_door,
                opened_by=actor,
                opened_by_rule=actor is None,
                opened_at=at,
                convene_by=convene_by,
            )
    except IntegrityError:
        raise ValidationError("A rapid response is already open for this incident") from None
    RapidResponseChild.objects.bulk_create(
        [
            RapidResponseChild(
                response=response, child_id=x.child_id, link=x.link, reasons=x.reasons
            )
            for x in links
        ]
    )
    who: dict[str, Any] = (
        {"actor": actor, "purpose": policy.purpose_for(actor)}
        if actor is not None
        else {"actor": None, "system_actor": SYSTEM_ACTOR, "purpose": Purpose.SAFEGUARDING}
    )
    audit_record(
        event="front_door.rapid_response_opened",
        subject=response,
        basis="agency:rapid_response",
        detail={"reference": response.reference, "children": len(links)},
        **who,
    )
    for x in links:
        audit_record(
            event="front_door.rapid_response_child_linked",
            child_id=x.child_id,
            subject=response,
            section=EVENT_KIND_CATEGORY[incident.kind],
            basis="agency:rapid_response",
            detail={"reference": response.reference, "link": x.link},
            **who,
        )
    return response


def _open_response(actor: Staff, response: RapidResponse) -> RapidResponse:
    response = response_for_actor(actor, response.pk).response
    if response.status == RapidStatus.CLOSED:
        raise ValidationError("This rapid response is closed")
    return response


@transaction.atomic
def rapid_response_name_contact(
    *, actor: Staff, response: RapidResponse, row: RapidResponseChild, contact: Any
) -> RapidResponseChild:
    """Name the professional who will make contact with a linked child after the incident."""
    response = _open_response(actor, response)
    if row.response_id != response.pk:
        raise policy.NotFound(row.pk)
    refusal = policy.appointee_refusal(actor, contact, "be named as the child's contact")
    if refusal:
        raise ValidationError({"contact": refusal})
    row.contact = contact
    row.contact_named_by = actor
    row.contact_named_at = timezone.now()
    row.save(update_fields=["contact", "contact_named_by", "contact_named_at"])
    audit_record(
        actor=actor,
        event="front_door.rapid_response_contact_named",
        child_id=row.child_id,
        subject=response,
        section="identity",
        purpose=policy.purpose_for(actor),
        basis="agency:rapid_response",
        detail={"reference": response.reference, "contact": contact.get_username()},
    )
    return row


@transaction.atomic
def rapid_response_record(
    *,
    actor: Staff,
    response: RapidResponse,
    convened_at: dt.datetime,
    agencies: list[Agency],
    decisions: str,
) -> RapidResponse:
    """Record that the rapid response met: when, which agencies came, what it decided."""
    response = _open_response(actor, response)
    if convened_at > timezone.now():
        raise ValidationError({"date": "The date it met must be today or in the past"})
    if timezone.localtime(convened_at).date() < response.incident.occurred_on:
        raise ValidationError({"date": "The date it met must be on or after the incident"})
    if not agencies:
        raise ValidationError({"agencies": "Select the agencies that came"})
    response.convened_at = convened_at
    response.decisions = decisions
    response.recorded_by = actor
    response.status = RapidStatus.CONVENED
    response.save(update_fields=["convened_at", "decisions", "recorded_by", "status"])
    response.agencies_present.set(agencies)
    _audit(
        actor,
        "front_door.rapid_response_convened",
        response,
        late=response.late,
        agencies=sorted(a.code for a in agencies),
    )
    return response


@transaction.atomic
def rapid_response_close(
    *, actor: Staff, response: RapidResponse, at: dt.datetime | None = None
) -> RapidResponse:
    """Close a convened rapid response: only when every linked child has a named contact."""
    view = response_for_actor(actor, response.pk)
    response = view.response
    if response.status != RapidStatus.CONVENED:
        raise ValidationError("Record the rapid response meeting before closing it")
    missing = view.without_contact
    if missing:
        raise ValidationError(
            f"Name a contact for every child before closing: {len(missing)} "
            f"{'child has' if len(missing) == 1 else 'children have'} none"
        )
    response.status = RapidStatus.CLOSED
    response.closed_at = at or timezone.now()
    response.closed_by = actor
    response.save(update_fields=["status", "closed_at", "closed_by"])
    _audit(actor, "front_door.rapid_response_closed", response)
    return response
