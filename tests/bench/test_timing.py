"""bench.timing: percentiles computed by hand, and bounded sampling loops."""

from __future__ import annotations

import pytest

from bench.timing import latency_of, sample


def test_percentiles_by_hand() -> None:
    # numpy's linear interpolation: p50 between 2 and 3 us, p99 at 3 + 0.97 * (4 - 3) us.
    stats = latency_of([1000, 2000, 3000, 4000])
    assert stats.count == 4
    assert stats.p50_us == pytest.approx(2.5)
    assert stats.p99_us == pytest.approx(3.97)
    assert stats.mean_us == pytest.approx(2.5)
    assert stats.max_us == pytest.approx(4.0)
    assert stats.p99_ms == pytest.approx(0.00397)


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        latency_of([])


def test_sample_warms_up_then_times_each_call_cycling_over_inputs() -> None:
    seen: list[int] = []
    stats = sample(seen.append, [1, 2, 3], iterations=5, warmup=2)
    assert seen == [1, 2, 1, 2, 3, 1, 2]
    assert stats.count == 5


def test_sample_stops_at_the_time_limit() -> None:
    stats = sample(lambda x: None, [0], iterations=10**9, time_limit_s=0.01)
    assert 1 <= stats.count < 10**9
