"""Scoring the checker on a labelled set: sentence-level precision, recall and F1 overall and per
category, each with a Wilson 95% interval. Shared by ``benchmarks/language_eval.py`` and the
evaluation test, so both report the same numbers.

The language set (``benchmarks/data/language_set/sentences.csv``, ADR 0044) has a ``dev`` part,
the only part anything is fitted or tuned on, and a ``test`` part that is only ever measured.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
LANGUAGE_SET = ROOT / "benchmarks" / "data" / "language_set" / "sentences.csv"
CATEGORIES = (
    "adultification",
    "choice",
    "consent_sexualisation",
    "criminalising",
    "non_engagement",
    "self_blame_risk",
)
# Which category each default rule's findings belong to (model findings name theirs).
RULE_CATEGORY = {
    "self_placing_at_risk": "self_blame_risk",
    "risk_taking": "self_blame_risk",
    "choice": "choice",
    "lifestyle": "choice",
    "sexualised_label": "consent_sexualisation",
    "adultifying": "adultification",
    "recruiting": "criminalising",
    "engaging_in_harm": "criminalising",
    "not_engaging": "non_engagement",
    "consent": "consent_sexualisation",
    "prostitution": "consent_sexualisation",
    "drug_runner": "criminalising",
    "gang_label": "criminalising",
    "relationship_with_exploiter": "consent_sexualisation",
}

Detector = Callable[[str], set[str]]


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    label: int
    category: str


def load_language_set(split: str, path: Path = LANGUAGE_SET) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(r["id"], r["text"], int(r["label"]), r["category"])
            for r in csv.DictReader(handle)
            if r["split"] == split
        ]


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default)."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int
    category_named: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def precision_interval(self) -> tuple[float, float]:
        return wilson(self.tp, self.tp + self.fp)

    @property
    def recall_interval(self) -> tuple[float, float]:
        return wilson(self.tp, self.tp + self.fn)


def category_of(rule_id: str) -> str:
    if rule_id.startswith("model-"):
        return rule_id.removeprefix("model-")
    return RULE_CATEGORY.get(rule_id, "")


def evaluate(detect: Detector, rows: Iterable[Row]) -> dict[str, Scores]:
    """Scores overall (``"all"``) and per category. A category's row slice is its positives and
    the hard negatives written for it; its recall is the share of its positives flagged (by any
    rule), its precision is over that slice."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        found = detect(row.text)
        flagged = bool(found)
        named = row.label == 1 and row.category in {category_of(r) for r in found}
        cell = (0 if flagged else 2) if row.label else (1 if flagged else 3)  # tp, fp, fn, tn
        for key in ("all", row.category):
            bucket = counts.setdefault(key, [0, 0, 0, 0, 0])
            bucket[cell] += 1
            bucket[4] += named and flagged
    return {key: Scores(*values) for key, values in counts.items()}


def order(keys: Sequence[str]) -> list[str]:
    return [
        "all",
        *[c for c in CATEGORIES if c in keys],
        *(["neutral"] if "neutral" in keys else []),
    ]


def as_table(scores: Mapping[str, Scores]) -> list[str]:
    lines = [
        f"{'':24}{'precision':>10}{'95% CI':>14}{'recall':>9}{'95% CI':>14}{'F1':>7}"
        f"{'TP':>5}{'FP':>5}{'FN':>5}{'TN':>5}{'named':>7}"
    ]
    for key in order(list(scores)):
        s = scores[key]
        plo, phi = s.precision_interval
        rlo, rhi = s.recall_interval
        named = f"{s.category_named / s.tp:.2f}" if s.tp else "-"
        lines.append(
            f"{key:24}{s.precision:>10.3f}{f'{plo:.2f}-{phi:.2f}':>14}{s.recall:>9.3f}"
            f"{f'{rlo:.2f}-{rhi:.2f}':>14}{s.f1:>7.3f}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.tn:>5}"
            f"{named:>7}"
        )
    return lines
