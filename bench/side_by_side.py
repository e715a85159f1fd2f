"""The fast path side by side with (a) the straightforward loop and (b) one PostgreSQL query.

All three rank the same catalog (the app's migrated tables hold it for (a), the benchmark table of
:mod:`bench.sql_ranking` for (b), a snapshot built from the same profiles for the fast path) for the
same intakes, and every measured intake's results are checked equal before anything is reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import psycopg
import sqlalchemy as sa

from bench.agreement import check_same
from bench.config import BenchConfig
from bench.inprocess import fast_top
from bench.postgres import libpq
from bench.sql_ranking import SqlQuery, build_query, fill_table, rank_sql
from bench.straightforward import load_profiles, rank_straightforward
from bench.timing import Latency, latency_of, sample
from matcher.engine import kernel
from matcher.engine.query import compile_query
from matcher.engine.ranking import (
    rank,
    without_tier,  # the second pass rank() makes
)
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import CounselorProfile, Intake
from matcher.strategy import DEFAULT_STRATEGY
from service.storage.counselors import CounselorRepository
from service.storage.database import make_engine
from service.storage.tables import counselor_table
from service.usecases.catalog import Catalog, load_snapshot

__all__ = ["ComparisonResult", "compare", "load_catalog", "postgres_settings"]


@dataclass(frozen=True)
class ComparisonResult:
    """Latencies of the three implementations at one size (typical intakes, then the worst case)."""

    size: int
    fast: tuple[Latency, Latency]
    fast_scores: tuple[Latency, Latency]  # the fast path's filters, scores and top k alone (no reasons)
    sql: tuple[Latency, Latency]
    score_only: tuple[Latency, Latency]
    load_and_score: Latency
    load_s: float
    rebuild_times_s: list[float]  # full rebuilds from the store, as the server does them
    sibling_patch: Latency  # Catalog.refresh catching up with one counselor written by another process
    sibling_patched: bool  # every such refresh patched the snapshot (no full reload)
    checked: int
    identical: int

    @property
    def rebuild_s(self) -> float:
        """Median full rebuild."""
        return statistics.median(self.rebuild_times_s)


def load_catalog(url: sa.URL, profiles: Sequence[CounselorProfile]) -> None:
    """Replace the app's counselor rows with ``profiles`` (through the repository), ANALYZE, CHECKPOINT."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.delete(counselor_table))
        CounselorRepository(engine).create_many(profiles)
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM ANALYZE counselor")
            autocommit.exec_driver_sql("CHECKPOINT")  # no background writes left to slow a measurement
    finally:
        engine.dispose()


def _in_process(
    config: BenchConfig, run: Callable[[Intake], object], intakes: Sequence[Intake]
) -> tuple[Latency, Latency]:
    """``run`` timed on the typical ``intakes[:-1]``, then on the worst case ``intakes[-1]``."""
    typical = sample(
        run, intakes[:-1], iterations=config.rank_iterations, warmup=20, time_limit_s=config.rank_seconds
    )
    worst = sample(
        run, intakes[-1:], iterations=config.rank_iterations, warmup=5, time_limit_s=config.rank_seconds
    )
    return typical, worst


def _sibling_catch_up(
    config: BenchConfig, repository: CounselorRepository, profiles: Sequence[CounselorProfile]
) -> tuple[Latency, bool]:
    """Time ``Catalog.refresh`` after another process wrote one counselor, as a sibling server does.

    Each counselor written is changed, caught up with, then written back and caught up with
    again (both timed), so that the store ends as it began. Returns the latencies and whether
    every refresh patched the snapshot in place (the id tuple kept: no full reload).
    """
    catalog = Catalog(repository)  # a server process's catalog, loaded whole at start
    times: list[int] = []
    patched = True
    for i in range(config.update_repeats):
        original = profiles[(i * 7919) % len(profiles)]
        changed = replace(original, caseload_current=0, display_name=original.display_name + " (moved)")
        for written in (changed, original):
            before = catalog.snapshot
            repository.replace(written)  # what a sibling process's UpdateCounselor does to the store
            start = time.perf_counter_ns()
            caught_up = catalog.refresh()
            times.append(time.perf_counter_ns() - start)
            if not caught_up or catalog.snapshot.profile(written.id) != written:
                raise AssertionError(f"refresh did not serve the new {written.id}")
            patched = patched and catalog.snapshot.ids is before.ids
    return latency_of(times), patched


def postgres_settings(conn: psycopg.Connection[Any]) -> str:
    """The planner settings that matter for the query, as ``name=value`` pairs."""
    names = ("jit", "max_parallel_workers_per_gather", "work_mem", "shared_buffers")
    values = [f"{n}={conn.execute(f'SHOW {n}').fetchone()[0]}" for n in names]  # type: ignore[index]
    return ", ".join(values)


def _check_all(
    label: str,
    reference: dict[str, list[tuple[str, float]]],
    others: dict[str, list[tuple[str, float]]],
    size: int,
) -> int:
    identical = 0
    for client_id, expected in reference.items():
        identical += check_same(
            expected,
            others[client_id],
            context=f"{size} counselors, intake {client_id}",
            names=("fast path", label),
        )
    return identical


def compare(
    config: BenchConfig,
    url: sa.URL,
    snapshot: CatalogSnapshot,
    profiles: Sequence[CounselorProfile],
    typical: Sequence[Intake],
    worst: Intake,
) -> ComparisonResult:
    """Load ``profiles`` into the benchmark database and measure the three implementations."""
    size = len(profiles)
    k = config.k
    intakes = [*typical[: config.intakes_compared(size)], worst]
    load_catalog(url, profiles)
    fast = {i.client_id: fast_top(snapshot, i, k) for i in intakes}
    checked = identical = 0

    # (b) PostgreSQL
    with psycopg.connect(libpq(url)) as conn:
        fill_table(conn, profiles)
        conn.autocommit = True
        # Write the bulk loads out now, so that the server's background writes slow no measurement.
        conn.execute("CHECKPOINT")

        # The fast path, timed on the same intakes first.
        def run_fast(intake: Intake) -> object:
            return rank(snapshot, intake, DEFAULT_STRATEGY, k)

        # What the SQL query returns (ids and scores of the top k, with the counts): the kernels alone,
        # with the second pass rank() makes when fewer than k pass a tier (they fill the list).
        def run_scores(intake: Intake) -> object:
            q = compile_query(intake, DEFAULT_STRATEGY).kernel
            top = kernel.top_k(snapshot.columns, snapshot.index, q, k)
            if top.tier_only and top.eligible < k:
                return top, kernel.top_k(snapshot.columns, snapshot.index, without_tier(q), k)
            return top

        fast_typ, fast_worst = _in_process(config, run_fast, intakes)
        scores_typ, scores_worst = _in_process(config, run_scores, intakes)

        queries = {i.client_id: build_query(i, DEFAULT_STRATEGY, k) for i in intakes}
        sql_results = {cid: rank_sql(conn, q) for cid, q in queries.items()}
        identical += _check_all("PostgreSQL", fast, sql_results, size)
        checked += len(intakes)

        def run_sql(query: SqlQuery) -> object:
            return rank_sql(conn, query)

        sql_typ = sample(
            run_sql,
            [queries[i.client_id] for i in intakes[:-1]],
            iterations=config.sql_iterations,
            warmup=min(10, config.sql_iterations),
            time_limit_s=config.sql_seconds,
        )
        sql_worst = sample(
            run_sql,
            [queries[worst.client_id]],
            iterations=max(1, config.sql_iterations // 4),
            warmup=3,
            time_limit_s=config.sql_seconds / 2,
        )

    # (a) straightforward: SQLModel load + Python loop
    engine = make_engine(url)
    try:
        e2e: list[int] = []
        loads: list[float] = []
        loaded: list[CounselorProfile] = []
        for run in range(config.load_runs(size)):
            intake = intakes[run % (len(intakes) - 1)]
            start = time.perf_counter_ns()
            loaded = load_profiles(engine)
            middle = time.perf_counter_ns()
            result = rank_straightforward(loaded, intake, DEFAULT_STRATEGY, k)
            e2e.append(time.perf_counter_ns() - start)
            loads.append((middle - start) / 1e9)
            identical += check_same(
                fast[intake.client_id], result, context=f"{size} counselors", names=("fast path", "(a)")
            )
            checked += 1
        if loaded != sorted(profiles, key=lambda p: p.id):
            raise AssertionError("the profiles loaded with SQLModel differ from the generated ones")
        score_ns: dict[str, int] = {}
        straight = {}
        for intake in intakes:
            start = time.perf_counter_ns()
            straight[intake.client_id] = rank_straightforward(loaded, intake, DEFAULT_STRATEGY, k)
            score_ns[intake.client_id] = time.perf_counter_ns() - start
        identical += _check_all("straightforward", fast, straight, size)
        checked += len(intakes)
        repository = CounselorRepository(engine)
        rebuild_times = []
        for _ in range(config.rebuild_repeats):
            began = time.perf_counter()
            rebuilt = load_snapshot(repository)  # what a server does at start and on outside changes
            rebuild_times.append(time.perf_counter() - began)
            if rebuilt.ids != snapshot.ids:
                raise AssertionError("the rebuilt snapshot holds other counselors")
            del rebuilt
        sibling_patch, sibling_patched = _sibling_catch_up(config, repository, profiles)
    finally:
        engine.dispose()

    return ComparisonResult(
        size=size,
        fast=(fast_typ, fast_worst),
        fast_scores=(scores_typ, scores_worst),
        sql=(sql_typ, sql_worst),
        score_only=(
            latency_of([score_ns[i.client_id] for i in intakes[:-1]]),
            latency_of([score_ns[worst.client_id]]),
        ),
        load_and_score=latency_of(e2e),
        load_s=statistics.median(loads),
        rebuild_times_s=rebuild_times,
        sibling_patch=sibling_patch,
        sibling_patched=sibling_patched,
        checked=checked,
        identical=identical,
    )
