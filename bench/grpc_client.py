"""A load-generating gRPC client, run in its own process (spawned by :mod:`bench.grpc_bench`).

Loopback only: the address is the one the benchmark's own server bound on 127.0.0.1. Every loop
is bounded by a number of calls and by a deadline.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from attune.v1 import matching_pb2, matching_pb2_grpc

__all__ = ["ClientResult", "run_client", "run_health_client"]

#: Deadline of one call, in seconds.
CALL_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ClientResult:
    """What one client process did: latencies (ns) of its timed calls and how long it ran."""

    latencies_ns: list[int]
    errors: int
    first_start: float
    last_end: float
    cpu_s: float  # CPU time this client process used during the timed part


def run_client(
    address: str,
    requests: list[bytes],
    *,
    warmup: int,
    max_calls: int,
    seconds: float,
    threads: int = 1,
    start_at: float = 0.0,
) -> ClientResult:
    """Call ``RankCounselors`` with ``requests`` in turn from ``threads`` threads, each on its own channel.

    Parameters
    ----------
    address : host:port of the server (loopback)
    requests : serialized ``RankCounselorsRequest`` messages
    warmup : untimed calls first (from the calling thread)
    max_calls : at most this many timed calls in all
    seconds : stop starting calls this long after the timed part began
    threads : concurrent callers
    start_at : ``time.time()`` at which the timed part begins (0: at once), so that several
        processes can start together
    """
    messages = [matching_pb2.RankCounselorsRequest.FromString(r) for r in requests]
    lock = threading.Lock()
    latencies: list[int] = []
    errors = [0]
    issued = [0]
    # One connection per thread (a channel of its own, not sharing the process's subchannel pool), as
    # a booking site with several callers would have: with several server processes on one port,
    # the kernel spreads connections, not calls.
    channels = [
        grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
        for _ in range(threads)
    ]
    try:
        stubs = [matching_pb2_grpc.MatchingServiceStub(channel) for channel in channels]
        for channel in channels:
            grpc.channel_ready_future(channel).result(timeout=30)
        for i in range(warmup):
            stubs[i % threads].RankCounselors(messages[i % len(messages)], timeout=CALL_TIMEOUT_S)
        if start_at:
            time.sleep(max(0.0, start_at - time.time()))
        begin = time.perf_counter()
        cpu_begin = time.process_time()
        deadline = begin + seconds
        ends: list[float] = []

        def loop(thread: int) -> None:
            stub = stubs[thread]
            local: list[int] = []
            i = thread * 997
            while True:
                with lock:
                    if issued[0] >= max_calls:
                        break
                    issued[0] += 1
                t0 = time.perf_counter_ns()
                if t0 / 1e9 > deadline:
                    break
                try:
                    stub.RankCounselors(messages[i % len(messages)], timeout=CALL_TIMEOUT_S)
                except grpc.RpcError:
                    with lock:
                        errors[0] += 1
                local.append(time.perf_counter_ns() - t0)
                i += 1
            with lock:
                latencies.extend(local)
                ends.append(time.perf_counter())

        workers = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        cpu_s = time.process_time() - cpu_begin
    finally:
        for channel in channels:
            channel.close()
    return ClientResult(latencies, errors[0], begin, max(ends, default=begin), cpu_s)


def run_health_client(address: str, *, warmup: int, max_calls: int, seconds: float) -> ClientResult:
    """Call the standard ``Health.Check`` sequentially: the cost of an empty call, for comparison.

    Same channel options, deadline and timing as :func:`run_client` with one thread, so that the
    difference with ``RankCounselors`` is what ranking adds to a gRPC call.
    """
    request = health_pb2.HealthCheckRequest()
    latencies: list[int] = []
    errors = 0
    with grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        grpc.channel_ready_future(channel).result(timeout=30)
        for _ in range(warmup):
            stub.Check(request, timeout=CALL_TIMEOUT_S)
        begin = time.perf_counter()
        cpu_begin = time.process_time()
        deadline = begin + seconds
        while len(latencies) < max_calls:
            t0 = time.perf_counter_ns()
            if t0 / 1e9 > deadline:
                break
            try:
                stub.Check(request, timeout=CALL_TIMEOUT_S)
            except grpc.RpcError:
                errors += 1
            latencies.append(time.perf_counter_ns() - t0)
        end = time.perf_counter()
        cpu_s = time.process_time() - cpu_begin
    return ClientResult(latencies, errors, begin, end, cpu_s)
