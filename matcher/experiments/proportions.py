"""Fixed-horizon statistics for 0/1 outcomes: Wilson, lift intervals, z test, SRM."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from matcher.experiments.report import Interval, SrmCheck

__all__ = [
    "SRM_ALPHA",
    "abs_lift_interval",
    "holm_adjusted",
    "normal_quantile",
    "rel_lift_interval",
    "srm_check",
    "two_proportion_p_value",
    "wilson_interval",
]

SRM_ALPHA = 0.001
"""The sample-ratio-mismatch alarm fires at p below this (as GrowthBook, Eppo and Statsig do)."""


@functools.lru_cache(maxsize=64)
def normal_quantile(alpha: float) -> float:
    """``z`` with ``P(|Z| > z) = alpha`` for a standard normal ``Z`` (1.959964 at 0.05)."""
    return float(stats.norm.ppf(1.0 - alpha / 2.0))


def wilson_interval(conversions: int, units: int, alpha: float = 0.05) -> Interval:
    """Wilson score interval for a proportion; ``[0, 1]`` when there are no units.

    With ``p = conversions / units``, ``n = units`` and ``z`` = :func:`normal_quantile`::

        centre = (p + z^2 / (2n)) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))
    """
    if units == 0:
        return Interval(0.0, 1.0)
    z = normal_quantile(alpha)
    n = float(units)
    p = conversions / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def _var(conversions: int, units: int) -> float:
    p = conversions / units
    return p * (1.0 - p) / units


def abs_lift_interval(c_t: int, n_t: int, c_c: int, n_c: int, alpha: float = 0.05) -> Interval:
    """Unpooled Wald interval on ``p_t - p_c``: ``diff +- z sqrt(p_t q_t / n_t + p_c q_c / n_c)``."""
    diff = c_t / n_t - c_c / n_c
    half = normal_quantile(alpha) * math.sqrt(_var(c_t, n_t) + _var(c_c, n_c))
    return Interval(diff - half, diff + half)


def rel_lift_interval(c_t: int, n_t: int, c_c: int, n_c: int, alpha: float = 0.05) -> Interval | None:
    """Delta-method interval on ``p_t / p_c - 1``; None when ``p_c`` is 0.

    ``Var(p_t / p_c) ~ Var(p_t) / p_c^2 + p_t^2 Var(p_c) / p_c^4`` with ``Var(p) = p (1-p) / n``
    (the arms are independent, so there is no covariance term).
    """
    p_t, p_c = c_t / n_t, c_c / n_c
    if p_c == 0:
        return None
    var = _var(c_t, n_t) / p_c**2 + p_t**2 * _var(c_c, n_c) / p_c**4
    half = normal_quantile(alpha) * math.sqrt(var)
    rel = p_t / p_c - 1.0
    return Interval(rel - half, rel + half)


def two_proportion_p_value(c_t: int, n_t: int, c_c: int, n_c: int) -> float:
    """Two-sided p-value of the pooled two-proportion z test (1.0 when the pooled rate is 0 or 1).

    ``z = (p_t - p_c) / sqrt(p (1 - p) (1/n_t + 1/n_c))`` with the pooled ``p``;
    ``p-value = 2 * scipy.stats.norm.sf(|z|)``.
    """
    pooled = (c_t + c_c) / (n_t + n_c)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_t + 1.0 / n_c))
    if se == 0:
        return 1.0
    z = (c_t / n_t - c_c / n_c) / se
    return float(2.0 * stats.norm.sf(abs(z)))


def srm_check(observed: Sequence[int], weights: Sequence[float], alpha: float = SRM_ALPHA) -> SrmCheck:
    """Chi-square goodness of fit of units per arm against the normalised weights.

    ``mismatch`` is ``p_value < alpha``. With no units at all there is nothing to test:
    ``chi2 = 0`` and ``p_value = 1``.
    """
    obs = np.asarray(observed, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    share = w / w.sum()
    total = obs.sum()
    if total == 0:
        chi2, p = 0.0, 1.0
    else:
        res = stats.chisquare(obs, share * total)
        chi2, p = float(res.statistic), float(res.pvalue)
    return SrmCheck(
        observed=tuple(int(v) for v in observed),
        expected_share=tuple(float(s) for s in share),
        chi2=chi2,
        p_value=p,
        mismatch=p < alpha,
    )


def holm_adjusted(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of ``p_values`` (in their order): reject where the result is ``< alpha``.

    Controls the chance of any false positive across the whole family at ``alpha``, under
    any dependence between the tests. Sorted ascending, the ``j``-th smallest p-value
    (0-based) becomes ``max over i <= j of min(1, (m - i) * p_(i))``.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    out = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        out[i] = running
    return out
