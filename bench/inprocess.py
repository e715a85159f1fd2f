"""In-process measurements: ranking latency, snapshot build time, memory and single-counselor updates."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bench.agreement import check_same
from bench.config import BenchConfig
from bench.machine import rss_bytes
from bench.straightforward import rank_straightforward
from bench.timing import Latency, sample
from matcher.engine.ranking import rank
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import CounselorProfile, Intake
from matcher.strategy import DEFAULT_STRATEGY
from matcher.synthetic import synthetic_counselors

__all__ = ["SizeResult", "checked_rankings", "fast_top", "measure_size", "upsert_seconds"]


@dataclass(frozen=True)
class SizeResult:
    """Everything measured in process at one catalog size."""

    size: int
    typical: Latency
    worst: Latency
    build_s: float
    snapshot_bytes_per_counselor: float
    snapshot_rss_per_counselor: float
    profiles_rss_per_counselor: float
    upsert_s: float
    checked: int
    identical: int


def fast_top(snapshot: CatalogSnapshot, intake: Intake, k: int) -> list[tuple[str, float]]:
    """The fast path's top ``k`` as ``[(counselor_id, score), ...]``."""
    return [(r.counselor_id, r.score) for r in rank(snapshot, intake, DEFAULT_STRATEGY, k).results]


def checked_rankings(
    snapshot: CatalogSnapshot, profiles: Sequence[CounselorProfile], intakes: Sequence[Intake], k: int
) -> tuple[int, int]:
    """Compare the fast path with the straightforward loop on every intake; (checked, identical).

    Raises :class:`bench.agreement.RankingMismatch` on the first disagreement.
    """
    identical = 0
    for intake in intakes:
        expected = rank_straightforward(profiles, intake, DEFAULT_STRATEGY, k)
        identical += check_same(
            expected,
            fast_top(snapshot, intake, k),
            context=f"{len(profiles)} counselors, intake {intake.client_id}",
            names=("straightforward", "fast path"),
        )
    return len(intakes), identical


def _changed(profile: CounselorProfile, other: CounselorProfile) -> CounselorProfile:
    """``profile`` with another counselor's availability and capacity: columns and index change."""
    return replace(
        profile,
        availability=other.availability,
        accepting_new_clients=not profile.accepting_new_clients,
        caseload_current=other.caseload_current,
    )


def upsert_seconds(snapshot: CatalogSnapshot, repeats: int) -> float:
    """Median seconds of :meth:`CatalogSnapshot.with_upsert` replacing one existing counselor."""
    n = len(snapshot)
    times = []
    for i in range(repeats):
        row = (n // 2 + 7919 * i) % n
        changed = _changed(snapshot.profiles[row], snapshot.profiles[(row + 1) % n])
        start = time.perf_counter()
        updated = snapshot.with_upsert(changed, snapshot.version + 1)
        times.append(time.perf_counter() - start)
        assert updated.profile(changed.id) is changed
        del updated
    return statistics.median(times)


def measure_size(
    config: BenchConfig, size: int, typical: Sequence[Intake], worst: Intake
) -> tuple[SizeResult, CatalogSnapshot, list[CounselorProfile]]:
    """Generate ``size`` counselors and measure; also returns the snapshot and profiles for reuse."""
    gc.collect()
    before = rss_bytes()
    profiles = synthetic_counselors(size, config.catalog_seed)
    after_profiles = rss_bytes()
    builds = []
    snapshot: CatalogSnapshot | None = None
    for r in range(1 if size >= 1_000_000 else config.build_repeats):
        snapshot = None
        gc.collect()
        start = time.perf_counter()
        snapshot = CatalogSnapshot.build(profiles, version=1)
        builds.append(time.perf_counter() - start)
        if r == 0:
            after_snapshot = rss_bytes()
    assert snapshot is not None

    def call(intake: Intake) -> object:
        return rank(snapshot, intake, DEFAULT_STRATEGY, config.k)

    typical_latency = sample(
        call,
        typical,
        iterations=config.rank_iterations,
        warmup=config.rank_warmup,
        time_limit_s=config.rank_seconds,
    )
    worst_latency = sample(
        call,
        [worst],
        iterations=config.rank_iterations,
        warmup=min(10, config.rank_warmup),
        time_limit_s=config.rank_seconds,
    )
    checked = [*typical[: config.checked_intakes], worst]
    if size > config.full_check_max_size:
        checked = [typical[0], worst]
    n_checked, identical = checked_rankings(snapshot, profiles, checked, config.k)
    result = SizeResult(
        size=size,
        typical=typical_latency,
        worst=worst_latency,
        build_s=statistics.median(builds),
        snapshot_bytes_per_counselor=snapshot.nbytes / size,
        snapshot_rss_per_counselor=(after_snapshot - after_profiles) / size,
        profiles_rss_per_counselor=(after_profiles - before) / size,
        upsert_s=upsert_seconds(snapshot, config.upsert_repeats),
        checked=n_checked,
        identical=identical,
    )
    return result, snapshot, profiles
