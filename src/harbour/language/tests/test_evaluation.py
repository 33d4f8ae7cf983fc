"""A regression floor on the labelled evaluation set (data/evaluation.jsonl): sentence-level
precision and recall of 'flagged or not', and whether a flagged positive names an expected rule.
The set was written from the inspection report's examples and ordinary case-note phrasing before
the rules were tuned; benchmarks/language_eval.py prints the same figures with throughput."""

import json
from pathlib import Path

import pytest

from harbour.language.checker import check, load_default_rules

DATA = Path(__file__).parent / "data" / "evaluation.jsonl"
FLOOR = 0.9


def load():
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


def test_the_set_is_big_enough_and_labelled():
    rows = load()
    positives = [row for row in rows if row["flagged"]]
    negatives = [row for row in rows if not row["flagged"]]
    assert len(rows) >= 200
    assert len(positives) >= 90 and len(negatives) >= 90
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["text"] for row in rows}) == len(rows)
    known = {rule.id for rule in load_default_rules().rules}
    for row in positives:
        assert row["rules"] and set(row["rules"]) <= known, row
    for row in negatives:
        assert row["rules"] == [], row


@pytest.fixture(scope="module")
def scored():
    tp = fp = fn = tn = right_rule = 0
    for row in load():
        found = {finding.rule_id for finding in check(row["text"])}
        if found and row["flagged"]:
            tp += 1
            right_rule += bool(found & set(row["rules"]))
        elif found:
            fp += 1
        elif row["flagged"]:
            fn += 1
        else:
            tn += 1
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "right_rule": right_rule}


def test_precision_is_at_least_the_floor(scored):
    precision = scored["tp"] / (scored["tp"] + scored["fp"])
    assert precision >= FLOOR, scored


def test_recall_is_at_least_the_floor(scored):
    recall = scored["tp"] / (scored["tp"] + scored["fn"])
    assert recall >= FLOOR, scored


def test_flagged_positives_name_an_expected_rule(scored):
    assert scored["right_rule"] / scored["tp"] >= FLOOR, scored
