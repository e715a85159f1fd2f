"""How big and how long each measurement is: the full run and the ``--quick`` smoke run."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FULL", "QUICK", "BenchConfig"]


@dataclass(frozen=True)
class BenchConfig:
    """Sizes, iteration counts and time limits of one run.

    Every loop is bounded twice: by a count and by a time limit (the first reached ends it).
    """

    #: Catalog sizes of the in-process ranking and snapshot measurements.
    sizes: tuple[int, ...]
    #: Catalog sizes of the side-by-side comparison with the two baselines.
    compare_sizes: tuple[int, ...]
    #: Catalog size of the gRPC measurements.
    grpc_size: int
    #: Results per ranking.
    k: int = 10
    #: Seeds of the synthetic catalog and intakes.
    catalog_seed: int = 1
    intake_seed: int = 7
    #: Distinct typical intakes the rankings cycle through.
    typical_intakes: int = 200
    #: In-process ranking: untimed warm-up calls, then at most this many timed calls or seconds.
    rank_warmup: int = 50
    rank_iterations: int = 2000
    rank_seconds: float = 4.0
    #: Snapshot builds timed per size (1M: once), and single-counselor upserts timed per size.
    build_repeats: int = 3
    upsert_repeats: int = 10
    #: Intakes the fast path is checked on against the straightforward loop, per size (in memory).
    checked_intakes: int = 20
    #: Largest size where every checked intake is compared; above it only one typical and the worst.
    full_check_max_size: int = 100_000
    #: Side by side: typical intakes measured per size, and timed runs of each implementation.
    compare_intakes: dict[int, int] | None = None
    sql_iterations: int = 200
    sql_seconds: float = 8.0
    load_and_score_runs: dict[int, int] | None = None
    #: Rebuilds from the store (load_all + build) timed at each compared size.
    rebuild_repeats: int = 3
    #: gRPC: one client's warm-up and timed calls, throughput runs (processes x threads) and duration.
    grpc_warmup: int = 200
    grpc_calls: int = 3000
    grpc_seconds: float = 10.0
    grpc_loads: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (2, 4))
    grpc_load_seconds: float = 8.0
    #: Throughput runs (client processes x threads) against ``attune serve --processes N``.
    grpc_server_processes: int = 2
    grpc_process_loads: tuple[tuple[int, int], ...] = ((2, 2), (2, 4))
    grpc_max_calls_per_client: int = 100_000
    #: Seconds given to the client processes to start and warm up before the timed part begins.
    grpc_start_delay_s: float = 4.0
    #: Updates of one counselor timed end to end (each then waits until a ranking shows it).
    update_repeats: int = 10
    #: A ranking that does not show an update after this long fails the run.
    update_timeout_s: float = 5.0

    def intakes_compared(self, size: int) -> int:
        return (self.compare_intakes or {}).get(size, 10)

    def load_runs(self, size: int) -> int:
        return (self.load_and_score_runs or {}).get(size, 2)


FULL = BenchConfig(
    sizes=(1_000, 10_000, 100_000, 1_000_000),
    compare_sizes=(10_000, 100_000),
    grpc_size=10_000,
    compare_intakes={10_000: 50, 100_000: 10},
    load_and_score_runs={10_000: 5, 100_000: 2},
)

QUICK = BenchConfig(
    sizes=(300, 1_000),
    compare_sizes=(300,),
    grpc_size=300,
    typical_intakes=20,
    rank_warmup=5,
    rank_iterations=50,
    rank_seconds=0.5,
    build_repeats=1,
    upsert_repeats=2,
    checked_intakes=5,
    compare_intakes={300: 5},
    sql_iterations=10,
    sql_seconds=1.0,
    load_and_score_runs={300: 1},
    rebuild_repeats=1,
    grpc_warmup=5,
    grpc_calls=30,
    grpc_seconds=2.0,
    grpc_loads=((1, 2),),
    grpc_process_loads=((1, 2),),
    grpc_load_seconds=0.5,
    grpc_max_calls_per_client=200,
    grpc_start_delay_s=1.5,
    update_repeats=2,
)
