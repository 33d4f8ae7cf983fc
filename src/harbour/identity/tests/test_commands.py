"""``harbour link train`` and ``harbour link run`` on the synthetic partnership's records."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from harbour.demo.generator import generate
from harbour.identity import linking
from harbour.identity.models import LinkageModel, Person

pytestmark = pytest.mark.django_db


def test_train_then_run_links_the_partnership_and_keeps_numbers(capsys):
    with pytest.raises(CommandError):
        call_command("link", "run")
    assert "harbour link train" in capsys.readouterr().err
    generate(seed=7, children=60)
    call_command("link", "train", "--seed", "3")
    out = capsys.readouterr().out
    assert "Linkage model v1 trained on" in out
    stored = LinkageModel.objects.get(is_current=True)
    assert stored.sha256 in stored.model_json

    call_command("link", "run")
    out = capsys.readouterr().out
    assert "Linkage run" in out and "people created" in out
    people = dict(Person.objects.values_list("pk", "number"))
    # Every Harbour child is a person.
    assert Person.objects.filter(child__isnull=False).count() >= 55

    call_command("link", "run", "--incremental")
    assert dict(Person.objects.values_list("pk", "number")) == people
    call_command("identity", "status")
    assert "pairs to review" in capsys.readouterr().out


def test_an_unknown_engine_is_refused(db, capsys):
    with pytest.raises(CommandError):
        call_command("link", "run", "--engine", "oracle")


def test_the_demo_can_start_again_with_an_empty_index():
    generate(seed=7, children=60)
    call_command("link", "train", "--seed", "3")
    call_command("link", "run")
    generate(seed=7, children=60, replace=True)  # the source records go, and their links
    linking.delete_person_index()
    assert not Person.objects.exists() and not LinkageModel.objects.exists()
