"""Writes to the person index by people: review decisions, and merging and splitting people by
hand (ADR 0014). Each is decided by the policy, audited, and becomes a label for the next run:
a confirmed pair is always linked, a rejected pair never, so what a person decided stands."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from harbour.access import policy
from harbour.access.audit import audit_record
from harbour.identity.linkage.model import normalise_nhs_number
from harbour.identity.models import (
    ChangeKind,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)

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
    found = (
        PersonRecord.objects.filter(source_record_id__in=ids, person__child__isnull=False)
        .values_list("person__child_id", flat=True)
        .distinct()
    )
    return sorted(set(found), key=str)


def _audit_each_child(
    *, actor: Any, event: str, records: Iterable[SourceRecord], subject: Any, detail: dict[str, Any]
) -> None:
    """One event for each Harbour child the records are known to be, or one with no child."""
    children = _child_ids(records) or [None]
    for child_id in children:
        audit_record(
            actor=actor,
            event=event,
            child_id=child_id,
            purpose=policy.purpose_for(actor),
            basis="agency:identity_review",
            subject=subject,
            detail=detail,
        )


@transaction.atomic
def review_decide(
    *,
    actor: Any,
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
    _audit_each_child(
        actor=actor,
        event="identity.pair_decided",
        records=(pair.record_l, pair.record_r),
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
    *, actor: Any, left: int, right: int, status: str, reason: str, override: str = ""
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
    *, actor: Any, person: Person, other: Person, reason: str, nhs_override_reason: str = ""
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
    *, actor: Any, person: Person, source_record_ids: Iterable[int], reason: str
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
