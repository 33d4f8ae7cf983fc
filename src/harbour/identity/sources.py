"""Source records as the linkage engine reads them, and Harbour's own children as source records.

Each ``children.Child`` is a person record too: Harbour's own (agency = the agency that recorded
the child, source system ``harbour``, source id = the child's id). ``sync_child_records`` keeps
those in step with the children before every training and run, so the person that holds a
child's Harbour record is that child (``Person.child``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
from django.db import transaction
from django.utils import timezone

from harbour.access.inserts import insert_many
from harbour.children.models import Child
from harbour.identity.models import HARBOUR_SOURCE_SYSTEM, SourceRecord

# SourceRecord field -> column of the engine's record schema (linkage.model.SCHEMA_COLUMNS).
ENGINE_COLUMNS: dict[str, str] = {
    "pk": "unique_id",
    "agency__code": "source_agency",
    "source_system": "source_system",
    "source_id": "source_id",
    "given_name": "first_name",
    "family_name": "surname",
    "date_of_birth": "dob",
    "sex": "sex",
    "postcode": "postcode",
    "address_line": "address",
    "nhs_number": "nhs_number",
    "school_urn": "school_urn",
    "upn": "upn",
}
_SYNCED = (
    "agency_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address_line",
    "nhs_number",
)


def _child_values(child: Child) -> dict[str, Any]:
    return {
        "agency_id": child.recorded_by_id,
        "given_name": child.given_name[:100],
        "family_name": child.family_name[:100],
        "date_of_birth": child.date_of_birth,
        "sex": child.sex[:1],
        "postcode": child.postcode[:8],
        "address_line": child.address_line[:300],
        "nhs_number": child.nhs_number[:10],
    }


K = TypeVar("K")


@dataclass(frozen=True)
class Upserted:
    created: int
    changed: list[int]  # the positions, among the rows given, of the records updated
    unchanged: int


def upsert_source_records(
    rows: Iterable[tuple[K, SourceRecord | None, dict[str, Any]]],
    *,
    create: Callable[[K, dict[str, Any]], SourceRecord],
    fields: Sequence[str],
    when_changed: Mapping[str, Any] | None = None,
) -> Upserted:
    """Save source records in bulk, idempotently. Each row is (its key, the record held for it
    or None, its values): a key with no record is made by ``create``; a record whose values
    differ is given them (and ``when_changed``, such as a new ``as_of``) and saved, writing
    ``fields``, with ``changed_at`` now (so the real-time matcher re-indexes it); a record with
    the same values is left alone."""
    now = timezone.now()
    created: list[SourceRecord] = []
    changed: list[SourceRecord] = []
    positions: list[int] = []
    unchanged = 0
    for position, (key, record, values) in enumerate(rows):
        if record is None:
            created.append(create(key, values))
        elif any(getattr(record, name) != value for name, value in values.items()):
            for name, value in {**values, **(when_changed or {}), "changed_at": now}.items():
                setattr(record, name, value)
            changed.append(record)
            positions.append(position)
        else:
            unchanged += 1
    insert_many(SourceRecord, created)
    if changed:
        SourceRecord.objects.bulk_update(
            changed, list(dict.fromkeys([*fields, "changed_at"])), batch_size=2000
        )
    return Upserted(created=len(created), changed=positions, unchanged=unchanged)


def _harbour_record(child: Child, values: dict[str, Any]) -> SourceRecord:
    today = timezone.localdate()
    return SourceRecord(
        source_system=HARBOUR_SOURCE_SYSTEM,
        source_id=str(child.pk),
        as_of=timezone.localdate(child.created_at) if child.created_at else today,
        **values,
    )


@transaction.atomic
def sync_child_records() -> dict[str, int]:
    """Make (or update) one source record for each Harbour child; returns the counts. A
    record whose values are unchanged is left alone."""
    existing = {
        record.source_id: record
        for record in SourceRecord.objects.filter(source_system=HARBOUR_SOURCE_SYSTEM)
    }
    # The child's fields of the same names as the record's, and who recorded the child (agency).
    children = Child.objects.only("id", "recorded_by_id", "created_at", *_SYNCED[1:]).iterator(
        chunk_size=2000
    )
    saved = upsert_source_records(
        ((child, existing.get(str(child.pk)), _child_values(child)) for child in children),
        create=_harbour_record,
        fields=[*_SYNCED, "as_of"],
        when_changed={"as_of": timezone.localdate()},
    )
    return {"created": saved.created, "updated": len(saved.changed)}


def source_records(ids: Iterable[int]) -> list[dict[str, Any]]:
    """The records ``ids`` in the engine's schema, one dict each (a few records, without a
    table: the real-time path). Missing values are None, as ``source_frame``'s are not blank."""
    rows = SourceRecord.objects.filter(pk__in=list(ids)).order_by("pk").values_list(*ENGINE_COLUMNS)
    names = list(ENGINE_COLUMNS.values())
    records = []
    for row in rows:
        record = {k: (None if v == "" else v) for k, v in zip(names, row, strict=True)}
        if record["dob"] is not None:
            record["dob"] = record["dob"].isoformat()
        records.append(record)
    return records


def engine_record(record: SourceRecord) -> dict[str, Any]:
    """``source_records`` for one record already read with its agency (no query)."""
    found: dict[str, Any] = {
        name: record.pk
        if column == "pk"
        else record.agency.code
        if column == "agency__code"
        else getattr(record, column)
        for column, name in ENGINE_COLUMNS.items()
    }
    found = {k: (None if v == "" else v) for k, v in found.items()}  # as ``source_records``
    if found["dob"] is not None:
        found["dob"] = found["dob"].isoformat()
    return found


def source_frame(ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Source records in the engine's schema, one row each, unique_id = the record's id."""
    records = SourceRecord.objects.order_by("pk")
    if ids is not None:
        records = records.filter(pk__in=list(ids))
    rows = list(records.values_list(*ENGINE_COLUMNS))
    frame = pd.DataFrame(rows, columns=list(ENGINE_COLUMNS.values()), dtype=object)
    if len(frame):
        frame["dob"] = [d.isoformat() if d is not None else None for d in frame["dob"]]
        frame["unique_id"] = frame["unique_id"].astype("int64")
    return frame


def plain(value: Any) -> Any:
    """A pandas or numpy cell as a plain Python value (None for every kind of missing)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def plain_record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in row.items()}


def finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities (which PostgreSQL's jsonb refuses) become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
