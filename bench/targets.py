"""The targets of issue 4, judged from the measurements."""

from __future__ import annotations

from collections.abc import Sequence

from bench.grpc_bench import GrpcResult
from bench.inprocess import SizeResult
from bench.report import Target, fmt_ratio, fmt_us
from bench.side_by_side import ComparisonResult
from service.config import SIBLING_REFRESH_SECONDS

__all__ = ["judge"]


def _ranking_figure(s: SizeResult) -> str:
    typical, worst = s.typical, s.worst
    return (
        f"p99 {fmt_us(typical.p99_us)} (p50 {fmt_us(typical.p50_us)}; "
        f"worst-case intake p99 {fmt_us(worst.p99_us)})"
    )


def _missing(name: str, goal: str, what: str) -> Target:
    return Target(name, goal, f"not measured in this run ({what})", None)


def judge(
    sizes: Sequence[SizeResult],
    comparisons: Sequence[ComparisonResult],
    grpc: GrpcResult | None,
) -> list[Target]:
    """One :class:`Target` per target of the issue (met, not met, or not measured)."""
    by_size = {s.size: s for s in sizes}
    compared = {c.size: c for c in comparisons}
    out: list[Target] = []

    name, goal = "ranking 100k counselors in process", "p99 ≤ 1 ms"
    if (s := by_size.get(100_000)) is not None:
        out.append(Target(name, goal, _ranking_figure(s), s.typical.p99_us <= 1000))
    else:
        out.append(_missing(name, goal, "100k"))

    name, goal = "fast path vs the PostgreSQL query at 100k", "≥ 100× faster"
    if (c := compared.get(100_000)) is not None:
        p50 = c.sql[0].p50_us / c.fast[0].p50_us
        p99 = c.sql[0].p99_us / c.fast[0].p99_us
        worst = c.sql[1].p50_us / c.fast[1].p50_us
        scores = c.sql[0].p50_us / c.fast_scores[0].p50_us
        figure = (
            f"{fmt_ratio(p50)} at p50, {fmt_ratio(p99)} at p99 (worst-case intake: {fmt_ratio(worst)} at "
            f"p50); the kernel alone, without the reasons: {fmt_ratio(scores)} at p50"
        )
        out.append(Target(name, goal, figure, min(p50, p99) >= 100))
    else:
        out.append(_missing(name, goal, "100k side by side"))

    name, goal = "ranking 1M counselors in process", "p99 ≤ 10 ms"
    if (s := by_size.get(1_000_000)) is not None:
        out.append(Target(name, goal, _ranking_figure(s), s.typical.p99_us <= 10_000))
    else:
        out.append(_missing(name, goal, "1M"))

    if grpc is not None and grpc.size == 10_000:
        single = grpc.single.latency
        out.append(
            Target(
                "gRPC end to end at 10k, one client",
                "p50 ≤ 1 ms",
                f"p50 {fmt_us(single.p50_us)} (an empty `Health.Check` on the same server: "
                f"{fmt_us(grpc.floor.latency.p50_us)})",
                single.p50_us <= 1000,
            )
        )
        out.append(
            Target(
                "gRPC end to end at 10k, one client",
                "p99 ≤ 3 ms",
                f"p99 {fmt_us(single.p99_us)}",
                single.p99_us <= 3000,
            )
        )
        best = max(grpc.loads, key=lambda r: r.per_second)
        single_process = max((r.per_second for r in grpc.loads if r.server_processes == 1), default=0.0)
        figure = (
            f"{best.per_second:,.0f}/s ({best.server_processes} server process"
            f"{'es' if best.server_processes > 1 else ''}, {best.processes} client processes × "
            f"{best.threads} threads; p99 {fmt_us(best.latency.p99_us)}); one server process: "
            f"{single_process:,.0f}/s"
        )
        out.append(
            Target(
                "gRPC throughput at 10k, concurrent clients",
                "≥ 2,000 rankings/s",
                figure,
                best.per_second >= 2000,
            )
        )
    else:
        for goal in ("p50 ≤ 1 ms", "p99 ≤ 3 ms", "≥ 2,000 rankings/s"):
            out.append(_missing("gRPC end to end at 10k", goal, "10k"))

    name, goal = "snapshot memory", "≤ 200 bytes per counselor"
    if sizes:
        largest = max(sizes, key=lambda s: s.size)
        per = largest.snapshot_bytes_per_counselor
        figure = f"{per:.1f} B/counselor at {largest.size:,} (the columns and bit index ranking reads)"
        out.append(Target(name, goal, figure, largest.snapshot_bytes_per_counselor <= 200))
    else:
        out.append(_missing(name, goal, "no size"))

    name, goal = "one counselor's update served", "≤ 1 s, without a full rebuild"
    if grpc is not None:
        u = grpc.update
        rebuild = "patched in place, no rebuild" if u.patched else "a full rebuild happened"
        figure = (
            f"max {fmt_us(u.visible.max_us)} (p50 {fmt_us(u.visible.p50_us)}) over gRPC at {grpc.size:,}; "
            f"{rebuild}"
        )
        met = u.visible.max_us <= 1_000_000 and u.patched
        if comparisons:  # the other processes of `attune serve --processes N`: poll, then patch
            c = max(comparisons, key=lambda c: c.size)
            worst_s = SIBLING_REFRESH_SECONDS + c.sibling_patch.max_us / 1e6
            figure += (
                f". Written through a sibling process: at most the {SIBLING_REFRESH_SECONDS:g} s poll + "
                f"{fmt_us(c.sibling_patch.max_us)} to catch up at {c.size:,}, "
                + ("patched, no reload" if c.sibling_patched else "a full reload happened")
            )
            met = met and c.sibling_patched and worst_s <= 1.0
        out.append(Target(name, goal, figure, met))
    else:
        out.append(_missing(name, goal, "gRPC"))

    name, goal = "rebuilding 100k counselors", "< 2 s"
    if (c := compared.get(100_000)) is not None:
        build = f"; snapshot build alone {by_size[100_000].build_s:.2f} s" if 100_000 in by_size else ""
        figure = (
            f"median {c.rebuild_s:.2f} s from PostgreSQL (`load_snapshot`, {len(c.rebuild_times_s)} runs, "
            f"max {max(c.rebuild_times_s):.2f} s){build}"
        )
        out.append(Target(name, goal, figure, c.rebuild_s < 2.0))
    else:
        out.append(_missing(name, goal, "100k"))

    name, goal = "exposure logging", "no measurable latency added"
    if grpc is not None:
        e = grpc.exposure
        figure = (
            f"p50 {fmt_us(e.with_log.p50_us)} with, {fmt_us(e.without_log.p50_us)} without (difference "
            f"{e.difference_us:+.1f} µs, noise ±{e.noise_us:.1f} µs); p99 {fmt_us(e.with_log.p99_us)} "
            f"with, {fmt_us(e.without_log.p99_us)} without; record() {e.record_us:.1f} µs"
        )
        out.append(Target(name, goal, figure, not e.measurable and e.written))
    else:
        out.append(_missing(name, goal, "gRPC"))
    return out
