"""Batch and incremental linkage on a small synthetic partnership, and the rules that connected
components alone do not know."""

from __future__ import annotations

import pandas as pd
import pytest

from harbour.identity.linkage import batch, model, synthetic
from harbour.identity.linkage.clustering import NHS_CONFLICT, REJECTED
from harbour.identity.linkage.evaluation import pairwise_scores
from harbour.identity.linkage.persons import assign_person_ids


@pytest.fixture(scope="module")
def linked(linkage_records: pd.DataFrame, linkage_model: model.TrainedModel) -> batch.LinkageResult:
    return batch.run(linkage_records, linkage_model)


def _truth(records: pd.DataFrame) -> pd.Series:
    return records.set_index("unique_id")["person_id"]


def test_a_run_finds_the_people_behind_the_records(
    linkage_records: pd.DataFrame, linked: batch.LinkageResult
) -> None:
    scores = pairwise_scores(linked.clusters, _truth(linkage_records))
    assert scores.precision >= 0.98, scores
    assert scores.recall >= 0.95, scores
    every = set(linked.clusters["unique_id"]) | set(linked.held["unique_id"])
    assert every == set(linkage_records["unique_id"])
    # Each cluster is named by its smallest record.
    smallest = linked.clusters.groupby("cluster_id")["unique_id"].min()
    assert (smallest.index == smallest.to_numpy()).all()
    # Review pairs sit below the threshold and join records the run kept apart.
    assert (linked.review["match_probability"] < model.DEFAULT_THRESHOLD).all()
    assert set(linked.timings) >= {"prepare", "predict", "cluster"}


def _person(uid: int, **overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "unique_id": uid,
        "source_agency": "police",
        "source_system": "Niche RMS",
        "source_id": f"S{uid}",
        "first_name": "Keisha",
        "surname": "Abernethy-Okafor",
        "dob": "2011-02-17",
        "sex": "F",
        "postcode": "RV7 2QD",
        "address": "14 Canal Street",
        "nhs_number": None,
    }
    record.update(overrides)
    return record


def _with(records: pd.DataFrame, extra: list[dict[str, object]]) -> pd.DataFrame:
    return pd.concat([records, pd.DataFrame(extra)], ignore_index=True)


def test_a_record_with_no_usable_name_or_date_of_birth_is_held_for_review(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    extra = [
        _person(900_001),
        _person(900_002, first_name="Unknown", surname="Unknown"),
        # no date of birth, nor a postcode or an address to place the names
        _person(900_003, dob=None, postcode=None, address=None),
        _person(900_004, dob="2011-02-31", postcode="NFA", address=None),  # not a date
        # one name only, with a place but no date
        _person(900_005, dob=None, surname=None),
    ]
    result = batch.run(_with(linkage_records, extra), linkage_model)
    held = dict(zip(result.held["unique_id"], result.held["reason"], strict=True))
    assert held[900_002] == model.NO_NAME
    assert held[900_003] == held[900_004] == held[900_005] == model.NO_DOB_OR_NHS
    assert 900_001 in set(result.clusters["unique_id"])
    assert not {900_002, 900_003, 900_004, 900_005} & set(result.clusters["unique_id"])


def test_a_record_without_a_date_of_birth_links_where_names_and_address_agree(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    """Issue 14, part 4: both names with the same address and postcode are strong enough
    evidence without a date of birth; a different first name at the same address (a sibling)
    is not, and neither record is held."""
    extra = [
        _person(900_021),
        _person(900_022, source_agency="csc", dob=None, address="14 Canal St."),
        _person(900_023, source_agency="csc", dob=None, first_name="Precious"),
    ]
    result = batch.run(_with(linkage_records, extra), linkage_model)
    cluster = result.cluster_of()
    assert cluster[900_021] == cluster[900_022]
    assert cluster[900_023] != cluster[900_021]
    assert not {900_021, 900_022, 900_023} & set(result.held["unique_id"])


def test_a_link_that_would_join_two_nhs_numbers_is_refused_unless_confirmed(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    # The same child in three records: two agencies hold different NHS numbers for her, and a
    # third record without one links to both.
    extra = [
        _person(900_011, nhs_number="9434765919"),
        _person(900_012, source_agency="csc"),
        _person(900_013, source_agency="ed", nhs_number="4010232137"),
    ]
    records = _with(linkage_records, extra)
    result = batch.run(records, linkage_model)
    cluster = result.cluster_of()
    assert cluster[900_011] != cluster[900_013]
    assert cluster[900_012] in {cluster[900_011], cluster[900_013]}
    conflicts = [
        r for r in result.refused if {r.unique_id_l, r.unique_id_r} <= {900_011, 900_012, 900_013}
    ]
    assert conflicts and all(r.reason == NHS_CONFLICT for r in conflicts)
    assert {n for r in conflicts for n in (*r.nhs_numbers_l, *r.nhs_numbers_r)} == {
        "9434765919",
        "4010232137",
    }
    # A reviewer confirms they are one child: the override joins them.
    confirmed = batch.run(records, linkage_model, confirmed=[(900_011, 900_013)]).cluster_of()
    assert confirmed[900_011] == confirmed[900_012] == confirmed[900_013]


def test_a_pair_a_reviewer_rejected_is_never_joined(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    extra = [_person(900_021), _person(900_022, source_agency="school")]
    records = _with(linkage_records, extra)
    assert batch.run(records, linkage_model).cluster_of()[900_021] == 900_021
    assert batch.run(records, linkage_model).cluster_of()[900_022] == 900_021
    result = batch.run(records, linkage_model, rejected=[(900_021, 900_022)])
    cluster = result.cluster_of()
    assert cluster[900_021] != cluster[900_022]
    assert any(r.reason == REJECTED for r in result.refused)


def test_the_same_input_gives_the_same_people_and_new_records_join_them(
    linkage_model: model.TrainedModel,
) -> None:
    everyone = synthetic.generate(3_400, seed=12)
    earlier, _later = synthetic.split_for_incremental(everyone, 400, seed=2)
    first_run = batch.run(earlier, linkage_model)
    first = assign_person_ids(first_run.clusters, {}, next_id=1)
    assert first.next_id == first_run.clusters["cluster_id"].nunique() + 1
    again = assign_person_ids(batch.run(earlier, linkage_model).clusters, first.person_ids, 10**6)
    assert again.person_ids == first.person_ids
    assert again.merges == again.splits == again.new_people == []
    # 400 more records of the same people and of new people: everyone keeps their id.
    later = assign_person_ids(
        batch.run(everyone, linkage_model).clusters, first.person_ids, first.next_id
    )
    changed = [u for u, p in first.person_ids.items() if later.person_ids.get(u, p) != p]
    merged_away = {m for merge in later.merges for m in merge.merged}
    split_off = {u for split in later.splits for u in split.unique_ids}
    assert all(first.person_ids[u] in merged_away or u in split_off for u in changed)
    assert len(changed) <= 0.01 * len(first.person_ids)
    new_records = set(later.person_ids) - set(first.person_ids)
    joined = [u for u in new_records if later.person_ids[u] < first.next_id]
    assert len(joined) > 0.5 * len(new_records)  # most are records of people already known
    assert later.new_people == list(range(first.next_id, later.next_id))


def test_incremental_records_join_the_clusters_a_full_run_would_give(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    existing, new = synthetic.split_for_incremental(linkage_records, 200, seed=4)
    index, built = batch.LinkageIndex.build(existing, linkage_model)
    assert built is not None
    added = index.add(new)
    assert set(added.clusters["unique_id"]) | set(added.held["unique_id"]) == set(new["unique_id"])
    truth = _truth(linkage_records)
    incremental = pairwise_scores(index.clusters(), truth)
    full = pairwise_scores(batch.run(linkage_records, linkage_model).clusters, truth)
    assert abs(incremental.f1 - full.f1) < 0.005, (incremental, full)
    # A new record of someone already in the index joins one of that person's clusters.
    clusters = index.clusters().set_index("unique_id")["cluster_id"]
    indexed = truth[truth.index.isin(existing["unique_id"]) & truth.index.isin(clusters.index)]
    clusters_of_person = clusters[indexed.index].groupby(indexed.to_numpy()).agg(set)
    returning = [u for u in added.clusters["unique_id"] if truth[u] in clusters_of_person.index]
    joined = [u for u in returning if clusters[u] in clusters_of_person[truth[u]]]
    assert len(returning) > 50
    assert len(joined) >= 0.9 * len(returning)


def test_an_incremental_record_joining_two_nhs_numbers_is_refused(
    linkage_records: pd.DataFrame, linkage_model: model.TrainedModel
) -> None:
    existing = _with(
        linkage_records,
        [_person(900_031, nhs_number="9434765919"), _person(900_032, source_agency="csc")],
    )
    index, _ = batch.LinkageIndex.build(existing, linkage_model)
    before = index.clusters().set_index("unique_id")["cluster_id"]
    assert before[900_031] == before[900_032]
    added = index.add(pd.DataFrame([_person(900_033, source_agency="ed", nhs_number="4010232137")]))
    assert added.refused and {r.reason for r in added.refused} == {NHS_CONFLICT}
    assert added.clusters.set_index("unique_id")["cluster_id"][900_033] == 900_033
    # With a reviewer's confirmation it joins.
    index2, _ = batch.LinkageIndex.build(existing, linkage_model)
    added2 = index2.add(
        pd.DataFrame([_person(900_033, source_agency="ed", nhs_number="4010232137")]),
        confirmed=[(900_031, 900_033)],
    )
    assert added2.clusters.set_index("unique_id")["cluster_id"][900_033] == before[900_031]
