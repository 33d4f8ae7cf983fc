"""Training and running record linkage from Django: the engine (``identity.linkage``) does the
matching; this module stores models, keeps person numbers stable, records every merge and split,
holds unusable records, queues uncertain pairs for review and audits it all (ADR 0014).

``link_train`` trains a new model version on the current source records and makes it current.
``link_run`` links every source record with the current model (or, ``incremental=True``, only
the records not yet linked, against the people already found), passing reviewers' decisions as
labels, and maps the clusters to ``Person`` numbers with ``linkage.persons.assign_person_ids``:
existing people keep their numbers, a cluster joining two people is a merge (the older number is
kept, the other person points to it), a person whose records part is a split."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from harbour.access.audit import audit_record
from harbour.identity.linkage import batch, persons
from harbour.identity.linkage import model as linkage_model
from harbour.identity.linkage.clustering import NHS_CONFLICT
from harbour.identity.linkage.model import TrainedModel
from harbour.identity.models import (
    HARBOUR_SOURCE_SYSTEM,
    ChangeKind,
    HeldRecord,
    LinkageModel,
    LinkageRun,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
)
from harbour.identity.sources import finite, plain, plain_record, source_frame, sync_child_records
from harbour.partnership.models import Staff

SYSTEM_ACTOR = "linkage"
THRESHOLD = linkage_model.DEFAULT_THRESHOLD
REVIEW_THRESHOLD = linkage_model.REVIEW_THRESHOLD

Progress = Callable[[str], None]
Pair = tuple[int, int]


class LinkageError(Exception):
    """The run or training cannot go ahead; the message says why."""


def _quiet_splink() -> None:
    # Splink logs EM iterations and untrainable levels at INFO/WARNING; a command shows progress.
    for name in ("splink", "py4j", "pyspark"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _noop(_stage: str) -> None:
    return None


# The model ---------------------------------------------------------------------------------------


def trained_model(stored: LinkageModel) -> TrainedModel:
    """The stored model, checked against its SHA-256 (TrainedModel refuses a mismatch)."""
    model = TrainedModel.from_json(stored.model_json)
    if model.sha256 != stored.sha256:
        raise LinkageError(f"Linkage model v{stored.version} does not match its SHA-256")
    return model


def current_model() -> LinkageModel | None:
    """The current model; its JSON (tens of kilobytes) is read only when used."""
    return LinkageModel.objects.filter(is_current=True).defer("model_json").first()


def link_train(
    *, seed: int = 2026, actor: Staff | None = None, progress: Progress | None = None
) -> LinkageModel:
    """Train a new model version on every source record and make it current."""
    say = progress or _noop
    _quiet_splink()
    say("Bringing Harbour's children into the records")
    sync_child_records()
    say("Reading source records")
    frame = source_frame()
    if len(frame) < 2:
        raise LinkageError("There are too few source records to train on")
    version = (LinkageModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    say(f"Training model v{version} on {len(frame):,} records (expectation maximisation)")
    trained = linkage_model.train(frame, seed=seed, version=version)
    say("Saving the model")
    with transaction.atomic():
        LinkageModel.objects.filter(is_current=True).update(is_current=False)
        stored = LinkageModel.objects.create(
            version=version,
            model_json=trained.to_json(),
            sha256=trained.sha256,
            record_count=trained.record_count,
            seed=seed,
            trained_at=dt.datetime.fromisoformat(trained.trained_at),
            trained_by=actor,
            system_actor="" if actor is not None else SYSTEM_ACTOR,
            is_current=True,
        )
        audit_record(
            actor=actor,
            system_actor=SYSTEM_ACTOR,
            event="identity.model_trained",
            subject=stored,
            detail={
                "version": version,
                "sha256": trained.sha256,
                "records": trained.record_count,
                "seed": seed,
            },
        )
    return stored


# Explanations ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Why the model scored a pair as it did: the match weight and probability and the rows of
    Splink's waterfall chart (prior, each comparison and term-frequency adjustment, final)."""

    match_weight: float
    match_probability: float
    waterfall: list[dict[str, Any]]


def explain_pairs(
    model: TrainedModel, usable: pd.DataFrame, pairs: Iterable[Pair]
) -> dict[Pair, Explanation]:
    """Each pair's per-comparison contributions from the real-time matcher, which reproduces
    Splink's match weight exactly for the same records, model and term frequencies (``usable``:
    the prepared records that were linked). The smaller id is Splink's left record; a pair the
    blocking rules admit only the other way round is explained that way round."""
    from harbour.identity.linkage.realtime import RealtimeIndex

    wanted = list(pairs)
    if not wanted or not len(usable):
        return {}
    index = RealtimeIndex.build(model, usable, prepared=True)
    records = {
        plain(row["unique_id"]): plain_record(row) for row in usable.to_dict(orient="records")
    }
    found: dict[Pair, Explanation] = {}
    by_right: dict[int, list[int]] = defaultdict(list)
    for left, right in wanted:
        by_right[right].append(left)
    for right, lefts in by_right.items():
        if right not in records:
            continue
        candidates = {c.unique_id: c for c in index.match(records[right], top=None, prepared=True)}
        for left in lefts:
            candidate = candidates.get(left)
            if candidate is None and left in records:
                reverse = index.match(records[left], top=None, prepared=True)
                candidate = next((c for c in reverse if c.unique_id == right), None)
            if candidate is not None:
                found[(left, right)] = Explanation(
                    match_weight=float(candidate.match_weight),
                    match_probability=float(candidate.match_probability),
                    waterfall=[
                        {k: finite(plain(v)) for k, v in row.items()}
                        for row in candidate.waterfall()
                    ],
                )
    return found


# The run -----------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    clusters: pd.DataFrame  # unique_id, cluster_id
    held: pd.DataFrame  # unique_id, reason
    review: list[tuple[int, int, float, float]]  # l, r, probability, weight
    refused: list[tuple[int, int, float]]  # NHS conflicts: l, r, probability
    timings: dict[str, float]


def _ordered(a: Hashable, b: Hashable) -> Pair:
    x, y = int(a), int(b)  # type: ignore[call-overload]
    return (x, y) if x < y else (y, x)


def _labels() -> tuple[list[Pair], list[Pair]]:
    decided = ReviewPair.objects.filter(
        status__in=(ReviewStatus.CONFIRMED, ReviewStatus.REJECTED)
    ).values_list("record_l_id", "record_r_id", "status")
    confirmed = [(left, right) for left, right, s in decided if s == ReviewStatus.CONFIRMED]
    rejected = [(left, right) for left, right, s in decided if s == ReviewStatus.REJECTED]
    return confirmed, rejected


def _review_rows(frame: pd.DataFrame) -> list[tuple[int, int, float, float]]:
    rows = []
    for left, right, probability, weight in zip(
        frame["unique_id_l"],
        frame["unique_id_r"],
        frame["match_probability"],
        frame["match_weight"],
        strict=True,
    ):
        a, b = _ordered(left, right)
        rows.append((a, b, float(probability), float(weight)))
    return rows


def _refused_rows(refused: Iterable[Any]) -> list[tuple[int, int, float]]:
    rows = []
    for link in refused:
        if link.reason == NHS_CONFLICT:
            a, b = _ordered(link.unique_id_l, link.unique_id_r)
            rows.append((a, b, float(link.match_probability)))
    return rows


def _full(
    prepared: pd.DataFrame,
    model: TrainedModel,
    engine: str,
    confirmed: list[Pair],
    rejected: list[Pair],
) -> _Outcome:
    result = batch.run(
        prepared,
        model,
        THRESHOLD,
        engine=engine,  # type: ignore[arg-type]
        review_threshold=REVIEW_THRESHOLD,
        confirmed=confirmed,
        rejected=rejected,
        prepared=True,
    )
    return _Outcome(
        clusters=result.clusters,
        held=result.held,
        review=_review_rows(result.review),
        refused=_refused_rows(result.refused),
        timings=dict(result.timings),
    )


def _incremental(
    prepared: pd.DataFrame,
    model: TrainedModel,
    previous: dict[int, int],
    confirmed: list[Pair],
    rejected: list[Pair],
) -> _Outcome:
    """Link only the records with no person yet, against the people already found. Existing
    people enter the engine's index as clusters named by their negated number, so they can never
    be confused with a new cluster (named by its smallest record id)."""
    usable, _held = batch.split_usable(prepared)
    known = usable[usable["unique_id"].isin(previous.keys())].reset_index(drop=True)
    fresh = prepared[~prepared["unique_id"].isin(previous.keys())].reset_index(drop=True)
    existing = pd.DataFrame(
        {
            "unique_id": known["unique_id"].astype("int64"),
            "cluster_id": [-previous[int(u)] for u in known["unique_id"]],
        }
    )
    if not len(fresh):
        return _Outcome(existing, pd.DataFrame(columns=["unique_id", "reason"]), [], [], {})
    index, _ = batch.LinkageIndex.build(
        known,
        model,
        THRESHOLD,
        review_threshold=REVIEW_THRESHOLD,
        clusters=existing,
        prepared=True,
    )
    added = index.add(fresh, confirmed=confirmed, rejected=rejected, prepared=True)
    cluster_of = dict(zip(existing["unique_id"], existing["cluster_id"], strict=True))
    for uid, cid in zip(added.moved["unique_id"], added.moved["cluster_id"], strict=True):
        cluster_of[int(uid)] = cid
    for uid, cid in zip(added.clusters["unique_id"], added.clusters["cluster_id"], strict=True):
        cluster_of[int(uid)] = cid
    clusters = pd.DataFrame(
        {"unique_id": list(cluster_of), "cluster_id": list(cluster_of.values())}
    )
    return _Outcome(
        clusters=clusters,
        held=added.held,
        review=_review_rows(added.review),
        refused=_refused_rows(added.refused),
        timings=dict(added.timings),
    )


def _nhs_numbers(prepared: pd.DataFrame) -> dict[int, str]:
    return {
        int(uid): str(nhs)
        for uid, nhs in zip(prepared["unique_id"], prepared["nhs_number"], strict=True)
        if plain(nhs) is not None
    }


def link_run(
    *,
    engine: str = "duckdb",
    incremental: bool = False,
    actor: Staff | None = None,
    progress: Progress | None = None,
) -> LinkageRun:
    """Link the source records with the current model and bring the person index up to date,
    in one transaction (see the module docstring)."""
    if engine not in ("duckdb", "spark"):
        raise LinkageError(f"Unknown engine {engine!r}: use duckdb or spark")
    if incremental and engine != "duckdb":
        raise LinkageError("Incremental runs use DuckDB's index: leave out --engine spark")
    say = progress or _noop
    _quiet_splink()
    with transaction.atomic():
        stored = LinkageModel.objects.select_for_update().filter(is_current=True).first()
        if stored is None:
            raise LinkageError("There is no linkage model yet: run `harbour link train` first")
        model = trained_model(stored)
        say("Bringing Harbour's children into the records")
        sync_child_records()
        say("Reading source records")
        prepared = linkage_model.prepare(source_frame())
        confirmed, rejected = _labels()
        previous = {
            int(uid): int(number)
            for uid, number in PersonRecord.objects.values_list(
                "source_record_id", "person__number"
            )
        }
        incremental = incremental and bool(previous)
        run = LinkageRun.objects.create(
            model=stored,
            engine=engine,
            incremental=incremental,
            started_by=actor,
            system_actor="" if actor is not None else SYSTEM_ACTOR,
            records=len(prepared),
        )
        say(f"Linking {len(prepared):,} records with model v{stored.version} ({engine})")
        if incremental:
            outcome = _incremental(prepared, model, previous, confirmed, rejected)
        else:
            outcome = _full(prepared, model, engine, confirmed, rejected)
        say("Keeping person numbers stable")
        next_number = (Person.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        assignment = persons.assign_person_ids(outcome.clusters, previous, next_number)
        nhs = _nhs_numbers(prepared)
        _apply_people(run, assignment, previous, confirmed, nhs)
        say("Holding records that cannot be matched")
        _hold(run, outcome.held, release_others=not incremental)
        say("Queueing uncertain pairs for review, with why")
        usable, _ = batch.split_usable(prepared)
        _queue_review(
            run,
            model,
            stored.version,
            usable,
            outcome,
            _person_nhs(assignment.person_ids, nhs),
            withdraw=not incremental,
        )
        run.finished_at = timezone.now()
        run.detail = {**run.detail, "timings": outcome.timings}
        run.save()
        audit_record(
            actor=actor,
            system_actor=SYSTEM_ACTOR,
            event="identity.linkage_run",
            subject=run,
            detail={
                "model_version": stored.version,
                "engine": engine,
                "incremental": incremental,
                "records": run.records,
                "persons_created": run.persons_created,
                "records_linked": run.records_linked,
                "merges": run.merges,
                "splits": run.splits,
                "held": run.held,
                "review_pairs": run.review_pairs,
                "nhs_conflicts": run.nhs_conflicts,
            },
        )
    return run


def _people(numbers: Iterable[int]) -> dict[int, Person]:
    """The people with these numbers (all loaded at once: a long ``IN`` list would pass
    SQLite's limit on query parameters at a large partnership's scale)."""
    wanted = set(numbers)
    return {p.number: p for p in Person.objects.all() if p.number in wanted}


def _apply_people(
    run: LinkageRun,
    assignment: persons.PersonAssignment,
    previous: dict[int, int],
    confirmed: list[Pair],
    nhs: dict[int, str],
) -> None:
    Person.objects.bulk_create(
        [Person(number=n, created_by_run=run) for n in assignment.new_people], batch_size=2000
    )
    run.persons_created = len(assignment.new_people)
    merged_numbers = [n for m in assignment.merges for n in m.merged]
    people = _people([*assignment.person_ids.values(), *merged_numbers])
    partner: dict[int, set[int]] = defaultdict(set)
    for left, right in confirmed:
        partner[left].add(right)
        partner[right].add(left)
    records_of: dict[int, list[int]] = defaultdict(list)
    for uid, number in assignment.person_ids.items():
        records_of[number].append(int(uid))  # type: ignore[call-overload]

    for merge in assignment.merges:
        kept = people[merge.kept]
        numbers = {nhs[u] for u in records_of[merge.kept] if u in nhs}
        ends = [{previous.get(a), previous.get(b)} for a, b in confirmed]
        by_review = any(merge.kept in both and both & set(merge.merged) for both in ends)
        for number in merge.merged:
            other = people[number]
            other.merged_into = kept
            other.save(update_fields=["merged_into"])
            moved = sorted(u for u in records_of[merge.kept] if previous.get(u) == number)
            change = PersonChange.objects.create(
                kind=ChangeKind.MERGE,
                person=kept,
                other=other,
                source_record_ids=moved,
                run=run,
                system_actor=SYSTEM_ACTOR,
                reason=(
                    f"Linkage run {run.pk}: a reviewer confirmed that their records are the "
                    "same person"
                    if by_review
                    else f"Linkage run {run.pk}: their records matched with a probability of "
                    f"at least {THRESHOLD:.0%} (model v{run.model.version})"
                ),
                nhs_override=len(numbers) > 1,
                nhs_override_reason="Confirmed by a reviewer" if len(numbers) > 1 else "",
            )
            audit_record(
                actor=None,
                system_actor=SYSTEM_ACTOR,
                event="identity.person_merged",
                child_id=kept.child_id or other.child_id,
                subject=change,
                detail={"kept": kept.display_id, "merged": other.display_id, "run": run.pk},
            )
    run.merges = sum(len(m.merged) for m in assignment.merges)

    for split in assignment.splits:
        source, target = people[split.person], people[split.new_person]
        change = PersonChange.objects.create(
            kind=ChangeKind.SPLIT,
            person=source,
            other=target,
            source_record_ids=[int(u) for u in split.unique_ids],  # type: ignore[call-overload]
            run=run,
            system_actor=SYSTEM_ACTOR,
            reason=f"Linkage run {run.pk}: these records no longer match the rest of "
            f"{source.display_id} (model v{run.model.version})",
        )
        audit_record(
            actor=None,
            system_actor=SYSTEM_ACTOR,
            event="identity.person_split",
            child_id=source.child_id,
            subject=change,
            detail={"from": source.display_id, "to": target.display_id, "run": run.pk},
        )
    run.splits = len(assignment.splits)

    links = {link.source_record_id: link for link in PersonRecord.objects.select_related("person")}
    new_links: list[PersonRecord] = []
    changed: list[PersonRecord] = []
    joined: dict[int, list[int]] = defaultdict(list)
    new_people = set(assignment.new_people)
    for raw_uid, number in assignment.person_ids.items():
        uid = int(raw_uid)  # type: ignore[call-overload]
        person = people[number]
        by_review = any(assignment.person_ids.get(o) == number for o in partner.get(uid, ()))
        method = LinkMethod.REVIEW if by_review else LinkMethod.BATCH
        link = links.get(uid)
        if link is None:
            new_links.append(
                PersonRecord(source_record_id=uid, person=person, method=method, run=run)
            )
            if number not in new_people:
                joined[number].append(uid)
        elif link.person.number != number:
            link.person = person
            link.method = method
            link.run = run
            changed.append(link)
    PersonRecord.objects.bulk_create(new_links, batch_size=2000)
    if changed:
        now = timezone.now()
        for link in changed:
            link.linked_at = now
        PersonRecord.objects.bulk_update(
            changed, ["person", "method", "run", "linked_at"], batch_size=2000
        )
    run.records_linked = len(new_links) + len(changed)
    PersonChange.objects.bulk_create(
        [
            PersonChange(
                kind=ChangeKind.LINK,
                person=people[number],
                source_record_ids=sorted(uids),
                run=run,
                system_actor=SYSTEM_ACTOR,
                reason=f"Linkage run {run.pk}: new records matched this person",
            )
            for number, uids in sorted(joined.items())
        ]
    )
    run.detail["people_with_two_harbour_children"] = link_children()


def link_children() -> int:
    """Point each person at the Harbour child whose own record it holds (the earliest recorded
    if it holds two: the same child recorded twice in Harbour; how many such people there are is
    returned)."""
    from harbour.children.models import Child

    holders: dict[int, list[uuid.UUID]] = defaultdict(list)
    for person_id, source_id in PersonRecord.objects.filter(
        source_record__source_system=HARBOUR_SOURCE_SYSTEM, person__merged_into__isnull=True
    ).values_list("person_id", "source_record__source_id"):
        try:
            holders[person_id].append(uuid.UUID(source_id))
        except ValueError:
            continue
    created = dict(Child.objects.values_list("pk", "created_at"))
    wanted: dict[int, uuid.UUID] = {}
    twice = 0
    for person_id, found in holders.items():
        children = sorted((c for c in found if c in created), key=lambda c: (created[c], str(c)))
        if children:
            wanted[person_id] = children[0]
        twice += len(children) > 1
    current = dict(Person.objects.filter(child__isnull=False).values_list("pk", "child_id"))
    stale = [pk for pk, child in current.items() if wanted.get(pk) != child]
    if stale:
        Person.objects.filter(pk__in=stale).update(child=None)
    for person_id, child_id in wanted.items():
        if current.get(person_id) != child_id or person_id in stale:
            Person.objects.filter(pk=person_id).update(child_id=child_id)
    return twice


def _hold(run: LinkageRun, held: pd.DataFrame, *, release_others: bool) -> None:
    reasons = {int(u): str(r) for u, r in zip(held["unique_id"], held["reason"], strict=True)}
    existing = {h.source_record_id: h for h in HeldRecord.objects.all()}
    now = timezone.now()
    new_rows, changed = [], []
    for uid, reason in reasons.items():
        row = existing.get(uid)
        if row is None:
            new_rows.append(HeldRecord(source_record_id=uid, reason=reason, run=run))
        elif row.reason != reason or row.released_at is not None:
            row.reason, row.released_at, row.run = reason, None, run
            changed.append(row)
    HeldRecord.objects.bulk_create(new_rows, batch_size=2000)
    if changed:
        HeldRecord.objects.bulk_update(changed, ["reason", "released_at", "run"])
    if release_others:
        HeldRecord.objects.filter(released_at__isnull=True).exclude(
            source_record_id__in=list(reasons)
        ).update(released_at=now)
    run.held = HeldRecord.objects.filter(released_at__isnull=True).count()


def _person_nhs(person_ids: dict[Hashable, int], nhs: dict[int, str]) -> dict[int, frozenset[str]]:
    """The NHS numbers of the person each record is now in (its own, for a record in none)."""
    by_person: dict[int, set[str]] = defaultdict(set)
    for uid, number in person_ids.items():
        if int(uid) in nhs:  # type: ignore[call-overload]
            by_person[number].add(nhs[int(uid)])  # type: ignore[call-overload]
    found = {uid: frozenset({number}) for uid, number in nhs.items()}
    for uid, number in person_ids.items():
        found[int(uid)] = frozenset(by_person.get(number, ()))  # type: ignore[call-overload]
    return found


def _queue_review(
    run: LinkageRun,
    model: TrainedModel,
    version: int,
    usable: pd.DataFrame,
    outcome: _Outcome,
    nhs: dict[int, frozenset[str]],
    *,
    withdraw: bool,
) -> None:
    """Pairs in the uncertain band, and links refused because the two people have different NHS
    numbers, become review pairs with their explanation; a pair already decided is left as it
    is. Confirming a pair whose people hold different NHS numbers needs an override."""
    wanted: dict[Pair, tuple[float, float | None, bool]] = {}
    for left, right, probability, weight in outcome.review:
        wanted[(left, right)] = (probability, weight, False)
    for left, right, probability in outcome.refused:
        wanted[(left, right)] = (probability, None, True)
    run.nhs_conflicts = len(outcome.refused)
    existing = {(p.record_l_id, p.record_r_id): p for p in ReviewPair.objects.all()}
    to_explain = [pair for pair in wanted if not (pair in existing and existing[pair].is_decided)]
    explained = explain_pairs(model, usable, to_explain)
    created: list[ReviewPair] = []
    updated: list[ReviewPair] = []
    for pair in to_explain:
        found_probability, found_weight, _refused = wanted[pair]
        explanation = explained.get(pair)
        left, right = pair
        values: dict[str, Any] = {
            "match_probability": (
                explanation.match_probability if explanation else found_probability
            ),
            "match_weight": explanation.match_weight if explanation else found_weight,
            "contributions": explanation.waterfall if explanation else [],
            "model_version": version,
            "run": run,
            "needs_nhs_override": bool(
                nhs.get(left) and nhs.get(right) and not (nhs[left] & nhs[right])
            ),
            "status": ReviewStatus.PENDING,
        }
        row = existing.get(pair)
        if row is None:
            created.append(ReviewPair(record_l_id=left, record_r_id=right, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
            updated.append(row)
    ReviewPair.objects.bulk_create(created, batch_size=1000)
    if updated:
        ReviewPair.objects.bulk_update(
            updated,
            [
                "match_probability",
                "match_weight",
                "contributions",
                "model_version",
                "run",
                "needs_nhs_override",
                "status",
            ],
            batch_size=1000,
        )
    run.review_pairs = len(created)
    if withdraw:
        stale = [
            p.pk
            for key, p in existing.items()
            if p.status == ReviewStatus.PENDING and key not in wanted
        ]
        ReviewPair.objects.filter(pk__in=stale).update(status=ReviewStatus.WITHDRAWN)
        run.detail["review_pairs_withdrawn"] = len(stale)


@transaction.atomic
def delete_person_index() -> None:
    """Delete the whole person index: people, their records and changes, review pairs, held
    records, runs and models. For replacing the synthetic demo partnership only (ADR 0014): in
    use, people are never deleted. Source records are left to their owner."""
    ReviewPair.objects.all().delete()
    HeldRecord.objects.all().delete()
    PersonChange.objects.all().delete()
    PersonRecord.objects.all().delete()
    Person.objects.update(merged_into=None, child=None)
    Person.objects.all().delete()
    LinkageRun.objects.all().delete()
    LinkageModel.objects.all().delete()


__all__ = [
    "SYSTEM_ACTOR",
    "Explanation",
    "LinkageError",
    "current_model",
    "delete_person_index",
    "explain_pairs",
    "link_children",
    "link_run",
    "link_train",
    "trained_model",
]
