"""Real-time matching for the front door and agencies' feeds (ADR 0013, ADR 0021): one in-memory
index per process of every source record, built from the current trained model, kept current by
adding the records that arrived since and re-indexing the records changed since
(``SourceRecord.changed_at``), and rebuilt when a new model version becomes current.

``person_matches`` answers "who might this child be?" with people and their match probability,
computed with the trained model's own weights (equal to Splink's). It returns people; which of
them the asker may see is for the caller to decide through the access policy."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from harbour.identity.charts import comparison_name, level_name
from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage.batch import split_usable
from harbour.identity.linking import current_model, trained_model
from harbour.identity.models import Person, PersonRecord, SourceRecord
from harbour.identity.people import kept_id, merges
from harbour.identity.sources import source_frame, source_records

INCOMING_ID = -1  # never a source record's id


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    match_probability: float
    match_weight: float
    source_record_id: int  # the best-matching record of this person
    reasons: list[str]  # the comparisons that counted most, in words


#: How far back to look again for changed records: a change committed late (its transaction
#: began before the last look) is still found. Changes already re-indexed are not redone.
CHANGE_MARGIN = dt.timedelta(minutes=10)


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: int | None = None
        self.index: Any = None
        self.last_pk = 0
        self.looked_at: dt.datetime | None = None
        # record id -> the changed_at already re-indexed (only changes inside the margin)
        self.changes: dict[int, dt.datetime] = {}


_cache = _Cache()


#: Up to this many records are prepared one at a time (``prepare_record``, as an arriving record
#: is), more as a table (``prepare``): the two normalise alike, and a table costs milliseconds
#: to set up however few rows it has.
FEW = 100


def _usable(ids: Collection[int] | None = None) -> Any:
    """The records ``ids`` (every record when None) prepared for the index, less those that
    cannot be matched safely: a list of records for a few, a table for many."""
    if ids is not None and len(ids) <= FEW:
        prepared = (linkage_model.prepare_record(r) for r in source_records(ids))
        return [
            {c: r[c] for c in linkage_model.MATCHING_COLUMNS}
            for r in prepared
            if not linkage_model.unusable_reason(r)
        ]
    usable, _held = split_usable(linkage_model.prepare(source_frame(ids)))
    return usable


def _ids(usable: Any) -> set[int]:
    if isinstance(usable, list):
        return {int(r["unique_id"]) for r in usable}
    return {int(u) for u in usable["unique_id"].tolist()}


def _part(usable: Any, ids: Collection[int]) -> Any:
    """Those of the prepared records ``usable`` (a list or a table) whose ids are in ``ids``."""
    if isinstance(usable, list):
        return [r for r in usable if int(r["unique_id"]) in ids]
    return usable[usable["unique_id"].astype("int64").isin(list(ids))]


def _refresh(now: dt.datetime) -> None:
    """Bring the index up to date in two queries (ADR 0038): which records were added since the
    last look or changed since it (less the margin), then those records. A changed record
    replaces its old copy, or leaves the index when it is no longer usable; an added one is
    added."""
    since = (_cache.looked_at or now) - CHANGE_MARGIN
    last = _cache.last_pk
    seen = list(
        SourceRecord.objects.filter(Q(pk__gt=last) | Q(changed_at__gte=since)).values_list(
            "pk", "changed_at"
        )
    )
    added = sorted(pk for pk, _at in seen if pk > last)
    changed = {
        pk: at for pk, at in seen if pk <= last and at is not None and _cache.changes.get(pk) != at
    }
    if changed or added:
        usable = _usable([*changed, *added])
        if changed:
            now_usable = _part(usable, set(changed))
            kept = _ids(now_usable)
            _cache.index.remove(pk for pk in changed if pk not in kept)
            if len(now_usable):
                _cache.index.replace(now_usable, prepared=True)
            _cache.changes.update(changed)
        if added:
            new = _part(usable, set(added)) if changed else usable
            if len(new):
                _cache.index.add(new, prepared=True)
            _cache.last_pk = added[-1]
            # Indexed as they are now: a change already made is not re-indexed next time.
            _cache.changes.update(
                {pk: at for pk, at in seen if pk > last and at is not None and at >= since}
            )
    _cache.changes = {pk: at for pk, at in _cache.changes.items() if at >= since}
    _cache.looked_at = now


_LOOK_UP = object()


def current_index(stored: Any = _LOOK_UP) -> Any:
    """The index for the current model (None when no model has been trained), with every
    source record saved so far as it is now; built on first use, then topped up with the
    records added and re-indexed for the records changed since. ``stored``: the current
    ``LinkageModel`` (or None), when the caller has just looked it up."""
    if stored is _LOOK_UP:
        stored = current_model()
    if stored is None:
        return None
    from harbour.identity.linkage.realtime import RealtimeIndex

    with _cache.lock:
        now = timezone.now()
        if _cache.version != stored.version:
            newest = SourceRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            _cache.index = RealtimeIndex.build(trained_model(stored), _usable(), prepared=True)
            _cache.version = stored.version
            _cache.last_pk = newest
            _cache.looked_at, _cache.changes = now, {}
            gc.collect()  # the build leaves garbage that would otherwise slow the first match
            return _cache.index
        _refresh(now)
        return _cache.index


def forget() -> None:
    """Drop the index (tests, or after the person index is replaced)."""
    with _cache.lock:
        _cache.version = None
        _cache.index = None
        _cache.last_pk = 0
        _cache.looked_at, _cache.changes = None, {}


def _reasons(candidate: Any) -> list[str]:
    """The strongest evidence, in a front-door worker's words: "Date of birth: exactly the
    same, which points to the same child" (the review page's plain names for Splink's)."""
    strongest = sorted(
        (c for c in candidate.contributions if abs(c.total) >= 1),
        key=lambda c: -abs(c.total),
    )
    return [
        f"{comparison_name(c.comparison)}: "
        f"{level_name(c.level, term_frequency=c.comparison.startswith('tf_')).lower()}, "
        + ("which points to the same child" if c.total > 0 else "which points to someone else")
        for c in strongest[:4]
    ]


def person_matches(details: dict[str, Any], *, top: int = 10) -> list[PersonMatch]:
    """People who might be the person described (first_name, surname, dob as a date or ISO
    string, sex, postcode, nhs_number), best first, one entry per person."""
    index = current_index()
    if index is None:
        return []
    dob = details.get("dob")
    record = {
        "unique_id": INCOMING_ID,
        "source_agency": "",
        "source_system": "front door",
        "source_id": "",
        "first_name": details.get("first_name") or None,
        "surname": details.get("surname") or None,
        "dob": dob.isoformat() if isinstance(dob, dt.date) else dob or None,
        "sex": details.get("sex") or None,
        "postcode": details.get("postcode") or None,
        "nhs_number": details.get("nhs_number") or None,
    }
    if index.hold_reason(record):
        return []
    candidates = index.match(record, top=top * 3)
    if not candidates:
        return []
    links = dict(
        PersonRecord.objects.filter(
            source_record_id__in=[c.unique_id for c in candidates]
        ).values_list("source_record_id", "person_id")
    )
    people = Person.objects.in_bulk(set(links.values()))
    merged = merges(p.pk for p in people.values() if p.merged_into_id is not None)
    kept = {pk: kept_id(pk, merged) for pk in people}
    people |= Person.objects.in_bulk(set(kept.values()) - people.keys())
    found: dict[int, PersonMatch] = {}
    for candidate in candidates:  # best first
        person_id = links.get(candidate.unique_id)
        if person_id is None:
            continue
        person = people[kept[person_id]]
        if person.pk in found:
            continue
        found[person.pk] = PersonMatch(
            person=person,
            match_probability=float(candidate.match_probability),
            match_weight=float(candidate.match_weight),
            source_record_id=int(candidate.unique_id),
            reasons=_reasons(candidate),
        )
    return list(found.values())[:top]
