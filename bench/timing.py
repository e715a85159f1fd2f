"""Latency sampling: warm up, then time many calls with ``time.perf_counter_ns``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

__all__ = ["Latency", "latency_of", "sample"]

T = TypeVar("T")


@dataclass(frozen=True)
class Latency:
    """Percentiles of a latency sample, in microseconds."""

    count: int
    p50_us: float
    p99_us: float
    mean_us: float
    max_us: float

    @property
    def p50_ms(self) -> float:
        return self.p50_us / 1000.0

    @property
    def p99_ms(self) -> float:
        return self.p99_us / 1000.0


def latency_of(samples_ns: Sequence[int]) -> Latency:
    """Summarise durations in nanoseconds (at least one) with numpy percentiles."""
    if not samples_ns:
        raise ValueError("no samples")
    us = np.asarray(samples_ns, dtype=np.float64) / 1000.0
    p50, p99 = np.percentile(us, [50, 99])
    return Latency(int(us.shape[0]), float(p50), float(p99), float(us.mean()), float(us.max()))


def sample(
    call: Callable[[T], object],
    inputs: Sequence[T],
    *,
    iterations: int,
    warmup: int = 0,
    time_limit_s: float = float("inf"),
) -> Latency:
    """Time ``call(inputs[i % len(inputs)])`` ``iterations`` times after ``warmup`` untimed calls.

    Stops early (after at least one timed call) once ``time_limit_s`` seconds of timed calls
    have passed; the returned ``count`` says how many were timed.
    """
    if not inputs or iterations < 1:
        raise ValueError("need at least one input and one iteration")
    for i in range(warmup):
        call(inputs[i % len(inputs)])
    durations: list[int] = []
    deadline = time.perf_counter_ns() + int(min(time_limit_s, 1e9) * 1e9)
    for i in range(iterations):
        start = time.perf_counter_ns()
        call(inputs[i % len(inputs)])
        end = time.perf_counter_ns()
        durations.append(end - start)
        if end > deadline:
            break
    return latency_of(durations)
