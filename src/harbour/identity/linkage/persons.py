"""Stable person ids: clusters from a run become people without renumbering anyone.

`assign_person_ids(clusters, previous, next_id)` gives every clustered record a person id:

1. Each previous person has a *home* cluster: the one holding most of its records (ties: the
   cluster with the smallest id).
2. A cluster that is home to exactly one previous person keeps that person's id; its new
   records join that person.
3. A cluster that is home to two or more previous people is a **merge**: it keeps the oldest
   (smallest) id and each other person is reported as merged into it. Merged ids are never
   reused or deleted; Harbour records who and why.
4. A cluster home to no previous person gets a new id (from `next_id` up, in order of cluster
   id).
5. A record of a previous person that is not in that person's home cluster has been split off:
   a **split**, reported with the person it came from, the person it is now (new, or another
   previous person's) and the records that moved.

Records in `previous` but not in `clusters` (held for review, or withdrawn) are left out of the
answer, not deleted: their previous ids stand until a person decides.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from harbour.identity.linkage.clustering import sort_key


@dataclass(frozen=True)
class Merge:
    """People found to be one: `merged` ids now point to `kept` (the oldest)."""

    kept: int
    merged: tuple[int, ...]
    cluster_id: Hashable


@dataclass(frozen=True)
class Split:
    """Records of `person` that now form (part of) another person, `new_person`."""

    person: int
    new_person: int
    unique_ids: tuple[Hashable, ...]


@dataclass
class PersonAssignment:
    person_ids: dict[Hashable, int]
    next_id: int
    new_people: list[int] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)

    def changed_records(self, previous: Mapping[Hashable, int]) -> dict[Hashable, tuple[int, int]]:
        """Records whose person changed: unique id -> (previous person, new person)."""
        return {
            uid: (previous[uid], pid)
            for uid, pid in self.person_ids.items()
            if uid in previous and previous[uid] != pid
        }


def assign_person_ids(
    clusters: Mapping[Any, Any] | pd.DataFrame,
    previous: Mapping[Any, int],
    next_id: int,
) -> PersonAssignment:
    """Person ids for the clustered records (unique id -> cluster id, or a frame with
    unique_id and cluster_id), keeping the ids in `previous` (unique id -> person id) stable by
    the rules in the module docstring. `next_id` is the first id never used before; the answer's
    `next_id` is the next one after those it gave out."""
    if isinstance(clusters, pd.DataFrame):
        frame = clusters[["unique_id", "cluster_id"]].reset_index(drop=True).copy()
    else:
        frame = pd.DataFrame({"unique_id": list(clusters), "cluster_id": list(clusters.values())})
    prev = pd.Series(previous, dtype="Int64") if previous else pd.Series([], dtype="Int64")
    frame["previous"] = frame["unique_id"].map(prev) if len(prev) else pd.NA
    frame["previous"] = frame["previous"].astype("Int64")

    known = frame.dropna(subset=["previous"])
    counts = known.groupby(["previous", "cluster_id"], sort=False).size().rename("n").reset_index()
    counts["order"] = counts["cluster_id"].map(sort_key)
    counts = counts.sort_values(["previous", "n", "order"], ascending=[True, False, True])
    home = counts.drop_duplicates("previous").set_index("previous")["cluster_id"]

    homed: dict[Hashable, list[int]] = {}
    for person, cluster_id in home.items():
        homed.setdefault(cluster_id, []).append(int(person))

    cluster_person: dict[Hashable, int] = {}
    merges: list[Merge] = []
    for cluster_id, people in homed.items():
        people.sort()
        cluster_person[cluster_id] = people[0]
        if len(people) > 1:
            merges.append(Merge(kept=people[0], merged=tuple(people[1:]), cluster_id=cluster_id))
    merges.sort(key=lambda m: m.kept)

    new_people: list[int] = []
    unhomed = sorted(set(frame["cluster_id"]) - set(cluster_person), key=sort_key)
    for cluster_id in unhomed:
        cluster_person[cluster_id] = next_id
        new_people.append(next_id)
        next_id += 1

    frame["person"] = frame["cluster_id"].map(cluster_person).astype("int64")
    splits: list[Split] = []
    # A record that left its person's home cluster has been split off (into a new person, or
    # into a cluster that is another previous person's home).
    frame["home"] = frame["previous"].map(home)
    moved = frame[frame["previous"].notna() & (frame["cluster_id"] != frame["home"])]
    for (person, new_person), group in moved.groupby(["previous", "person"], sort=True):
        ids = tuple(sorted(group["unique_id"].tolist(), key=sort_key))
        splits.append(Split(person=int(person), new_person=int(new_person), unique_ids=ids))

    person_ids = dict(zip(frame["unique_id"].tolist(), frame["person"].tolist(), strict=True))
    return PersonAssignment(
        person_ids=person_ids,
        next_id=next_id,
        new_people=new_people,
        merges=merges,
        splits=splits,
    )
