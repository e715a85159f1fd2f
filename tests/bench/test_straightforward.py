"""bench.straightforward ranks exactly like the reference scorer and the fast path."""

from __future__ import annotations

from dataclasses import replace

from bench.agreement import check_same
from bench.inprocess import checked_rankings, fast_top
from bench.straightforward import rank_straightforward
from matcher.engine.reference import rank_reference
from matcher.engine.snapshot import CatalogSnapshot
from matcher.strategy import DEFAULT_STRATEGY
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake


def test_same_as_the_reference_and_the_fast_path() -> None:
    profiles = synthetic_counselors(400, seed=3)
    snapshot = CatalogSnapshot.build(profiles, version=1)
    intakes = [*synthetic_intakes(30, seed=4), worst_case_intake(0)]
    for intake in intakes:
        ours = rank_straightforward(profiles, intake, DEFAULT_STRATEGY, 10)
        assert ours == rank_reference(profiles, intake, DEFAULT_STRATEGY, 10)
        assert check_same(fast_top(snapshot, intake, 10), ours, context=intake.client_id)
    assert checked_rankings(snapshot, profiles, intakes, 10) == (len(intakes), len(intakes))


def test_exact_ties_go_to_the_smaller_id() -> None:
    profiles = synthetic_counselors(50, seed=5)
    # the first intake someone is eligible for (licensure, age group, ... exclude many of 50)
    intake = next(
        i for i in synthetic_intakes(50, seed=6) if rank_straightforward(profiles, i, DEFAULT_STRATEGY, 1)
    )
    best_id, _ = rank_straightforward(profiles, intake, DEFAULT_STRATEGY, 1)[0]
    best = next(p for p in profiles if p.id == best_id)
    twins = [replace(best, id="a-twin"), replace(best, id="zz-twin")]
    ranked = rank_straightforward([*profiles, *twins], intake, DEFAULT_STRATEGY, 3)
    assert [cid for cid, _ in ranked] == ["a-twin", best_id, "zz-twin"]
    assert ranked[0][1] == ranked[1][1] == ranked[2][1]
