"""Needs reconciliation (issue 4, part 7): where one agency's record of a child has a diagnosis,
an EHC plan, SEN support, SLCN or a pending assessment that another record of the same child
lacks — another agency's, or Harbour's own (``children.Need`` and ``Assessment``) — raise a
``NeedsDiscrepancy`` for the child's lead practitioner, with both sides shown.

Only the records of agencies expected to know a child's needs can lack one (``KEEPERS``):
children's social care, schools, youth justice, and Harbour's own record. Any agency's record
can hold one (an emergency department's diagnosis counts). ``reconcile`` is idempotent: it
raises what is new, refreshes what is still true, and marks resolved what no longer is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from harbour.access.audit import audit_record
from harbour.children.codes import AssessmentStatus, NeedKind
from harbour.children.models import Assessment, Child, Need
from harbour.identity.models import (
    ASSESSMENT_PENDING,
    HARBOUR_SOURCE_SYSTEM,
    AlertStatus,
    NeedsDiscrepancy,
    Person,
    SourceNeed,
    SourceNeedKind,
    SourceRecord,
)
from harbour.partnership.models import AgencyType

SYSTEM_ACTOR = "identity-reconcile"
HARBOUR_KEY = "harbour"
HARBOUR_LABEL = "Harbour's own record of the child"
KEEPERS = frozenset({AgencyType.CHILDRENS_SOCIAL_CARE, AgencyType.SCHOOL, AgencyType.YOUTH_JUSTICE})
RECONCILED = frozenset(k.value for k in SourceNeedKind)


@dataclass(frozen=True)
class Holding:
    """One source's record of a need."""

    source: str  # 'harbour' or 'agency:<id>'
    label: str
    reference: str
    kind: str
    detail: str
    recorded_on: dt.date | None
    # The agency whose entry it is: for Harbour's own record, the agency that recorded the need.
    agency_id: int | None = None


@dataclass
class Source:
    key: str
    label: str
    record_id: int | None
    is_keeper: bool
    kinds: set[str] = field(default_factory=set)


def _has(kinds: set[str], kind: str) -> bool:
    # An EHC plan is more than SEN support: a record with a plan does not lack support.
    return kind in kinds or (
        kind == SourceNeedKind.SEN_SUPPORT and SourceNeedKind.EHC_PLAN in kinds
    )


def compare(sources: list[Source], holdings: list[Holding]) -> list[tuple[str, Source]]:
    """Pure: (kind, source that lacks it) for every need some source holds and a keeper lacks."""
    found: list[tuple[str, Source]] = []
    kinds = sorted({h.kind for h in holdings})
    for kind in kinds:
        holders = {h.source for h in holdings if h.kind == kind}
        for source in sources:
            if source.is_keeper and source.key not in holders and not _has(source.kinds, kind):
                found.append((kind, source))
    return found


def _records_by_child(person_of: dict[int, int] | None) -> dict[Any, list[int]]:
    if person_of is None:
        from harbour.identity.flags import person_of_records

        person_of = person_of_records()
    child_of = dict(Person.objects.filter(child__isnull=False).values_list("pk", "child_id"))
    records: dict[Any, list[int]] = defaultdict(list)
    for record_id, person in person_of.items():
        if person in child_of:
            records[child_of[person]].append(record_id)
    return records


def _harbour_holdings(child_ids: list[Any], today: dt.date) -> dict[Any, list[Holding]]:
    found: dict[Any, list[Holding]] = defaultdict(list)
    recorded_by = dict(Child.objects.filter(pk__in=child_ids).values_list("pk", "recorded_by_id"))
    for need in Need.objects.filter(child_id__in=child_ids).exclude(kind=NeedKind.OTHER):
        if need.end_date and need.end_date < today:
            continue
        found[need.child_id].append(
            Holding(
                HARBOUR_KEY,
                HARBOUR_LABEL,
                "Harbour",
                need.kind,
                need.description,
                need.start_date or need.recorded_at.date(),
                need.recorded_by_agency_id or recorded_by.get(need.child_id),
            )
        )
    for assessment in Assessment.objects.filter(
        child_id__in=child_ids, status=AssessmentStatus.WAITING
    ):
        found[assessment.child_id].append(
            Holding(
                HARBOUR_KEY,
                HARBOUR_LABEL,
                "Harbour",
                ASSESSMENT_PENDING,
                f"{assessment.get_kind_display()}, referred {assessment.referred_on:%-d %B %Y}",
                assessment.referred_on,
                assessment.recorded_by_agency_id or recorded_by.get(assessment.child_id),
            )
        )
    return found


@dataclass
class ReconcileSummary:
    children: int = 0
    raised: int = 0
    still_open: int = 0
    resolved: int = 0
    reopened: int = 0


def reconcile(
    *, person_of: dict[int, int] | None = None, today: dt.date | None = None
) -> ReconcileSummary:
    """Compare every child's records in the person index; raise, refresh and resolve."""
    today = today or timezone.localdate()
    by_child = _records_by_child(person_of)
    child_ids = list(by_child)
    records = {
        r.pk: r
        for r in SourceRecord.objects.filter(
            pk__in=[pk for pks in by_child.values() for pk in pks]
        ).select_related("agency")
    }
    needs: dict[int, list[SourceNeed]] = defaultdict(list)
    for need in SourceNeed.objects.filter(source_record_id__in=list(records)):
        needs[need.source_record_id].append(need)
    harbour = _harbour_holdings(child_ids, today)
    summary = ReconcileSummary(children=len(child_ids))
    with transaction.atomic():
        existing = {
            (d.child_id, d.kind, d.lacking_key): d
            for d in NeedsDiscrepancy.objects.filter(child_id__in=child_ids)
        }
        seen: set[tuple[Any, str, str]] = set()
        for child_id in child_ids:
            sources: dict[str, Source] = {
                HARBOUR_KEY: Source(HARBOUR_KEY, HARBOUR_LABEL, None, True)
            }
            holdings = list(harbour.get(child_id, []))
            for h in holdings:
                sources[HARBOUR_KEY].kinds.add(h.kind)
            for record_id in sorted(by_child[child_id]):
                record = records.get(record_id)
                if record is None or record.source_system == HARBOUR_SOURCE_SYSTEM:
                    continue
                key = f"agency:{record.agency_id}"
                source = sources.setdefault(
                    key,
                    Source(
                        key,
                        record.agency.name,
                        record.pk,
                        record.agency.agency_type in KEEPERS,
                    ),
                )
                source.record_id = record.pk  # the latest record held
                for need in needs.get(record_id, []):
                    source.kinds.add(need.kind)
                    holdings.append(
                        Holding(
                            key,
                            record.agency.name,
                            f"{record.source_system} {record.source_id}",
                            need.kind,
                            need.detail,
                            need.recorded_on,
                            record.agency_id,
                        )
                    )
            for kind, lacking in compare(list(sources.values()), holdings):
                ident = (child_id, kind, lacking.key)
                seen.add(ident)
                shown = [
                    {
                        "source": h.source,
                        "agency_id": h.agency_id,
                        "agency": h.label,
                        "reference": h.reference,
                        "detail": h.detail,
                        "recorded_on": h.recorded_on.isoformat() if h.recorded_on else "",
                    }
                    for h in holdings
                    if h.kind == kind
                ]
                found = existing.get(ident)
                if found is None:
                    NeedsDiscrepancy.objects.create(
                        child_id=child_id,
                        kind=kind,
                        lacking_key=lacking.key,
                        lacking_record_id=lacking.record_id,
                        lacking_label=lacking.label,
                        holders=shown,
                    )
                    summary.raised += 1
                    continue
                changed = found.holders != shown or found.lacking_record_id != lacking.record_id
                if found.status == AlertStatus.RESOLVED:
                    found.status = AlertStatus.OPEN
                    found.resolved_at = None
                    found.acknowledged_by = None
                    found.acknowledged_at = None
                    found.action_taken = ""
                    summary.reopened += 1
                    changed = True
                else:
                    summary.still_open += 1
                if changed:
                    found.holders = shown
                    found.lacking_record_id = lacking.record_id
                    found.save()
        for ident, found in existing.items():
            if ident not in seen and found.status != AlertStatus.RESOLVED:
                found.status = AlertStatus.RESOLVED
                found.resolved_at = timezone.now()
                found.save(update_fields=["status", "resolved_at", "updated_at"])
                summary.resolved += 1
        if summary.raised or summary.resolved or summary.reopened:
            audit_record(
                actor=None,
                system_actor=SYSTEM_ACTOR,
                event="identity.needs.reconciled",
                detail={
                    "raised": summary.raised,
                    "resolved": summary.resolved,
                    "reopened": summary.reopened,
                },
            )
    return summary
