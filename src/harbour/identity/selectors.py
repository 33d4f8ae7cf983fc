"""Reads of the person index, through the policy and audited (ADR 0014). The review queue lists
pairs by agency and probability only; opening a pair or a person shows source records, which are
child data, so each view writes an access event for each Harbour child it is known to be."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children.models import Child
from harbour.identity.audit import audit_children
from harbour.identity.models import (
    AlertStatus,
    EventImport,
    HarmFlag,
    HeldRecord,
    HeldRecordDecision,
    HeldStatus,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)
from harbour.partnership.models import Agency, Staff
from harbour.web import lists

M = TypeVar("M", bound=Model)


def _denied(actor: Staff, event: str, requested: Any) -> None:
    audit_record(
        actor=actor,
        event=event,
        purpose=policy.purpose_for(actor),
        outcome="denied",
        detail={"requested_id": str(requested)},
    )


@dataclass(frozen=True)
class WorkFilters:
    """Filters for the record pairs and held records (ADR 0031)."""

    agency: Agency | None = None
    nhs: str = ""  # "differ": only pairs whose NHS numbers differ
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    allocated: str = ""  # "mine" or "none"


def _allocated(actor: Staff, items: QuerySet[M], allocated: str) -> QuerySet[M]:
    if allocated == "mine":
        return policy.allocated_to_actor(actor, items)
    if allocated == "none":
        return items.filter(allocated_to__isnull=True)
    return items


def review_queue(*, actor: Staff, filters: WorkFilters | None = None) -> QuerySet[ReviewPair]:
    """Pending pairs the actor may review that the filters select, most likely first. Names are
    not listed here."""
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    filters = filters or WorkFilters()
    pairs = policy.review_pairs_visible(
        actor, ReviewPair.objects.filter(status=ReviewStatus.PENDING)
    )
    if filters.agency is not None:
        pairs = pairs.filter(
            Q(record_l__agency=filters.agency) | Q(record_r__agency=filters.agency)
        )
    if filters.nhs == "differ":
        pairs = pairs.filter(needs_nhs_override=True)
    pairs = lists.filter_dates(pairs, "created_at", filters.date_from, filters.date_to)
    return (
        _allocated(actor, pairs, filters.allocated)
        .select_related("record_l__agency", "record_r__agency", "allocated_to")
        .order_by("-match_probability", "pk")
    )


def recently_decided(*, actor: Staff, limit: int = 20) -> QuerySet[ReviewPair]:
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    return (
        policy.review_pairs_visible(
            actor,
            ReviewPair.objects.filter(
                status__in=(ReviewStatus.CONFIRMED, ReviewStatus.REJECTED),
                match_probability__isnull=False,
            ),
        )
        .select_related("record_l__agency", "record_r__agency", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def held_records(*, actor: Staff, filters: WorkFilters | None = None) -> QuerySet[HeldRecord]:
    """Records held back from matching that are waiting for someone to decide, from agencies
    whose person records the actor may read, that the filters select, longest waiting first.
    Like the review queue, the list names no one (agency, the agency's reference, which details
    are there, why held)."""
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    filters = filters or WorkFilters()
    held = HeldRecord.objects.filter(
        released_at__isnull=True,
        status=HeldStatus.HELD,
        source_record__agency_id__in=policy.identity_agency_ids(actor),
    )
    if filters.agency is not None:
        held = held.filter(source_record__agency=filters.agency)
    held = lists.filter_dates(held, "held_at", filters.date_from, filters.date_to)
    return (
        _allocated(actor, held, filters.allocated)
        .select_related("source_record__agency", "allocated_to")
        .order_by("held_at", "pk")
    )


def held_count(*, actor: Staff) -> int:
    return held_records(actor=actor).count()


@dataclass(frozen=True)
class HeldView:
    held: HeldRecord
    record: SourceRecord
    person: Person | None  # the person the record belongs to, if any
    decisions: list[HeldRecordDecision]


def held_record_for_actor(*, actor: Staff, held_id: int) -> HeldView:
    """One held record with its details and history. A record from an agency the actor may not
    read does not exist for them (the attempt is audited); a view is audited for the Harbour
    child the record is known to be (one event with no child when none is known)."""
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    held = (
        HeldRecord.objects.select_related("source_record__agency", "decided_by")
        .filter(pk=held_id)
        .first()
    )
    try:
        if held is None or held.source_record.agency_id not in policy.identity_agency_ids(actor):
            raise policy.NotFound(held_id)
    except policy.NotFound:
        _denied(actor, "identity.held_record_access_denied", held_id)
        raise
    person = _person_of(held.source_record)
    audit_children(
        actor=actor,
        event="identity.held_record_viewed",
        child_ids=[person.child_id] if person is not None and person.child_id else [],
        subject=held,
        even_if_none=True,
    )
    decisions = list(held.decisions.select_related("actor", "person"))
    return HeldView(held, held.source_record, person, decisions)


NO_SUCH_PERSON = "No person has that number"


def person_to_join(*, actor: Staff, text: str, action: policy.Action) -> Person:
    """The person a record is to join, by number (``P-000123``), if the actor may see them;
    otherwise a ``ValidationError`` on the form's ``person`` field (a person outside the actor's
    reach is not told apart from none, and the attempt is audited). Nothing is shown, so this
    is not a view of the person."""
    policy.require_capability(actor, action)
    person = person_by_display_id(text)
    if person is None:
        raise ValidationError({"person": NO_SUCH_PERSON})
    target = person.merged_into_id or person.pk
    agencies = set(
        SourceRecord.objects.filter(person_link__person_id=target)
        .values_list("agency_id", flat=True)
        .distinct()
    )
    try:
        policy.decide_person(actor, action, person, agencies)
    except policy.NotFound:
        _denied(actor, "identity.person_access_denied", person.number)
        raise ValidationError({"person": NO_SUCH_PERSON}) from None
    return person


@dataclass(frozen=True)
class PairView:
    pair: ReviewPair
    person_l: Person | None
    person_r: Person | None


def _person_of(record: SourceRecord) -> Person | None:
    link = PersonRecord.objects.select_related("person").filter(source_record=record).first()
    return link.person if link else None


def review_pair_for_actor(*, actor: Staff, pair_id: int) -> PairView:
    """One pair with both records, for review. Raises ``policy.Forbidden``/``NotFound``; the
    view is audited once for each Harbour child either record is known to be."""
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    pair = (
        ReviewPair.objects.select_related(
            "record_l__agency", "record_r__agency", "decided_by", "decided_by__agency"
        )
        .filter(pk=pair_id)
        .first()
    )
    try:
        if pair is None:
            raise policy.NotFound(pair_id)
        policy.decide_review_pair(actor, policy.Action.IDENTITY_REVIEW, pair)
    except policy.NotFound:
        _denied(actor, "identity.pair_access_denied", pair_id)
        raise
    view = PairView(pair, _person_of(pair.record_l), _person_of(pair.record_r))
    children = sorted(
        {p.child_id for p in (view.person_l, view.person_r) if p is not None and p.child_id},
        key=str,
    )
    audit_children(
        actor=actor,
        event="identity.pair_viewed",
        child_ids=children,
        subject=pair,
        even_if_none=True,
    )
    return view


@dataclass(frozen=True)
class PersonView:
    person: Person
    records: list[SourceRecord]
    hidden: int  # records from agencies the actor may not read
    changes: list[PersonChange]
    merged_from: list[Person]


def person_for_actor(*, actor: Staff, number: int, action: policy.Action) -> PersonView:
    """A person with the records the actor may read, and its history. A person merged into
    another is shown as such (with a link on). Audited for the Harbour child it is."""
    policy.require_capability(actor, action)
    person = Person.objects.select_related("merged_into").filter(number=number).first()
    records = (
        list(
            SourceRecord.objects.filter(person_link__person=person)
            .select_related("agency")
            .order_by("agency__name", "pk")
        )
        if person
        else []
    )
    try:
        if person is None:
            raise policy.NotFound(number)
        agencies = {r.agency_id for r in records}
        if person.merged_into_id is not None:
            # A merged person has no records of its own; its history shows where it went.
            agencies = set(
                SourceRecord.objects.filter(person_link__person_id=person.merged_into_id)
                .values_list("agency_id", flat=True)
                .distinct()
            )
        policy.decide_person(actor, action, person, agencies)
    except policy.NotFound:
        _denied(actor, "identity.person_access_denied", number)
        raise
    readable = policy.identity_agency_ids(actor)
    shown = [r for r in records if r.agency_id in readable]
    changes = list(
        PersonChange.objects.filter(Q(person=person) | Q(other=person))
        .select_related("person", "other", "actor", "run")
        .order_by("-occurred_at", "-pk")[:50]
    )
    audit_children(
        actor=actor,
        event="identity.person_viewed",
        child_ids=[person.child_id] if person.child_id else [],
        subject=person,
        even_if_none=True,
    )
    return PersonView(
        person=person,
        records=shown,
        hidden=len(records) - len(shown),
        changes=changes,
        merged_from=list(person.merged_from.all()),
    )


def person_by_display_id(text: str) -> Person | None:
    """``P-000123``, ``p123`` or ``123`` -> the person, or None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    return Person.objects.filter(number=int(digits)).first()


def event_import_agencies(*, actor: Staff) -> list[Agency]:
    """The agencies whose events and needs an administrator may import: every active one."""
    policy.require_capability(actor, policy.Action.EVENTS_IMPORT)
    return list(Agency.objects.filter(is_active=True).order_by("name"))


def event_import_for_actor(*, actor: Staff, import_id: uuid.UUID) -> EventImport:
    """An events import an administrator started from the page (any administrator's: they work
    the partnership's imports together); 404 when there is none."""
    policy.require_capability(actor, policy.Action.EVENTS_IMPORT)
    return get_object_or_404(
        EventImport.objects.select_related("agency", "started_by"), pk=import_id
    )


def import_agencies(*, actor: Staff) -> list[Agency]:
    """The agencies whose records an administrator may import: every active one."""
    policy.require_capability(actor, policy.Action.IDENTITY_IMPORT)
    return list(Agency.objects.filter(is_active=True).order_by("name"))


def worked_item(*, actor: Staff, kind: str, pk: int) -> HarmFlag | ReviewPair | HeldRecord:
    """An open item of one of the actor's worked lists, to allocate: a flag on a child on their
    list, a pending pair they may review, a held record waiting. Anything else does not exist
    for them (the service asks the policy again before it changes anything)."""
    item: HarmFlag | ReviewPair | HeldRecord | None
    if kind == "flag":
        children = policy.alert_children(actor, Child.objects.all())
        item = (
            HarmFlag.objects.filter(pk=pk, status=AlertStatus.OPEN, child__in=children)
            .select_related("child", "rule", "allocated_to")
            .first()
        )
    elif kind == "pair":
        item = review_queue(actor=actor).filter(pk=pk).first()
    elif kind == "held":
        item = held_records(actor=actor).filter(pk=pk).first()
    else:
        item = None
    if item is None:
        raise policy.NotFound(pk)
    return item
