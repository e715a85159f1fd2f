"""Analysis of a strategy experiment from per-unit 0/1 outcomes.

Analyse one phase at a time (a new phase re-randomises, so its units are a new experiment).
The unit is the client: each outcome is "did this client ever ..." (book, attend, ...), so
units are independent and the binomial statistics of :mod:`~matcher.experiments.proportions`
and :mod:`~matcher.experiments.sequential` apply.

The warnings a report carries, and their thresholds, are in :mod:`~matcher.experiments.cautions`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from matcher.errors import FieldViolation, InvalidInput
from matcher.experiments.cautions import warnings_for
from matcher.experiments.exposures import UnitArms
from matcher.experiments.model import Experiment
from matcher.experiments.proportions import (
    abs_lift_interval,
    holm_adjusted,
    rel_lift_interval,
    srm_check,
    two_proportion_p_value,
    wilson_interval,
)
from matcher.experiments.report import ArmCount, ArmOutcome, Interval, Report
from matcher.experiments.sequential import DEFAULT_EXPECTED_UNITS, diff_confidence_sequence

__all__ = [
    "analyze",
    "analyze_experiment",
]


def _int_array(name: str, value: npt.ArrayLike, out: list[FieldViolation]) -> npt.NDArray[np.int64] | None:
    arr = np.asarray(value)
    if arr.ndim != 1:
        out.append(FieldViolation(name, f"must be a 1-D array, got shape {arr.shape}"))
        return None
    whole = (
        np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == np.bool_
        or (np.issubdtype(arr.dtype, np.floating) and bool(np.all(np.isfinite(arr) & (arr == np.round(arr)))))
    )
    if not whole:
        out.append(FieldViolation(name, f"must hold whole numbers, got dtype {arr.dtype}"))
        return None
    return arr.astype(np.int64)


def _check_inputs(
    arm_names: Sequence[str],
    weights: Sequence[float],
    arm_index: npt.ArrayLike,
    outcomes: Mapping[str, npt.ArrayLike],
    exposures: npt.ArrayLike | None,
    booking_arm: npt.ArrayLike | None,
    booking_position: npt.ArrayLike | None,
    control: str | None,
    alpha: float,
    planned_units: int | None,
    multi_arm_units_excluded: int,
) -> tuple[
    npt.NDArray[np.int64],
    dict[str, npt.NDArray[np.int64]],
    npt.NDArray[np.int64] | None,
    npt.NDArray[np.int64] | None,
    npt.NDArray[np.int64] | None,
]:
    out: list[FieldViolation] = []
    k = len(arm_names)
    if k < 2 or len(set(arm_names)) != k:
        out.append(FieldViolation("arm_names", "needs at least two distinct arm names"))
    if len(weights) != k or not all(math.isfinite(w) and w > 0 for w in weights):
        out.append(FieldViolation("weights", f"needs {k} finite weights > 0, one per arm"))
    if control is not None and control not in arm_names:
        out.append(FieldViolation("control", f"must name one of the arms: {', '.join(arm_names)}"))
    if not 0 < alpha < 1:
        out.append(FieldViolation("alpha", "must be in (0, 1)"))
    if planned_units is not None and planned_units < 1:
        out.append(FieldViolation("planned_units", "must be 1 or more"))
    if multi_arm_units_excluded < 0:
        out.append(FieldViolation("multi_arm_units_excluded", "must be 0 or more"))
    arms = _int_array("arm_index", arm_index, out)
    if arms is not None and arms.size and (arms.min() < 0 or arms.max() >= k):
        out.append(FieldViolation("arm_index", f"values must be arm indices in 0..{k - 1}"))
    n = None if arms is None else arms.shape[0]
    ys: dict[str, npt.NDArray[np.int64]] = {}
    for name, values in outcomes.items():
        y = _int_array(f"outcomes[{name}]", values, out)
        if y is None:
            continue
        if n is not None and y.shape[0] != n:
            out.append(FieldViolation(f"outcomes[{name}]", f"must have one value per unit ({n})"))
        elif y.size and (y.min() < 0 or y.max() > 1):
            out.append(FieldViolation(f"outcomes[{name}]", "values must be 0 or 1"))
        else:
            ys[name] = y
    exp = None if exposures is None else _int_array("exposures", exposures, out)
    if exp is not None and n is not None and (exp.shape[0] != n or (exp.size and exp.min() < 0)):
        out.append(FieldViolation("exposures", f"must hold {n} counts >= 0, one per unit"))
    if (booking_arm is None) != (booking_position is None):
        out.append(FieldViolation("booking_position", "give booking_arm and booking_position together"))
    b_arm = None if booking_arm is None else _int_array("booking_arm", booking_arm, out)
    b_pos = None if booking_position is None else _int_array("booking_position", booking_position, out)
    if b_arm is not None and b_pos is not None:
        if b_arm.shape != b_pos.shape:
            out.append(FieldViolation("booking_position", "must have one value per booking_arm value"))
        if b_arm.size and (b_arm.min() < 0 or b_arm.max() >= k):
            out.append(FieldViolation("booking_arm", f"values must be arm indices in 0..{k - 1}"))
        if b_pos.size and b_pos.min() < 0:
            out.append(FieldViolation("booking_position", "1-based positions, or 0 for 'not in the list'"))
    if out:
        raise InvalidInput(out)
    assert arms is not None
    return arms, ys, exp, b_arm, b_pos


def _outcome_rows(
    arm_names: Sequence[str],
    shares: Sequence[float],
    units: npt.NDArray[np.int64],
    conv: npt.NDArray[np.int64],
    ctrl: int,
    alpha: float,
    planned_units: int | None,
) -> tuple[ArmOutcome, ...]:
    rows: list[ArmOutcome] = []
    c_c, n_c = int(conv[ctrl]), int(units[ctrl])
    for i, name in enumerate(arm_names):
        c, n = int(conv[i]), int(units[i])
        rate = c / n if n else math.nan
        lift: tuple[
            float | None, Interval | None, float | None, Interval | None, float | None, Interval | None
        ]
        lift = (None, None, None, None, None, None)
        if i != ctrl and n and n_c:
            planned = planned_units if planned_units is not None else DEFAULT_EXPECTED_UNITS
            expected = planned * (shares[i] + shares[ctrl])
            lift = (
                rate - c_c / n_c,
                abs_lift_interval(c, n, c_c, n_c, alpha),
                (rate / (c_c / n_c) - 1.0) if c_c else None,
                rel_lift_interval(c, n, c_c, n_c, alpha),
                two_proportion_p_value(c, n, c_c, n_c),
                diff_confidence_sequence(c, n, c_c, n_c, alpha=alpha, expected_units=expected),
            )
        rows.append(ArmOutcome(name, n, c, rate, wilson_interval(c, n, alpha), *lift))
    return tuple(rows)


def analyze(
    arm_names: Sequence[str],
    weights: Sequence[float],
    arm_index: npt.ArrayLike,
    outcomes: Mapping[str, npt.ArrayLike],
    *,
    control: str | None = None,
    exposures: npt.ArrayLike | None = None,
    multi_arm_units_excluded: int = 0,
    booking_arm: npt.ArrayLike | None = None,
    booking_position: npt.ArrayLike | None = None,
    alpha: float = 0.05,
    planned_units: int | None = None,
) -> Report:
    """Compare every arm with the control on every outcome.

    Parameters
    ----------
    arm_names : sequence of str, length k
        The configured arms, in order.
    weights : sequence of float, length k
        Their configured weights (normalised for the sample-ratio check).
    arm_index : array of int, shape (n,)
        Arm index (0..k-1) of each unit, after removing units seen in several arms.
    outcomes : mapping of str to array of 0/1, each shape (n,)
        Unit-level outcomes, e.g. ``{"booked": ...}``.
    control : str, optional
        Name of the control arm; the first arm by default.
    exposures : array of int, shape (n,), optional
        Exposure records per unit (one each by default), summed per arm in ``Report.arms``.
    multi_arm_units_excluded : int
        Units already removed for being seen in several arms (reported and checked).
    booking_arm, booking_position : arrays of int, shape (b,), optional
        For each booking, the arm and the 1-based position of the booked counselor in the
        ranking shown (0 if not in it: reciprocal rank 0). Gives ``Report.mrr_booked``.
    alpha : float
        1 - confidence level of every interval (0.05 gives 95%).
    planned_units : int, optional
        Total units fixed in advance; tunes the sequential interval to be tightest there and
        says whether the fixed-horizon p-value may be read yet. Each treatment-control pair is
        tuned at its share of it; without it, at 5,000 units.

    Raises
    ------
    InvalidInput
        With a field path for every bad argument.
    """
    arms, ys, exp, b_arm, b_pos = _check_inputs(
        arm_names,
        weights,
        arm_index,
        outcomes,
        exposures,
        booking_arm,
        booking_position,
        control,
        alpha,
        planned_units,
        multi_arm_units_excluded,
    )
    k = len(arm_names)
    ctrl = 0 if control is None else list(arm_names).index(control)
    units = np.bincount(arms, minlength=k)
    exp_per_arm = units if exp is None else np.bincount(arms, weights=exp, minlength=k).astype(np.int64)
    srm = srm_check(units.tolist(), weights)
    counts = tuple(
        ArmCount(name, srm.expected_share[i], int(units[i]), int(exp_per_arm[i]))
        for i, name in enumerate(arm_names)
    )
    results = {
        name: _outcome_rows(
            arm_names,
            srm.expected_share,
            units,
            np.bincount(arms, weights=y, minlength=k).round().astype(np.int64),
            ctrl,
            alpha,
            planned_units,
        )
        for name, y in ys.items()
    }
    results = _with_holm(results)
    mrr: dict[str, float] = {}
    if b_arm is not None and b_pos is not None:
        rr = np.where(b_pos > 0, 1.0 / np.maximum(b_pos, 1), 0.0)
        for i, name in enumerate(arm_names):
            mask = b_arm == i
            if mask.any():
                mrr[name] = float(rr[mask].mean())
    return Report(
        control=arm_names[ctrl],
        alpha=alpha,
        arms=counts,
        outcomes=MappingProxyType(results),
        srm=srm,
        multi_arm_units_excluded=multi_arm_units_excluded,
        mrr_booked=MappingProxyType(mrr),
        warnings=warnings_for(
            counts, results, srm.p_value, srm.mismatch, multi_arm_units_excluded, planned_units, alpha
        ),
    )


def _with_holm(results: Mapping[str, tuple[ArmOutcome, ...]]) -> dict[str, tuple[ArmOutcome, ...]]:
    """``results`` with each p-value's Holm adjustment over every p-value of the report."""
    family = [
        (name, i, row.p_value)
        for name, rows in results.items()
        for i, row in enumerate(rows)
        if row.p_value is not None
    ]
    holm = holm_adjusted([p for _, _, p in family])
    adjusted = {(name, i): h for (name, i, _), h in zip(family, holm, strict=True)}
    return {
        name: tuple(replace(row, p_value_holm=adjusted.get((name, i))) for i, row in enumerate(rows))
        for name, rows in results.items()
    }


def analyze_experiment(
    experiment: Experiment,
    units: UnitArms,
    converted: Mapping[str, Collection[str]],
    *,
    booking_arm: npt.ArrayLike | None = None,
    booking_position: npt.ArrayLike | None = None,
    alpha: float = 0.05,
    planned_units: int | None = None,
) -> Report:
    """:func:`analyze` for an :class:`Experiment` and the :class:`UnitArms` built from its exposures.

    ``converted`` maps each outcome name to the ids of the units that converted; the other
    arguments are those of :func:`analyze`.
    """
    return analyze(
        [a.name for a in experiment.arms],
        [a.weight for a in experiment.arms],
        units.arm_index,
        {name: units.outcome(ids) for name, ids in converted.items()},
        control=experiment.control_arm,
        exposures=units.exposures,
        multi_arm_units_excluded=units.multi_arm_units,
        booking_arm=booking_arm,
        booking_position=booking_position,
        alpha=alpha,
        planned_units=planned_units,
    )
