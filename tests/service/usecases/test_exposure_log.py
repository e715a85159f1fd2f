"""The exposure log writes off the request path, loses nothing on close and survives store failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from matcher.errors import FieldViolation, InvalidInput
from service.storage.exposure_records import Exposure, Shown
from service.usecases.exposures import ExposureLog


def exposure(i: int) -> Exposure:
    return Exposure(
        ranking_id=f"r{i:04d}",
        client_id=f"client-{i}",
        strategy="balanced-v1@1",
        catalog_version=1,
        shown=(Shown("c1", 1, 0.9),),
        served_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


class Store:
    def __init__(
        self, *, fail_first: int = 0, refuse: frozenset[str] = frozenset(), delay: float = 0
    ) -> None:
        self.written: list[str] = []
        self.calls = 0
        self.fail_first = fail_first
        self.refuse = refuse
        self.delay = delay
        self.gate = threading.Event()
        self.gate.set()

    def write(self, batch: Sequence[Exposure]) -> None:
        self.gate.wait()
        self.calls += 1
        time.sleep(self.delay)
        if self.calls <= self.fail_first:
            raise ConnectionError("database is restarting")
        bad = [e.ranking_id for e in batch if e.ranking_id in self.refuse]
        if bad:
            raise InvalidInput([FieldViolation("ranking_id", f"refused {bad}")])
        self.written.extend(e.ranking_id for e in batch)


def test_close_writes_everything_queued() -> None:
    store = Store(delay=0.001)
    log = ExposureLog(store.write, max_batch=50)
    for i in range(1000):
        log.record(exposure(i))
    log.close()
    assert sorted(store.written) == [f"r{i:04d}" for i in range(1000)]
    assert store.calls < 1000  # batched


def test_record_does_not_wait_for_the_store() -> None:
    store = Store()
    store.gate.clear()  # the store hangs
    log = ExposureLog(store.write)
    started = time.perf_counter()
    for i in range(100):
        log.record(exposure(i))
    assert time.perf_counter() - started < 0.5
    assert log.pending("r0050") is not None
    assert not log.flush(timeout=0.05)
    store.gate.set()
    assert log.flush(timeout=5)
    assert log.pending("r0050") is None
    log.close()
    assert len(store.written) == 100


def test_transient_failures_are_retried() -> None:
    store = Store(fail_first=2)
    log = ExposureLog(store.write, retry_seconds=0.01)
    log.record(exposure(1))
    assert log.flush(timeout=5)
    log.close()
    assert store.written == ["r0001"]


def test_an_exposure_the_store_refuses_is_dropped_not_retried_forever() -> None:
    store = Store(refuse=frozenset({"r0002"}))
    log = ExposureLog(store.write, retry_seconds=0.01)
    for i in range(1, 4):
        log.record(exposure(i))
    assert log.flush(timeout=5)
    log.close()
    assert sorted(store.written) == ["r0001", "r0003"]
