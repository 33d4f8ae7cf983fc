"""Writes by people: to the person index, review decisions, merging and splitting people by hand,
and decisions about held records (ADR 0014), each decided by the policy, audited, and a label for
the next run (a confirmed pair is always linked, a rejected pair never, so what a person decided
stands); and acknowledging a cumulative-harm flag or a needs discrepancy (ADR 0015)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.children.models import Child
from harbour.identity.audit import audit_children
from harbour.identity.linkage.model import normalise_nhs_number
from harbour.identity.models import (
    HARBOUR_SOURCE_SYSTEM,
    AlertStatus,
    ChangeKind,
    HarmFlag,
    HeldDecisionKind,
    HeldRecord,
    HeldRecordDecision,
    HeldStatus,
    LinkMethod,
    NeedsDiscrepancy,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)
from harbour.partnership.models import Staff

MIN_REASON = 10
REASON_TOO_SHORT = f"Explain your decision in at least {MIN_REASON} characters"
OVERRIDE_NEEDED = (
    "These records have different NHS numbers. To treat them as one person, give the reason "
    "for overriding the NHS numbers"
)
OVERRIDE_MANAGER_ONLY = (
    "These records have different NHS numbers: only a front-door manager can confirm that they "
    "are the same person"
)


def _reason(reason: str, field: str = "reason") -> str:
    text = reason.strip()
    if len(text) < MIN_REASON:
        raise ValidationError({field: REASON_TOO_SHORT})
    return text


def _child_ids(records: Iterable[SourceRecord]) -> list[Any]:
    """The Harbour children these records are known to be (through their people)."""
    ids = [r.pk for r in records]
    return list(
        PersonRecord.objects.filter(source_record_id__in=ids, person__child__isnull=False)
        .values_list("person__child_id", flat=True)
        .distinct()
    )


@transaction.atomic
def review_decide(
    *,
    actor: Staff,
    pair: ReviewPair,
    same_person: bool,
    reason: str,
    nhs_override_reason: str = "",
) -> ReviewPair:
    """Confirm (same person) or reject (different people) a pair. Confirming a pair whose people
    hold different NHS numbers is a merge across NHS numbers: a front-door manager's decision,
    with a reason for the override."""
    policy.decide_review_pair(actor, policy.Action.IDENTITY_REVIEW, pair)
    locked = ReviewPair.objects.select_for_update().select_related("record_l", "record_r")
    pair = locked.get(pk=pair.pk)
    if pair.is_decided:
        raise ValidationError("This pair has already been decided")
    text = _reason(reason)
    override = ""
    if same_person and pair.needs_nhs_override:
        if not policy.may_override_nhs_number(actor):
            raise ValidationError({"decision": OVERRIDE_MANAGER_ONLY})
        if not nhs_override_reason.strip():
            raise ValidationError({"nhs_override_reason": OVERRIDE_NEEDED})
        override = _reason(nhs_override_reason, "nhs_override_reason")
    pair.status = ReviewStatus.CONFIRMED if same_person else ReviewStatus.REJECTED
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.reason = text
    pair.nhs_override_reason = override
    pair.save()
    audit_children(
        actor=actor,
        event="identity.pair_decided",
        child_ids=_child_ids((pair.record_l, pair.record_r)),
        even_if_none=True,
        subject=pair,
        detail={
            "decision": pair.status,
            "match_probability": pair.match_probability,
            "model_version": pair.model_version,
            "nhs_override": bool(override),
        },
    )
    return pair


# Merging and splitting people by hand ------------------------------------------------------------


def person_nhs_numbers(person: Person) -> set[str]:
    numbers = set()
    for value in SourceRecord.objects.filter(person_link__person=person).values_list(
        "nhs_number", flat=True
    ):
        number = normalise_nhs_number(value) if value else None
        if number:
            numbers.add(number)
    return numbers


def _label(
    *, actor: Staff, left: int, right: int, status: str, reason: str, override: str = ""
) -> None:
    """Record a person's decision about two records as a label for the next run."""
    a, b = (left, right) if left < right else (right, left)
    pair, _ = ReviewPair.objects.get_or_create(record_l_id=a, record_r_id=b)
    pair.status = status
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.reason = reason
    pair.nhs_override_reason = override
    pair.needs_nhs_override = pair.needs_nhs_override or bool(override)
    pair.save()


@transaction.atomic
def person_merge(
    *, actor: Staff, person: Person, other: Person, reason: str, nhs_override_reason: str = ""
) -> PersonChange:
    """Join two people: the older number is kept and the other points to it. Joining people
    with different NHS numbers needs an explicit override with a reason; otherwise it is refused."""
    policy.require_capability(actor, policy.Action.IDENTITY_MERGE_SPLIT)
    text = _reason(reason)
    if person.pk == other.pk:
        raise ValidationError({"other": "Choose a different person to merge with"})
    kept, merged = (person, other) if person.number < other.number else (other, person)
    for candidate in (kept, merged):
        if candidate.merged_into_id is not None:
            raise ValidationError(
                {"other": f"{candidate.display_id} has already been merged into another person"}
            )
    if kept.child_id and merged.child_id:
        raise ValidationError(
            {
                "other": "Both people are children recorded in Harbour: the two child records "
                "would need to be joined first"
            }
        )
    numbers_kept, numbers_merged = person_nhs_numbers(kept), person_nhs_numbers(merged)
    conflict = bool(numbers_kept and numbers_merged and not (numbers_kept & numbers_merged))
    override = ""
    if conflict:
        if not nhs_override_reason.strip():
            raise ValidationError({"nhs_override_reason": OVERRIDE_NEEDED})
        override = _reason(nhs_override_reason, "nhs_override_reason")
    moved = list(
        PersonRecord.objects.filter(person=merged).order_by("source_record_id").select_for_update()
    )
    anchor = PersonRecord.objects.filter(person=kept).order_by("source_record_id").first()
    PersonRecord.objects.filter(person=merged).update(
        person=kept, method=LinkMethod.MANUAL, run=None, linked_at=timezone.now()
    )
    child_id = merged.child_id
    merged.merged_into = kept
    merged.child = None
    merged.save(update_fields=["merged_into", "child"])
    if child_id and not kept.child_id:
        kept.child_id = child_id
        kept.save(update_fields=["child"])
    if anchor is not None and moved:
        _label(
            actor=actor,
            left=anchor.source_record_id,
            right=moved[0].source_record_id,
            status=ReviewStatus.CONFIRMED,
            reason=text,
            override=override,
        )
    change = PersonChange.objects.create(
        kind=ChangeKind.MERGE,
        person=kept,
        other=merged,
        source_record_ids=[link.source_record_id for link in moved],
        actor=actor,
        reason=text,
        nhs_override=conflict,
        nhs_override_reason=override,
    )
    audit_record(
        actor=actor,
        event="identity.person_merged",
        child_id=kept.child_id,
        purpose=policy.purpose_for(actor),
        basis="role:front_door_manager",
        subject=change,
        detail={"kept": kept.display_id, "merged": merged.display_id, "nhs_override": conflict},
    )
    return change


@transaction.atomic
def person_split(
    *, actor: Staff, person: Person, source_record_ids: Iterable[int], reason: str
) -> PersonChange:
    """Move some of a person's records to a new person. Each moved record is labelled as a
    different person from each record left behind, so the next run keeps them apart."""
    policy.require_capability(actor, policy.Action.IDENTITY_MERGE_SPLIT)
    text = _reason(reason)
    chosen = set(source_record_ids)
    links = list(
        PersonRecord.objects.select_for_update()
        .select_related("source_record")
        .filter(person=person)
    )
    moving = [link for link in links if link.source_record_id in chosen]
    staying = [link for link in links if link.source_record_id not in chosen]
    if not moving:
        raise ValidationError({"records": "Select the records that are a different person"})
    if not staying:
        raise ValidationError({"records": "Leave at least one record with this person"})
    number = (Person.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    new_person = Person.objects.create(number=number)
    PersonRecord.objects.filter(pk__in=[link.pk for link in moving]).update(
        person=new_person, method=LinkMethod.MANUAL, run=None, linked_at=timezone.now()
    )
    harbour_moved = [
        link.source_record_id
        for link in moving
        if link.source_record.source_system == "harbour"
        and person.child_id is not None
        and link.source_record.source_id == str(person.child_id)
    ]
    if harbour_moved:
        child_id = person.child_id
        person.child = None
        person.save(update_fields=["child"])
        new_person.child_id = child_id
        new_person.save(update_fields=["child"])
    for left, right in itertools.product(moving, staying):
        _label(
            actor=actor,
            left=left.source_record_id,
            right=right.source_record_id,
            status=ReviewStatus.REJECTED,
            reason=text,
        )
    change = PersonChange.objects.create(
        kind=ChangeKind.SPLIT,
        person=person,
        other=new_person,
        source_record_ids=sorted(link.source_record_id for link in moving),
        actor=actor,
        reason=text,
    )
    audit_record(
        actor=actor,
        event="identity.person_split",
        child_id=person.child_id or new_person.child_id,
        purpose=policy.purpose_for(actor),
        basis="role:front_door_manager",
        subject=change,
        detail={"from": person.display_id, "to": new_person.display_id},
    )
    return change


# Held records ------------------------------------------------------------------------------------

NOT_HELD = "This record is no longer waiting for a decision"


def _held_for_decision(actor: Staff, held: HeldRecord) -> HeldRecord:
    """The held record, locked, if the actor may decide about it and it is still waiting."""
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    locked = (
        HeldRecord.objects.select_for_update(of=("self",))
        .select_related("source_record__agency")
        .get(pk=held.pk)
    )
    if locked.source_record.agency_id not in policy.identity_agency_ids(actor):
        raise policy.NotFound(held.pk)
    if not locked.is_waiting:
        raise ValidationError({"decision": NOT_HELD})
    return locked


def _held_decided(
    *,
    actor: Staff,
    held: HeldRecord,
    kind: str,
    reason: str,
    status: str,
    person: Person | None = None,
    override: str = "",
) -> HeldRecordDecision:
    """Record the decision on the held record and in its history, and audit it."""
    held.status = status
    held.decided_by = actor
    held.decided_at = timezone.now()
    held.note = reason
    held.save(update_fields=["status", "decided_by", "decided_at", "note"])
    decision = HeldRecordDecision.objects.create(
        held=held,
        kind=kind,
        person=person,
        reason=reason,
        nhs_override=bool(override),
        nhs_override_reason=override,
        actor=actor,
    )
    audit_children(
        actor=actor,
        event=f"identity.held_record_{kind}",
        child_ids=_child_ids((held.source_record,)),
        even_if_none=True,
        subject=held,
        detail={
            "decision": kind,
            "person": person.display_id if person else "",
            "nhs_override": bool(override),
        },
    )
    return decision


def _link_of(record: SourceRecord) -> PersonRecord | None:
    """The record's link to its person, if it has one, locked."""
    return (
        PersonRecord.objects.select_for_update()
        .select_related("person")
        .filter(source_record=record)
        .first()
    )


def _person_agencies(person: Person) -> set[int]:
    return set(
        SourceRecord.objects.filter(person_link__person=person)
        .values_list("agency_id", flat=True)
        .distinct()
    )


def _harbour_child_id(record: SourceRecord) -> Any:
    """The Harbour child a record is Harbour's own record of, or None."""
    if record.source_system != HARBOUR_SOURCE_SYSTEM:
        return None
    try:
        child_id = uuid.UUID(record.source_id)
    except ValueError:
        return None
    return Child.objects.filter(pk=child_id).values_list("pk", flat=True).first()


@transaction.atomic
def held_record_attach(
    *, actor: Staff, held: HeldRecord, person: Person, reason: str, nhs_override_reason: str = ""
) -> HeldRecordDecision:
    """Attach a held record to a person in the index. A record whose NHS number differs from
    the person's is attached only by a front-door manager with a reason for the override (as
    confirming a pair). The record is labelled as the same person as one of the person's
    records, so the next run keeps them together if the record becomes usable; a record that
    belonged to someone else is labelled as a different person from the records left there."""
    held = _held_for_decision(actor, held)
    # Only the person's row is locked (PostgreSQL cannot lock the outer join to merged_into).
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("merged_into")
        .get(pk=person.pk)
    )
    kept = person.merged_into or person
    policy.decide_person(actor, policy.Action.IDENTITY_REVIEW, kept, _person_agencies(kept))
    text = _reason(reason)
    record = held.source_record
    if person.merged_into_id is not None:
        raise ValidationError(
            {
                "person": f"{person.display_id} has been merged into {kept.display_id}: attach "
                f"the record to {kept.display_id}"
            }
        )
    current = _link_of(record)
    if current is not None and current.person_id == person.pk:
        raise ValidationError({"person": f"The record is already part of {person.display_id}"})
    left_behind: list[int] = []
    if current is not None:
        left_behind = list(
            PersonRecord.objects.filter(person_id=current.person_id)
            .exclude(pk=current.pk)
            .values_list("source_record_id", flat=True)
        )
        if not left_behind:
            raise ValidationError(
                {
                    "person": f"The record is the only record of {current.person.display_id}: "
                    f"merge {current.person.display_id} with {person.display_id} on its page "
                    "instead"
                }
            )
    child_id = _harbour_child_id(record)
    if child_id is not None and person.child_id not in (None, child_id):
        raise ValidationError(
            {
                "person": f"{person.display_id} is another child recorded in Harbour: this is "
                "Harbour's own record of a child"
            }
        )
    number = normalise_nhs_number(record.nhs_number) if record.nhs_number else None
    theirs = person_nhs_numbers(person)
    override = ""
    if number and theirs and number not in theirs:
        if not policy.may_override_nhs_number(actor):
            raise ValidationError({"person": OVERRIDE_MANAGER_ONLY})
        if not nhs_override_reason.strip():
            raise ValidationError({"nhs_override_reason": OVERRIDE_NEEDED})
        override = _reason(nhs_override_reason, "nhs_override_reason")
    anchor = PersonRecord.objects.filter(person=person).order_by("source_record_id").first()
    if current is None:
        PersonRecord.objects.create(source_record=record, person=person, method=LinkMethod.MANUAL)
    else:
        previous = current.person
        current.person, current.method, current.run = person, LinkMethod.MANUAL, None
        current.save()
        for other in left_behind:
            _label(
                actor=actor,
                left=record.pk,
                right=other,
                status=ReviewStatus.REJECTED,
                reason=text,
            )
        PersonChange.objects.create(
            kind=ChangeKind.UNLINK,
            person=previous,
            other=person,
            source_record_ids=[record.pk],
            actor=actor,
            reason=text,
        )
        if child_id is not None and previous.child_id == child_id:
            previous.child = None
            previous.save(update_fields=["child"])
    if child_id is not None and person.child_id is None:
        person.child_id = child_id
        person.save(update_fields=["child"])
    if anchor is not None:
        _label(
            actor=actor,
            left=anchor.source_record_id,
            right=record.pk,
            status=ReviewStatus.CONFIRMED,
            reason=text,
            override=override,
        )
    PersonChange.objects.create(
        kind=ChangeKind.LINK,
        person=person,
        source_record_ids=[record.pk],
        actor=actor,
        reason=text,
        nhs_override=bool(override),
        nhs_override_reason=override,
    )
    return _held_decided(
        actor=actor,
        held=held,
        kind=HeldDecisionKind.ATTACH,
        reason=text,
        status=HeldStatus.ATTACHED,
        person=person,
        override=override,
    )


@transaction.atomic
def held_record_keep(*, actor: Staff, held: HeldRecord, note: str) -> HeldRecordDecision:
    """Leave the record held, saying why (for example: asked the agency for a date of birth)."""
    held = _held_for_decision(actor, held)
    return _held_decided(
        actor=actor,
        held=held,
        kind=HeldDecisionKind.KEEP,
        reason=_reason(note),
        status=HeldStatus.HELD,
    )


@transaction.atomic
def held_record_close(*, actor: Staff, held: HeldRecord, reason: str) -> HeldRecordDecision:
    """Close a held record that is not a record of a person (a test record, an organisation).
    It leaves the list; if it belonged to a person it is unlinked, recorded on that person."""
    held = _held_for_decision(actor, held)
    text = _reason(reason)
    if _harbour_child_id(held.source_record) is not None:
        raise ValidationError(
            {"decision": "This is Harbour's own record of a child: attach it or keep it held"}
        )
    current = _link_of(held.source_record)
    # Audited while the record is still linked, so the event names the child it was.
    decision = _held_decided(
        actor=actor, held=held, kind=HeldDecisionKind.CLOSE, reason=text, status=HeldStatus.CLOSED
    )
    if current is not None:
        PersonChange.objects.create(
            kind=ChangeKind.UNLINK,
            person=current.person,
            source_record_ids=[held.source_record_id],
            actor=actor,
            reason=text,
        )
        current.delete()
    return decision


# Flags and needs discrepancies -------------------------------------------------------------------


def _acknowledged(item: HarmFlag | NeedsDiscrepancy) -> tuple[str, dict[str, Any]]:
    """The audit event and detail for acknowledging this kind of item."""
    if isinstance(item, HarmFlag):
        return "identity.flag.acknowledged", {"rule": item.rule.code, "version": item.rule.version}
    return "identity.needs_discrepancy.acknowledged", {
        "kind": item.kind,
        "lacking": item.lacking_label,
    }


@transaction.atomic
def alert_acknowledge(
    *, actor: Staff, item: HarmFlag | NeedsDiscrepancy, action_taken: str
) -> HarmFlag | NeedsDiscrepancy:
    """The practitioner has seen the flag or discrepancy and says what was done. The service asks
    the policy itself whether the actor may (``policy.decide_child_alerts``: a working
    relationship with the child, never break-glass) and audits with that decision's basis; a
    flag on a person not linked to a Harbour child is no one's to acknowledge here."""
    if item.child is None:
        raise policy.NotFound(item.pk)
    decision = policy.decide_child_alerts(actor, item.child)
    text = action_taken.strip()
    if not text:
        raise ValidationError({"action_taken": "Say what was done"})
    item.status = AlertStatus.ACKNOWLEDGED
    item.acknowledged_by = actor
    item.acknowledged_at = timezone.now()
    item.action_taken = text
    item.save()
    event, detail = _acknowledged(item)
    audit_record(
        actor=actor,
        event=event,
        child_id=item.child_id,
        basis=decision.basis,
        subject=item,
        detail=detail,
    )
    return item


Worked = HarmFlag | ReviewPair | HeldRecord
_WORK: dict[type, tuple[str, str]] = {
    HarmFlag: ("identity.flag.allocated", "a flag"),
    ReviewPair: ("identity.pair.allocated", "a record pair"),
    HeldRecord: ("identity.held.allocated", "a held record"),
}


def _worked_children(actor: Staff, item: Worked) -> list[Any]:
    """The children the item is about, once the policy has said the actor may work it (the same
    decisions as opening it: a flag's child, a pair's two records, a held record's agency)."""
    if isinstance(item, HarmFlag):
        if item.child is None:
            raise policy.NotFound(item.pk)
        policy.decide_child_alerts(actor, item.child)
        return [item.child_id]
    if isinstance(item, ReviewPair):
        policy.decide_review_pair(actor, policy.Action.IDENTITY_REVIEW, item)
        return _child_ids([item.record_l, item.record_r])
    policy.require_capability(actor, policy.Action.IDENTITY_REVIEW)
    if item.source_record.agency_id not in policy.identity_agency_ids(actor):
        raise policy.NotFound(item.pk)
    return _child_ids([item.source_record])


@transaction.atomic
def work_allocate(*, actor: Staff, item: Worked, to: Staff | None) -> Worked:
    """Allocate a flag, record pair or held record on a front door's list to someone there
    ("assign to me"), or to no one (ADR 0031): the policy decides who may
    (``policy.work_allocation_refusal``), audited with who had it before."""
    event, what = _WORK[type(item)]
    children = _worked_children(actor, item)
    refusal = policy.work_allocation_refusal(actor, to, what)
    if refusal:
        raise ValidationError({"allocated_to": refusal})
    before = item.allocated_to.get_username() if item.allocated_to else ""
    item.allocated_to = to
    item.allocated_at = timezone.now() if to is not None else None
    item.save(update_fields=["allocated_to", "allocated_at"])
    audit_children(
        actor=actor,
        event=event,
        child_ids=children,
        subject=item,
        detail={"to": to.get_username() if to else "", "before": before},
        even_if_none=True,
    )
    return item
