r"""Always-valid (sequential) confidence intervals on a difference of two means.

A fixed-horizon interval is right 95% of the time *at one pre-set sample size*; checking it
every day and stopping at the first "significant" look makes false positives far more common.
A confidence sequence holds at every sample size at once, so it may be checked as often as
wanted. This is the Gaussian-mixture boundary used by GrowthBook and Eppo.

Formula. Let :math:`S_N = \sum_{i \le N} (X_i - \mu)` for i.i.d. terms with standard deviation
:math:`\sigma`. Mixing Robbins' martingale :math:`\exp(\lambda S_N - \lambda^2 \sigma^2 N / 2)`
over :math:`\lambda \sim \mathcal N(0, \rho^2 / \sigma^2)` gives

.. math:: M_N = (N\rho^2 + 1)^{-1/2} \exp\!\Big(\frac{\rho^2 S_N^2}{2\sigma^2 (N\rho^2 + 1)}\Big),

a nonnegative martingale with :math:`M_0 = 1`, so by Ville's inequality
:math:`P(\exists N: M_N \ge 1/\alpha) \le \alpha` (Howard et al. 2021, "Time-uniform,
nonparametric, nonasymptotic confidence sequences", normal mixture). Solving
:math:`M_N < 1/\alpha` for :math:`\mu` gives, simultaneously for all :math:`N`,

.. math:: |\bar X_N - \mu| \le \sigma \sqrt{\frac{2 (N\rho^2 + 1)}{N^2 \rho^2}
          \log\frac{\sqrt{N\rho^2 + 1}}{\alpha}}.

With :math:`\sigma` replaced by its running estimate this is the asymptotic confidence
sequence of Waudby-Smith et al. (2024, "Time-uniform central limit theory and asymptotic
confidence sequences").

Difference of two arms. With fixed allocation, :math:`\hat p_t - \hat p_c` is asymptotically
the mean of :math:`N = n_t + n_c` i.i.d. terms whose variance is
:math:`\sigma^2 = N (\hat\sigma_t^2 / n_t + \hat\sigma_c^2 / n_c)`, so the same half-width
applies with that :math:`\sigma` and that :math:`N`.

Tuning. :math:`\rho` does not affect validity, only where the sequence is tightest. With
:math:`x = N^* \rho^2`, the width at :math:`N^*` is smallest where
:math:`x = \log(1 + x) - 2 \log\alpha`; :func:`mixture_rho` solves this by fixed-point
iteration (GrowthBook uses its first step, :math:`x \approx -2\log\alpha + \log(1 - 2\log\alpha)`).
"""

from __future__ import annotations

import math

from matcher.experiments.report import Interval

__all__ = [
    "DEFAULT_EXPECTED_UNITS",
    "confidence_sequence_halfwidth",
    "diff_confidence_sequence",
    "mixture_rho",
]

DEFAULT_EXPECTED_UNITS = 5_000
"""Total units (both arms) at which the sequence is tuned to be tightest when none is planned."""


def mixture_rho(expected_units: float, alpha: float) -> float:
    """The mixture parameter ``rho`` that makes the sequence tightest at ``expected_units``."""
    if not expected_units > 0:
        raise ValueError(f"expected_units must be > 0, got {expected_units}")
    two_l = -2.0 * math.log(alpha)
    x = two_l
    for _ in range(200):
        nxt = two_l + math.log1p(x)
        if abs(nxt - x) < 1e-12:
            break
        x = nxt
    return math.sqrt(x / expected_units)


def confidence_sequence_halfwidth(sigma2: float, n: int, rho: float, alpha: float) -> float:
    """Half-width of the always-valid interval on a mean of ``n`` terms with variance ``sigma2``."""
    if n <= 0:
        return math.inf
    nr2 = n * rho * rho
    return math.sqrt(
        sigma2 * 2.0 * (nr2 + 1.0) / (n * n * rho * rho) * math.log(math.sqrt(nr2 + 1.0) / alpha)
    )


def diff_confidence_sequence(
    c_t: int,
    n_t: int,
    c_c: int,
    n_c: int,
    *,
    alpha: float = 0.05,
    expected_units: float = DEFAULT_EXPECTED_UNITS,
) -> Interval:
    """Always-valid ``1 - alpha`` interval on ``p_t - p_c`` from conversions ``c`` of units ``n``.

    Both ``n_t`` and ``n_c`` must be positive. ``expected_units`` is the total sample size
    (both arms) at which the interval should be tightest.
    """
    p_t, p_c = c_t / n_t, c_c / n_c
    n = n_t + n_c
    sigma2 = n * (p_t * (1.0 - p_t) / n_t + p_c * (1.0 - p_c) / n_c)
    half = confidence_sequence_halfwidth(sigma2, n, mixture_rho(expected_units, alpha), alpha)
    return Interval(p_t - p_c - half, p_t - p_c + half)
