"""Stable person ids: merges keep the oldest id, splits are reported, nothing is renumbered."""

from __future__ import annotations

import pandas as pd

from harbour.identity.linkage.clustering import NHS_CONFLICT, constrained_components
from harbour.identity.linkage.evaluation import pairwise_scores
from harbour.identity.linkage.persons import Merge, Split, assign_person_ids

FIRST = {1: 1, 2: 1, 3: 3, 4: 3, 5: 5}  # record -> cluster


def test_first_run_numbers_clusters_in_order() -> None:
    result = assign_person_ids(FIRST, {}, next_id=100)
    assert result.person_ids == {1: 100, 2: 100, 3: 101, 4: 101, 5: 102}
    assert result.new_people == [100, 101, 102] and result.next_id == 103


def test_an_unchanged_run_keeps_every_id_even_if_cluster_ids_change() -> None:
    first = assign_person_ids(FIRST, {}, next_id=1)
    renamed = {1: 2, 2: 2, 3: 4, 4: 4, 5: 5}
    again = assign_person_ids(renamed, first.person_ids, first.next_id)
    assert again.person_ids == first.person_ids
    assert (again.merges, again.splits, again.new_people, again.next_id) == ([], [], [], 4)


def test_new_records_join_existing_people_and_new_people_get_new_ids() -> None:
    first = assign_person_ids(FIRST, {}, next_id=1)
    grown = {**FIRST, 6: 1, 7: 7}
    result = assign_person_ids(grown, first.person_ids, first.next_id)
    assert result.person_ids[6] == first.person_ids[1]
    assert result.person_ids[7] == 4 and result.new_people == [4]


def test_a_cluster_joining_two_people_keeps_the_older_id_and_reports_the_merge() -> None:
    first = assign_person_ids(FIRST, {}, next_id=1)  # people 1 (records 1, 2), 2 (3, 4), 3 (5)
    joined = {1: 1, 2: 1, 3: 1, 4: 1, 5: 5}
    result = assign_person_ids(joined, first.person_ids, first.next_id)
    assert result.merges == [Merge(kept=1, merged=(2,), cluster_id=1)]
    assert {result.person_ids[u] for u in (1, 2, 3, 4)} == {1}
    assert result.splits == [] and result.next_id == first.next_id
    assert result.changed_records(first.person_ids) == {3: (2, 1), 4: (2, 1)}


def test_a_person_split_across_clusters_keeps_the_id_where_most_records_are() -> None:
    previous = {1: 7, 2: 7, 3: 7, 4: 8}
    split = {1: 1, 2: 1, 3: 3, 4: 4}
    result = assign_person_ids(split, previous, next_id=9)
    assert result.person_ids == {1: 7, 2: 7, 3: 9, 4: 8}
    assert result.splits == [Split(person=7, new_person=9, unique_ids=(3,))]
    assert result.merges == []


def test_records_moving_to_another_known_person_are_a_split_from_the_first() -> None:
    previous = {1: 7, 2: 7, 3: 8, 4: 8, 5: 8}
    moved = {1: 1, 2: 3, 3: 3, 4: 3, 5: 3}
    result = assign_person_ids(moved, previous, next_id=9)
    assert result.person_ids == {1: 7, 2: 8, 3: 8, 4: 8, 5: 8}
    assert result.splits == [Split(person=7, new_person=8, unique_ids=(2,))]


def test_clusters_can_be_a_frame_and_ids_strings() -> None:
    frame = pd.DataFrame({"unique_id": ["b", "a", "c"], "cluster_id": ["a", "a", "c"]})
    result = assign_person_ids(frame, {"a": 5}, next_id=6)
    assert result.person_ids == {"a": 5, "b": 5, "c": 6}


def test_constrained_components_refuse_a_second_nhs_number() -> None:
    nodes = {1: frozenset({"9434765919"}), 2: frozenset(), 3: frozenset({"4010232137"})}
    edges = [(1, 2, 0.99), (2, 3, 0.98), (1, 3, 0.97)]
    components, refused = constrained_components(nodes, edges)
    assert components[1] == components[2] != components[3]
    assert [(r.unique_id_l, r.unique_id_r, r.reason) for r in refused] == [
        (2, 3, NHS_CONFLICT),
        (1, 3, NHS_CONFLICT),
    ]
    joined, refused = constrained_components(nodes, edges, confirmed=[(1, 3)])
    assert len(set(joined.values())) == 1 and refused == []


def test_pairwise_scores_count_pairs() -> None:
    truth = pd.Series([1, 1, 1, 2, 2, 3], index=[10, 11, 12, 13, 14, 15])
    clusters = pd.DataFrame(
        {"unique_id": [10, 11, 12, 13, 14], "cluster_id": [10, 10, 12, 12, 12]}
    )  # record 15 held for review
    scores = pairwise_scores(clusters, truth)
    # true pairs: 3 + 1 = 4; predicted: 1 + 3 = 4; both: (10, 11) and (13, 14)
    assert (scores.true_positives, scores.predicted_pairs, scores.true_pairs) == (2, 4, 4)
    assert scores.precision == scores.recall == scores.f1 == 0.5
