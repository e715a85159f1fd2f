"""What exposure logging costs a ranking, on the benchmark's running server (:mod:`bench.grpc_bench`).

Two ``Matching`` use cases share the server's catalog and experiments; one logs exposures with the
server's ``ExposureLog`` (a thread writing batches to PostgreSQL), the other drops them. They rank
in alternating blocks, and the difference of the blocks' medians says whether logging is
measurable. The store call of the writer is timed on its own as well.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import sqlalchemy as sa

from bench.config import BenchConfig
from bench.timing import Latency, latency_of
from matcher.model import Intake
from matcher.strategy import DEFAULT_STRATEGY
from service.api.server import AttuneServer
from service.storage.database import make_engine
from service.storage.exposure_records import Exposure
from service.storage.exposures import ExposureRepository
from service.usecases.exposures import ExposureLog
from service.usecases.matching import Matching

__all__ = ["BATCH", "BATCH_REPEATS", "P99_SLACK", "ExposureResult", "exposure_cost"]

#: Exposures per batch in the timing of the exposure writer's store call (the writer's largest batch).
BATCH = 500
#: Batches timed.
BATCH_REPEATS = 5

#: Exposure logging is measurable at the tail when the p99 with it exceeds this multiple of the p99 without.
P99_SLACK = 1.25


@dataclass(frozen=True)
class ExposureResult:
    """Ranking through the matching engine with the server's exposure log, and with none."""

    with_log: Latency
    without_log: Latency
    record_us: float  # median cost of ExposureLog.record itself
    batch_ms: float  # median wall time of ExposureRepository.insert_many on a batch of BATCH exposures
    batch_cpu_us: float  # median CPU time of this process per exposure in those batches
    difference_us: float  # median of block p50 differences (with - without)
    noise_us: float  # twice its standard error, estimated robustly (from the median absolute deviation)
    written: bool  # every exposure of the run reached the database

    @property
    def measurable(self) -> bool:
        """The median difference exceeds its noise, or the p99 with logging is over 25% worse."""
        slower_tail = self.with_log.p99_us > P99_SLACK * self.without_log.p99_us
        return self.difference_us > self.noise_us or slower_tail


class _NoExposureLog(ExposureLog):
    """An exposure log that drops every exposure (the "without logging" side of the comparison)."""

    def __init__(self) -> None:
        super().__init__(lambda batch: None)

    def record(self, exposure: Exposure) -> None:
        return None


def exposure_cost(
    config: BenchConfig, server: AttuneServer, url: sa.URL, intakes: Sequence[Intake]
) -> ExposureResult:
    """Alternate blocks of rankings through two matching engines that differ only in the exposure log."""
    engine = make_engine(url)
    silent = _NoExposureLog()
    try:
        exposures = ExposureRepository(engine)
        with_log = Matching(server.catalog, server.experimentation, server.exposure_log, exposures)
        without = Matching(server.catalog, server.experimentation, silent, exposures)
        blocks = max(4, config.rank_iterations // 50)  # of each kind
        per_block = 100 if blocks > 4 else max(5, config.rank_iterations // 4)
        samples: dict[bool, list[int]] = {True: [], False: []}
        block_p50: dict[bool, list[float]] = {True: [], False: []}
        for e in (with_log, without):  # warm up both
            for intake in intakes[:20]:
                e.rank(intake, config.k)
        server.exposure_log.flush(timeout=30)
        for b in range(2 * blocks):
            logging = b % 2 == 0
            chosen: Callable[[Intake, int], object] = (with_log if logging else without).rank
            times = []
            for j in range(per_block):
                intake = intakes[(b * per_block + j) % len(intakes)]
                t0 = time.perf_counter_ns()
                chosen(intake, config.k)
                times.append(time.perf_counter_ns() - t0)
            if logging:  # the backlog is written before the next block, so that it slows only this one
                server.exposure_log.flush(timeout=30)
            samples[logging].extend(times)
            block_p50[logging].append(float(np.percentile(times, 50)) / 1000.0)
        diffs = np.array(block_p50[True]) - np.array(block_p50[False])
        # Robust to blocks disturbed by other processes: 1.4826 MAD estimates the standard deviation.
        mad = float(np.median(np.abs(diffs - np.median(diffs))))
        noise = 2.0 * 1.4826 * mad / np.sqrt(diffs.shape[0])
        record_times = []
        probe = ExposureLog(lambda batch: None)
        try:
            made = _an_exposure()
            for n in range(1000):
                exposure = replace(made, ranking_id=f"probe-{n}")
                t0 = time.perf_counter_ns()
                probe.record(exposure)
                record_times.append(time.perf_counter_ns() - t0)
        finally:
            probe.close()
        written = server.exposure_log.flush(timeout=30)
        batch_ms, batch_cpu_us = _batch_cost(exposures)
    finally:
        silent.close()
        engine.dispose()
    return ExposureResult(
        with_log=latency_of(samples[True]),
        without_log=latency_of(samples[False]),
        record_us=statistics.median(record_times) / 1000.0,
        batch_ms=batch_ms,
        batch_cpu_us=batch_cpu_us,
        difference_us=float(np.median(diffs)),
        noise_us=noise,
        written=written,
    )


def _batch_cost(exposures: ExposureRepository) -> tuple[float, float]:
    """Median wall ms of ``insert_many`` on :data:`BATCH` new exposures, and median CPU µs per exposure."""
    made = _an_exposure()
    walls, cpus = [], []
    for b in range(BATCH_REPEATS):
        batch = [replace(made, ranking_id=f"batch-{b}-{i:05d}") for i in range(BATCH)]
        wall, cpu = time.perf_counter(), time.process_time()
        exposures.insert_many(batch)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1e6 / BATCH)
    return statistics.median(walls), statistics.median(cpus)


def _an_exposure() -> Exposure:
    from datetime import UTC, datetime

    from service.storage.exposure_records import Shown

    return Exposure(
        ranking_id="probe",
        client_id="client-probe",
        strategy=DEFAULT_STRATEGY.key,
        catalog_version=1,
        shown=tuple(Shown(f"c{i:07d}", i + 1, 0.5) for i in range(10)),
        served_at=datetime.now(UTC),
    )
