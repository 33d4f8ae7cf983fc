"""Disproportionality at a stage of children's journeys: each group's rate per 1,000 children of
the population (census denominators), and its relative rate index (RRI) against a reference
group with a 95% confidence interval.

The RRI is the group's rate over the reference group's. Its interval is the Wald interval on the
log scale for the ratio of two Poisson rates (Katz's log interval): exp(log RRI ± z √(1/a + 1/c)),
a and c the two groups' counts, through statsmodels' ``confint_poisson_2indep``
(``method="wald-log"``). With no events in either group the ratio or its interval has no finite
value, and none is given. These are facts about counts and populations, not a judgement: the
pages say whether an interval lies wholly above or below 1, and what the numbers are.

Plain Python (no Django), like the rest of the engine."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.rates import (  # type: ignore[import-untyped]  # no stubs installed
    confint_poisson_2indep,
)

PER = 1_000
ALPHA = 0.05
# The ONS five-group, in the order the census publishes it, with the words pages use.
GROUPS = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}
# Short names, where space is short (a chart's axis).
SHORT_GROUPS = {
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed",
    "white": "White",
    "other": "Other",
}
DEFAULT_REFERENCE = "white"
ABOVE, BELOW, SPANS = "above", "below", "spans"


@dataclass(frozen=True)
class GroupRate:
    group: str
    count: int
    population: float
    rate: float | None  # per 1,000
    rri: float | None
    low: float | None
    high: float | None
    is_reference: bool

    @property
    def interval(self) -> str:
        """Where the 95% interval lies against 1 (equal rates): ``above``, ``below`` or
        ``spans``; empty where there is none."""
        if self.low is None or self.high is None:
            return ""
        if self.low > 1:
            return ABOVE
        if self.high < 1:
            return BELOW
        return SPANS


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def relative_rates(
    counts: Mapping[str, int],
    population: Mapping[str, float],
    *,
    reference: str = DEFAULT_REFERENCE,
    alpha: float = ALPHA,
) -> list[GroupRate]:
    """Each group's rate and RRI against ``reference``, in the order of ``population``. A group
    with no population has no rate; with no reference rate, no group has an RRI."""
    if reference not in population:
        raise ValueError(f"the reference group {reference!r} has no population")
    ref_count = int(counts.get(reference, 0))
    ref_population = float(population[reference])
    ref_rate = ref_count / ref_population if ref_population > 0 else 0.0
    found = []
    for group, people in population.items():
        count = int(counts.get(group, 0))
        people = float(people)
        rate = count / people if people > 0 else None
        rri = low = high = None
        if group == reference:
            rri = 1.0 if ref_rate > 0 else None
        elif rate is not None and ref_rate > 0:
            rri = rate / ref_rate
            if count > 0:
                # A tiny population overflows to infinity: no finite interval (below), no warning.
                with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                    low_, high_ = confint_poisson_2indep(
                        count,
                        people,
                        ref_count,
                        ref_population,
                        method="wald-log",
                        compare="ratio",
                        alpha=alpha,
                    )
                low, high = _finite(low_), _finite(high_)
        found.append(
            GroupRate(
                group=group,
                count=count,
                population=people,
                rate=None if rate is None else rate * PER,
                rri=rri,
                low=low,
                high=high,
                is_reference=group == reference,
            )
        )
    return found
