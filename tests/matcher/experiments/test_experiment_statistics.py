"""Interval, test and confidence-sequence formulas against published and hand-computed values."""

from __future__ import annotations

import math

import pytest

from matcher.experiments.proportions import (
    abs_lift_interval,
    holm_adjusted,
    normal_quantile,
    rel_lift_interval,
    srm_check,
    two_proportion_p_value,
    wilson_interval,
)
from matcher.experiments.sequential import (
    confidence_sequence_halfwidth,
    diff_confidence_sequence,
    mixture_rho,
)

Z = 1.959963984540054


def test_normal_quantile() -> None:
    assert normal_quantile(0.05) == pytest.approx(Z, abs=1e-12)


@pytest.mark.parametrize(
    ("conversions", "units", "low", "high"),
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion", score method.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # By hand: p = 0.1, centre = (0.1 + 1.920729/100) / 1.0384146 = 0.114797,
        # half = 1.959964 / 1.0384146 * sqrt(0.0009 + 0.0000960365) = 0.059568.
        (10, 100, 0.0552, 0.1744),
    ],
)
def test_wilson_interval(conversions: int, units: int, low: float, high: float) -> None:
    ci = wilson_interval(conversions, units)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=5e-5)


def test_wilson_without_units_is_uninformative() -> None:
    ci = wilson_interval(0, 0)
    assert (ci.low, ci.high) == (0.0, 1.0)


def test_abs_lift_wald_interval() -> None:
    # Newcombe (1998), "Interval estimation for the difference between independent proportions",
    # example (a) 56/70 - 48/80, simple asymptotic method: 0.0575 to 0.3425.
    ci = abs_lift_interval(56, 70, 48, 80)
    assert (ci.low, ci.high) == pytest.approx((0.0575, 0.3425), abs=5e-5)
    # By hand: 0.12 - 0.10 +- 1.959964 * sqrt(0.1056 + 0.09) / sqrt(1000) = 0.02 +- 0.0274115.
    ci = abs_lift_interval(120, 1000, 100, 1000)
    assert (ci.low, ci.high) == pytest.approx((-0.0074115, 0.0474115), abs=1e-6)


def test_rel_lift_delta_method_interval() -> None:
    # p_t = 0.12, p_c = 0.10, n = 1000 each. rel = 0.2;
    # var = (0.12 * 0.88 / 1000) / 0.1^2 + 0.12^2 * (0.1 * 0.9 / 1000) / 0.1^4 = 0.01056 + 0.01296 = 0.02352;
    # half = 1.959964 * sqrt(0.02352) = 0.300585.
    ci = rel_lift_interval(120, 1000, 100, 1000)
    assert ci is not None
    assert (ci.low, ci.high) == pytest.approx((0.2 - 0.300585, 0.2 + 0.300585), abs=1e-6)
    assert rel_lift_interval(5, 100, 0, 100) is None


def test_two_proportion_z_test() -> None:
    # pooled p = 0.11; se = sqrt(0.11 * 0.89 * 0.002) = 0.0139929; z = 1.429297; 2 * (1 - Phi(z)) = 0.152918.
    assert two_proportion_p_value(120, 1000, 100, 1000) == pytest.approx(0.152918, abs=1e-6)
    assert two_proportion_p_value(0, 50, 0, 50) == 1.0
    assert two_proportion_p_value(50, 50, 50, 50) == 1.0


def test_srm_check() -> None:
    # (900 - 1000)^2 / 1000 * 2 = 20 on 1 df: p = 7.74e-06.
    srm = srm_check([900, 1100], [1, 1])
    assert (srm.chi2, srm.observed, srm.expected_share) == (20.0, (900, 1100), (0.5, 0.5))
    assert srm.p_value == pytest.approx(7.7442e-06, rel=1e-4)
    assert srm.mismatch
    # 450/550 of 1,000: chi2 = 10, p = 0.00157: suspicious but above the 0.001 alarm.
    srm = srm_check([450, 550], [1, 1])
    assert srm.p_value == pytest.approx(0.0015654, rel=1e-4)
    assert not srm.mismatch
    # Against 45/55 weights the same counts fit exactly.
    srm = srm_check([450, 550], [45, 55])
    assert (srm.chi2, srm.p_value, srm.mismatch) == (0.0, 1.0, False)
    assert srm_check([0, 0], [1, 1]).p_value == 1.0


def test_mixture_rho_solves_the_optimality_equation() -> None:
    rho = mixture_rho(1000, 0.05)
    x = 1000 * rho**2
    assert x == pytest.approx(-2 * math.log(0.05) + math.log1p(x), abs=1e-9)
    assert x == pytest.approx(8.21197, abs=1e-4)
    # It minimises the width at the expected size.
    best = confidence_sequence_halfwidth(1.0, 1000, rho, 0.05)
    for factor in (0.7, 0.9, 1.1, 1.4):
        assert confidence_sequence_halfwidth(1.0, 1000, rho * factor, 0.05) > best


def test_confidence_sequence_halfwidth_by_hand() -> None:
    # sigma2 = 1, n = 100, rho = 0.1: sqrt(2 * 2 / 1 / 100 * log(sqrt(2) / 0.05)) = sqrt(0.04 * 3.342357).
    assert confidence_sequence_halfwidth(1.0, 100, 0.1, 0.05) == pytest.approx(0.365639, abs=1e-6)
    assert confidence_sequence_halfwidth(1.0, 0, 0.1, 0.05) == math.inf


def test_sequential_interval_is_wider_than_the_fixed_one_and_centred() -> None:
    seq = diff_confidence_sequence(120, 1000, 100, 1000, expected_units=2000)
    fixed = abs_lift_interval(120, 1000, 100, 1000)
    assert seq.low < fixed.low and seq.high > fixed.high
    assert (seq.low + seq.high) / 2 == pytest.approx(0.02)
    # By hand: N = 2000, sigma2 = 2000 * 0.0001956 = 0.3912; rho^2 = 8.211968 / 2000;
    # half = sqrt(0.3912 * 2 * 9.211968 / (2000 * 8.211968) * log(sqrt(9.211968) / 0.05)).
    half = math.sqrt(0.3912 * 2 * 9.211968 / (2000 * 8.211968) * math.log(math.sqrt(9.211968) / 0.05))
    assert (seq.high - seq.low) / 2 == pytest.approx(half, rel=1e-6)


def test_holm_adjustment_by_hand() -> None:
    # sorted 0.01, 0.02, 0.03, 0.04 -> 4 * 0.01, 3 * 0.02, max(0.06, 2 * 0.03), max(0.06, 0.04)
    assert holm_adjusted([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm_adjusted([0.5, 0.9]) == [1.0, 1.0]  # capped at 1
    assert holm_adjusted([0.2]) == [0.2] and holm_adjusted([]) == []
