"""Child-centred language checker: quality on the TEST part of the independent language set
(and on the old 239-sentence set), and speed, each compared with a named baseline measured in
the same run (ADR 0044).

Quality is sentence-level: a row counts as flagged if the checker makes any finding in it.
Per category, recall is the share of that category's positives flagged; precision is over the
category's positives and the hard negatives written for it. 95% Wilson intervals. "named" is
the share of flagged positives where a finding names the row's category. Nothing here is
tuned on the test part: the model is fitted on the dev part only
(``python -m harbour.language.checker.train``).

Baseline ("exact substrings"): the same phrase list the rules ship with (each rule's
``phrases`` in rules.json), looked up as lower-cased exact substrings of the text. It is what a
simple word list would do: fast, but blind to inflections, word order and who the words are
about.

Run: ``.venv/bin/python benchmarks/language_eval.py`` (``make bench``).
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harbour.language.checker import default_checker, load_default_rules
from harbour.language.checker.engine import Checker
from harbour.language.checker.evaluation import (
    LANGUAGE_SET,
    as_table,
    evaluate,
    load_language_set,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "harbour" / "language" / "tests" / "data" / "evaluation.jsonl"

Detector = Callable[[str], set[str]]
TYPING_BUDGET_MS = 50


def load_set() -> list[dict[str, Any]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def substring_baseline() -> Detector:
    phrases = [
        (rule.id, phrase.lower()) for rule in load_default_rules().rules for phrase in rule.phrases
    ]

    def detect(text: str) -> set[str]:
        lower = text.lower()
        return {rule_id for rule_id, phrase in phrases if phrase in lower}

    return detect


def checker_detector(checker: Checker | None = None, *, cached: bool = True) -> Detector:
    chosen = checker or default_checker()

    def detect(text: str) -> set[str]:
        if not cached:
            chosen.forget()
        return {finding.rule_id for finding in chosen.check(text)}

    return detect


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def score(detect: Detector, rows: list[dict[str, Any]]) -> dict[str, float]:
    tp = fp = fn = tn = right_rule = 0
    for row in rows:
        found = detect(str(row["text"]))
        expected = set(row["rules"])
        if found and row["flagged"]:
            tp += 1
            right_rule += bool(found & expected)
        elif found:
            fp += 1
        elif row["flagged"]:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "rule_agreement": right_rule / tp if tp else 0.0,
    }


def note_of(rows: list[dict[str, Any]], words: int = 1000) -> str:
    """A synthetic case note of about ``words`` words: the evaluation sentences, in order,
    repeated as needed, in paragraphs of five sentences."""
    sentences: list[str] = []
    count = 0
    while count < words:
        for row in rows:
            sentences.append(str(row["text"]))
            count += len(str(row["text"]).split())
            if count >= words:
                break
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


def timed(function: Callable[[], object], rounds: int) -> float:
    """Median seconds of ``rounds`` runs."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _each(detect: Detector, texts: list[str]) -> None:
    for text in texts:
        detect(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timing rounds (median is shown)")
    parser.add_argument("--typing-rounds", type=int, default=60, help="rounds for the p95")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    checker = checker_detector()
    checker("warm up: placing herself at risk")
    startup = time.perf_counter() - start
    rules_only = checker_detector(Checker(load_default_rules(), statistical=False))
    baseline = substring_baseline()
    detectors = (
        ("checker (rules + model)", checker),
        ("rules only", rules_only),
        ("baseline (substrings)", baseline),
    )

    test = load_language_set("test")
    positives = sum(row.label for row in test)
    print("Child-centred language checker")
    print(
        f"language set, TEST part: {len(test)} rows ({positives} positives, "
        f"{len(test) - positives} negatives)  [{LANGUAGE_SET.relative_to(ROOT)}]"
    )
    results = {}
    for name, detect in detectors:
        results[name] = evaluate(detect, test)
        print()
        print(name)
        for line in as_table(results[name]):
            print("  " + line)

    rows = load_set()
    old_positives = sum(1 for row in rows if row["flagged"])
    print()
    print(
        f"old evaluation set: {len(rows)} sentences ({old_positives} positives, "
        f"{len(rows) - old_positives} negatives)  [{DATA.relative_to(ROOT)}]"
    )
    print(
        f"{'':26}{'precision':>10}{'recall':>10}{'F1':>10}{'rule ok':>10}"
        f"{'TP':>6}{'FP':>6}{'FN':>6}{'TN':>6}"
    )
    for name, detect in detectors:
        s = score(detect, rows)
        print(
            f"{name:26}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}"
            f"{s['rule_agreement']:>10.3f}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}{s['tn']:>6}"
        )

    texts = [str(row["text"]) for row in rows]
    note = note_of(rows)
    words = len(note.split())
    print()
    print(
        f"speed: median of {args.rounds} rounds; one-off start-up (pipeline, lemma table, "
        f"model) {startup * 1000:.0f} ms; note of {words} words"
    )
    print(f"{'':26}{'sentences/s':>14}{'ms per 1,000-word note':>26}  (nothing cached)")
    speeds: dict[str, tuple[float, float]] = {}
    uncached = (
        ("checker (rules + model)", checker_detector(cached=False)),
        (
            "rules only",
            checker_detector(Checker(load_default_rules(), statistical=False), cached=False),
        ),
        ("baseline (substrings)", baseline),
    )
    for name, detect in uncached:
        per_set = timed(functools.partial(_each, detect, texts), args.rounds)
        per_note_ms = timed(functools.partial(detect, note), args.rounds) * 1000 * (1000 / words)
        speeds[name] = (len(texts) / per_set, per_note_ms)
        print(f"{name:26}{speeds[name][0]:>14,.0f}{speeds[name][1]:>26.2f}")

    # As you type: the htmx endpoint sends the whole field at each pause. Typing changes the
    # paragraph being written; the checker re-reads only that one (paragraphs are cached).
    # Cold: a fresh checker each time (a 1,000-word note pasted in, nothing cached).
    paragraphs = note_of(rows, 1000).split("\n\n")
    typing_times, cold_times = [], []
    fresh = Checker(load_default_rules())
    for i in range(args.typing_rounds):
        text = "\n\n".join([*paragraphs[:-1], f"{paragraphs[-1]} and then {i}"])
        began = time.perf_counter()
        fresh.check(text)
        typing_times.append((time.perf_counter() - began) * 1000)
    for i in range(max(5, args.typing_rounds // 6)):
        cold = fresh
        cold.forget()
        text = f"{note} {i}"
        began = time.perf_counter()
        cold.check(text)
        cold_times.append((time.perf_counter() - began) * 1000)
    print()
    for label, times in (("as you type", typing_times), ("cold, whole note", cold_times)):
        p95 = percentile(times, 0.95)
        verdict = "under" if p95 < TYPING_BUDGET_MS else "OVER"
        print(
            f"{label:18} 1,000-word note, {len(times)} checks: median "
            f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms ({verdict} the "
            f"{TYPING_BUDGET_MS} ms budget)"
        )
    full = results["checker (rules + model)"]["all"]
    base = results["baseline (substrings)"]["all"]
    print(
        f"test part: checker F1 {full.f1:.3f} (P {full.precision:.3f}, R {full.recall:.3f}) vs "
        f"baseline F1 {base.f1:.3f} (P {base.precision:.3f}, R {base.recall:.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
