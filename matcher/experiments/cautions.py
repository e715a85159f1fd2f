"""The plain-words warnings of an experiment report (:func:`warnings_for`).

Warning thresholds (each documented in the warning text itself):

* fewer than :data:`MIN_UNITS_PER_ARM` (100) units in an arm: lifts are not worth reading;
* fewer than :data:`MIN_EVENTS_PER_ARM` (10) conversions, or non-conversions, in an arm on an
  outcome (the usual ``n p >= 10`` rule for the normal approximation); only checked for arms
  that have enough units, to avoid repeating the first warning;
* a sample ratio mismatch (chi-square p below 0.001);
* more than :data:`MAX_MULTI_ARM_SHARE` (1%) of units seen in several arms;
* a comparison significant at ``alpha`` on its own but not after Holm's adjustment over every
  comparison of the report (each outcome of each arm against the control): reading six
  outcomes at 5% each finds a "winner" in about a quarter of A/A tests;
* the fixed-horizon p-value is only valid at a sample size fixed in advance: said whenever no
  ``planned_units`` is given, or while fewer units than planned have been seen.
"""

from __future__ import annotations

from collections.abc import Mapping

from matcher.experiments.report import ArmCount, ArmOutcome

__all__ = ["MAX_MULTI_ARM_SHARE", "MIN_EVENTS_PER_ARM", "MIN_UNITS_PER_ARM", "warnings_for"]

MIN_UNITS_PER_ARM = 100
MIN_EVENTS_PER_ARM = 10
MAX_MULTI_ARM_SHARE = 0.01


def warnings_for(
    counts: tuple[ArmCount, ...],
    results: Mapping[str, tuple[ArmOutcome, ...]],
    srm_p: float,
    srm_mismatch: bool,
    multi: int,
    planned_units: int | None,
    alpha: float,
) -> tuple[str, ...]:
    """The report's warnings, in plain words, in the order of the module docstring."""
    out: list[str] = []
    total = sum(c.units for c in counts)
    if srm_mismatch:
        out.append(
            f"Sample ratio mismatch (p = {srm_p:.2g}): the split does not match the configured weights; "
            "do not trust these results until the cause is found"
        )
    if multi and multi > MAX_MULTI_ARM_SHARE * (total + multi):
        out.append(
            f"{multi} units ({multi / (total + multi):.1%}) were seen in more than one arm and were "
            f"left out; more than {MAX_MULTI_ARM_SHARE:.0%} suggests an assignment or logging bug"
        )
    for c in counts:
        if c.units < MIN_UNITS_PER_ARM:
            out.append(
                f"Too few units to conclude: arm {c.arm} has {c.units} units; "
                f"at least {MIN_UNITS_PER_ARM} per arm are needed before reading lift"
            )
    for outcome, rows in results.items():
        for row in rows:
            misses = row.units - row.conversions
            if row.units >= MIN_UNITS_PER_ARM and min(row.conversions, misses) < MIN_EVENTS_PER_ARM:
                out.append(
                    f"Too few events to conclude on {outcome!r}: arm {row.arm} has {row.conversions} "
                    f"conversions and {misses} non-conversions; at least {MIN_EVENTS_PER_ARM} of each "
                    "per arm are needed before reading lift"
                )
    leads = [
        f"{outcome} ({row.arm}, p = {row.p_value:.2g}, {row.p_value_holm:.2g} adjusted)"
        for outcome, rows in results.items()
        for row in rows
        if row.p_value is not None
        and row.p_value_holm is not None
        and row.p_value < alpha <= row.p_value_holm
    ]
    if leads:
        tested = sum(row.p_value is not None for rows in results.values() for row in rows)
        out.append(
            f"{len(leads)} of the {tested} comparisons are significant at {alpha:g} alone but not once "
            f"all {tested} are counted (Holm): {', '.join(leads)}; treat them as leads to test again, "
            "not findings"
        )
    if planned_units is None:
        out.append(
            "The fixed-horizon p-value is valid only if the sample size was set in advance; "
            "use the sequential interval if you have been checking daily"
        )
    elif total < planned_units:
        out.append(
            f"Interim look: {total} of the planned {planned_units} units; the fixed-horizon p-value is not "
            "valid before the planned sample is reached, read the sequential interval instead"
        )
    return tuple(out)
