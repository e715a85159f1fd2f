"""The report's end-to-end section: the real gRPC server, its throughput, updates and exposure log."""

from __future__ import annotations

from bench.config import BenchConfig
from bench.exposure_cost import BATCH, BATCH_REPEATS
from bench.grpc_bench import GrpcResult
from bench.report import Section, Table, fmt_us
from bench.sections import n

__all__ = ["grpc_section"]


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
        f"End to end over gRPC at {n(g.size)} counselors",
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
