"""Fit the checker's sentence model on the DEVELOPMENT part of the language set, and write it as
plain weights to ``model.json`` beside this module (ADR 0044).

    .venv/bin/python -m harbour.language.checker.train [--check]

Only rows with ``split == "dev"`` are read; the test part is never looked at here. The fit is
deterministic (fixed row order, lbfgs, no random state involved in the fit), so re-running it
writes the same file; ``--check`` fails if the shipped file differs from a fresh fit. The
threshold and the regularisation strength are chosen by repeated stratified 5-fold
cross-validation on the development part (seeded), and the cross-validated figures are printed.

scikit-learn is used here only; scoring in the engine reads the weights and needs nothing but
Python.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harbour.language.checker.model import eligible

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT / "benchmarks" / "data" / "language_set" / "sentences.csv"
OUT = Path(__file__).with_name("model.json")
CATEGORIES = (
    "adultification",
    "choice",
    "consent_sexualisation",
    "criminalising",
    "non_engagement",
    "self_blame_risk",
)
C_GRID = (1.0, 3.0, 10.0, 30.0)
THRESHOLDS = tuple(round(0.20 + 0.02 * i, 2) for i in range(26))
CV_SEEDS = (0, 1, 2)
MIN_DF = 2
DIGITS = 4

# What each category's findings say. Written from the public guidance (the Children's Society's
# appropriate-language guide, the inspection report), not from the data.
ADVICE: dict[str, dict[str, str]] = {
    "adultification": {
        "title": "Adult framing of a child",
        "suggestion": (
            "describe the child as a child: name {their} age and what adults are "
            "doing to {them}, not how grown-up they seem"
        ),
        "reason": (
            "This describes a child in adult terms (mature, streetwise, able to look after "
            "themselves, like an adult), which lowers the protection a child is owed."
        ),
    },
    "choice": {
        "title": "Harm framed as the child's choice",
        "suggestion": (
            "say what is happening to {them} and who is drawing {them} in, e.g. 'is being "
            "exploited by adults who ...', 'goes missing; we are worried adults are ...'"
        ),
        "reason": (
            "This presents exploitation or harm as something the child wants or chooses. "
            "Children cannot consent to their own exploitation; name the adults' part."
        ),
    },
    "consent_sexualisation": {
        "title": "Abuse framed as a relationship or consent",
        "suggestion": (
            "name the adult and the abuse, e.g. 'is being sexually exploited by a 24-year-old "
            "man', not 'boyfriend', 'partner' or 'sexually active'"
        ),
        "reason": (
            "This presents an adult who is abusing a child as a partner, or the child as "
            "consenting or sexualised. A child cannot consent to their own abuse."
        ),
    },
    "criminalising": {
        "title": "An exploited child called an offender",
        "suggestion": (
            "say the child is being criminally exploited, e.g. 'is being made to carry drugs by "
            "adults', not 'runner', 'dealer' or 'gang member'"
        ),
        "reason": (
            "This labels a child who is being exploited as a criminal. Name the exploitation "
            "and the adults responsible."
        ),
    },
    "non_engagement": {
        "title": "Non-engagement blamed on the child",
        "suggestion": (
            "say what has been tried and what gets in {their} way, e.g. 'we have not yet found "
            "a way to work with {them} that feels safe', and what the service will do next"
        ),
        "reason": (
            "This puts the responsibility for engagement on the child. It is the service's job "
            "to find a way to reach {them}."
        ),
    },
    "self_blame_risk": {
        "title": "The child blamed for the risk",
        "suggestion": (
            "name who is putting {them} at risk, e.g. 'is at risk from adults who ...', "
            "'was harmed by ...'"
        ),
        "reason": (
            "This says the child is responsible for the risk or harm to {them}. Name the "
            "people and circumstances that create it."
        ),
    },
}


def load_dev(path: Path = DATA) -> list[dict[str, str]]:
    """The development rows only: the test rows are dropped as they are read."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["split"] == "dev"]


def row_features(checker: Any, text: str) -> dict[str, int]:
    """A row's features: the union of its sentences' features (most rows are one sentence)."""
    merged: dict[str, int] = {}
    for features in checker.sentence_features(text):
        for name in features:
            merged[name] = 1
    return merged


def _pruned(rows: Sequence[Mapping[str, int]]) -> list[dict[str, int]]:
    df = Counter(name for row in rows for name in row)
    return [{k: v for k, v in row.items() if df[k] >= MIN_DF} for row in rows]


def _fit_binary(rows_x: Sequence[Mapping[str, int]], y: Sequence[int], c: float) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(_pruned(rows_x))
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(matrix, list(y))
    return vectoriser, model


def cross_validate(
    rows_x: Sequence[Mapping[str, int]], y: Sequence[int], strata: Sequence[str], c: float
) -> list[list[float]]:
    """Out-of-fold probabilities, one list per seed."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    runs = []
    for seed in CV_SEEDS:
        probabilities = [0.0] * len(rows_x)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        for train, held in folds.split(list(range(len(rows_x))), list(strata)):
            vectoriser, model = _fit_binary([rows_x[i] for i in train], [y[i] for i in train], c)
            found = model.predict_proba(vectoriser.transform([rows_x[i] for i in held]))[:, 1]
            for i, p in zip(held, found, strict=True):
                probabilities[i] = float(p) if eligible(rows_x[i]) else 0.0
        runs.append(probabilities)
    return runs


def prf(flags: Sequence[bool], y: Sequence[int]) -> tuple[float, float, float]:
    tp = sum(1 for f, t in zip(flags, y, strict=True) if f and t)
    fp = sum(1 for f, t in zip(flags, y, strict=True) if f and not t)
    fn = sum(1 for f, t in zip(flags, y, strict=True) if not f and t)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def choose(
    rows_x: Sequence[Mapping[str, int]], y: Sequence[int], strata: Sequence[str]
) -> tuple[float, float, dict[str, float]]:
    """The strength and threshold with the best mean cross-validated F1 on the dev part."""
    best: tuple[float, float, float, dict[str, float]] | None = None
    for c in C_GRID:
        runs = cross_validate(rows_x, y, strata, c)
        for threshold in THRESHOLDS:
            scores = [prf([p >= threshold for p in run], y) for run in runs]
            mean = [sum(s[k] for s in scores) / len(scores) for k in range(3)]
            if best is None or mean[2] > best[2] + 1e-9:
                best = (
                    c,
                    threshold,
                    mean[2],
                    dict(zip(("precision", "recall", "f1"), mean, strict=True)),
                )
    assert best is not None
    return best[0], best[1], best[3]


def fit(rows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from harbour.language.checker.engine import Checker, load_default_rules

    checker = Checker(load_default_rules(), statistical=False)
    rows_x = [row_features(checker, row["text"]) for row in rows]
    y = [int(row["label"]) for row in rows]
    strata = [f"{row['category']}:{row['label']}" for row in rows]
    c, threshold, cv = choose(rows_x, y, strata)
    vectoriser, model = _fit_binary(rows_x, y, c)
    names = vectoriser.get_feature_names_out()
    weights = {
        str(name): round(float(w), DIGITS)
        for name, w in zip(names, model.coef_[0], strict=True)
        if round(float(w), DIGITS)
    }

    positives = [i for i, label in enumerate(y) if label]
    cat_vectoriser = DictVectorizer()
    cat_matrix = cat_vectoriser.fit_transform(_pruned([rows_x[i] for i in positives]))
    cat_model = LogisticRegression(C=c, max_iter=5000)
    cat_model.fit(cat_matrix, [rows[i]["category"] for i in positives])
    assert tuple(cat_model.classes_) == CATEGORIES, cat_model.classes_
    category_weights = {}
    for j, name in enumerate(cat_vectoriser.get_feature_names_out()):
        column = [round(float(cat_model.coef_[k][j]), DIGITS) for k in range(len(CATEGORIES))]
        if any(column):
            category_weights[str(name)] = column
    body = {
        "about": (
            "Logistic regression over the checker's sentence features, fitted by "
            "harbour.language.checker.train on the dev part of benchmarks/data/language_set "
            "(ADR 0044). Do not edit by hand; re-run the trainer."
        ),
        "trained_on": {
            "rows": len(rows),
            "positives": len(positives),
            "split": "dev",
            "regularisation_C": c,
            "min_df": MIN_DF,
            "cross_validated_on_dev": {k: round(v, 3) for k, v in cv.items()},
        },
        "threshold": threshold,
        "intercept": round(float(model.intercept_[0]), DIGITS),
        "weights": dict(sorted(weights.items())),
        "categories": list(CATEGORIES),
        "category_intercepts": [round(float(v), DIGITS) for v in cat_model.intercept_],
        "category_weights": dict(sorted(category_weights.items())),
        "advice": ADVICE,
    }
    import hashlib

    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    return {"version": digest, **body}


def dumps(model: Mapping[str, Any]) -> str:
    return json.dumps(model, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if model.json is stale")
    args = parser.parse_args(argv)
    rows = load_dev()
    model = fit(rows)
    text = dumps(model)
    print(
        f"dev rows {len(rows)}; C={model['trained_on']['regularisation_C']}, threshold "
        f"{model['threshold']}; cross-validated on dev: "
        f"{model['trained_on']['cross_validated_on_dev']}; "
        f"{len(model['weights'])} weights"
    )
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: re-run the trainer", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
