"""The compiled ranking kernel: hard filters, soft factors, total and top-k in one scan.

:func:`top_k` ranks the catalog in one numba-compiled pass (:func:`matcher.engine.scan.scan`)
driven by the snapshot's bit index (:mod:`matcher.engine.bit_index`), 64 counselors at a time:

1. every hard filter, with a count of the failures of each over the whole catalog
   (a counselor can fail several), from ORs of the bitmaps the query selects;
2. the candidates: eligible counselors whose graded (concern) numerator could still lift
   them above the current ``k``-th best (:func:`~matcher.engine.score_bounds.concern_floor`;
   once the top ``k`` fills up, a few percent of a typical catalog);
3. each candidate's factors from its row of the columns, its weighted total, and a
   place in a small buffer sorted by (score descending, row ascending) if it beats
   the ``k``-th.

No array of ``n`` scores is built and nothing is sorted over ``n``. A large catalog is
split into :data:`CHUNKS_PER_THREAD` chunks per numba thread; the chunks' buffers are
merged in row order. Rows are in counselor-id order, so ties go to the smaller id.

The scores are those of :mod:`matcher.engine.reference`, bit for bit: each factor is an exact
integer numerator divided as the reference divides it (the divisions are done once
per query, into a table indexed by the numerator), and the total is the sum of
``weight * score`` over the factors that apply, added left to right in the query's order.

Compiled code is cached on disk (numba's ``cache=True``, in a directory per version of
the sources: :mod:`matcher.engine.kernel_cache`); the first call in a fresh process compiles it
(about 10 s) or loads it from the cache (well under a second), which :func:`warm_up`
does ahead of time. The kernels release the GIL. Only a
call that finds no other call in flight runs on numba's threads; concurrent calls (a
server's worker threads) run on their own threads, so the cores are not oversubscribed
and at most one parallel launch runs at a time, which every threading layer allows.
``NUMBA_NUM_THREADS=1`` keeps every call on its own thread.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import numba
import numpy as np
import numpy.typing as npt
from numba import prange

from matcher.engine.bit_index import build_index
from matcher.engine.block_filters import count_scan, count_slots, eligible_scan
from matcher.engine.encoding import Columns, encode_profiles
from matcher.engine.kernel_steps import insert, jit, numerators, score_table, term_table, weighted_total
from matcher.engine.query import KernelQuery, compile_query
from matcher.engine.scan import scan
from matcher.model import ConcernPreference, Intake
from matcher.strategy import DEFAULT_STRATEGY

__all__ = [
    "KernelQuery",
    "TopK",
    "eligible_rows",
    "relaxation_counts",
    "score_rows",
    "threading_layer",
    "top_k",
    "warm_up",
]

#: Below this many counselors one thread ranks the whole catalog (waking threads costs more).
PARALLEL_ABOVE = 150_000
#: Chunks per thread (numba hands each thread an equal share of the chunks; a few chunks even out
#: blocks that prune unevenly).
CHUNKS_PER_THREAD = 2

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]

#: Any intake: the kernels are compiled for types, not values (compiling needs no valid intake).
_WARM_UP_INTAKE = Intake("warm-up", (ConcernPreference("anxiety", 1),), ("en",))


# --------------------------------------------------------------------------- kernels


@jit()
def _merge(
    cols: Columns,
    q: KernelQuery,
    table: _F64,
    terms: _F64,
    scores: _F64,
    rows: _I64,
    found: _I64,
    counts: _I64,
) -> tuple[_I64, _F64, _F64, _I64, int, int, _I64]:
    """Merge the chunks' buffers (``scores``, ``rows``: (chunks, k); ``found``: (chunks,)) into a ranking.

    The chunks are merged in row order, so ties stay in row order; each buffer is
    sorted, so its merge stops at its first loser. ``counts`` (chunks, count_slots(F)) holds each
    chunk's counts (:func:`~matcher.engine.block_filters.count_slots`).
    """
    k = scores.shape[1]
    best_scores = np.empty(k, dtype=np.float64)
    best_rows = np.empty(k, dtype=np.int64)
    count = 0
    for c in range(scores.shape[0]):
        for j in range(found[c]):
            if count == k and not scores[c, j] > best_scores[k - 1]:
                break
            count = insert(best_scores, best_rows, count, scores[c, j], rows[c, j])
    top = best_rows[:count].copy()
    factors, totals = _score_rows(cols, q, table, terms, top)
    total_counts = counts.sum(axis=0)
    filters = (counts.shape[1] - 2) // 2
    return (
        top,
        totals,
        factors,
        total_counts[:filters].copy(),
        total_counts[filters],
        total_counts[filters + 1],
        total_counts[filters + 2 :].copy(),
    )


@jit()
def _top_k_serial(
    cols: Columns, index: _U64, q: KernelQuery, k: int
) -> tuple[_I64, _F64, _F64, _I64, int, int, _I64]:
    """:func:`top_k` on the calling thread only."""
    table = score_table(q)
    terms = term_table(q, table)
    scores = np.empty((1, k), dtype=np.float64)
    rows = np.empty((1, k), dtype=np.int64)
    found = np.zeros(1, dtype=np.int64)
    counts = np.zeros((1, count_slots(q.filter_given.shape[0])), dtype=np.int64)
    found[0] = scan(cols, index, q, terms, 0, cols.flags.shape[0], scores[0], rows[0], counts[0])
    return _merge(cols, q, table, terms, scores, rows, found, counts)


@jit(parallel=True)
def _top_k_parallel(
    cols: Columns, index: _U64, q: KernelQuery, k: int, chunks: int
) -> tuple[_I64, _F64, _F64, _I64, int, int, _I64]:
    """:func:`top_k` over ``chunks`` equal ranges of rows (whole words of the index), on numba's threads."""
    n = cols.flags.shape[0]
    size = ((n + 63) // 64 + chunks - 1) // chunks * 64
    table = score_table(q)
    terms = term_table(q, table)
    scores = np.empty((chunks, k), dtype=np.float64)
    rows = np.empty((chunks, k), dtype=np.int64)
    found = np.zeros(chunks, dtype=np.int64)
    counts = np.zeros((chunks, count_slots(q.filter_given.shape[0])), dtype=np.int64)
    for c in prange(chunks):
        lo = min(n, c * size)
        found[c] = scan(cols, index, q, terms, lo, min(n, lo + size), scores[c], rows[c], counts[c])
    return _merge(cols, q, table, terms, scores, rows, found, counts)


@jit()
def _score_rows(cols: Columns, q: KernelQuery, table: _F64, terms: _F64, rows: _I64) -> tuple[_F64, _F64]:
    """Factor scores (m, G) and totals (m,) of ``rows`` (m,)."""
    factors = np.empty((rows.shape[0], q.factor_kinds.shape[0]), dtype=np.float64)
    totals = np.empty(rows.shape[0], dtype=np.float64)
    numbers = np.zeros(q.factor_kinds.shape[0], dtype=np.int64)
    for j in range(rows.shape[0]):
        numerators(cols, q, rows[j], numbers, -1)
        for g in range(numbers.shape[0]):
            factors[j, g] = table[g, numbers[g]]
        totals[j] = weighted_total(terms, numbers)
    return factors, totals


@jit()
def _eligible_rows(index: _U64, q: KernelQuery, n: int) -> tuple[_I64, _I64]:
    rows = np.empty(n, dtype=np.int64)
    filters = q.filter_given.shape[0]
    counts = np.zeros(count_slots(filters), dtype=np.int64)
    found = eligible_scan(index, q, n, rows, counts)
    return rows[:found].copy(), counts[:filters].copy()


@jit()
def _relaxation_counts(index: _U64, q: KernelQuery, n: int) -> _I64:
    filters = q.filter_given.shape[0]
    counts = np.zeros(count_slots(filters), dtype=np.int64)
    count_scan(index, q, n, counts)
    return counts[filters + 2 :].copy()


@jit()
def _score_rows_of(cols: Columns, q: KernelQuery, rows: _I64) -> tuple[_F64, _F64]:
    table = score_table(q)
    return _score_rows(cols, q, table, term_table(q, table), rows)


# --------------------------------------------------------------------------- entry points


class TopK(NamedTuple):
    """The best ``k`` eligible counselors and the filter counts of the whole catalog.

    Attributes
    ----------
    rows : int64 (m,), rows of the best counselors, best first (m = min(k, eligible))
    totals : float64 (m,), their weighted totals
    factors : float64 (m, G), their scores of each factor of the query, in its order
    excluded : int64 (F,), how many counselors fail each hard filter, in ``FILTERS`` order
    eligible : number of counselors who pass every hard filter
    tier_only : number of counselors who fail the query's tier filter and no other (0: none)
    only : int64 (F,), for each filter the client could relax, how many counselors fail it and no
        other hard filter: whom relaxing it would add (0 for the others)
    """

    rows: _I64
    totals: _F64
    factors: _F64
    excluded: _I64
    eligible: int
    tier_only: int
    only: _I64


_in_flight_lock = threading.Lock()
_in_flight = 0


def _begin() -> bool:
    """Count a call as in flight; return whether it is the only one (then it may use numba's threads)."""
    global _in_flight
    with _in_flight_lock:
        _in_flight += 1
        return _in_flight == 1


def _end() -> None:
    global _in_flight
    with _in_flight_lock:
        _in_flight -= 1


def top_k(cols: Columns, index: _U64, q: KernelQuery, k: int) -> TopK:
    """Rank the catalog ``cols`` (with its bit index) for ``q``: the best ``k`` (>= 1) eligible counselors.

    Order: total descending, then row ascending. A catalog of more than
    :data:`PARALLEL_ABOVE` counselors is split into chunks ranked on numba's threads
    when no other call is in flight: concurrent calls (a server's worker threads) each
    run on their own thread instead of oversubscribing the cores, and at most one
    parallel launch runs at a time, which every numba threading layer supports.
    """
    alone = _begin()
    try:
        # The size first: numba.get_num_threads() costs microseconds, which a small catalog skips.
        threads = numba.get_num_threads() if alone and cols.flags.shape[0] > PARALLEL_ABOVE else 1
        if threads > 1:
            out = _top_k_parallel(cols, index, q, k, CHUNKS_PER_THREAD * threads)
        else:
            out = _top_k_serial(cols, index, q, k)
    finally:
        _end()
    rows, totals, factors, excluded, eligible, tier_only, only = out
    return TopK(rows, totals, factors, excluded, int(eligible), int(tier_only), only)


def eligible_rows(cols: Columns, index: _U64, q: KernelQuery) -> tuple[_I64, _I64]:
    """The rows of the counselors who pass every hard filter, ascending, and the filter counts.

    Returns
    -------
    rows : int64 (m,)
    excluded : int64 (F,), how many counselors fail each hard filter, in ``FILTERS`` order
    """
    rows, excluded = _eligible_rows(index, q, cols.flags.shape[0])
    return rows, excluded


def relaxation_counts(cols: Columns, index: _U64, q: KernelQuery) -> _I64:
    """For each filter ``q`` lets the client relax, how many counselors fail it and no other hard filter.

    One pass over the bit index (a ranking makes it only when too few qualify); int64 (F,), 0 for
    the filters that cannot be relaxed.
    """
    return _relaxation_counts(index, q, cols.flags.shape[0])


def score_rows(cols: Columns, q: KernelQuery, rows: _I64) -> tuple[_F64, _F64]:
    """The factor scores, shape (m, G) in the query's order, and totals, shape (m,), of ``rows`` (m,)."""
    factors, totals = _score_rows_of(cols, q, rows)
    return factors, totals


def threading_layer() -> str:
    """The threading layer numba chose (``omp``, ``tbb`` or ``workqueue``), once a parallel kernel ran."""
    return str(numba.np.ufunc.threading_layer())


def warm_up() -> None:
    """Compile every kernel, or load it from numba's disk cache, so that the first ranking is fast.

    A server calls this once at start; without it the first call in a process pays
    the compilation (seconds, or well under a second from the cache).
    """
    cols = encode_profiles([]).read_only()
    index = build_index(cols)
    q = compile_query(_WARM_UP_INTAKE, DEFAULT_STRATEGY).kernel
    top_k(cols, index, q, 1)  # the serial kernel (an empty catalog)
    try:
        if _begin():  # otherwise another call may be running it, and will have compiled it
            _top_k_parallel(cols, index, q, 1, 1)
    finally:
        _end()
    _eligible_rows(index, q, 0)
    _relaxation_counts(index, q, 0)
    _score_rows_of(cols, q, np.zeros(0, dtype=np.int64))
