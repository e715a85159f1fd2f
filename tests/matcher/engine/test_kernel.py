"""The compiled kernel at sizes where chunks, blocks, pruning and threads matter.

The property tests compare the arithmetic with the reference on small catalogs;
here catalogs span many blocks of :data:`matcher.engine.kernel.BLOCK` rows and are split
into chunks, and are full of exact ties, so the selection (the top-k buffers, the
concern floor that prunes candidates, the merge of the chunks) is checked against a
full sort of every eligible counselor's total.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Callable
from unittest.mock import patch

import numpy as np
import pytest

from matcher.attributes import FILTERS
from matcher.engine import kernel
from matcher.engine.query import compile_query
from matcher.engine.ranking import Ranking, rank, without_tier
from matcher.engine.reference import rank_reference
from matcher.engine.scan import COUNT_SLOTS_BELOW, COUNT_SLOTS_FROM, WORDS
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import Availability, CounselorProfile, Intake, WeeklyWindow
from matcher.strategy import BUILTIN_STRATEGIES, DEFAULT_STRATEGY, Algorithm, Strategy
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from tests.matcher.conftest import random_intake, random_profile

RANDOM_ELIGIBLE = next(s for s in BUILTIN_STRATEGIES if s.algorithm == Algorithm.RANDOM_ELIGIBLE)
DISTINCT = 40
SIZE = 24_037  # 6 blocks of the index scan (the last one partial); the last word of the index not full


def _tied_catalog(size: int, seed: int) -> list[CounselorProfile]:
    """``size`` profiles that are copies of ``DISTINCT`` random ones: every score is tied many times."""
    r = random.Random(seed)
    base = [random_profile(r, f"base{i}") for i in range(DISTINCT)]
    return [dataclasses.replace(base[i % DISTINCT], id=f"c{i:06d}") for i in range(size)]


@pytest.fixture(scope="module")
def tied() -> CatalogSnapshot:
    return CatalogSnapshot.build(_tied_catalog(SIZE, seed=4), 1)


def _intakes(count: int, seed: int) -> list[Intake]:
    r = random.Random(seed)
    return [random_intake(r) for _ in range(count)]


def _full_sort(snapshot: CatalogSnapshot, q: kernel.KernelQuery, k: int) -> tuple[list[int], list[float]]:
    """The top ``k`` by sorting every eligible counselor's total (score desc, row asc)."""
    rows, _ = kernel.eligible_rows(snapshot.columns, snapshot.index, q)
    _, totals = kernel.score_rows(snapshot.columns, q, rows)
    order = np.lexsort((rows, -totals))[:k]
    return rows[order].tolist(), totals[order].tolist()


@pytest.fixture(scope="module")
def varied() -> CatalogSnapshot:
    """A synthetic catalog: many distinct scores close to the k-th, where pruning must be exact."""
    return CatalogSnapshot.build(synthetic_counselors(SIZE, seed=2), 1)


@pytest.mark.parametrize("k", [1, 10, 100, 1_000])
@pytest.mark.parametrize("catalog", ["tied", "varied"])
def test_every_way_of_splitting_the_rows_equals_a_full_sort(
    catalog: str, k: int, request: pytest.FixtureRequest
) -> None:
    snapshot: CatalogSnapshot = request.getfixturevalue(catalog)
    cols = snapshot.columns
    intakes = _intakes(10, seed=k) + synthetic_intakes(10, seed=k) + [worst_case_intake(k)]
    for intake in intakes:
        q = compile_query(intake, DEFAULT_STRATEGY, snapshot.week).counting_relaxations()
        expected_rows, expected_totals = _full_sort(snapshot, q, k)
        eligible, excluded = kernel.eligible_rows(cols, snapshot.index, q)
        index = snapshot.index
        relaxations = kernel.relaxation_counts(cols, index, q).tolist()
        runs = [kernel._top_k_serial(cols, index, q, k)] + [
            kernel._top_k_parallel(cols, index, q, k, chunks) for chunks in (1, 2, 3, 8, 29, 400)
        ]
        tier_only = 0
        if q.tier_filter >= 0:  # those who fail the tier (concerns) only
            tier_only = kernel.eligible_rows(cols, index, without_tier(q))[0].shape[0] - eligible.shape[0]
        for rows, totals, factors, counts, eligible_count, tier_count, only in runs:
            assert only.tolist() == relaxations  # whom each relaxation adds: however the rows are split
            assert rows.tolist() == expected_rows
            assert totals.tolist() == expected_totals  # the same floats, bit for bit
            assert factors.shape == (len(expected_rows), q.factor_kinds.shape[0])
            assert counts.tolist() == excluded.tolist()
            assert eligible_count == eligible.shape[0]
            assert tier_count == tier_only


@pytest.mark.parametrize(
    "strategy",
    [s for s in BUILTIN_STRATEGIES if s.algorithm != Algorithm.RANDOM_ELIGIBLE],
    ids=lambda s: s.name,
)
def test_pruning_on_counted_slots_equals_a_full_sort_for_every_strategy(
    varied: CatalogSnapshot, strategy: Strategy
) -> None:
    """Intakes with COUNT_SLOTS_FROM to COUNT_SLOTS_BELOW weekly slots: blocks prune on bit-sliced counts."""
    assert len(varied) > 4 * 64 * WORDS  # blocks prune from the second one on: several do here
    intakes = [i for i in synthetic_intakes(60, seed=11) if i.availability is not None]
    counted = 0
    for intake in intakes:
        q = compile_query(intake, strategy, varied.week).kernel
        counted += COUNT_SLOTS_FROM <= q.slot_count < COUNT_SLOTS_BELOW and q.weights[q.slot_factor] > 0
        for k in (1, 10):
            expected_rows, expected_totals = _full_sort(varied, q, k)
            rows, totals, *_ = kernel._top_k_serial(varied.columns, varied.index, q, k)
            assert rows.tolist() == expected_rows
            assert totals.tolist() == expected_totals
    assert counted >= 20 or strategy.weights.get("availability", 0.0) == 0.0


def test_the_tied_catalog_ranks_like_the_reference(tied: CatalogSnapshot) -> None:
    profiles = list(tied.profiles)
    for intake in _intakes(2, seed=99):
        expected = rank_reference(profiles, intake, DEFAULT_STRATEGY, 25, week=tied.week)
        ranking = rank(tied, intake, DEFAULT_STRATEGY, 25)
        assert [(r.counselor_id, r.score) for r in ranking.results] == expected


def test_exclusions_count_every_failure_at_scale(tied: CatalogSnapshot) -> None:
    # The client is free in the first slot of the week only: whoever is not fails availability.
    intake = dataclasses.replace(
        _intakes(1, seed=5)[0], availability=Availability("UTC", (WeeklyWindow(0, 0, 30),))
    )
    q = compile_query(intake, DEFAULT_STRATEGY, tied.week).kernel
    result = kernel.top_k(tied.columns, tied.index, q, 10)
    slots = tied.slot_words[0] & np.uint64(1)
    assert result.excluded[list(FILTERS).index("availability")] == int((slots == 0).sum())
    active = tied.flag("active")
    assert result.excluded[list(FILTERS).index("active")] == int((~active).sum())


def test_compiled_once_whatever_the_intake(tied: CatalogSnapshot) -> None:
    """Every query has the same numba types, so no intake triggers a new compilation."""
    for intake in _intakes(40, seed=7):
        rank(tied, intake, DEFAULT_STRATEGY, 5)
        rank(tied, intake, DEFAULT_STRATEGY, 5, seed=3)
    kernels: list[Callable[..., object]] = [
        kernel._top_k_serial,
        kernel._top_k_parallel,
        kernel._eligible_rows,
    ]
    for compiled in kernels:
        assert len(compiled.signatures) == 1, compiled  # type: ignore[attr-defined]


def test_warm_up_and_the_threading_layer() -> None:
    kernel.warm_up()
    assert kernel.threading_layer() in ("omp", "tbb", "workqueue")
    empty = CatalogSnapshot.build([], 1)
    ranking = rank(empty, _intakes(1, seed=1)[0])
    assert ranking.results == () and ranking.eligible_count == 0 and ranking.catalog_size == 0


@pytest.mark.parametrize("parallel_above", [kernel.PARALLEL_ABOVE, 0])
def test_concurrent_calls_from_four_threads(tied: CatalogSnapshot, parallel_above: int) -> None:
    """With ``parallel_above`` 0, a call that finds no other in flight runs on numba's threads."""
    intakes = _intakes(24, seed=11)
    expected = [rank(tied, intake, DEFAULT_STRATEGY, 10) for intake in intakes]
    start = threading.Barrier(4)
    results: dict[int, list[Ranking]] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait()
            results[worker] = [
                rank(tied, intake, DEFAULT_STRATEGY, 10) for _ in range(3) for intake in intakes
            ]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    with patch.object(kernel, "PARALLEL_ABOVE", parallel_above):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert not errors and len(results) == 4
    for rankings in results.values():
        assert rankings == expected * 3
