"""The exposure log (use case layer): exposure logging off the request path.

``ExposureLog.record`` only appends to an in-memory queue, so writing never slows
a ranking; a background thread writes batches to the store. ``close()`` drains the
queue, so a clean shutdown loses nothing. Rankings still waiting to be written are
kept in ``pending`` so that an outcome reported for them a moment later is not
mistaken for an unknown ranking.

An exposure (:class:`service.storage.exposure_records.Exposure`, the record the store keeps) holds what
analysis needs and nothing more: no concerns, no free text.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from matcher.errors import InvalidInput
from service.storage.exposure_records import Exposure

__all__ = ["ExposureLog"]

log = logging.getLogger(__name__)


_STOP = object()


class ExposureLog:
    """Queue exposures and write them in batches on a background thread."""

    def __init__(
        self,
        write_batch: Callable[[Sequence[Exposure]], None],
        *,
        max_batch: int = 500,
        linger_seconds: float = 0.05,
        retry_seconds: float = 0.5,
    ) -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._linger = linger_seconds
        self._retry_seconds = retry_seconds
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._pending: dict[str, Exposure] = {}
        self._pending_lock = threading.Lock()
        self._idle = threading.Condition(self._pending_lock)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="exposure-writer", daemon=True)
        self._thread.start()

    def record(self, exposure: Exposure) -> None:
        """Queue ``exposure`` for writing; returns at once."""
        if self._closed:
            raise RuntimeError("exposure log is closed")
        with self._pending_lock:
            self._pending[exposure.ranking_id] = exposure
        self._queue.put(exposure)

    def pending(self, ranking_id: str) -> Exposure | None:
        """The exposure of ``ranking_id`` if it is not written yet."""
        with self._pending_lock:
            return self._pending.get(ranking_id)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written; return False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout=timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Write everything still queued, then stop the writer."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("exposure writer did not finish", extra={"unwritten": len(self._pending)})

    def _take_batch(self) -> tuple[list[Exposure], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch = [first]
        stop = False
        # Sleep a moment, then take what came meanwhile: one transaction per ~50 ms instead of one
        # per ranking, and one wake-up instead of one per exposure, keep the writer's share of the
        # CPU (and of the GIL) small under load.
        time.sleep(self._linger)
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                stop = True
                break
            batch.append(item)
        return batch, stop  # type: ignore[return-value]

    def _run(self) -> None:
        stop = False
        while not stop:
            batch, stop = self._take_batch()
            while batch:
                try:
                    self._write_batch(batch)
                except InvalidInput:
                    batch = self._write_one_by_one(batch)
                    continue
                except Exception:  # the store is down or busy: keep the batch and retry
                    log.exception("writing exposures failed; retrying", extra={"batch": len(batch)})
                    time.sleep(self._retry_seconds)
                    continue
                self._done(batch)
                batch = []

    def _done(self, batch: Sequence[Exposure]) -> None:
        with self._idle:
            for exposure in batch:
                self._pending.pop(exposure.ranking_id, None)
            self._idle.notify_all()

    def _write_one_by_one(self, batch: list[Exposure]) -> list[Exposure]:
        """Write what can be written; drop (and log) exposures the store will never accept.

        Returns what is left to retry (non-empty only if the store failed for another reason).
        """
        for i, exposure in enumerate(batch):
            try:
                self._write_batch([exposure])
            except InvalidInput as error:
                log.error(
                    "dropping an exposure the store refuses",
                    extra={"ranking_id": exposure.ranking_id, "problem": str(error)},
                )
            except Exception:
                return batch[i:]
            self._done([exposure])
        return []
