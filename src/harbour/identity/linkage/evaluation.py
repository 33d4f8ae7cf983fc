"""Pairwise precision, recall and F1 of a clustering against the ground truth.

A pair of records is a true positive when both the clustering and the truth put them together.
Counts come from the contingency table of (cluster, true person), so 1M records take well under
a second: predicted pairs = sum over clusters of C(n, 2), true pairs = sum over people of
C(n, 2), true positives = sum over (cluster, person) cells of C(n, 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PairwiseScores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted_pairs: int
    true_pairs: int

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f} "
            f"({self.true_positives:,} of {self.predicted_pairs:,} predicted pairs, "
            f"{self.true_pairs:,} true pairs)"
        )


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(clusters: pd.DataFrame, truth: pd.Series) -> PairwiseScores:
    """`clusters`: unique_id, cluster_id; `truth`: true entity id indexed by unique_id. Records
    in the truth but not in `clusters` (held for review) count as clusters of their own."""
    cluster = pd.Series(
        clusters["cluster_id"].to_numpy(), index=clusters["unique_id"].to_numpy()
    ).reindex(truth.index)
    cluster_codes = pd.factorize(cluster, use_na_sentinel=True)[0].astype(np.int64)
    missing = cluster_codes < 0
    cluster_codes[missing] = cluster_codes.max() + 1 + np.arange(int(missing.sum()))
    truth_codes = pd.factorize(truth)[0].astype(np.int64)
    predicted = _pairs(np.bincount(cluster_codes))
    true = _pairs(np.bincount(truth_codes))
    cells = cluster_codes * (int(truth_codes.max()) + 1) + truth_codes
    tp = _pairs(np.unique(cells, return_counts=True)[1])
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScores(precision, recall, f1, tp, predicted, true)
