"""Floors on the TEST part of the independent language set (benchmarks/data/language_set, ADR
0044): sentence-level precision and recall overall, and recall per category. Nothing is tuned on
the test part; the model is fitted on the dev part only. The issue asks for precision and
recall of at least 0.9 overall and recall of at least 0.8 in every category: the floors below
are the ones the checker actually reaches (rounded down), and ADR 0044 says which of the
issue's floors are NOT met. benchmarks/language_eval.py prints the same figures with intervals.

The old 239-sentence set (data/evaluation.jsonl), written by the rules' author, keeps a floor
for the rules alone, which is what it was written to measure."""

import json
from pathlib import Path

import pytest

from harbour.language.checker import Checker, check, load_default_rules
from harbour.language.checker.evaluation import (
    CATEGORIES,
    evaluate,
    load_language_set,
)

OLD_SET = Path(__file__).parent / "data" / "evaluation.jsonl"
OLD_FLOOR = 0.9

# The issue's floors, and the floors reached on the test part (see ADR 0044).
ISSUE_OVERALL = 0.9
ISSUE_CATEGORY_RECALL = 0.8
# Reached on the test part (ADR 0044): precision 0.798, recall 0.830; per category recall
# 0.739, 0.844, 0.844, 0.844, 0.800, 0.911. NOT MET: overall precision and recall >= 0.9, and
# adultification's recall >= 0.8.
OVERALL_PRECISION = 0.79
OVERALL_RECALL = 0.82
CATEGORY_RECALL = {
    "adultification": 0.73,
    "choice": 0.84,
    "consent_sexualisation": 0.84,
    "criminalising": 0.84,
    "non_engagement": 0.80,
    "self_blame_risk": 0.91,
}


def test_the_language_set_is_split_and_labelled():
    dev, test = load_language_set("dev"), load_language_set("test")
    assert len(dev) + len(test) >= 1000
    assert not {row.id for row in dev} & {row.id for row in test}
    assert not {row.text for row in dev} & {row.text for row in test}
    for rows in (dev, test):
        for category in CATEGORIES:
            assert sum(1 for r in rows if r.category == category and r.label == 1) >= 40
            assert sum(1 for r in rows if r.category == category and r.label == 0) >= 30
        assert all(r.category in CATEGORIES for r in rows if r.label == 1)


def test_the_floors_never_exceed_the_issue_s():
    """The floors asserted here are what is reached; they are never set above the issue's."""
    assert max(OVERALL_PRECISION, OVERALL_RECALL) <= ISSUE_OVERALL
    assert set(CATEGORY_RECALL) == set(CATEGORIES)


@pytest.fixture(scope="module")
def scored():
    return evaluate(lambda text: {f.rule_id for f in check(text)}, load_language_set("test"))


def test_overall_precision_on_the_test_part(scored):
    assert scored["all"].precision >= OVERALL_PRECISION, scored["all"]


def test_overall_recall_on_the_test_part(scored):
    assert scored["all"].recall >= OVERALL_RECALL, scored["all"]


@pytest.mark.parametrize("category", CATEGORIES)
def test_recall_per_category_on_the_test_part(scored, category):
    assert scored[category].recall >= CATEGORY_RECALL[category], scored[category]


def test_the_checker_beats_its_rules_alone_on_the_test_part(scored):
    rules = Checker(load_default_rules(), statistical=False)
    alone = evaluate(lambda text: {f.rule_id for f in rules.check(text)}, load_language_set("test"))
    assert scored["all"].f1 > alone["all"].f1 + 0.2


def _old_rows():
    return [json.loads(line) for line in OLD_SET.read_text(encoding="utf-8").splitlines() if line]


def test_the_old_set_is_big_enough_and_labelled():
    rows = _old_rows()
    positives = [row for row in rows if row["flagged"]]
    negatives = [row for row in rows if not row["flagged"]]
    assert len(rows) >= 200
    assert len(positives) >= 90 and len(negatives) >= 90
    assert len({row["id"] for row in rows}) == len(rows)
    known = {rule.id for rule in load_default_rules().rules}
    for row in positives:
        assert row["rules"] and set(row["rules"]) <= known, row
    for row in negatives:
        assert row["rules"] == [], row


def test_the_rules_alone_keep_their_floor_on_the_old_set():
    rules = Checker(load_default_rules(), statistical=False)
    tp = fp = fn = right_rule = 0
    for row in _old_rows():
        found = {finding.rule_id for finding in rules.check(row["text"])}
        if found and row["flagged"]:
            tp += 1
            right_rule += bool(found & set(row["rules"]))
        elif found:
            fp += 1
        elif row["flagged"]:
            fn += 1
    assert tp / (tp + fp) >= OLD_FLOOR
    assert tp / (tp + fn) >= OLD_FLOOR
    assert right_rule / tp >= OLD_FLOOR
