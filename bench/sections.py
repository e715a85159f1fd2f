"""The report's sections of in-process measurements, rendered: latency, snapshot, side by side.

The end-to-end gRPC section is :mod:`bench.grpc_section`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.config import BenchConfig
from bench.inprocess import SizeResult
from bench.report import Section, Table, fmt_ratio, fmt_us
from bench.side_by_side import ComparisonResult
from bench.timing import Latency

__all__ = ["comparison_section", "inprocess_section", "n", "snapshot_section"]


def n(size: int) -> str:
    """``size`` with thousands separators (1,000)."""
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
            n(s.size),
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
            "(10 concerns, 4 languages, every format (preferred, so that they score), 5 approaches, 16 "
            "weekly windows, 2 genders and 3 identity attributes preferred with an importance). "
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
            n(s.size),
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
        "compiled kernel alone (`kernel.top_k`, with the intake's encoding; a second pass when fewer than "
        "k treat one of the client's concerns, as `rank` makes), i.e. what the SQL query "
        "returns (the top k's ids and scores, the filter counts), without the reasons and result "
        "objects a ranking also returns; shown to say where the time goes, not used for the target.\n"
        "- **(a) straightforward**: "
        "load every row with SQLModel (`select(CounselorRow)` on the app's own migrated tables, JSONB "
        "columns), convert to profiles, score in a Python loop (`bench.straightforward`). *load + score* "
        "is one full request; *score only* skips the load.\n- **(b) PostgreSQL**: one SQL statement "
        "computing the same hard filters and weighted score with `ORDER BY passes_tier DESC, score DESC, "
        "id LIMIT k` (when the client only prefers their concerns, those who treat none of them come "
        "last) "
        "(`bench.sql_ranking` on the table of `bench.sql_schema`), through psycopg with server-side "
        "prepared statements. PostgreSQL gets the "
        "best representation we could give it, a benchmark-specific table generated from the attribute "
        "declarations: code sets as integer bit masks, flags as precomputed booleans, the weekly hours "
        "as one `bit(336)`, so that filters (licensure and age group too) are bitwise ANDs and factors "
        "`bit_count`s (no JSON, no joins). No index: every filter "
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
        section.tables.append(f"### {n(c.size)} counselors")
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
