"""End to end over gRPC: one client's latency, throughput with client processes (against this
process's server and against ``attune serve --processes N``), update visibility, and (measured by
:mod:`bench.exposure_cost` on the same server) what exposure logging costs a ranking.

The server is the real one (:func:`service.api.server.create_server` on the benchmark's PostgreSQL
database, bound to 127.0.0.1 on a free port) running in this process; the load comes from client
processes started with ``spawn`` (:mod:`bench.grpc_client`), so client work never holds the
server's interpreter lock.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import grpc
import sqlalchemy as sa

from attune.v1 import counselor_pb2, counselor_pb2_grpc, matching_pb2, matching_pb2_grpc
from bench.agreement import check_same
from bench.config import BenchConfig
from bench.exposure_cost import ExposureResult, exposure_cost
from bench.grpc_client import ClientResult, run_client, run_health_client
from bench.inprocess import fast_top
from bench.served import serve_processes
from bench.timing import Latency, latency_of
from matcher.attributes import ATTRIBUTES, Storage
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import Availability, CounselorProfile, Intake, Specialty
from matcher.strategy import DEFAULT_STRATEGY
from matcher.vocabulary import Proficiency
from service.api.convert.catalog import intake_to_proto, profile_to_proto
from service.api.server import AttuneServer, create_server
from service.config import Config

__all__ = ["GrpcResult", "LoadResult", "SequentialResult", "UpdateResult", "run_grpc"]


@dataclass(frozen=True)
class LoadResult:
    """Concurrent clients: ``processes`` x ``threads`` callers for a fixed time."""

    server_processes: int  # 1: the server in the benchmark process; more: ``attune serve --processes``
    processes: int
    threads: int
    calls: int
    errors: int
    seconds: float
    latency: Latency
    server_cpu_ms: float  # CPU time of the server's processes per ranking
    client_cpu_ms: float  # CPU time of the client processes per ranking
    machine_busy: float  # share of the machine's cores busy during the run (every process, 0..1)

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds


@dataclass(frozen=True)
class UpdateResult:
    """Updating one counselor over gRPC until a ranking shows the change."""

    visible: Latency  # from sending UpdateCounselor to the first ranking that shows the change
    update_call: Latency
    patched: bool  # every update patched the snapshot (no rebuild)
    repeats: int


@dataclass(frozen=True)
class SequentialResult:
    """One client calling sequentially: latency, and CPU per call on each side."""

    latency: Latency
    server_cpu_ms: float  # CPU time of the server process (every thread) per call
    client_cpu_ms: float  # CPU time of the client process per call


@dataclass(frozen=True)
class GrpcResult:
    size: int
    single: SequentialResult
    floor: SequentialResult  # an empty call (Health.Check) on the same server, from the same client
    loads: list[LoadResult]
    update: UpdateResult
    exposure: ExposureResult
    checked: int


def _requests(intakes: Sequence[Intake], k: int) -> list[bytes]:
    return [
        matching_pb2.RankCounselorsRequest(intake=intake_to_proto(i), page_size=k).SerializeToString()
        for i in intakes
    ]


def _spawn(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn"))


def _check_served(
    stub: matching_pb2_grpc.MatchingServiceStub, snapshot: CatalogSnapshot, intakes: Sequence[Intake], k: int
) -> int:
    """The server's rankings equal the fast path's on the same catalog (default strategy)."""
    for intake in intakes:
        response = stub.RankCounselors(
            matching_pb2.RankCounselorsRequest(intake=intake_to_proto(intake), page_size=k)
        )
        if response.strategy_name != DEFAULT_STRATEGY.name:
            raise AssertionError(
                f"the server ranked with {response.strategy_name}, not {DEFAULT_STRATEGY.name}"
            )
        served = [(r.counselor_id, r.score) for r in response.results]
        check_same(fast_top(snapshot, intake, k), served, context="gRPC", names=("fast path", "server"))
    return len(intakes)


def _sequential(
    config: BenchConfig, pool: ProcessPoolExecutor, address: str, requests: list[bytes] | None
) -> SequentialResult:
    """One client process calling sequentially: ``RankCounselors`` with ``requests``, or
    ``Health.Check`` (an empty call) when ``requests`` is None."""
    warmup, calls, seconds = config.grpc_warmup, config.grpc_calls, config.grpc_seconds
    if requests is None:
        future = pool.submit(run_health_client, address, warmup=warmup, max_calls=calls, seconds=seconds)
    else:
        future = pool.submit(run_client, address, requests, warmup=warmup, max_calls=calls, seconds=seconds)
    # The server's CPU is read around the client's warm-up and timed calls, and divided by both;
    # the client reports the CPU of its timed calls alone.
    cpu_before = _process_cpu_s()
    result: ClientResult = future.result()
    server_cpu_s = _process_cpu_s() - cpu_before
    if result.errors:
        raise AssertionError(f"{result.errors} gRPC calls failed")
    timed = len(result.latencies_ns)
    return SequentialResult(
        latency_of(result.latencies_ns),
        server_cpu_ms=server_cpu_s * 1000 / (timed + warmup),
        client_cpu_ms=result.cpu_s * 1000 / max(1, timed),
    )


def _load(
    config: BenchConfig,
    pool: ProcessPoolExecutor,
    address: str,
    requests: list[bytes],
    processes: int,
    threads: int,
    server_cpu_s: Callable[[], float],
    server_processes: int = 1,
) -> LoadResult:
    """``processes`` tasks on ``pool`` (which has that many worker processes) that start together.

    ``server_cpu_s`` reads the CPU seconds the server has used so far.
    """
    start_at = time.time() + config.grpc_start_delay_s  # after every process has started and warmed up
    futures = [
        pool.submit(
            run_client,
            address,
            requests[p::processes] or requests,
            warmup=20,
            max_calls=config.grpc_max_calls_per_client,
            seconds=config.grpc_load_seconds,
            threads=threads,
            start_at=start_at,
        )
        for p in range(processes)
    ]
    time.sleep(max(0.0, start_at - time.time()))
    cpu_before, machine_before = server_cpu_s(), _machine_ticks()
    results = [f.result() for f in futures]
    cpu_after, machine_after = server_cpu_s(), _machine_ticks()
    latencies = [ns for r in results for ns in r.latencies_ns]
    seconds = max(r.last_end - r.first_start for r in results)
    calls = max(1, len(latencies))
    busy, total = (after - before for after, before in zip(machine_after, machine_before, strict=True))
    return LoadResult(
        server_processes,
        processes,
        threads,
        len(latencies),
        sum(r.errors for r in results),
        seconds,
        latency_of(latencies),
        server_cpu_ms=(cpu_after - cpu_before) * 1000 / calls,
        client_cpu_ms=sum(r.cpu_s for r in results) * 1000 / calls,
        machine_busy=busy / total if total else 0.0,
    )


def _process_cpu_s() -> float:
    """User + system CPU seconds of this process (the server's), every thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores from /proc/stat ((0, 0) where it is missing)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _perfect_for(intake: Intake, profile: CounselorProfile) -> CounselorProfile:
    """``profile`` changed to fit ``intake`` perfectly (score 1.0): every code of every coded attribute."""
    every: dict[str, Any] = {
        a.counselor_field: tuple(a.vocabulary) for a in ATTRIBUTES if a.storage == Storage.CODES
    }
    return replace(
        profile,
        specialties=tuple(Specialty(c.concern, Proficiency.PRIMARY) for c in intake.concerns),
        **every,
        availability=intake.availability or Availability("UTC"),
        accepting_new_clients=True,
        caseload_current=0,
        caseload_max=max(profile.caseload_max, 10),
        active=True,
    )


def _update(
    config: BenchConfig,
    server: AttuneServer,
    channel: grpc.Channel,
    profiles: Sequence[CounselorProfile],
    intake: Intake,
) -> UpdateResult:
    counselors = counselor_pb2_grpc.CounselorServiceStub(channel)
    matching = matching_pb2_grpc.MatchingServiceStub(channel)
    request = matching_pb2.RankCounselorsRequest(intake=intake_to_proto(intake), page_size=config.k)
    shown = {r.counselor_id for r in matching.RankCounselors(request).results}
    original = next(p for p in sorted(profiles, key=lambda p: p.id) if p.id not in shown)
    perfect = _perfect_for(intake, original)
    visible, calls = [], []
    patched = True
    for i in range(config.update_repeats):
        target = perfect if i % 2 == 0 else original
        before = server.catalog.snapshot
        start = time.perf_counter_ns()
        counselors.UpdateCounselor(counselor_pb2.UpdateCounselorRequest(counselor=profile_to_proto(target)))
        calls.append(time.perf_counter_ns() - start)
        while True:
            ids = [r.counselor_id for r in matching.RankCounselors(request).results]
            if (target.id in ids) == (target is perfect):
                visible.append(time.perf_counter_ns() - start)
                break
            if (time.perf_counter_ns() - start) / 1e9 > config.update_timeout_s:
                raise AssertionError(f"update of {target.id} not visible after {config.update_timeout_s} s")
        patched = patched and server.catalog.snapshot.ids is before.ids  # with_upsert keeps the id tuple
    return UpdateResult(latency_of(visible), latency_of(calls), patched, len(visible))


def run_grpc(
    config: BenchConfig,
    url: sa.URL,
    snapshot: CatalogSnapshot,
    profiles: Sequence[CounselorProfile],
    typical: Sequence[Intake],
    worst: Intake,
) -> GrpcResult:
    """Serve the catalog already stored at ``url`` (``profiles``) and measure over gRPC."""
    server, port = create_server(
        Config(address="127.0.0.1:0", database_url=url.render_as_string(hide_password=False))
    )
    server.start()
    address = f"127.0.0.1:{port}"
    try:
        with grpc.insecure_channel(address) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            stub = matching_pb2_grpc.MatchingServiceStub(channel)
            checked = _check_served(stub, snapshot, [*typical[:5], worst], config.k)
            requests = _requests(typical, config.k)
            with _spawn(max(p for p, _ in config.grpc_loads)) as pool:
                single = _sequential(config, pool, address, requests)
                floor = _sequential(config, pool, address, None)
                loads = [
                    _load(config, pool, address, requests, p, t, _process_cpu_s) for p, t in config.grpc_loads
                ]
            update = _update(config, server, channel, profiles, typical[0])
        exposure = exposure_cost(config, server, url, typical)
    finally:
        server.stop(0)
    loads.extend(_process_loads(config, url, requests))
    return GrpcResult(len(profiles), single, floor, loads, update, exposure, checked)


def _process_loads(config: BenchConfig, url: sa.URL, requests: list[bytes]) -> list[LoadResult]:
    """The throughput runs again, against `attune serve --processes N` (this process's server stopped)."""
    n = config.grpc_server_processes
    with serve_processes(url, n) as served, _spawn(max(p for p, _ in config.grpc_process_loads)) as pool:
        return [
            _load(config, pool, served.address, requests, p, t, served.cpu_s, server_processes=n)
            for p, t in config.grpc_process_loads
        ]
