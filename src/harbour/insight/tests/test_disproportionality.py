"""Rates per 1,000 and relative rate indices with their 95% intervals, against the same figures
worked out here by hand (Katz's log interval for a ratio of Poisson rates)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harbour.insight.engine.disproportionality import ABOVE, BELOW, SPANS, relative_rates

Z = 1.959963984540054  # the 97.5th centile of the standard normal


def katz(a: int, n_a: float, c: int, n_c: float) -> tuple[float, float, float]:
    rr = (a / n_a) / (c / n_c)
    half = Z * math.sqrt(1 / a + 1 / c)
    return rr, rr * math.exp(-half), rr * math.exp(half)


def test_rates_and_the_rri_with_its_interval():
    counts = {"black": 30, "white": 40, "asian": 6, "mixed": 0}
    population = {"asian": 800.0, "black": 500.0, "mixed": 300.0, "white": 4000.0}
    rows = {r.group: r for r in relative_rates(counts, population)}
    assert [r.group for r in relative_rates(counts, population)] == list(population)
    assert rows["black"].rate == pytest.approx(60.0)
    assert rows["white"].rate == pytest.approx(10.0)
    rr, low, high = katz(30, 500, 40, 4000)
    assert (rows["black"].rri, rows["black"].low, rows["black"].high) == pytest.approx(
        (rr, low, high)
    )
    assert rows["black"].rri == pytest.approx(6.0) and rows["black"].interval == ABOVE
    rr, low, high = katz(6, 800, 40, 4000)
    assert (rows["asian"].rri, rows["asian"].low, rows["asian"].high) == pytest.approx(
        (rr, low, high)
    )
    assert rows["asian"].interval == SPANS
    # No event: the ratio is 0, with no finite interval on the log scale.
    assert rows["mixed"].rri == 0 and rows["mixed"].low is None and rows["mixed"].interval == ""
    assert rows["white"].is_reference and rows["white"].rri == 1.0


def test_another_reference_group_and_an_interval_below_one():
    rows = {
        r.group: r
        for r in relative_rates(
            {"white": 10, "black": 60}, {"white": 2000.0, "black": 1000.0}, reference="black"
        )
    }
    rr, low, high = katz(10, 2000, 60, 1000)
    assert (rows["white"].rri, rows["white"].low, rows["white"].high) == pytest.approx(
        (rr, low, high)
    )
    assert rows["white"].interval == BELOW and rows["black"].is_reference


def test_no_reference_rate_gives_no_ratio_and_an_unknown_reference_is_refused():
    rows = relative_rates({"black": 3}, {"white": 100.0, "black": 50.0})
    assert all(r.rri is None for r in rows)
    with pytest.raises(ValueError, match="reference"):
        relative_rates({}, {"white": 1.0}, reference="asian")


@given(
    st.dictionaries(
        st.sampled_from(["asian", "black", "mixed", "white", "other"]),
        st.integers(min_value=0, max_value=10_000),
    ),
    st.dictionaries(
        st.sampled_from(["asian", "black", "mixed", "other"]),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
    ),
    st.floats(min_value=0.5, max_value=1e6),
)
def test_any_counts_give_ordered_finite_intervals(counts, population, white):
    population = {**population, "white": white}
    for row in relative_rates(counts, population):
        if row.low is not None and row.high is not None:
            assert row.rri is not None and row.low <= row.rri <= row.high
        assert row.rate is None or row.rate >= 0
