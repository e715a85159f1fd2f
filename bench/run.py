"""Run the benchmarks and write the report: ``python -m bench.run --out docs/benchmarks.md [--quick]``."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

from bench.config import FULL, QUICK, BenchConfig
from bench.grpc_bench import GrpcResult, run_grpc
from bench.grpc_section import grpc_section
from bench.inprocess import SizeResult, measure_size
from bench.machine import load_average, machine_details
from bench.postgres import benchmark_database, libpq, server_url, server_version
from bench.report import Report
from bench.sections import comparison_section, inprocess_section, snapshot_section
from bench.side_by_side import ComparisonResult, compare, load_catalog, postgres_settings
from bench.targets import judge
from matcher.engine.snapshot import CatalogSnapshot
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake

__all__ = ["main", "run"]

_T0 = time.perf_counter()


def _say(message: str) -> None:
    print(f"[bench {time.perf_counter() - _T0:7.1f} s] {message}", file=sys.stderr, flush=True)


def run(config: BenchConfig, *, quick: bool) -> Report:
    """Measure everything ``config`` asks for and return the report (targets judged)."""
    started, load_at_start = time.perf_counter(), load_average()
    typical = synthetic_intakes(config.typical_intakes, config.intake_seed)
    worst = worst_case_intake(config.intake_seed)
    sizes: list[SizeResult] = []
    comparisons: list[ComparisonResult] = []
    grpc: GrpcResult | None = None
    admin = server_url()
    pg_version = server_version(admin)
    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        pg_settings = postgres_settings(conn)
    with benchmark_database() as url:
        for size in sorted({*config.sizes, *config.compare_sizes, config.grpc_size}):
            _say(f"{size:,} counselors")
            if size in config.sizes:
                result, snapshot, profiles = measure_size(config, size, typical, worst)
                sizes.append(result)
                _say(
                    f"in process: typical p50 {result.typical.p50_us:.0f} µs p99 "
                    f"{result.typical.p99_us:.0f} µs, build {result.build_s:.2f} s"
                )
            else:
                profiles = synthetic_counselors(size, config.catalog_seed)
                snapshot = CatalogSnapshot.build(profiles, version=1)
            if size in config.compare_sizes:
                comparisons.append(compare(config, url, snapshot, profiles, typical, worst))
                c = comparisons[-1]
                _say(
                    f"side by side: PostgreSQL p50 {c.sql[0].p50_us:.0f} µs, (a) load+score p50 "
                    f"{c.load_and_score.p50_ms:.0f} ms"
                )
            if size == config.grpc_size:
                if size not in config.compare_sizes:
                    load_catalog(url, profiles)
                grpc = run_grpc(config, url, snapshot, profiles, typical, worst)
                best = max(r.per_second for r in grpc.loads)
                _say(f"gRPC: one client p50 {grpc.single.latency.p50_us:.0f} µs, best {best:.0f}/s")
            del snapshot, profiles
            gc.collect()
    sections = [inprocess_section(config, sizes), snapshot_section(sizes)]
    if comparisons:
        sections.append(comparison_section(config, comparisons, pg_settings))
    if grpc is not None:
        sections.append(grpc_section(config, grpc))
    preamble = [
        "Written by `make bench` (`python -m bench.run --out docs/benchmarks.md`); do not edit by hand. "
        "The machine is shared: the load averages below say how busy it was. "
        "Latencies are wall-clock (`time.perf_counter_ns`), percentiles by `numpy.percentile` over every "
        "timed call.",
    ]
    if quick:
        preamble.append(
            "**`--quick` run: tiny sizes, a smoke test of the benchmark code. The figures mean nothing.**"
        )
    return Report(
        "Attune benchmarks",
        preamble,
        machine_details(pg_version, load_at_start=load_at_start, seconds=time.perf_counter() - started),
        sections,
        judge(sizes, comparisons, grpc),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--out", type=Path, help="write the Markdown report here (default: print it)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test of the benchmark code")
    args = parser.parse_args(argv)
    report = run(QUICK if args.quick else FULL, quick=args.quick)
    text = report.markdown()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        _say(f"wrote {args.out}")
    for target in report.targets:
        _say(f"{target.verdict.strip('*'):>16}: {target.name} ({target.goal}): {target.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
