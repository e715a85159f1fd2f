"""Which experiment decides when several run, and the exact share of units each one gets."""

from __future__ import annotations

import dataclasses

from scipy import stats

from matcher.experiments import (
    Arm,
    Experiment,
    ExperimentStatus,
    assign_first,
    precedence,
    traffic_shares,
)

ARMS = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "specialty-first@1", 1.0))
RUNNING = ExperimentStatus.RUNNING


def make(key: str, coverage: float = 1.0, layer: str = "", lo: int = 0, hi: int = 10_000) -> Experiment:
    return Experiment(key, f"salt-{key}", ARMS, coverage, RUNNING, layer=layer, layer_range=(lo, hi))


MIX = [
    make("z-unlayered", 1.0),
    make("a-unlayered", 0.3),
    make("l1", 0.5, "beta", 0, 3000),
    make("l2", 1.0, "beta", 3000, 6000),
    make("m1", 0.25, "alpha", 5000, 10_000),
    dataclasses.replace(make("paused", 1.0), status=ExperimentStatus.PAUSED),
]


def test_layers_by_name_come_first_then_experiments_without_a_layer_by_key() -> None:
    groups = [[e.key for e in group] for group in precedence(MIX)]
    assert groups == [["m1"], ["l1", "l2"], ["a-unlayered"], ["z-unlayered"]]


def test_the_computed_shares_are_the_shares_assignment_gives() -> None:
    shares = traffic_shares(MIX)
    assert set(shares) == {"m1", "l1", "l2", "a-unlayered", "z-unlayered"}  # running only
    assert shares["m1"].nominal == 0.125 and shares["m1"].effective == 0.125 and shares["m1"].ahead == ()
    left_by_alpha = 1 - 0.125
    assert shares["l1"].effective == left_by_alpha * 0.15
    assert shares["a-unlayered"].ahead == ("m1", "l1", "l2")
    n = 40_000
    seen: dict[str | None, int] = {}
    for i in range(n):
        hit = assign_first(MIX, f"unit-{i}")
        key = hit.experiment_key if hit else None
        seen[key] = seen.get(key, 0) + 1
    for key, share in shares.items():
        lo, hi = stats.binom.interval(0.999, n, share.effective)
        assert lo <= seen.get(key, 0) <= hi, (key, seen.get(key, 0), share)
    nobody = 1.0 - sum(share.effective for share in shares.values())
    lo, hi = stats.binom.interval(0.999, n, nobody)
    assert lo <= seen.get(None, 0) <= hi


def test_an_experiment_behind_one_that_takes_every_unit_gets_none() -> None:
    experiments = [make("first", 1.0), make("second", 1.0)]
    shares = traffic_shares(experiments)
    assert shares["second"].nominal == 1.0 and shares["second"].effective == 0.0
    assert shares["second"].ahead == ("first",)
    assert all(assign_first(experiments, f"u{i}").experiment_key == "first" for i in range(200))  # type: ignore[union-attr]


def test_a_layer_that_covers_every_bucket_starves_what_comes_after_it() -> None:
    experiments = [make("after", 1.0), make("x", 1.0, "lay", 0, 5000), make("y", 1.0, "lay", 5000, 10_000)]
    assert traffic_shares(experiments)["after"].effective == 0.0


def test_a_layer_split_in_uneven_ranges_still_starves_exactly() -> None:
    # 0.06 + 0.57 + 0.37 leaves 1.1e-16 in floating point; in buckets it leaves nothing
    layer = [
        make("x", 1.0, "lay", 0, 600),
        make("y", 1.0, "lay", 600, 6300),
        make("z", 1.0, "lay", 6300, 10_000),
    ]
    assert traffic_shares([*layer, make("after", 1.0)])["after"].effective == 0.0


def test_coverage_is_counted_in_whole_buckets_as_assignment_does() -> None:
    assert traffic_shares([make("tiny", 0.00005)])["tiny"].nominal == 1 / 10_000
    assert traffic_shares([make("seven", 0.07)])["seven"].nominal == 0.07
