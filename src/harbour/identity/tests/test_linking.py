"""Linkage runs from Django: person numbers stay stable across runs and incremental additions,
merges keep the older number, splits and held records are recorded, reviewers' decisions are
labels for the next run, and a pair's explanation is Splink's own match weight."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from harbour.access.models import AuditEvent
from harbour.identity import linking, services, sources
from harbour.identity.linkage import batch, synthetic
from harbour.identity.linkage import model as linkage_model
from harbour.identity.models import (
    ChangeKind,
    HeldRecord,
    LinkageRun,
    LinkMethod,
    Person,
    PersonChange,
    PersonRecord,
    ReviewPair,
    ReviewStatus,
    SourceRecord,
)
from harbour.identity.tests.conftest import load_records, store_model, valid_nhs_number
from harbour.testing import make_agency, make_child

pytestmark = pytest.mark.django_db


def numbers() -> dict[int, int]:
    return dict(PersonRecord.objects.values_list("source_record_id", "person__number"))


def person_with(at_least: int) -> Person:
    counts = Counter(PersonRecord.objects.values_list("person_id", flat=True))
    person_id = next(pk for pk, n in sorted(counts.items()) if n >= at_least)
    return Person.objects.get(pk=person_id)


@pytest.fixture
def linked(synthetic_records, trained_json):
    records = load_records(synthetic_records)
    store_model(trained_json)
    run = linking.link_run()
    return records, run


def test_a_run_makes_people_and_a_second_run_keeps_every_number(linked, synthetic_records):
    records, first = linked
    before = numbers()
    held = set(HeldRecord.objects.values_list("source_record_id", flat=True))
    assert set(before) | held == {r.pk for r in records.values()}
    assert first.persons_created == Person.objects.count() > 0
    assert first.records_linked == len(before)
    # Linkage finds (nearly) the people the generator made.
    truth = {
        records[u].pk: p
        for u, p in zip(synthetic_records.unique_id, synthetic_records.person_id, strict=True)
    }
    pure = Counter(
        len({truth[r] for r, n in before.items() if n == number}) for number in set(before.values())
    )
    assert pure[1] / sum(pure.values()) > 0.95

    second = linking.link_run()
    assert numbers() == before
    assert (second.persons_created, second.records_linked, second.merges, second.splits) == (
        0,
        0,
        0,
        0,
    )
    event = AuditEvent.objects.filter(event="identity.linkage_run").latest("sequence")
    assert event.actor_username == "linkage"
    assert event.detail["records"] == len(records)


def test_an_incremental_run_adds_records_without_renumbering(synthetic_records, trained_json):
    existing, arriving = synthetic.split_for_incremental(synthetic_records, 40, seed=3)
    load_records(existing)
    store_model(trained_json)
    linking.link_run()
    before = numbers()
    new = load_records(arriving)
    run = linking.link_run(incremental=True)
    assert run.incremental
    after = numbers()
    for record, number in before.items():
        if after[record] != number:  # only a merge may move an old record, into an older person
            merged_into = Person.objects.get(number=number).merged_into
            assert merged_into is not None and merged_into.number == after[record]
    linked_new = [r.pk for r in new.values() if r.pk in after]
    assert len(linked_new) + HeldRecord.objects.filter(source_record__in=new.values()).count() == 40
    joined = PersonChange.objects.filter(run=run, kind=ChangeKind.LINK)
    assert joined.exists(), "some arriving records belong to people already in the index"
    assert run.persons_created == len({after[r] for r in linked_new} - set(before.values()))


def test_a_cluster_holding_two_people_is_a_merge_that_keeps_the_older_number(linked):
    person = person_with(2)
    moved = PersonRecord.objects.filter(person=person).order_by("-pk")[0]
    # As if an earlier run had found two people: the newer holds one of the records.
    newer = Person.objects.create(number=Person.objects.order_by("-number")[0].number + 1)
    moved.person = newer
    moved.save()

    run = linking.link_run()
    assert run.merges == 1
    newer.refresh_from_db()
    assert newer.merged_into == person
    assert numbers()[moved.source_record_id] == person.number
    change = PersonChange.objects.get(run=run, kind=ChangeKind.MERGE)
    assert (change.person, change.other, change.system_actor) == (person, newer, "linkage")
    assert change.source_record_ids == [moved.source_record_id]
    assert AuditEvent.objects.filter(event="identity.person_merged").exists()
    # Nothing is deleted: the merged person is still there, pointing on.
    assert Person.objects.filter(pk=newer.pk).exists()


def test_a_person_whose_records_part_is_a_split(linked):
    first = person_with(2)
    second = Person.objects.exclude(pk=first.pk).filter(records__isnull=False).distinct()[0]
    theirs = set(
        PersonRecord.objects.filter(person=second).values_list("source_record_id", flat=True)
    )
    # As if an earlier run had wrongly put the second person's records with the first.
    PersonRecord.objects.filter(person=second).update(person=first)

    run = linking.link_run()
    assert run.splits == 1
    change = PersonChange.objects.get(run=run, kind=ChangeKind.SPLIT)
    assert change.person == first
    assert set(change.source_record_ids) == theirs
    after = numbers()
    assert change.other is not None
    assert {after[r] for r in theirs} == {change.other.number}
    assert AuditEvent.objects.filter(event="identity.person_split").exists()


def test_records_with_no_usable_name_or_date_are_held_not_matched(linked):
    records, _ = linked
    agency = next(iter(records.values())).agency
    nameless = SourceRecord.objects.create(
        agency=agency,
        source_system="x",
        source_id="1",
        given_name="Unknown",
        date_of_birth=dt.date(2011, 1, 1),
        as_of=dt.date(2026, 1, 1),
    )
    dateless = SourceRecord.objects.create(
        agency=agency,
        source_system="x",
        source_id="2",
        given_name="Kai",
        family_name="Ostrowski",
        as_of=dt.date(2026, 1, 1),
    )
    run = linking.link_run()
    held = {
        h.source_record_id: h.reason for h in HeldRecord.objects.filter(released_at__isnull=True)
    }
    assert held[nameless.pk] == linkage_model.NO_NAME
    assert held[dateless.pk] == linkage_model.NO_DOB_OR_NHS
    assert not PersonRecord.objects.filter(source_record__in=[nameless, dateless]).exists()
    assert run.held == len(held)

    dateless.date_of_birth = dt.date(2012, 5, 6)
    dateless.save()
    linking.link_run()
    assert HeldRecord.objects.get(source_record=dateless).released_at is not None
    assert PersonRecord.objects.filter(source_record=dateless).exists()


def test_a_reviewers_rejection_is_a_label_that_splits_the_next_run(linked, front_door):
    person = person_with(2)
    left, right = PersonRecord.objects.filter(person=person).order_by("source_record_id")[:2]
    SourceRecord.objects.filter(pk__in=[left.source_record_id, right.source_record_id]).update(
        agency=front_door["csc"]
    )
    pair = ReviewPair.objects.create(
        record_l_id=left.source_record_id, record_r_id=right.source_record_id
    )
    services.review_decide(
        actor=front_door["practitioner"],
        pair=pair,
        same_person=False,
        reason="Twins: the school confirmed",
    )
    assert AuditEvent.objects.filter(event="identity.pair_decided").exists()
    run = linking.link_run()
    after = numbers()
    assert after[left.source_record_id] != after[right.source_record_id]
    assert run.splits >= 1


def test_records_with_different_nhs_numbers_need_a_managers_override(linked, front_door):
    one, two = Person.objects.filter(records__isnull=False).distinct().order_by("number")[:2]
    record_one = SourceRecord.objects.filter(person_link__person=one)[0]
    record_two = SourceRecord.objects.filter(person_link__person=two)[0]
    SourceRecord.objects.filter(person_link__person__in=[one, two]).update(
        agency=front_door["csc"], nhs_number=""
    )
    SourceRecord.objects.filter(pk=record_one.pk).update(nhs_number=valid_nhs_number(123456780))
    SourceRecord.objects.filter(pk=record_two.pk).update(nhs_number=valid_nhs_number(987654320))
    low, high = sorted([record_one.pk, record_two.pk])
    pair = ReviewPair.objects.create(record_l_id=low, record_r_id=high, needs_nhs_override=True)

    with pytest.raises(ValidationError, match="only a front-door manager"):
        services.review_decide(
            actor=front_door["practitioner"],
            pair=pair,
            same_person=True,
            reason="Same child, I think",
        )
    with pytest.raises(ValidationError, match="give the reason"):
        services.review_decide(
            actor=front_door["manager"], pair=pair, same_person=True, reason="Same child, I think"
        )
    services.review_decide(
        actor=front_door["manager"],
        pair=pair,
        same_person=True,
        reason="The ED confirmed it is the same child",
        nhs_override_reason="The ED mistyped the NHS number; PDS shows the other",
    )
    run = linking.link_run()
    after = numbers()
    assert after[record_one.pk] == after[record_two.pk] == one.number
    merge = PersonChange.objects.get(run=run, kind=ChangeKind.MERGE)
    assert merge.nhs_override
    assert PersonRecord.objects.get(source_record=record_two).method == LinkMethod.REVIEW


def test_merging_by_hand_across_nhs_numbers_is_refused_without_a_reason(linked, front_door):
    one, two = Person.objects.filter(records__isnull=False).distinct().order_by("number")[:2]
    SourceRecord.objects.filter(person_link__person=one).update(
        nhs_number=valid_nhs_number(111111110)
    )
    SourceRecord.objects.filter(person_link__person=two).update(
        nhs_number=valid_nhs_number(222222220)
    )
    with pytest.raises(ValidationError, match="different NHS numbers"):
        services.person_merge(
            actor=front_door["manager"], person=two, other=one, reason="Same child really"
        )
    with pytest.raises(Exception, match=r"identity\.merge_split"):
        services.person_merge(
            actor=front_door["practitioner"],
            person=two,
            other=one,
            reason="Same child really",
            nhs_override_reason="One number was mistyped",
        )
    change = services.person_merge(
        actor=front_door["manager"],
        person=two,
        other=one,
        reason="Same child really",
        nhs_override_reason="One number was mistyped at the ED",
    )
    assert (change.person, change.other, change.nhs_override) == (one, two, True)
    two.refresh_from_db()
    assert two.merged_into == one
    # The decision stands at the next run.
    linking.link_run()
    assert set(numbers().values()) >= {one.number}
    assert not PersonRecord.objects.filter(person=two).exists()


def test_splitting_by_hand_stands_at_the_next_run(linked, front_door):
    person = person_with(2)
    moving = PersonRecord.objects.filter(person=person).order_by("-source_record_id")[0]
    change = services.person_split(
        actor=front_door["manager"],
        person=person,
        source_record_ids=[moving.source_record_id],
        reason="A different child with the same name",
    )
    assert change.other is not None
    assert change.other.number > person.number
    linking.link_run()
    assert numbers()[moving.source_record_id] == change.other.number


def test_harbours_own_children_are_records_and_their_people_link_to_them(
    synthetic_records, trained_json
):
    load_records(synthetic_records)
    csc = make_agency("csc-h")
    row = synthetic_records[
        synthetic_records["dob"].notna() & synthetic_records["first_name"].notna()
    ].iloc[0]
    child = make_child(
        csc,
        given_name=str(row["first_name"]),
        family_name=str(row["surname"]),
        date_of_birth=dt.date.fromisoformat(row["dob"]),
        postcode=str(row["postcode"] or ""),
        sex=str(row["sex"] or "F"),
    )
    store_model(trained_json)
    linking.link_run()
    own = SourceRecord.objects.get(source_system="harbour", source_id=str(child.pk))
    assert own.agency == csc
    person = Person.objects.get(records__source_record=own)
    assert person.child == child
    assert person.records.count() >= 2  # the child's Harbour record and the agency's

    child.family_name = "Changed"
    child.save()
    assert sources.sync_child_records() == {"created": 0, "updated": 1}


def test_explanations_are_splinks_own_match_weights(linked, trained_json):
    pairs = list(ReviewPair.objects.exclude(contributions=[]))
    assert pairs, "the synthetic records give pairs in the uncertain band"
    frame = sources.source_frame()
    result = batch.run(frame, linkage_model.TrainedModel.from_json(trained_json))
    splink = {
        (min(a, b), max(a, b)): w
        for a, b, w in zip(
            result.review.unique_id_l,
            result.review.unique_id_r,
            result.review.match_weight,
            strict=True,
        )
    }
    compared = 0
    for pair in pairs:
        final = pair.contributions[-1]["log2_bayes_factor"]
        assert final == pair.match_weight
        assert sum(r["log2_bayes_factor"] for r in pair.contributions[:-1]) == pytest.approx(
            final, abs=1e-9
        )
        key = (pair.record_l_id, pair.record_r_id)
        if key in splink:
            assert pair.match_weight == splink[key]  # equal, not merely close
            compared += 1
    assert compared


def test_a_run_needs_a_trained_model(db):
    with pytest.raises(linking.LinkageError, match="link train"):
        linking.link_run()
    assert not LinkageRun.objects.exists()


def test_pending_pairs_are_left_decided_pairs_alone(linked, front_door):
    pair = ReviewPair.objects.filter(status=ReviewStatus.PENDING)[0]
    SourceRecord.objects.filter(pk__in=[pair.record_l_id, pair.record_r_id]).update(
        agency=front_door["csc"]
    )
    services.review_decide(
        actor=front_door["practitioner"],
        pair=pair,
        same_person=False,
        reason="Different children: twins",
    )
    count = ReviewPair.objects.count()
    run = linking.link_run()
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.REJECTED
    assert ReviewPair.objects.count() == count
    assert run.review_pairs == 0
