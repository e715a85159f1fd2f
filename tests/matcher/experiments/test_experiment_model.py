"""Experiment validation and phase changes."""

from __future__ import annotations

import dataclasses

import pytest

from matcher.errors import Conflict, InvalidInput
from matcher.experiments import (
    Arm,
    Experiment,
    ExperimentStatus,
    needs_new_phase,
    new_phase,
    phase_salt,
    validate_experiment,
)
from matcher.experiments.model import arm_upper_bounds

ARMS = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "specialty-first@1", 1.0))


def make(**changes: object) -> Experiment:
    base = Experiment(
        key="ranking-2026", salt="9f2c41d07a", arms=ARMS, coverage=0.5, status=ExperimentStatus.RUNNING
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def fields(exc: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [v.field for v in exc.value.violations]


def test_valid_experiment_passes_and_control_defaults_to_first_arm() -> None:
    e = make()
    validate_experiment(e)
    assert e.control_arm == "control"
    assert make(control="treatment").control_arm == "treatment"


def test_every_bad_field_is_reported_with_its_path() -> None:
    bad = make(
        key="",
        salt="",
        arms=(
            Arm("a", "balanced-v1", 1.0),
            Arm("a", "x@0", 0.0),
            Arm("b c", "ok@2", float("nan")),
        ),
        coverage=0.0,
        phase=0,
        control="zzz",
        layer_range=(10, 20),
    )
    with pytest.raises(InvalidInput) as exc:
        validate_experiment(bad)
    assert fields(exc) == [
        "key",
        "salt",
        "phase",
        "coverage",
        "arms[0].strategy",
        "arms[1].name",
        "arms[1].strategy",
        "arms[1].weight",
        "arms[2].name",
        "arms[2].weight",
        "control",
        "layer_range",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"arms": ARMS[:1]}, "arms"),
        ({"coverage": 1.5}, "coverage"),
        ({"coverage": float("inf")}, "coverage"),
        ({"layer": "ranking", "layer_range": (5000, 5000)}, "layer_range"),
        ({"layer": "ranking", "layer_range": (0, 10_001)}, "layer_range"),
        ({"layer": "bad layer"}, "layer"),
        ({"arms": (Arm("a", "s@1", 1.0), Arm("b", "s@1", 1e-6))}, "arms[1].weight"),
        ({"status": "running"}, "status"),
    ],
)
def test_single_violation(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_experiment(make(**changes))
    assert fields(exc) == [field]


def test_a_a_experiment_with_one_strategy_twice_is_valid() -> None:
    validate_experiment(make(arms=(Arm("a1", "balanced-v1@1", 1), Arm("a2", "balanced-v1@1", 1))))


def test_arm_bounds_are_cumulative_weights_over_10000_buckets() -> None:
    assert arm_upper_bounds((1.0, 1.0)) == (5000, 10_000)
    assert arm_upper_bounds((1.0, 1.0, 1.0)) == (3333, 6667, 10_000)
    assert arm_upper_bounds((45.0, 55.0)) == (4500, 10_000)
    assert arm_upper_bounds((0.2, 0.3, 0.5)) == (2000, 5000, 10_000)


def test_new_phase_bumps_phase_and_derives_a_new_salt_deterministically() -> None:
    e = make()
    arms = (ARMS[0], dataclasses.replace(ARMS[1], weight=3.0))
    p2 = new_phase(e, arms)
    assert (p2.phase, p2.salt, p2.arms) == (2, "9f2c41d07a/phase2", arms)
    assert new_phase(e, arms) == p2
    p3 = new_phase(p2, ARMS)
    assert (p3.phase, p3.salt) == (3, "9f2c41d07a/phase3")
    assert phase_salt("9f2c41d07a/phase3", 4) == "9f2c41d07a/phase4"


def test_new_phase_with_explicit_salt_and_refusals() -> None:
    assert new_phase(make(), ARMS, salt="fresh-token").salt == "fresh-token"
    with pytest.raises(InvalidInput) as exc:
        new_phase(make(), ARMS, salt="9f2c41d07a")
    assert fields(exc) == ["salt"]
    with pytest.raises(Conflict):
        new_phase(make(status=ExperimentStatus.STOPPED), ARMS)
    with pytest.raises(InvalidInput) as exc:
        new_phase(make(control="treatment"), (ARMS[0], Arm("other", "x@1", 1)))
    assert fields(exc) == ["control"]


def test_needs_new_phase_only_when_the_allocation_changes() -> None:
    e = make()
    assert not needs_new_phase(e, ARMS)
    assert not needs_new_phase(e, tuple(dataclasses.replace(a, weight=2.0) for a in ARMS))
    assert needs_new_phase(e, (ARMS[0], dataclasses.replace(ARMS[1], weight=1.5)))
    assert needs_new_phase(e, (ARMS[0], dataclasses.replace(ARMS[1], strategy="specialty-first@2")))
    assert needs_new_phase(e, (*ARMS, Arm("third", "random-eligible@1", 1.0)))
