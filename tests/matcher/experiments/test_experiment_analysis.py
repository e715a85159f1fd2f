"""analyze(): report contents, warnings, exposures and MRR, input checks."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.errors import InvalidInput
from matcher.experiments import (
    Arm,
    Experiment,
    ExperimentStatus,
    analyze,
    analyze_experiment,
    dedupe_exposures,
    units_from_exposures,
)
from matcher.experiments.proportions import abs_lift_interval, rel_lift_interval, wilson_interval
from matcher.experiments.sequential import diff_confidence_sequence

FIXED_HORIZON = (
    "The fixed-horizon p-value is valid only if the sample size was set in advance; "
    "use the sequential interval if you have been checking daily"
)


def two_arm_data(n_a: int, c_a: int, n_b: int, c_b: int) -> tuple[np.ndarray, np.ndarray]:
    arms = np.repeat([0, 1], [n_a, n_b])
    booked = np.concatenate([np.arange(n_a) < c_a, np.arange(n_b) < c_b]).astype(np.int8)
    return arms, booked


def test_report_numbers_match_the_formulas() -> None:
    arms, booked = two_arm_data(1000, 100, 1000, 120)
    report = analyze(["A", "B"], [1, 1], arms, {"booked": booked}, planned_units=2000)
    a, b = report.outcomes["booked"]
    assert report.control == "A"
    assert (a.units, a.conversions, a.rate, b.units, b.conversions, b.rate) == (
        1000,
        100,
        0.1,
        1000,
        120,
        0.12,
    )
    assert a.rate_ci == wilson_interval(100, 1000)
    assert (a.abs_lift, a.abs_lift_ci, a.rel_lift, a.p_value, a.seq_abs_lift_ci) == (None,) * 5
    assert b.abs_lift == pytest.approx(0.02)
    assert b.rel_lift == pytest.approx(0.2)
    assert b.abs_lift_ci == abs_lift_interval(120, 1000, 100, 1000)
    assert b.rel_lift_ci == rel_lift_interval(120, 1000, 100, 1000)
    assert b.p_value == pytest.approx(0.152918, abs=1e-6)
    assert b.seq_abs_lift_ci == diff_confidence_sequence(120, 1000, 100, 1000, expected_units=2000)
    assert [(c.arm, c.units, c.exposures, c.expected_share) for c in report.arms] == [
        ("A", 1000, 1000, 0.5),
        ("B", 1000, 1000, 0.5),
    ]
    assert not report.srm.mismatch
    assert report.warnings == ()


def test_control_can_be_any_arm() -> None:
    arms, booked = two_arm_data(1000, 100, 1000, 120)
    report = analyze(["A", "B"], [1, 1], arms, {"booked": booked}, control="B")
    a, b = report.outcomes["booked"]
    assert b.abs_lift is None
    assert a.abs_lift == pytest.approx(-0.02)
    assert a.rel_lift == pytest.approx(0.1 / 0.12 - 1)


def test_warnings_in_plain_words() -> None:
    arms, booked = two_arm_data(300, 4, 37, 5)
    report = analyze(["A", "B"], [1, 1], arms, {"booked": booked}, multi_arm_units_excluded=9)
    assert report.warnings == (
        f"Sample ratio mismatch (p = {report.srm.p_value:.2g}): the split does not match the configured "
        "weights; do not trust these results until the cause is found",
        "9 units (2.6%) were seen in more than one arm and were left out; more than 1% suggests an "
        "assignment or logging bug",
        "Too few units to conclude: arm B has 37 units; at least 100 per arm are needed before reading lift",
        "Too few events to conclude on 'booked': arm A has 4 conversions and 296 non-conversions; "
        "at least 10 of each per arm are needed before reading lift",
        FIXED_HORIZON,
    )
    assert report.srm.mismatch
    assert report.multi_arm_units_excluded == 9


def test_srm_warning_format_and_interim_look() -> None:
    arms, booked = two_arm_data(4950, 500, 5050, 500)
    assert analyze(["A", "B"], [1, 1], arms, {"booked": booked}, planned_units=10_000).warnings == ()
    report = analyze(["A", "B"], [1, 1], arms, {"booked": booked}, planned_units=20_000)
    assert report.warnings == (
        "Interim look: 10000 of the planned 20000 units; the fixed-horizon p-value is not valid before "
        "the planned sample is reached, read the sequential interval instead",
    )
    arms, booked = two_arm_data(4700, 500, 5300, 500)  # chi2 = 36, p = 2.0e-09
    report = analyze(["A", "B"], [1, 1], arms, {"booked": booked}, planned_units=10_000)
    assert report.warnings[0].startswith("Sample ratio mismatch (p = 2e-09): the split does not match")


def test_few_multi_arm_units_are_counted_without_a_warning() -> None:
    arms, booked = two_arm_data(1000, 100, 1000, 120)
    report = analyze(
        ["A", "B"], [1, 1], arms, {"booked": booked}, multi_arm_units_excluded=20, planned_units=1
    )
    assert report.multi_arm_units_excluded == 20
    assert report.warnings == ()


def test_mrr_of_booked_counselors_by_hand() -> None:
    arms, booked = two_arm_data(200, 20, 200, 20)
    report = analyze(
        ["A", "B", "C"],
        [1, 1, 1],
        arms,
        {"booked": booked},
        booking_arm=[0, 0, 0, 1, 1],
        booking_position=[1, 2, 4, 3, 0],
    )
    # A: (1 + 1/2 + 1/4) / 3 = 0.583333; B: (1/3 + 0) / 2 = 0.166667 (0 = not in the list shown); C: none.
    assert dict(report.mrr_booked) == pytest.approx({"A": 7 / 12, "B": 1 / 6})


def test_dedupe_exposures_drops_and_counts_multi_arm_units() -> None:
    pairs = [("u1", "A"), ("u1", "A"), ("u2", "B"), ("u3", "A"), ("u3", "B"), ("u4", "B"), ("u5", "B")]
    arm_of, multi = dedupe_exposures(pairs)
    assert arm_of == {"u1": "A", "u2": "B", "u4": "B", "u5": "B"}
    assert multi == 1
    units = units_from_exposures(pairs, ["A", "B"])
    assert units.unit_ids == ("u1", "u2", "u4", "u5")
    assert units.arm_index.tolist() == [0, 1, 1, 1]
    assert units.exposures.tolist() == [2, 1, 1, 1]
    assert units.multi_arm_units == 1
    assert units.outcome({"u2", "u3", "u5"}).tolist() == [0, 1, 0, 1]
    with pytest.raises(InvalidInput) as exc:
        units_from_exposures([*pairs, ("u9", "Z")], ["A", "B"])
    assert [v.field for v in exc.value.violations] == ["exposures[7].arm"]


def test_analyze_experiment_from_exposures() -> None:
    e = Experiment(
        "exp", "s", (Arm("A", "a@1", 1), Arm("B", "b@1", 1)), 1.0, ExperimentStatus.RUNNING, control="B"
    )
    pairs = [("u1", "A"), ("u1", "A"), ("u2", "B"), ("u3", "A"), ("u3", "B"), ("u4", "B")]
    units = units_from_exposures(pairs, ["A", "B"])
    report = analyze_experiment(e, units, {"booked": {"u1", "u3", "u4"}})
    assert report.control == "B"
    assert report.multi_arm_units_excluded == 1
    assert [(c.arm, c.units, c.exposures) for c in report.arms] == [("A", 1, 2), ("B", 2, 2)]
    a, b = report.outcomes["booked"]
    assert (a.conversions, b.conversions) == (1, 1)
    assert a.abs_lift == pytest.approx(0.5)


def test_empty_arm_gives_no_lift() -> None:
    report = analyze(["A", "B"], [1, 1], np.zeros(150, dtype=int), {"booked": np.ones(150)})
    _, b = report.outcomes["booked"]
    assert b.units == 0 and np.isnan(b.rate) and b.abs_lift is None and b.p_value is None
    assert (b.rate_ci.low, b.rate_ci.high) == (0.0, 1.0)


def test_invalid_inputs_are_listed_with_field_paths() -> None:
    with pytest.raises(InvalidInput) as exc:
        analyze(
            ["A", "A"],
            [1, -1],
            [0, 1, 2],
            {"booked": [0, 1], "attended": [0, 2, 1], "x": [0.5, 0, 0]},
            control="Z",
            alpha=1.5,
            exposures=[1, 1],
            booking_arm=[0],
            booking_position=[-1],
        )
    assert [v.field for v in exc.value.violations] == [
        "arm_names",
        "weights",
        "control",
        "alpha",
        "arm_index",
        "outcomes[booked]",
        "outcomes[attended]",
        "outcomes[x]",
        "exposures",
        "booking_position",
    ]
    with pytest.raises(InvalidInput) as exc:
        analyze(["A", "B"], [1, 1], [[0, 1]], {}, booking_arm=[0])
    assert [v.field for v in exc.value.violations] == ["arm_index", "booking_position"]


def test_every_comparison_gets_a_holm_p_value_and_leads_are_called_leads() -> None:
    n = 2000
    arms = np.repeat([0, 1], [n, n])
    # one clear lift (booked) and one marginal one (contacted, p ~ 0.03) among four outcomes
    outcomes = {
        "booked": np.concatenate([np.arange(n) < 300, np.arange(n) < 420]).astype(np.int8),
        "contacted": np.concatenate([np.arange(n) < 500, np.arange(n) < 560]).astype(np.int8),
        "viewed": np.concatenate([np.arange(n) < 900, np.arange(n) < 905]).astype(np.int8),
        "retained": np.concatenate([np.arange(n) < 100, np.arange(n) < 98]).astype(np.int8),
    }
    report = analyze(["A", "B"], [1, 1], arms, outcomes)
    rows = {name: report.outcomes[name][1] for name in outcomes}
    assert all(report.outcomes[name][0].p_value_holm is None for name in outcomes)  # the control
    ps = sorted((rows[name].p_value or 1.0, name) for name in outcomes)
    assert rows["booked"].p_value_holm == pytest.approx(min(1.0, 4 * ps[0][0]))
    contacted = rows["contacted"]
    assert contacted.p_value is not None and contacted.p_value < 0.05
    assert contacted.p_value_holm is not None and contacted.p_value_holm >= 0.05
    (lead,) = [w for w in report.warnings if "Holm" in w]
    assert lead.startswith("1 of the 4 comparisons are significant at 0.05 alone but not once all 4")
    assert "contacted (B, p = 0.0" in lead and "booked" not in lead
