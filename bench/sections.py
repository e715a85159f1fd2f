"""The report's sections, rendered from the measurements."""

from __future__ import annotations

from collections.abc import Sequence

from bench.config import BenchConfig
from bench.exposure_cost import BATCH, BATCH_REPEATS
from bench.grpc_bench import GrpcResult
from bench.inprocess import SizeResult
from bench.report import Section, Table, fmt_ratio, fmt_us
from bench.side_by_side import ComparisonResult
from bench.timing import Latency

__all__ = ["comparison_section", "grpc_section", "inprocess_section", "snapshot_section"]


def _n(size: int) -> str:
    return f"{size:,}"


def inprocess_section(config: BenchConfig, sizes: Sequence[SizeResult]) -> Section:
    table = Table(
        [
            "counselors",
            "typical p50",
            "typical p99",
            "worst-case p50",
            "worst-case p99",
            "timed calls",
            "checked",
        ]
    )
    for s in sizes:
        table.add(
            _n(s.size),
            fmt_us(s.typical.p50_us),
            fmt_us(s.typical.p99_us),
            fmt_us(s.worst.p50_us),
            fmt_us(s.worst.p99_us),
            f"{s.typical.count:,} + {s.worst.count:,}",
            f"{s.checked} intakes, {s.identical} identical",
        )
    return Section(
        "In-process ranking latency",
        [
            f"`ranking.rank(snapshot, intake, balanced-v1, k={config.k})` on a synthetic catalog "
            f"(`synthetic_counselors(n, seed={config.catalog_seed})`), including the reasons of the "
            f"{config.k} results. *Typical*: {config.typical_intakes} intakes from "
            f"`synthetic_intakes(seed={config.intake_seed})` in turn; *worst case*: `worst_case_intake()` "
            "(10 concerns, 4 languages, every format, 5 approaches, 16 weekly windows). "
            f"{config.rank_warmup} untimed calls first, then at most {config.rank_iterations:,} timed "
            f"calls or {config.rank_seconds:g} s per column.",
        ],
        [table],
        [
            "*checked*: the fast path's top k compared with the straightforward loop "
            "(`bench.straightforward`) on that many intakes (ids in order, scores within 1e-9); "
            "*identical* counts exact equality. At 1M only one typical intake and the worst case are "
            "checked (the loop takes seconds per intake there)."
        ],
    )


def snapshot_section(sizes: Sequence[SizeResult]) -> Section:
    table = Table(
        ["counselors", "build", "snapshot bytes / counselor", "RSS growth of build / counselor",
         "profiles RSS / counselor", "update one counselor (with_upsert)"]
    )  # fmt: skip
    for s in sizes:
        table.add(
            _n(s.size),
            f"{s.build_s * 1000:.0f} ms",
            f"{s.snapshot_bytes_per_counselor:.1f} B",
            f"{s.snapshot_rss_per_counselor:.0f} B",
            f"{s.profiles_rss_per_counselor:.0f} B",
            fmt_us(s.upsert_s * 1e6),
        )
    return Section(
        "Snapshot: build time, memory, single-counselor updates",
        [
            "*build*: `CatalogSnapshot.build(profiles)` from profiles already in memory (median of 3; "
            "once at 1M). *snapshot bytes*: `CatalogSnapshot.nbytes` / n, what ranking reads: the "
            "numeric columns (75 B) and their bit index (67 B). *RSS growth*: the process's resident "
            "memory after the first build minus before it (adds the id and profile tuples and "
            "allocator slack). *profiles RSS*: resident memory of the generated `CounselorProfile` "
            "objects the snapshot also keeps for writing reasons (synthetic profiles share interned "
            "parts, as profiles loaded by `ProfileMapper` do). *update*: `with_upsert` replacing one "
            "existing counselor's availability and capacity (median of 10), i.e. what the service does "
            "on a write."
        ],
        [table],
    )


def _row(
    table: Table, name: str, typical: Latency, worst: Latency, fast: tuple[Latency, Latency], runs: str
) -> None:
    table.add(
        name,
        fmt_us(typical.p50_us),
        fmt_us(typical.p99_us),
        fmt_us(worst.p50_us),
        runs,
        fmt_ratio(typical.p50_us / fast[0].p50_us) + " / " + fmt_ratio(typical.p99_us / fast[0].p99_us),
        fmt_ratio(worst.p50_us / fast[1].p50_us),
    )


def comparison_section(
    config: BenchConfig, comparisons: Sequence[ComparisonResult], pg_settings: str
) -> Section:
    tables = []
    intro = [
        f"The same catalog and the same intakes, ranked three ways; every measured intake's top {config.k} "
        "is checked equal across the three (ids in the same order, scores within 1e-9) before anything is "
        "reported, and the run fails otherwise.",
        "- **fast path**: `ranking.rank` on the in-memory snapshot. *Scores and top k only*: its "
        "compiled kernel alone (`kernel.top_k`, with the intake's encoding), i.e. what the SQL query "
        "returns (the top k's ids and scores, the filter counts), without the reasons and result "
        "objects a ranking also returns; shown to say where the time goes, not used for the target.\n"
        "- **(a) straightforward**: "
        "load every row with SQLModel (`select(CounselorRow)` on the app's own migrated tables, JSONB "
        "columns), convert to profiles, score in a Python loop (`bench.straightforward`). *load + score* "
        "is one full request; *score only* skips the load.\n- **(b) PostgreSQL**: one SQL statement "
        "computing the same hard filters and weighted score with `ORDER BY score DESC, id LIMIT k` "
        "(`bench.sql_ranking`), through psycopg with server-side prepared statements. PostgreSQL gets the "
        "best representation we could give it, a benchmark-specific table generated from the attribute "
        "declarations: code sets as integer bit masks, flags as precomputed booleans, the weekly hours "
        "as one `bit(336)`, so that filters (licensure too) are bitwise ANDs and factors `bit_count`s (no "
        "JSON, no joins). No index: every filter "
        "keeps most of the catalog, so the planner's sequential scan (parallel when it wants) is the best "
        f"plan. Settings as the server has them: {pg_settings}.",
    ]
    for c in comparisons:
        table = Table(
            [
                "implementation",
                "typical p50",
                "typical p99",
                "worst-case",
                "runs",
                "× fast path (typical p50 / p99)",
                "× fast path (worst case)",
            ]
        )
        _row(table, "fast path", *c.fast, c.fast, f"{c.fast[0].count:,} + {c.fast[1].count:,}")
        _row(
            table,
            "fast path, scores and top k only",
            *c.fast_scores,
            c.fast,
            f"{c.fast_scores[0].count:,} + {c.fast_scores[1].count:,}",
        )
        _row(table, "(b) PostgreSQL query", *c.sql, c.fast, f"{c.sql[0].count:,} + {c.sql[1].count:,}")
        _row(
            table,
            "(a) score only",
            *c.score_only,
            c.fast,
            f"{c.score_only[0].count} + {c.score_only[1].count}",
        )
        table.add(
            "(a) load + score",
            fmt_us(c.load_and_score.p50_us),
            fmt_us(c.load_and_score.p99_us),
            "",
            f"{c.load_and_score.count}",
            fmt_ratio(c.load_and_score.p50_us / c.fast[0].p50_us)
            + " / "
            + fmt_ratio(c.load_and_score.p99_us / c.fast[0].p99_us),
            "",
        )
        tables.append((c, table))
    section = Section("Side by side: fast path, (a) straightforward, (b) PostgreSQL", intro)
    for c, table in tables:
        section.tables.append(f"### {_n(c.size)} counselors")
        section.tables.append(table)
        section.tables.append(
            Table(
                ["", ""],
                [
                    ["rankings checked equal", f"{c.checked} ({c.identical} identical to the last bit)"],
                    ["(a) SQLModel load alone (median)", f"{c.load_s:.2f} s"],
                    [
                        "full rebuild from the store: `service.usecases.catalog.load_snapshot` (as the "
                        "server does it), each run",
                        ", ".join(f"{t:.2f} s" for t in c.rebuild_times_s),
                    ],
                    [
                        "another server process wrote one counselor: `Catalog.refresh` catching up "
                        f"(p50 / max of {c.sibling_patch.count})",
                        f"{fmt_us(c.sibling_patch.p50_us)} / {fmt_us(c.sibling_patch.max_us)}, "
                        + ("patched in place, no reload" if c.sibling_patched else "a full reload happened"),
                    ],
                ],
            )
        )  # fmt: skip
    section.notes.append(
        "*worst-case* columns: the p50 of the worst-case intake (the p99 of a single repeated intake adds "
        "little). (a) *load + score* runs on typical intakes only: the load dominates it."
    )
    return section


def grpc_section(config: BenchConfig, g: GrpcResult) -> Section:
    single = Table(
        [
            "one client, sequential calls",
            "p50",
            "p99",
            "mean",
            "calls",
            "server CPU / call",
            "client CPU / call",
        ]
    )
    for name, seq in (
        ("`RankCounselors`", g.single),
        ("`Health.Check` (an empty call: the floor of Python gRPC here)", g.floor),
    ):
        single.add(
            name,
            fmt_us(seq.latency.p50_us),
            fmt_us(seq.latency.p99_us),
            fmt_us(seq.latency.mean_us),
            f"{seq.latency.count:,}",
            f"{seq.server_cpu_ms * 1000:.0f} µs",
            f"{seq.client_cpu_ms * 1000:.0f} µs",
        )
    loads = Table(
        [
            "server processes",
            "client processes × threads",
            "rankings / s",
            "p50",
            "p99",
            "calls",
            "errors",
            "server CPU / ranking",
            "client CPU / ranking",
            "machine busy",
        ]
    )
    for r in g.loads:
        loads.add(
            "1 (in the benchmark)" if r.server_processes == 1 else f"{r.server_processes} (`attune serve`)",
            f"{r.processes} × {r.threads}",
            f"{r.per_second:,.0f}",
            fmt_us(r.latency.p50_us),
            fmt_us(r.latency.p99_us),
            f"{r.calls:,}",
            r.errors,
            f"{r.server_cpu_ms:.2f} ms",
            f"{r.client_cpu_ms:.2f} ms",
            f"{r.machine_busy:.0%}",
        )
    update = Table(["", "p50", "max", "repeats", "snapshot"])
    update.add(
        "UpdateCounselor sent → first ranking that shows it",
        fmt_us(g.update.visible.p50_us),
        fmt_us(g.update.visible.max_us),
        g.update.repeats,
        "patched in place (no rebuild)" if g.update.patched else "rebuilt",
    )
    update.add(
        "the UpdateCounselor call alone",
        fmt_us(g.update.update_call.p50_us),
        fmt_us(g.update.update_call.max_us),
        g.update.repeats,
        "",
    )
    e = g.exposure
    written = "written" if e.written else "NOT written"
    exposure = Table(["matching engine", "p50", "p99", "rankings"])
    exposure.add(
        "with the server's exposure log (written to PostgreSQL)",
        fmt_us(e.with_log.p50_us),
        fmt_us(e.with_log.p99_us),
        f"{e.with_log.count:,}",
    )
    exposure.add(
        "with exposure logging switched off",
        fmt_us(e.without_log.p50_us),
        fmt_us(e.without_log.p99_us),
        f"{e.without_log.count:,}",
    )
    return Section(
        f"End to end over gRPC at {_n(g.size)} counselors",
        [
            "The real server (`service.api.server.create_server`, default settings, PostgreSQL store) in the "
            "benchmark process on 127.0.0.1; clients are separate processes (`multiprocessing` spawn) "
            f"calling `RankCounselors` with the typical intakes in turn (k={config.k}, no strategy "
            "override, so the experiment assignment and the exposure log run as in production). The "
            f"server's first rankings are checked equal to the fast path's ({g.checked} intakes). Both "
            "sides share the machine's 2 cores.",
        ],
        [single, loads, update, exposure],
        [
            "*Sequential calls*: one client process, one call at a time; the empty call is the standard "
            "health check on the same server from the same kind of client, so the difference between the "
            "two rows is what decoding the intake, ranking, logging the exposure and encoding the response "
            "add to a call. *Server CPU / call* is the benchmark process's CPU (the server's threads) "
            "divided by the calls, warm-up included.",
            "*Throughput*: the client processes start together and call for a fixed time, each thread on "
            "a connection of its own. *Server processes* 1 is the server above; 2 is "
            "`attune serve --processes 2` started as a child of the benchmark (the CLI, SO_REUSEPORT, the "
            "kernel spreading connections over the processes), after the first server stopped. *Server "
            "CPU / ranking* is the user + system CPU of the server's processes (every thread: gRPC, "
            "ranking, the exposure writer) over the timed part, divided by the rankings served; *client "
            "CPU* the same "
            "for the client processes; *machine busy* the share of both cores busy meanwhile (every "
            "process, PostgreSQL's included, from /proc/stat). Near 100% busy, the 2 cores are the limit.",
            "*Update*: a counselor outside the top k of an intake is updated over gRPC to fit it "
            "perfectly (then back), and the intake is ranked again until the change shows; *patched* "
            "means the served snapshot after the write shares the id tuple of the one before, i.e. "
            "`with_upsert` patched it rather than `CatalogSnapshot.build` rebuilding it.",
            "*Exposure logging*: two `Matching` use cases on the server's catalog and experiments, one with "
            "the server's `ExposureLog` (a background thread writing batches to PostgreSQL), one whose "
            "log drops everything, ranked back to back in alternating blocks of 100 rankings (the log is "
            "flushed after each block with logging, outside the timing, so its backlog slows no other "
            "block); "
            f"measurable means that the median of the block p50 differences ({e.difference_us:+.1f} µs) "
            f"exceeds twice its standard error ({e.noise_us:.1f} µs, from the median absolute deviation), "
            "or that the p99 with logging exceeds 1.25 times the p99 without. `ExposureLog.record` costs "
            f"{e.record_us:.1f} µs (median). Every exposure of the run was {written} to the database. "
            f"The writer's store call, `ExposureRepository.insert_many`, takes {e.batch_ms:.1f} ms for a "
            f"batch of {BATCH} exposures (median of {BATCH_REPEATS}), {e.batch_cpu_us:.1f} µs of this "
            "process's CPU per exposure: the writer thread's share of the CPU and of the GIL.",
        ],
    )
