"""Vectorized, seeded draws and the interning that turns them into shared frozen objects.

Every random number of the synthetic catalog comes from one seeded
:class:`numpy.random.Generator`, drawn in batches of :data:`CHUNK` rows by the
helpers here; the dataclasses are only assembled afterwards, from plain lists,
with interned building blocks (:class:`_WindowCache`, :class:`_Interned`,
:func:`_subsets`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.model import WeeklyWindow

#: Rows drawn per vectorized batch (part of the determinism contract: changing it changes outputs).
CHUNK = 65_536

IntArray = npt.NDArray[np.int64]


def _weighted_orders(rng: np.random.Generator, weights: npt.NDArray[np.float64], n: int, k: int) -> IntArray:
    """Draw ``n`` weighted samples without replacement of ``k`` items each (exponential race).

    Item ``i`` "arrives" after an exponential time of rate ``weights[i]``; the first ``k``
    arrivals have the law of drawing one item at a time with probability proportional to
    its weight among those left. Float64 arrival times never tie in practice, so the
    (unstable, fast) default sort gives the same order on every machine.

    Parameters
    ----------
    weights : numpy.ndarray of float64, shape (m,)
        Positive weights of the ``m`` items.

    Returns
    -------
    numpy.ndarray of int64, shape (n, k)
        Item indices in draw order.
    """
    arrivals = rng.standard_exponential(size=(n, weights.shape[0])) / weights[np.newaxis, :]
    return np.argsort(arrivals, axis=1)[:, :k].astype(np.int64)


def _bits(rng: np.random.Generator, n: int, probabilities: Sequence[float]) -> IntArray:
    """Independent Bernoulli flags packed as a bit mask per row, never 0 (bit 0 forced if none).

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Values in 1 .. 2**len(probabilities) - 1.
    """
    draws = rng.random((n, len(probabilities))) < np.asarray(probabilities)[np.newaxis, :]
    mask = (draws.astype(np.int64) << np.arange(len(probabilities), dtype=np.int64)).sum(axis=1)
    return np.where(mask == 0, 1, mask)


def _pad(values: IntArray, counts: IntArray) -> IntArray:
    """Replace the entries of ``values`` (shape (n, k)) beyond ``counts`` (shape (n,)) with -1."""
    keep = np.arange(values.shape[1])[np.newaxis, :] < counts[:, np.newaxis]
    return np.where(keep, values, -1)


def _windows(
    rng: np.random.Generator,
    n: int,
    counts: IntArray,
    day_weights: Sequence[float],
    evening_share: float,
    day_starts: tuple[int, int],
    evening_starts: tuple[int, int],
    lengths: tuple[int, int],
) -> IntArray:
    """Draw weekly windows on distinct days, sorted by day, encoded as ``(day*64 + start)*64 + end``.

    Start/length ranges are inclusive, in half hours since midnight.

    Returns
    -------
    numpy.ndarray of int64, shape (n, max(counts) or 1)
        Window codes, -1 beyond each row's count.
    """
    k = max(int(counts.max(initial=0)), 1)
    days = _weighted_orders(rng, np.asarray(day_weights, dtype=np.float64), n, k)
    evening = rng.random((n, k)) < evening_share
    start = np.where(
        evening,
        rng.integers(evening_starts[0], evening_starts[1] + 1, (n, k)),
        rng.integers(day_starts[0], day_starts[1] + 1, (n, k)),
    )
    end = np.minimum(start + rng.integers(lengths[0], lengths[1] + 1, (n, k)), 48)
    codes = _pad((days * 64 + start) * 64 + end, counts)
    return _sort_codes(codes)  # by day, then start; the -1 padding last


def _sort_codes(codes: IntArray) -> IntArray:
    """Sort each row ascending with the -1 padding kept at the end; shape preserved."""
    big = np.iinfo(np.int64).max
    ordered = np.sort(np.where(codes < 0, big, codes), axis=1)
    return np.where(ordered == big, -1, ordered)


class _WindowCache:
    """Interns :class:`WeeklyWindow` objects by window code (see :func:`_windows`)."""

    def __init__(self) -> None:
        self._cache: dict[int, WeeklyWindow] = {}

    def get(self, code: int) -> WeeklyWindow:
        w = self._cache.get(code)
        if w is None:
            w = WeeklyWindow(day=code // 4096, start_minute=(code // 64) % 64 * 30, end_minute=code % 64 * 30)
            self._cache[code] = w
        return w

    def tuple_of(self, row: list[int]) -> tuple[WeeklyWindow, ...]:
        return tuple([self.get(c) for c in row if c >= 0])


class _Interned:
    """Interns tuples of codes by their row of indices (-1 = unused slot)."""

    def __init__(self, codes: Sequence[str]) -> None:
        self._codes = codes
        self._cache: dict[tuple[int, ...], tuple[str, ...]] = {}

    def get(self, row: list[int]) -> tuple[str, ...]:
        key = tuple(row)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = tuple([self._codes[i] for i in row if i >= 0])
        return found


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, CHUNK):
        yield start, min(CHUNK, count - start)


def _check(count: int) -> None:
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")


def _subsets(items: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Tuple of the items whose bit is set, for every mask 0 .. 2**len(items) - 1."""
    return [tuple(x for b, x in enumerate(items) if mask >> b & 1) for mask in range(1 << len(items))]
