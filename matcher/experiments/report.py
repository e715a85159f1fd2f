"""Result types of an experiment analysis (see :func:`matcher.experiments.analysis.analyze`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ArmCount", "ArmOutcome", "Interval", "Report", "SrmCheck"]


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[low, high]``."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        """True if ``low <= value <= high``."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class ArmCount:
    """How many units and exposures one arm got, and the share its weight promised."""

    arm: str
    expected_share: float
    units: int
    exposures: int


@dataclass(frozen=True)
class ArmOutcome:
    """One arm's result on one 0/1 outcome; lift fields compare with the control (None for it).

    ``rate_ci`` is the Wilson interval; ``abs_lift_ci`` the unpooled Wald interval on
    ``rate - control_rate``; ``rel_lift_ci`` the delta-method interval on
    ``rate / control_rate - 1`` (None when the control rate is 0); ``p_value`` the two-sided
    pooled two-proportion z test, valid only at a sample size fixed in advance;
    ``seq_abs_lift_ci`` an always-valid confidence sequence on the absolute lift, valid however
    often it is looked at; ``p_value_holm`` the p-value adjusted (Holm) for every comparison
    of the report (each outcome of each arm against the control), so that reading all of them
    keeps the chance of any false positive at ``alpha``.
    """

    arm: str
    units: int
    conversions: int
    rate: float
    rate_ci: Interval
    abs_lift: float | None
    abs_lift_ci: Interval | None
    rel_lift: float | None
    rel_lift_ci: Interval | None
    p_value: float | None
    seq_abs_lift_ci: Interval | None
    p_value_holm: float | None = None


@dataclass(frozen=True)
class SrmCheck:
    """Sample ratio mismatch: chi-square of units per arm against the configured shares."""

    observed: tuple[int, ...]
    expected_share: tuple[float, ...]
    chi2: float
    p_value: float
    mismatch: bool


@dataclass(frozen=True)
class Report:
    """Everything :func:`~matcher.experiments.analysis.analyze` found.

    ``outcomes`` maps each outcome name to one :class:`ArmOutcome` per arm (configured order);
    ``mrr_booked`` maps each arm with at least one booking to the mean reciprocal rank of the
    booked counselors; ``warnings`` says in plain words what makes the numbers unsafe to read.
    """

    control: str
    alpha: float
    arms: tuple[ArmCount, ...]
    outcomes: Mapping[str, tuple[ArmOutcome, ...]]
    srm: SrmCheck
    multi_arm_units_excluded: int
    mrr_booked: Mapping[str, float]
    warnings: tuple[str, ...]
