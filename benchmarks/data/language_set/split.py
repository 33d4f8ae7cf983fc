"""Assign the dev/test split of the language set, once.

Stratified by (category, label): within each stratum the rows are ordered by id,
shuffled with random.Random(SEED), and the first half goes to dev, the rest to test.
When a stratum has an odd number of rows, the extra row alternates between dev and
test from one stratum to the next (strata taken in sorted order), so the two halves
stay within one row of each other overall.

The script only writes the `split` column; it never changes id, text, label,
category or suggestion. It is deterministic: running it again gives the same split.
SEED = 20261207 (the date the set was written).
"""

import csv
import random
from collections import defaultdict
from pathlib import Path

SEED = 20261207
PATH = Path(__file__).with_name("sentences.csv")
FIELDS = ["id", "text", "label", "category", "suggestion", "split"]


def assign(rows):
    strata = defaultdict(list)
    for row in rows:
        strata[(row["category"], row["label"])].append(row["id"])
    split = {}
    odd_turn = 0
    for key in sorted(strata):
        ids = sorted(strata[key])
        random.Random(f"{SEED}:{key[0]}:{key[1]}").shuffle(ids)  # noqa: S311 -- a fixed split, not a secret
        n_dev = len(ids) // 2
        if len(ids) % 2:
            n_dev += 1 if odd_turn % 2 == 0 else 0
            odd_turn += 1
        for i, row_id in enumerate(ids):
            split[row_id] = "dev" if i < n_dev else "test"
    return split


def main():
    with PATH.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    split = assign(rows)
    for row in rows:
        row["split"] = split[row["id"]]
    with PATH.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
