"""Following merges to the person kept (``identity.people``), used by matching, a child's events
and flags alike; and each identity model listed once for the views' architecture check."""

from __future__ import annotations

import pytest

from harbour.identity.models import IDENTITY_CHILD_MODELS, Person
from harbour.identity.people import kept_id, merges, person_kept

pytestmark = pytest.mark.django_db


def test_merges_are_followed_to_the_person_kept_however_many_times():
    kept = Person.objects.create(number=1)
    middle = Person.objects.create(number=2, merged_into=kept)
    first = Person.objects.create(number=3, merged_into=middle)
    apart = Person.objects.create(number=4)
    everyone = merges()
    assert everyone == {middle.pk: kept.pk, first.pk: middle.pk}
    assert merges([first.pk]) == everyone  # onward from the people asked about
    assert merges([apart.pk]) == {} and merges([]) == {}
    assert [kept_id(p.pk, everyone) for p in (first, middle, kept, apart)] == [kept.pk] * 3 + [
        apart.pk
    ]
    assert person_kept(first) == kept and person_kept(apart) is apart


def test_a_cycle_which_merging_never_makes_does_not_loop():
    assert kept_id(1, {1: 2, 2: 1}) in (1, 2)


def test_each_identity_model_is_listed_once():
    assert len(IDENTITY_CHILD_MODELS) == len(set(IDENTITY_CHILD_MODELS))
