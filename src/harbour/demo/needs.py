"""The demo's needs as each agency's own record has them (``identity.SourceNeed``), for needs
reconciliation (``identity.needs``) to compare.

- Each need on a child's Harbour record that an agency recorded goes on that agency's own record
  of the child, when it holds one: so children's social care has only the few it noted itself
  (``demo.record`` notes about a quarter), while schools have their plans and SEN support.
- A school's SEND status (``GroundTruth.send``) is on the school's record.
- Waiting assessments are on the school's record for most children (the school referred).
- A few children (about 2% of those the emergency department holds) have a neurodevelopmental
  diagnosis on the hospital's record that no other record has.

Drawn from the seed in a fixed order, so the same seed makes the same needs. Nothing here writes
a need: ``plan_source_needs`` returns them and ``demo.event_files`` writes them as each agency's
``needs`` file for ``harbour events import``."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from harbour.children.codes import AssessmentStatus, NeedKind
from harbour.children.models import Assessment, Need
from harbour.demo.models import GroundTruth
from harbour.identity.models import ASSESSMENT_PENDING, SourceNeedKind
from harbour.partnership.models import AgencyType

SEED_OFFSET = 4_231
HEALTH_ONLY_DIAGNOSIS = 0.02
ASSESSMENT_AT_SCHOOL = 0.6
HEALTH_DIAGNOSES = (
    "Autism spectrum condition, diagnosed by the community paediatrician",
    "ADHD, combined presentation; under the paediatric clinic",
)


@dataclass(frozen=True)
class PlannedNeed:
    """A need on an agency's record of a child, as the agency's ``needs`` file will carry it."""

    record_id: int
    kind: str
    detail: str
    recorded_on: dt.date


def plan_source_needs(*, seed: int) -> list[PlannedNeed]:
    rng = random.Random(seed + SEED_OFFSET)
    # (child, agency) -> the agency's latest record of the child
    records: dict[tuple[Any, int], tuple[int, dt.date, str]] = {}
    for record_id, child_id, agency_id, as_of, agency_type in GroundTruth.objects.order_by(
        "source_record_id"
    ).values_list(
        "source_record_id",
        "child_id",
        "source_record__agency_id",
        "source_record__as_of",
        "source_record__agency__agency_type",
    ):
        key = (child_id, agency_id)
        if key not in records or as_of > records[key][1]:
            records[key] = (record_id, as_of, agency_type)
    made: dict[tuple[int, str], PlannedNeed] = {}

    def add(record_id: int, kind: str, detail: str, on: dt.date) -> None:
        made.setdefault(
            (record_id, kind),
            PlannedNeed(record_id=record_id, kind=kind, detail=detail[:300], recorded_on=on),
        )

    kinds = {k.value for k in SourceNeedKind}
    for need in Need.objects.exclude(kind=NeedKind.OTHER).order_by("pk"):
        if need.recorded_by_agency_id is None or need.kind not in kinds:
            continue
        found = records.get((need.child_id, need.recorded_by_agency_id))
        if found:
            add(found[0], need.kind, need.description, need.start_date or found[1])
    for record_id, send, as_of in (
        GroundTruth.objects.exclude(send="")
        .order_by("source_record_id")
        .values_list("source_record_id", "send", "source_record__as_of")
    ):
        add(record_id, send, SourceNeedKind(send).label, as_of)
    schools: dict[Any, int] = {}
    health: list[tuple[Any, int, dt.date]] = []
    for (child_id, _agency), (record_id, as_of, agency_type) in sorted(
        records.items(), key=lambda item: item[1][0]
    ):
        if agency_type == AgencyType.SCHOOL:
            schools[child_id] = record_id
        elif agency_type == AgencyType.NHS_TRUST:
            health.append((child_id, record_id, as_of))
    for assessment in Assessment.objects.filter(status=AssessmentStatus.WAITING).order_by("pk"):
        school = schools.get(assessment.child_id)
        if school is not None and rng.random() < ASSESSMENT_AT_SCHOOL:
            add(
                school,
                ASSESSMENT_PENDING,
                f"{assessment.get_kind_display()}, referred {assessment.referred_on:%-d %B %Y}",
                assessment.referred_on,
            )
    for _child_id, record_id, as_of in health:
        if rng.random() < HEALTH_ONLY_DIAGNOSIS:
            add(record_id, NeedKind.NEURODEVELOPMENTAL, rng.choice(HEALTH_DIAGNOSES), as_of)
    return list(made.values())
