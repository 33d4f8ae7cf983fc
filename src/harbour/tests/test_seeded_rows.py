"""The rows the migrations seed survive a transactional test's flush (``harbour/conftest.py``
puts them back after each): a test that follows a browser journey on the same worker finds the
flag rules and the front door's completeness rules with their ids, and new rows take ids after
them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from harbour.conftest import _restore_seeded_rows
from harbour.frontdoor.models import CompletenessRule
from harbour.identity.models import FlagRule


def seeded() -> tuple[list[int], list[int]]:
    return (
        sorted(FlagRule.objects.values_list("pk", flat=True)),
        sorted(CompletenessRule.objects.values_list("pk", flat=True)),
    )


@pytest.mark.django_db(transaction=True)
def test_a_flush_takes_the_seeded_rows_and_they_come_back_with_their_ids():
    before = seeded()
    assert before[0] and before[1]
    call_command("flush", interactive=False, verbosity=0)  # what a transactional test ends with
    assert seeded() == ([], [])
    _restore_seeded_rows()
    assert seeded() == before
    rule = FlagRule.objects.get(pk=before[0][0])
    rule.pk = None
    rule.code = "seeded-rows-test"
    rule.save()  # the id sequence is past the restored rows
    assert rule.pk not in before[0]
