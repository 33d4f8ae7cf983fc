"""The emerging-pattern check on known series (ADR 0034): a flat series raises nothing, a clear
rise raises an alert with its figures, over-dispersed baselines ask more, and shares are judged
against the month's total."""

from __future__ import annotations

import pytest
from scipy import stats  # type: ignore[import-untyped]  # no stubs installed

from harbour.insight.engine import alerts
from harbour.insight.engine.alerts import Point, check

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]


def counts(values: list[int]) -> list[Point]:
    return [Point(m, v) for m, v in zip(MONTHS, values, strict=False)]


def test_a_flat_series_raises_nothing_in_any_month() -> None:
    series = counts([10] * 24)
    for month in MONTHS[6:]:
        finding = check(series, month)
        assert finding is not None
        assert not finding.raised
        assert finding.expected == 10
        assert finding.method == alerts.POISSON
        assert finding.probability == pytest.approx(stats.poisson.sf(9, 10))


def test_a_clear_rise_raises_one_alert_with_its_figures() -> None:
    values = [10, 9, 11, 10, 12, 8, 10, 11, 9, 10, 10, 11, 9, 10, 11, 10, 12, 10, 9, 11, 10, 10, 9]
    series = counts([*values, 30])
    raised = [f for m in MONTHS[6:] if (f := check(series, m)) is not None and f.raised]
    assert [f.month for f in raised] == ["2026-12"]
    finding = raised[0]
    baseline = values[-12:]
    assert finding.observed == 30
    assert finding.expected == pytest.approx(sum(baseline) / 12)
    assert [p.month for p in finding.baseline] == MONTHS[11:23]
    # The baseline varies less than chance would: Poisson, and its upper tail.
    assert finding.method == alerts.POISSON and finding.dispersion == 1.0
    assert finding.probability == pytest.approx(stats.poisson.sf(29, finding.expected))
    assert finding.probability < 1e-6
    assert finding.ratio == pytest.approx(30 / finding.expected)


def test_an_over_dispersed_baseline_uses_the_negative_binomial_and_asks_more() -> None:
    noisy = [4, 18, 6, 16, 5, 17, 7, 15, 4, 18, 6, 16]
    series = counts([*noisy, 24])
    finding = check(series, MONTHS[12])
    assert finding is not None
    mean = sum(noisy) / 12
    phi = sum((v - mean) ** 2 / mean for v in noisy) / 11
    assert finding.method == alerts.NEGATIVE_BINOMIAL
    assert finding.dispersion == pytest.approx(phi)
    assert finding.probability == pytest.approx(stats.nbinom.sf(23, mean / (phi - 1), 1 / phi))
    # A Poisson would call 24 against a mean of about 11 very unlikely; the variation the
    # baseline shows makes it only unusual, and no alert.
    assert stats.poisson.sf(23, mean) < 0.001
    assert not finding.raised


def test_a_share_is_judged_against_the_months_total() -> None:
    # 20% of 50 each month; then 100 in the month with 20 of the group: the same share, no alert.
    steady = [Point(m, 10, 50) for m in MONTHS[:12]]
    same_share = check([*steady, Point(MONTHS[12], 20, 100)], MONTHS[12])
    assert same_share is not None and same_share.expected == pytest.approx(20)
    assert same_share.baseline_share == pytest.approx(0.2)
    assert not same_share.raised
    # 26 of 50 is more than twice the share: an alert, with the shares shown.
    risen = check([*steady, Point(MONTHS[12], 26, 50)], MONTHS[12])
    assert risen is not None and risen.raised
    assert risen.expected == pytest.approx(10)
    assert risen.observed_share == pytest.approx(0.52)


def test_a_small_count_never_raises_an_alert() -> None:
    series = counts([0] * 12 + [4])
    finding = check(series, MONTHS[12])
    assert finding is not None
    assert finding.probability < 0.001  # unlikely: nothing before
    assert not finding.raised  # but 4 is a count publishing would hide
    assert check(counts([0] * 12 + [6]), MONTHS[12]).raised  # type: ignore[union-attr]


def test_months_alerted_on_before_are_left_out_of_the_baseline() -> None:
    values = [10] * 12 + [30, 31]
    series = counts(values)
    with_rise = check(series, MONTHS[13])
    without = check(series, MONTHS[13], exclude=[MONTHS[12]])
    assert with_rise is not None and without is not None
    assert MONTHS[12] not in [p.month for p in without.baseline]
    assert len(without.baseline) == 12  # reaching one month further back
    assert without.expected == pytest.approx(10)
    assert without.expected < with_rise.expected


def test_too_short_a_baseline_gives_no_answer() -> None:
    assert check(counts([10] * 5 + [30]), MONTHS[5]) is None
    assert check(counts([10] * 12), "2030-01") is None
    with pytest.raises(ValueError, match="look_back must be at least 6"):
        check(counts([10] * 24), MONTHS[20], look_back=3)
