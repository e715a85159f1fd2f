"""Deterministic hashing, coverage, weights, layers and phases."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from matcher.errors import InvalidInput
from matcher.experiments import (
    Arm,
    Assignment,
    Experiment,
    ExperimentStatus,
    assign,
    assign_in_layer,
    bucket,
    new_phase,
    validate_layer,
)

ARMS = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "specialty-first@1", 1.0))
RUNNING = ExperimentStatus.RUNNING
IDS_20K = [f"client-{i}" for i in range(20_000)]

# Computed once with the SHA-256 scheme; a change of hash, encoding or key layout fails here.
KNOWN_BUCKETS = [
    (("s1", "client-1", "arm"), 3554),
    (("s1", "client-1", "coverage"), 711),
    (("ranking", "client-1", "layer"), 7472),
    (("exp-salt-7f3a", "c-42", "arm"), 6599),
    (("", "", "arm"), 2827),
    (("sälz", "ünït", "coverage"), 3398),
]


def make(**changes: object) -> Experiment:
    base = Experiment(key="exp", salt="salt-1", arms=ARMS, coverage=1.0, status=RUNNING)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def within_999(count: int, n: int, p: float) -> bool:
    lo, hi = stats.binom.interval(0.999, n, p)
    return bool(lo <= count <= hi)


@pytest.mark.parametrize(("args", "expected"), KNOWN_BUCKETS)
def test_known_buckets(args: tuple[str, str, str], expected: int) -> None:
    salt, unit, purpose = args
    assert bucket(salt, unit, purpose=purpose) == expected


def test_buckets_and_assignments_are_the_same_in_a_fresh_process_with_another_hash_seed() -> None:
    code = (
        "import json; from matcher.experiments import *; "
        "e = Experiment('exp', 'salt-1', (Arm('control', 'balanced-v1@1', 1.0), "
        "Arm('treatment', 'specialty-first@1', 1.0)), 0.5, ExperimentStatus.RUNNING); "
        "a = [assign(e, f'client-{i}') for i in range(50)]; "
        f"b = [bucket(s, u, purpose=p) for (s, u, p), _ in {KNOWN_BUCKETS!r}]; "
        "print(json.dumps([b, [None if x is None else [x.arm, x.bucket] for x in a]]))"
    )
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    buckets, arms = json.loads(out.stdout)
    assert buckets == [b for _, b in KNOWN_BUCKETS]
    here = [assign(make(coverage=0.5), f"client-{i}") for i in range(50)]
    assert arms == [None if x is None else [x.arm, x.bucket] for x in here]


def test_assignment_follows_the_hand_computed_buckets() -> None:
    # salt-1: client-1 has coverage bucket 8881, arm bucket 4568 (< 5000: control);
    # client-2 7859/5083 (treatment); client-3 2036/7182 (treatment).
    e = make(phase=3)
    assert assign(e, "client-1") == Assignment("exp", 3, "control", "balanced-v1@1", 4568)
    assert assign(e, "client-2") == Assignment("exp", 3, "treatment", "specialty-first@1", 5083)
    assert assign(e, "client-3") == Assignment("exp", 3, "treatment", "specialty-first@1", 7182)
    assert assign(make(coverage=0.8881), "client-1") is None
    assert assign(make(coverage=0.8882), "client-1") is not None
    assert assign(make(coverage=0.2036), "client-3") is None
    assert assign(make(coverage=0.2037), "client-3") is not None
    assert [assign(e, u) for u in IDS_20K[:100]] == [assign(e, u) for u in IDS_20K[:100]]


def test_not_running_means_no_assignment() -> None:
    for status in (ExperimentStatus.DRAFT, ExperimentStatus.PAUSED, ExperimentStatus.STOPPED):
        assert all(assign(make(status=status), u) is None for u in IDS_20K[:200])


def test_split_over_100k_ids_matches_weights_within_binomial_bounds() -> None:
    arms = (Arm("a", "s@1", 2.0), Arm("b", "s@1", 3.0), Arm("c", "s@1", 5.0))
    e = make(arms=arms)
    counts = {"a": 0, "b": 0, "c": 0}
    for i in range(100_000):
        got = assign(e, f"unit-{i}")
        assert got is not None
        counts[got.arm] += 1
    for name, share in (("a", 0.2), ("b", 0.3), ("c", 0.5)):
        assert within_999(counts[name], 100_000, share), (name, counts)


def test_raising_coverage_from_20_to_50_percent_moves_nobody() -> None:
    low = {u: assign(make(coverage=0.2), u) for u in IDS_20K}
    high = {u: assign(make(coverage=0.5), u) for u in IDS_20K}
    kept = [u for u, a in low.items() if a is not None]
    assert all(high[u] == low[u] for u in kept)
    assert within_999(len(kept), 20_000, 0.2)
    assert within_999(sum(a is not None for a in high.values()), 20_000, 0.5)


@given(
    unit=st.text(min_size=0, max_size=30),
    c1=st.floats(min_value=0.0001, max_value=1.0),
    c2=st.floats(min_value=0.0001, max_value=1.0),
)
def test_coverage_is_monotone_for_any_unit(unit: str, c1: float, c2: float) -> None:
    lo, hi = sorted((c1, c2))
    before = assign(make(coverage=lo), unit)
    if before is not None:
        assert assign(make(coverage=hi), unit) == before
    assert 0 <= bucket("s", unit, purpose="arm") < 10_000


def test_arm_draw_is_independent_of_the_coverage_draw() -> None:
    # With a shared draw, 10% coverage would reach only the first 1,000 buckets: all control.
    e = make(coverage=0.1)
    got = [a for u in (f"unit-{i}" for i in range(60_000)) if (a := assign(e, u)) is not None]
    assert within_999(len(got), 60_000, 0.1)
    treated = sum(a.arm == "treatment" for a in got)
    assert within_999(treated, len(got), 0.5)


def layered(key: str, lo: int, hi: int, status: ExperimentStatus = RUNNING) -> Experiment:
    return make(key=key, salt=f"salt-{key}", layer="ranking", layer_range=(lo, hi), status=status)


def test_layer_exclusivity_and_shares() -> None:
    exps = [
        layered("e1", 0, 3000),
        layered("e2", 3000, 6000),
        layered("e3", 6000, 10_000, ExperimentStatus.PAUSED),
    ]
    per_exp = {"e1": 0, "e2": 0, "none": 0}
    e2_treated = 0
    for u in IDS_20K:
        direct = [a for e in exps if (a := assign(e, u)) is not None]
        assert len(direct) <= 1
        via_layer = assign_in_layer(exps, u)
        assert via_layer == (direct[0] if direct else None)
        per_exp[via_layer.experiment_key if via_layer else "none"] += 1
        e2_treated += bool(via_layer and via_layer.experiment_key == "e2" and via_layer.arm == "treatment")
    assert within_999(per_exp["e1"], 20_000, 0.3)
    assert within_999(per_exp["e2"], 20_000, 0.3)
    # The layer draw (salt = layer name) is independent of the arm draw.
    assert within_999(e2_treated, per_exp["e2"], 0.5)


def test_layer_validation() -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_layer([layered("e1", 0, 5000), layered("e2", 4000, 10_000, ExperimentStatus.PAUSED)])
    assert [v.field for v in exc.value.violations] == ["experiments[1].layer_range"]
    with pytest.raises(InvalidInput) as exc:
        assign_in_layer([layered("e1", 0, 5000), make(key="e2")], "u")
    assert [v.field for v in exc.value.violations] == ["experiments[1].layer"]
    other = dataclasses.replace(layered("e2", 5000, 10_000), layer="other")
    with pytest.raises(InvalidInput) as exc:
        validate_layer([layered("e1", 0, 5000), other])
    assert [v.field for v in exc.value.violations] == ["experiments"]
    # Drafts and stopped experiments may overlap a running one: they assign nobody.
    validate_layer([layered("e1", 0, 5000), layered("e2", 0, 5000, ExperimentStatus.DRAFT)])
    validate_layer([layered("e1", 0, 5000), layered("e3", 0, 9000, ExperimentStatus.STOPPED)])
    assert assign_in_layer([], "u") is None


def test_phase_change_re_randomises_deterministically() -> None:
    e = make()
    arms = (ARMS[0], dataclasses.replace(ARMS[1], weight=1.5))  # 40/60
    p2 = new_phase(e, arms)
    assert p2 == new_phase(e, arms)
    before = [assign(e, u) for u in IDS_20K]
    after = [assign(p2, u) for u in IDS_20K]
    assert all(a is not None and a.phase == 2 for a in after)
    moved = sum(
        b is not None and a is not None and a.arm != b.arm for a, b in zip(after, before, strict=True)
    )
    # Independent re-draw: P(change) = 0.5 * 0.6 + 0.5 * 0.4 = 0.5.
    assert within_999(moved, 20_000, 0.5)
    assert within_999(sum(a is not None and a.arm == "treatment" for a in after), 20_000, 0.6)
    assert after == [assign(new_phase(e, arms), u) for u in IDS_20K]
