"""A large file's arrivals matched at once (issue 11, ADR 0032): the same decisions as
``intake.link_arrivals`` makes one record at a time, taken for the whole file in one pass.

``link_arrivals`` matches each record in its own transaction against the real-time index held in
the process (about 14 queries a record, and the whole person index as Python objects). Here:

1. **Score** every record to match at once: the person index is read from the database in
   chunks into DuckDB (``linkage.bulk.ArrivalScorer``, not Python objects), and Splink scores
   the arrivals against it with the current model, giving each arrival's candidates, weights
   and ranking exactly as the real-time matcher would give them (``RealtimeIndex.match`` on an
   index built from the same records: the tests compare the two).
2. **Decide** in memory, record by record in id order as ``link_arrivals`` does, with its rules:
   a record already in a person is left alone; a person the agency named is joined unless the
   NHS numbers differ; an unusable record is held; among the top ten candidates (the record
   itself left out), the first in a person decides: at or above ``THRESHOLD`` the record joins
   that person (or, with different valid NHS numbers, the pair waits for review), in
   ``[REVIEW_THRESHOLD, THRESHOLD)`` the pair waits for review, otherwise, or with no candidate
   in a person, a new person. A record decided earlier in the file counts as in its person for
   the records after it, as it would have been committed before them.
3. **Write** it all in one transaction, in chunks: new people (numbered in order after the
   highest number), ``PersonRecord``, ``PersonChange``, ``HeldRecord``, ``ReviewPair``, and one
   audit event per record (``access.audit.audit_records``, the same events and details as one
   at a time, chained in order).

If matching fails, the file is still saved and the nightly linkage run links its records: every
record is reported ``failed`` and the error logged, as ``link_arrivals`` does for one record."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from harbour.access.audit import Entry, audit_records
from harbour.access.inserts import insert_many, insert_rows
from harbour.identity import kept_index
from harbour.identity.intake import (
    PERSON_ID,
    SYSTEM_ACTOR,
    Arrival,
    Received,
    _unusable,
    announce,
    chunk_size,
    linked_reason,
)
from harbour.identity.linkage import arrival as arrival_rule
from harbour.identity.linkage import model as linkage_model
from harbour.identity.linking import REVIEW_THRESHOLD, THRESHOLD, current_model, trained_model
from harbour.identity.models import (
    ChangeKind,
    HeldRecord,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    SourceRecord,
    format_person_id,
)
from harbour.identity.people import kept_id, merges
from harbour.identity.sources import ENGINE_COLUMNS

logger = logging.getLogger(__name__)

#: A file with at least this many records to match is matched at once; fewer, one at a time
#: (reading the person index into DuckDB costs seconds a million records, whatever the file).
BULK_FROM = 200
#: Records read from the database at a time into the scorer.
INDEX_CHUNK = 50_000
#: Records whose outcomes are written at a time.
WRITE_CHUNK = 2000
#: Candidates considered for each record, as ``link_arrival`` asks the real-time index for.
TOP = 10
ATTEMPTS = 5


def _chunks(ids: Sequence[int], size: int = 0) -> Iterator[list[int]]:
    size = size or chunk_size()
    for at in range(0, len(ids), size):
        yield list(ids[at : at + size])


#: The columns the scorer reads (``model.MATCHING_COLUMNS`` before normalising): the record's
#: id, names, date of birth, sex, postcode, address (compared since issue 14) and NHS number.
_MATCHED = {
    "id": "unique_id",
    "given_name": "first_name",
    "family_name": "surname",
    "date_of_birth": "dob",
    "sex": "sex",
    "postcode": "postcode",
    "address_line": "address",
    "nhs_number": "nhs_number",
}


def index_chunks(size: int = INDEX_CHUNK, *, after: int = 0) -> Iterator[pd.DataFrame]:
    """Every source record, the columns the model reads, in id order (the order the real-time
    index holds them), ``size`` at a time, read with the caller's connection (so an import's own
    uncommitted rows are there when it runs inside a larger transaction). On PostgreSQL each
    chunk is copied out as CSV and read by pandas (a million records in seconds, not as a
    million Python tuples); a blank and a missing value both read as empty, as ``prepare``
    takes them. ``after``: only the records with a greater id."""
    if connection.vendor == "postgresql":
        yield from _copied_chunks(size, after)
        return
    names = list(ENGINE_COLUMNS.values())
    last = after
    while True:
        rows = list(
            SourceRecord.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(*ENGINE_COLUMNS)[:size]
        )
        if not rows:
            return
        frame = pd.DataFrame(rows, columns=names, dtype=object)
        frame["dob"] = [d.isoformat() if d is not None else None for d in frame["dob"]]
        frame["unique_id"] = frame["unique_id"].astype("int64")
        last = int(frame["unique_id"].iloc[-1])
        del rows
        yield frame


def _copied_chunks(size: int, after: int = 0) -> Iterator[pd.DataFrame]:
    table = SourceRecord._meta.db_table
    columns = ", ".join(
        "to_char(date_of_birth, 'YYYY-MM-DD')" if c == "date_of_birth" else c for c in _MATCHED
    )
    last = after
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg's, in the same transaction
        while True:
            query = (
                f"COPY (SELECT {columns} FROM {table} WHERE id > {int(last)} "  # noqa: S608
                f"ORDER BY id LIMIT {int(size)}) TO STDOUT WITH (FORMAT csv)"
            )
            out = io.BytesIO()
            with raw.cursor() as copying, copying.copy(query) as copy:
                for block in copy:
                    out.write(block)
            if not out.tell():
                return
            out.seek(0)
            frame = pd.read_csv(
                out,
                header=None,
                names=list(_MATCHED.values()),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
            )
            frame["unique_id"] = frame["unique_id"].astype("int64")
            last = int(frame["unique_id"].iloc[-1])
            yield frame


def score(
    ids: Sequence[int], stored_model: Any
) -> tuple[dict[int, list[tuple[int, float, float]]], dict[int, str]]:
    """Each record's candidates (candidate id, probability, weight), best first, as
    ``RealtimeIndex.match(record, top=TOP)`` ranks them less the record itself; only those at or
    above ``REVIEW_THRESHOLD`` (below it, the first candidate in a person means a new person, as
    no candidate does). And why each record that cannot be matched cannot (as ``_unusable``).
    The person index is the kept copy (``kept_index``) brought up to date, or read afresh."""
    if not ids:
        return {}, {}
    wanted = set(ids)
    unusable: dict[int, str] = {}
    trained = trained_model(stored_model)
    with kept_index.scorer(trained) as (scorer, refreshed):
        for held in refreshed.held:
            reasons = zip(held["unique_id"].tolist(), held["reason"].tolist(), strict=True)
            unusable |= {int(uid): str(why) for uid, why in reasons if int(uid) in wanted}
        # Records to match that bringing the index up to date did not read (unchanged ones).
        unread = [pk for pk in ids if not refreshed.read(pk)]
        for chunk in _chunks(unread):
            unusable |= _unusable(chunk)
        pairs = scorer.score(ids, min_probability=REVIEW_THRESHOLD)
    top = pairs.groupby("arrival", sort=False).head(TOP)
    top = top[top["arrival"] != top["candidate"]]
    found: dict[int, list[tuple[int, float, float]]] = {}
    for arrival, candidate, probability, weight in zip(
        top["arrival"].tolist(),
        top["candidate"].tolist(),
        top["match_probability"].tolist(),
        top["match_weight"].tolist(),
        strict=True,
    ):
        found.setdefault(arrival, []).append((candidate, probability, weight))
    return found, unusable


@dataclass
class _Action:
    """What to write for one record: ``link`` (to ``person``, a Person id or, below zero, a new
    person of this run), ``hold`` or ``review``."""

    kind: str
    record_id: int
    person: int = 0
    reason: str = ""
    other_id: int = 0
    probability: float = 0.0
    weight: float = 0.0
    nhs: bool = False


class _State:
    """What the decisions read: the links of the candidates (and of the records decided so far),
    the people merged, each person's valid NHS numbers, and the records' own details."""

    def __init__(self, ids: Sequence[int], candidates: set[int], named: set[int]) -> None:
        self.links: dict[int, int] = {}
        for chunk in _chunks(sorted(candidates | set(ids))):
            self.links.update(
                PersonRecord.objects.filter(source_record_id__in=chunk).values_list(
                    "source_record_id", "person_id"
                )
            )
        self.merged = merges(set(self.links.values()) | named)
        people = {kept_id(p, self.merged) for p in [*self.links.values(), *named]}
        self.number: dict[int, int] = {}
        self.child: dict[int, Any] = {}
        for chunk in _chunks(sorted(people)):
            for pk, number, child_id in Person.objects.filter(pk__in=chunk).values_list(
                "pk", "number", "child_id"
            ):
                self.number[pk], self.child[pk] = number, child_id
        self.nhs: dict[int, set[str]] = {pk: set() for pk in people}
        for chunk in _chunks(sorted(people)):
            for person_id, nhs in (
                SourceRecord.objects.filter(person_link__person_id__in=chunk)
                .exclude(nhs_number="")
                .values_list("person_link__person_id", "nhs_number")
            ):
                if linkage_model.nhs_number_is_valid(nhs):
                    self.nhs[person_id].add(nhs)
        self.records: dict[int, tuple[str, str, str]] = {}
        for chunk in _chunks(list(ids)):
            for pk, nhs, code, name in SourceRecord.objects.filter(pk__in=chunk).values_list(
                "pk", "nhs_number", "agency__code", "agency__name"
            ):
                self.records[pk] = (nhs, code, name)
        self.new_people = 0

    def kept(self, person: int) -> int:
        return person if person < 0 else kept_id(person, self.merged)

    def conflict(self, record_id: int, person: int) -> bool:
        """``intake._nhs_conflict``: the record's valid NHS number is none of the person's."""
        nhs = self.records[record_id][0]
        if not linkage_model.nhs_number_is_valid(nhs):
            return False
        theirs = self.nhs.get(person, set())
        return bool(theirs) and nhs not in theirs

    def join(self, record_id: int, person: int) -> None:
        self.links[record_id] = person
        nhs = self.records[record_id][0]
        if linkage_model.nhs_number_is_valid(nhs):
            self.nhs.setdefault(person, set()).add(nhs)

    def new_person(self) -> int:
        self.new_people += 1
        return -self.new_people


def decide(
    ids: Sequence[int],
    *,
    named: dict[int, str],
    unusable: dict[int, str],
    candidates: dict[int, list[tuple[int, float, float]]],
    model: Any,
) -> tuple[list[Arrival], list[_Action], _State]:
    """Each record's outcome and what to write for it, in id order (the module docstring)."""
    numbers = {
        pk: int(PERSON_ID.match(text).group(1))  # type: ignore[union-attr]
        for pk, text in named.items()
    }
    by_number = dict(
        Person.objects.filter(number__in=set(numbers.values())).values_list("number", "pk")
    )
    wanted = {c for found in candidates.values() for c, _p, _w in found}
    state = _State(ids, wanted, set(by_number.values()))
    arrivals: list[Arrival] = []
    actions: list[_Action] = []
    # Records already in a person before this run (the nightly run re-links them).
    already = {pk for pk in ids if pk in state.links}

    def shown(person: int) -> str:
        return "" if person < 0 else format_person_id(state.number[person])

    for pk in ids:
        named_person: int | None = None
        if pk in named:
            found = by_number.get(numbers[pk])
            if found is not None:
                named_person = state.kept(found)

        def person_of(candidate: int) -> int | None:
            linked = state.links.get(candidate)
            return None if linked is None else state.kept(linked)

        decision = arrival_rule.decide(
            already_linked=pk in already,
            named_given=pk in named,
            named=named_person,
            has_model=model is not None,
            hold_reason=lambda pk=pk: unusable.get(pk, ""),  # type: ignore[misc]
            candidates=lambda pk=pk: candidates.get(pk, []),  # type: ignore[misc]
            person_of=person_of,
            conflicts=lambda person, pk=pk: state.conflict(pk, person),  # type: ignore[misc]
            threshold=THRESHOLD,
            review_threshold=REVIEW_THRESHOLD,
        )
        outcome, person = decision.outcome, decision.person
        if outcome == "named":
            assert person is not None
            agency_name = state.records[pk][2]
            reason = f"{agency_name} named the person {format_person_id(state.number[person])}"
            actions.append(_Action("link", pk, person, reason))
            state.join(pk, person)
            arrivals.append(Arrival(pk, "named", shown(person)))
        elif outcome == "held":
            actions.append(_Action("hold", pk, reason=decision.reason))
            arrivals.append(Arrival(pk, "held"))
        elif outcome == "linked":
            assert person is not None
            reason = linked_reason(decision.probability, model)
            actions.append(_Action("link", pk, person, reason))
            state.join(pk, person)
            arrivals.append(Arrival(pk, "linked", shown(person), decision.probability))
        elif outcome == "review":
            assert person is not None
            actions.append(
                _Action(
                    "review",
                    pk,
                    person,
                    "",
                    decision.candidate,
                    decision.probability,
                    decision.weight,
                    nhs=decision.nhs,
                )
            )
            arrivals.append(Arrival(pk, "review", shown(person), decision.probability))
        elif outcome == "new_person":
            person = state.new_person()
            actions.append(_Action("link", pk, person, "Matched no one on arrival: a new person"))
            state.join(pk, person)
            arrivals.append(Arrival(pk, "new_person"))
        else:  # already_linked, no_model
            arrivals.append(Arrival(pk, outcome))
    return arrivals, actions, state


def _write(
    actions: Sequence[_Action],
    state: _State,
    arrivals: list[Arrival],
    model: Any,
    progress: Callable[[int, int], None],
) -> None:
    """Every action, in one transaction (chunks of ``WRITE_CHUNK``), audited in order."""
    with transaction.atomic():
        top = Person.objects.aggregate(top=Max("number"))["top"] or 0
        made = insert_many(Person, [Person(number=top + n) for n in range(1, state.new_people + 1)])
        for n, person in enumerate(made, start=1):
            state.number[-n], state.child[-n] = person.number, None
        real = {-n: person.pk for n, person in enumerate(made, start=1)}
        person_of = {a.record_id: a.person for a in actions if a.kind in ("link", "review")}
        for arrival in arrivals:  # those of people made in this run are numbered now
            if arrival.record_id in person_of and person_of[arrival.record_id] < 0:
                arrival.person = format_person_id(state.number[person_of[arrival.record_id]])
        version = getattr(model, "version", None)
        total = len(actions)
        for at in range(0, total, WRITE_CHUNK):
            chunk = actions[at : at + WRITE_CHUNK]
            links = [a for a in chunk if a.kind == "link"]
            # Rows, not a model object each (ADR 0038).
            insert_rows(
                PersonRecord,
                ["source_record_id", "person_id", "method"],
                [(a.record_id, real.get(a.person, a.person), LinkMethod.ARRIVAL) for a in links],
            )
            changes = insert_rows(
                PersonChange,
                ["kind", "person_id", "source_record_ids", "system_actor", "reason"],
                [
                    (
                        ChangeKind.LINK,
                        real.get(a.person, a.person),
                        [a.record_id],
                        SYSTEM_ACTOR,
                        a.reason,
                    )
                    for a in links
                ],
            )
            change_of = {a.record_id: c for a, c in zip(links, changes, strict=True)}
            held = _hold([a for a in chunk if a.kind == "hold"])
            pairs = _review_pairs([a for a in chunk if a.kind == "review"], version)
            entries: list[Entry] = []
            for a in chunk:
                _nhs, code, _name = state.records[a.record_id]
                if a.kind == "link":
                    entries.append(
                        Entry(
                            event="identity.record_linked_on_arrival",
                            system_actor=SYSTEM_ACTOR,
                            child_id=state.child.get(a.person),
                            subject_type=PersonChange._meta.label,
                            subject_id=str(change_of[a.record_id]),
                            detail={
                                "person": format_person_id(state.number[a.person]),
                                "record": a.record_id,
                                "agency": code,
                            },
                        )
                    )
                elif a.kind == "hold":
                    entries.append(
                        Entry(
                            event="identity.record_held_on_arrival",
                            system_actor=SYSTEM_ACTOR,
                            subject=held[a.record_id],
                            detail={"record": a.record_id, "reason": a.reason, "agency": code},
                        )
                    )
                else:
                    left, right = sorted((a.record_id, a.other_id))
                    pair, new = pairs.pop((a.record_id, left, right))
                    entries.append(
                        Entry(
                            event="identity.review_pair_on_arrival",
                            system_actor=SYSTEM_ACTOR,
                            subject=pair,
                            detail={
                                "records": [left, right],
                                "probability": round(a.probability, 4),
                                "new": new,
                            },
                        )
                    )
            audit_records(entries)
            progress(min(at + WRITE_CHUNK, total), total)


def _review_pairs(
    actions: Sequence[_Action], version: Any
) -> dict[tuple[int, int, int], tuple[ReviewPair, bool]]:
    """``ReviewPair.objects.get_or_create`` for many, in two queries (ADR 0038): by (record,
    left, right), the pair and whether this action made it (the first to name a new pair)."""
    if not actions:
        return {}
    keys: list[tuple[_Action, int, int]] = [
        (a, min(a.record_id, a.other_id), max(a.record_id, a.other_id)) for a in actions
    ]
    lefts = sorted({left for _a, left, _r in keys})
    found = {
        (p.record_l_id, p.record_r_id): p
        for p in ReviewPair.objects.filter(
            record_l_id__in=lefts, record_r_id__in=sorted({right for _a, _l, right in keys})
        )
    }
    made: dict[tuple[int, int], ReviewPair] = {}
    first: set[int] = set()
    for a, left, right in keys:
        if (left, right) not in found and (left, right) not in made:
            made[(left, right)] = ReviewPair(
                record_l_id=left,
                record_r_id=right,
                match_probability=a.probability,
                match_weight=a.weight,
                needs_nhs_override=a.nhs,
                model_version=version,
            )
            first.add(a.record_id)
    ReviewPair.objects.bulk_create(list(made.values()))
    return {
        (a.record_id, left, right): (
            found.get((left, right)) or made[(left, right)],
            a.record_id in first,
        )
        for a, left, right in keys
    }


def _hold(actions: Sequence[_Action]) -> dict[int, HeldRecord]:
    """``intake._hold`` for many: a record held again is given the new reason and unreleased."""
    if not actions:
        return {}
    ids = [a.record_id for a in actions]
    held = {h.source_record_id: h for h in HeldRecord.objects.filter(source_record_id__in=ids)}
    changed = []
    for a in actions:
        found = held.get(a.record_id)
        if found is not None and (found.reason != a.reason or found.released_at is not None):
            found.reason, found.released_at = a.reason, None
            changed.append(found)
    HeldRecord.objects.bulk_update(changed, ["reason", "released_at"])
    made = HeldRecord.objects.bulk_create(
        [
            HeldRecord(source_record_id=a.record_id, reason=a.reason)
            for a in actions
            if a.record_id not in held
        ]
    )
    held.update({h.source_record_id: h for h in made})
    return held


def link_arrivals_at_once(
    received: Received,
    *,
    progress: Callable[[int, int], None] | None = None,
    backfill: bool = False,
) -> list[Arrival]:
    """``intake.link_arrivals`` for a large file, with the same outcomes (the module docstring),
    then ``announce`` what arrived unless ``backfill``."""
    try:
        return _link(received, progress or (lambda _done, _total: None))
    except Exception:  # the records are saved; the nightly run links them
        logger.exception("Matching %s records on arrival at once failed", len(received.records))
        return [Arrival(pk, "failed") for pk in received.records]
    finally:
        if not backfill:
            announce(received)


def _link(received: Received, progress: Callable[[int, int], None]) -> list[Arrival]:
    ids = sorted(received.records)
    if not ids:
        return []
    model = current_model()
    named = {pk: text for pk, text in received.person_ids.items() if pk in set(ids)}
    linked: set[int] = set()
    for chunk in _chunks(ids):
        linked.update(
            PersonRecord.objects.filter(source_record_id__in=chunk).values_list(
                "source_record_id", flat=True
            )
        )
    candidates: dict[int, list[tuple[int, float, float]]] = {}
    unusable: dict[int, str] = {}
    if model is not None:  # the reasons come with the scoring: the index reads every record
        candidates, unusable = score([pk for pk in ids if pk not in linked], model)
    else:
        for chunk in _chunks(ids):
            unusable |= _unusable(chunk)
    progress(0, len(ids))
    arrivals, actions, state = decide(
        ids, named=named, unusable=unusable, candidates=candidates, model=model
    )
    for attempt in range(ATTEMPTS):
        try:
            _write(actions, state, arrivals, model, progress)
            break
        except IntegrityError:  # another process numbered a person at the same moment
            if attempt == ATTEMPTS - 1:
                raise
            state.number = {k: v for k, v in state.number.items() if k > 0}
    progress(len(ids), len(ids))
    return arrivals
