"""The whole benchmark at tiny sizes (``--quick``), against the PostgreSQL test server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from bench.agreement import check_same
from bench.inprocess import fast_top
from bench.postgres import benchmark_database, libpq
from bench.run import main
from bench.sql_ranking import build_query, fill_table, rank_sql
from bench.straightforward import rank_straightforward
from matcher.engine.snapshot import CatalogSnapshot
from matcher.strategy import DEFAULT_STRATEGY
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake

pytestmark = pytest.mark.postgres


def test_sql_ranking_matches_the_fast_path_with_exact_ties() -> None:
    profiles = synthetic_counselors(200, seed=11)
    intakes = [*synthetic_intakes(15, seed=12), worst_case_intake(1)]
    # Twins of the first intake's best counselor: exact ties that only the id can order.
    best_id = rank_straightforward(profiles, intakes[0], DEFAULT_STRATEGY, 1)[0][0]
    best = next(p for p in profiles if p.id == best_id)
    profiles += [replace(best, id="a-twin"), replace(best, id="zz-twin")]
    snapshot = CatalogSnapshot.build(profiles, version=1)
    with benchmark_database() as url, psycopg.connect(libpq(url)) as conn:
        fill_table(conn, profiles)
        for intake in intakes:
            sql = rank_sql(conn, build_query(intake, DEFAULT_STRATEGY, 5))
            assert check_same(fast_top(snapshot, intake, 5), sql, context=intake.client_id) is True
        first = [cid for cid, _ in rank_sql(conn, build_query(intakes[0], DEFAULT_STRATEGY, 3))]
    assert first == ["a-twin", best_id, "zz-twin"]


def test_quick_run_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    assert main(["--quick", "--out", str(out)]) == 0
    text = out.read_text()
    for heading in (
        "## Machine",
        "## Targets",
        "## In-process ranking latency",
        "## Snapshot: build time, memory, single-counselor updates",
        "## Side by side: fast path, (a) straightforward, (b) PostgreSQL",
        "## End to end over gRPC at 300 counselors",
    ):
        assert heading in text
    assert "`--quick` run" in text
    assert "| 300 | " in text and "| 1,000 | " in text
    # 5 typical intakes + the worst case, against both baselines, plus one load + score run.
    assert "| rankings checked equal | 13 (13 identical to the last bit) |" in text
    assert "6 intakes, 6 identical" in text
    assert "patched in place (no rebuild)" in text
    assert "| 1 × 2 | " in text
