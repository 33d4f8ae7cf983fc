"""Emerging patterns (issue 13, part 5; ADR 0034): does a month's count rise beyond what the
months before it predict?

Plain Python (no Django). A series is a count a month (a group's stop and searches, an area's
crimes, a source's rows), optionally with the month's total of which the count is a share. For
the month checked, the **baseline** is the ``look_back`` months before it:

* a count: the expected count is the baseline's mean;
* a share: the expected count is the month's total times the baseline's share (its counts over
  its totals), so a month with more searches overall is expected to have more of each group.

The month's count is compared with the upper tail of a **Poisson** distribution with that mean
(the probability of a count at least as high by chance). Where the baseline varies more than a
Poisson count would (its Pearson dispersion φ = Σ(observed - expected)² / expected ÷ (months -
1) is above 1), a **negative binomial** with variance φ x mean is used instead, which asks more
before calling a count unusual. An alert is raised when that probability is below the
threshold and the count is at least ``min_count`` (a count small enough to be suppressed when
published is never the subject of an alert). Every figure behind the answer is returned, to be
shown: observed, expected, the probability, the method, φ, and the baseline month by month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scipy import stats  # type: ignore[import-untyped]  # no stubs installed

POISSON = "poisson"
NEGATIVE_BINOMIAL = "negative_binomial"
METHODS = {
    POISSON: "Poisson upper tail",
    NEGATIVE_BINOMIAL: "Negative binomial upper tail (allowing for the baseline's extra variation)",
}
# Fewer months than this before the month checked: no baseline to judge by, so no answer.
MIN_BASELINE = 6


@dataclass(frozen=True)
class Point:
    """One month of a series: its count, and the total it is a share of (None for a count)."""

    month: str
    count: int
    total: int | None = None


@dataclass(frozen=True)
class Finding:
    """The check of one month of one series, whether or not it raised an alert."""

    month: str
    observed: int
    expected: float
    probability: float  # P(count >= observed) under the baseline
    method: str  # POISSON or NEGATIVE_BINOMIAL
    dispersion: float  # φ: 1 for Poisson
    threshold: float
    min_count: int
    baseline: list[Point] = field(default_factory=list)
    total: int | None = None  # the month's total, for a share
    baseline_share: float | None = None

    @property
    def raised(self) -> bool:
        return (
            self.observed >= self.min_count
            and self.observed > self.expected
            and self.probability < self.threshold
        )

    @property
    def observed_share(self) -> float | None:
        if self.total is None:
            return None
        return self.observed / self.total if self.total else 0.0

    @property
    def ratio(self) -> float:
        """Observed over expected."""
        return self.observed / self.expected if self.expected else float("inf")


def upper_tail(observed: int, expected: float, dispersion: float) -> float:
    """P(X >= observed) for a Poisson with mean ``expected`` (``dispersion`` <= 1) or a negative
    binomial with that mean and variance ``dispersion`` x mean."""
    if observed <= 0:
        return 1.0
    if dispersion <= 1.0:
        return float(stats.poisson.sf(observed - 1, expected))
    # Variance φμ: size r = μ / (φ - 1), success probability 1 / φ.
    size = expected / (dispersion - 1.0)
    return float(stats.nbinom.sf(observed - 1, size, 1.0 / dispersion))


def check(
    series: Sequence[Point],
    month: str,
    *,
    look_back: int = 12,
    threshold: float = 0.001,
    min_count: int = 5,
    exclude: Sequence[str] = (),
) -> Finding | None:
    """Check ``month`` of ``series`` against the ``look_back`` months before it. None when the
    series does not hold the month or holds fewer than ``MIN_BASELINE`` months before it.
    Months missing from the series are not filled in: the caller gives every month the source
    holds (a month with none of a group is a point with a count of 0). ``exclude``: months left
    out of the baseline (those that raised an alert before, so a rise does not become the
    expectation it is judged by); the baseline reaches further back instead."""
    if look_back < MIN_BASELINE:
        raise ValueError(f"look_back must be at least {MIN_BASELINE} months")
    ordered = sorted(series, key=lambda p: p.month)
    current = next((p for p in ordered if p.month == month), None)
    left_out = set(exclude)
    baseline = [p for p in ordered if p.month < month and p.month not in left_out][-look_back:]
    if current is None or len(baseline) < MIN_BASELINE:
        return None
    share = current.total is not None
    if share:
        counts = sum(p.count for p in baseline)
        totals = sum(p.total or 0 for p in baseline)
        baseline_share = counts / totals if totals else 0.0
        expected_each = [(p.total or 0) * baseline_share for p in baseline]
        expected = (current.total or 0) * baseline_share
    else:
        baseline_share = None
        mean = sum(p.count for p in baseline) / len(baseline)
        expected_each = [mean] * len(baseline)
        expected = mean
    # A baseline of nothing would make any count infinitely unlikely: take half an event over
    # the baseline's months instead (the smallest rate it could plausibly hide).
    if expected <= 0:
        totals = sum(p.total or 0 for p in baseline)
        expected = 0.5 * (current.total or 0) / totals if share and totals else 0.5 / len(baseline)
        expected = max(expected, 1e-9)
    pearson = sum(
        (p.count - e) ** 2 / e for p, e in zip(baseline, expected_each, strict=True) if e > 0
    )
    dispersion = max(1.0, pearson / (len(baseline) - 1))
    method = NEGATIVE_BINOMIAL if dispersion > 1.0 else POISSON
    return Finding(
        month=month,
        observed=current.count,
        expected=expected,
        probability=upper_tail(current.count, expected, dispersion),
        method=method,
        dispersion=dispersion,
        threshold=threshold,
        min_count=min_count,
        baseline=baseline,
        total=current.total,
        baseline_share=baseline_share,
    )


def month_before(month: str, months: int = 1) -> str:
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + mon - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
