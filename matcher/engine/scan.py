"""The ranking scan over a range of counselors, driven by the snapshot's bit index.

:func:`scan` ranks counselors ``lo .. hi - 1`` 64 at a time (one word of every bitmap
of :mod:`matcher.engine.bit_index`), :data:`WORDS` words per block:

1. every hard filter of the query (:class:`~matcher.engine.query.KernelQuery`) is the OR
   of its bitmaps, block by block (:mod:`matcher.engine.block_filters`): a flag's row, the rows of the
   client's codes, the client's weekly slots; a filter that does not apply passes
   everybody, and one with an "on file" row is not counted outside it;
2. the eligible counselors of a word are the AND of its filters, and the failures of each
   filter one popcount;
3. the candidates are the eligible counselors who could still beat the ``k``-th best
   (:mod:`matcher.engine.score_bounds`): once the floor on the graded (concern) numerator is
   above 0 only those who treat one of the client's concerns, once it is above what
   secondary concerns can give only those who treat one as primary; each is scored from
   its row of the columns, factor by factor as the query lists them, and kept in a small
   buffer sorted by (score descending, row ascending);
4. once the buffer is full, for an intake whose weekly slots score (from
   :data:`COUNT_SLOTS_FROM` to :data:`COUNT_SLOTS_BELOW`), each block also counts every
   counselor's graded numerator and shared slots in bit-sliced counters
   (:mod:`matcher.engine.bit_slices`: the slot bitmaps added up instead of ORed), and keeps
   only the candidates past a corner of the staircase of
   :func:`~matcher.engine.score_bounds.corners`, where both numerators together may still
   beat the ``k``-th best.

Every other factor enters the bounds through its largest term, whatever its kind, so a
factor with no pruning of its own is still bounded soundly. Only the candidates' rows of
the columns are read, so the scan reads a few bytes per counselor whatever the catalog holds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOT_WORDS
from matcher.engine.bit_slices import MAX_PLANES, add_rows, at_least, planes_for
from matcher.engine.block_filters import WORDS, block_eligible, block_filters, lowest_bit, valid_bits
from matcher.engine.encoding import Columns
from matcher.engine.kernel_steps import graded_hits, insert, jit, numerators, popcount, weighted_total
from matcher.engine.layout import GRADE_SHIFT
from matcher.engine.query import PRIORITY_PLANES, KernelQuery
from matcher.engine.score_bounds import concern_floor, corners

__all__ = ["COUNT_SLOTS_BELOW", "COUNT_SLOTS_FROM", "WORDS", "scan"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_PRIMARY_HALF = np.uint64((1 << GRADE_SHIFT) - 1)
_TREATED_HALF = ~_PRIMARY_HALF


@jit()
def _rows_of(mask: np.uint64, offset: int) -> _I64:
    """``offset + b`` for every bit ``b`` set in ``mask``, ascending: the index rows of a mask's bitmaps."""
    out = np.empty(popcount(mask), dtype=np.int64)
    rest = mask
    for j in range(out.shape[0]):
        low = lowest_bit(rest)
        out[j] = offset + popcount(low - _ONE)
        rest ^= low
    return out


@jit()
def _slot_rows(slot_words: _U64, offset: int) -> _I64:
    """The index rows of the client's weekly slots (``slot_words``, shape (SLOT_WORDS,))."""
    total = 0
    for w in range(SLOT_WORDS):
        total += popcount(slot_words[w])
    out = np.empty(total, dtype=np.int64)
    at = 0
    for w in range(SLOT_WORDS):
        part = _rows_of(slot_words[w], offset + 64 * w)
        out[at : at + part.shape[0]] = part
        at += part.shape[0]
    return out


@jit()
def _or_rows(index: _U64, rows: _I64, w0: int, m: int, out: _U64) -> None:
    """``out[j]``: the OR of word ``w0 + j`` of the bitmaps ``rows`` (0 if none), for ``j < m``."""
    for j in range(m):
        out[j] = _ZERO
    for k in range(rows.shape[0]):
        r = rows[k]
        for j in range(m):
            out[j] |= index[r, w0 + j]


#: Shared slots are counted only for intakes with this many weekly slots: with fewer or more,
#: counting cost more than the pruning it allows saved.
COUNT_SLOTS_FROM = 8
COUNT_SLOTS_BELOW = 32


@jit()
def scan(
    cols: Columns,
    index: _U64,
    q: KernelQuery,
    terms: _F64,
    lo: int,
    hi: int,
    scores: _F64,
    rows: _I64,
    counts: _I64,
) -> int:
    """Rank rows ``lo .. hi - 1`` (``lo`` a multiple of 64): their best into ``scores``/``rows`` (k,).

    Returns how many the buffer holds. Adds the filter counts to ``counts`` (see
    :func:`~matcher.engine.block_filters.count_slots`). ``index`` is the snapshot's bit index,
    uint64 (INDEX_ROWS, W); ``terms`` is :func:`~matcher.engine.kernel_steps.term_table`.
    """
    if lo >= hi:
        return 0
    k = scores.shape[0]
    factors = q.factor_kinds.shape[0]
    g = q.graded
    sf = q.slot_factor
    planes = q.factor_bits[max(g, 0), :PRIORITY_PLANES]
    graded_word = q.factor_words[g] if g >= 0 else 0
    twice = q.factor_most[g] if g >= 0 else 0
    named = _ZERO
    for b in range(PRIORITY_PLANES):
        named |= planes[b] if g >= 0 else _ZERO
    treated_rows = _rows_of(named & _TREATED_HALF, q.graded_row)
    primary_rows = _rows_of(named & _PRIMARY_HALF, q.graded_row)
    # plane b's codes (priority with bit b) add 2 ** b per code treated, as much again if primary
    graded_rows = [_rows_of(planes[b], q.graded_row) for b in range(PRIORITY_PLANES)]
    slot_rows = _slot_rows(q.slot_words, q.slot_row)
    most_without_primary = twice // 2  # every code treated as secondary
    graded_bits = planes_for(twice)
    best = np.zeros(factors, dtype=np.float64)
    for f in range(factors):
        best[f] = terms[f].max()
    counted = (
        g >= 0 and sf >= 0 and q.weights[sf] > 0.0 and COUNT_SLOTS_FROM <= q.slot_count < COUNT_SLOTS_BELOW
    )
    slot_bits = planes_for(q.slot_count) if counted else 0
    slot_terms = terms[sf, : q.slot_count + 1] if counted else best[:1]

    passes = np.empty((q.filter_given.shape[0], WORDS), dtype=np.uint64)
    treated = np.empty(WORDS, dtype=np.uint64)
    primary = np.empty(WORDS, dtype=np.uint64)
    graded = np.empty((MAX_PLANES + PRIORITY_PLANES, WORDS), dtype=np.uint64)  # graded numerators
    shared = np.empty((MAX_PLANES, WORDS), dtype=np.uint64)  # shared slot counts
    numbers = np.zeros(factors, dtype=np.int64)
    eligible_words = np.empty(WORDS, dtype=np.uint64)

    count = 0
    kth = -1.0  # the score to beat: scores are >= 0, so anything beats it until the buffer is full
    floor = 0  # the graded numerator a candidate needs (see concern_floor)
    staircase = np.empty((twice + 1, 2), dtype=np.int64)
    steps = 0  # corners of the staircase (see score_bounds.corners)
    sliced = False  # whether this block counts numerators 64 counselors at a time and prunes on them
    first_word, end_word = lo >> 6, (hi + 63) >> 6
    for w0 in range(first_word, end_word, WORDS):
        m = min(WORDS, end_word - w0)
        block_filters(index, q, w0, m, q.slots_filter if sliced else -1, passes)
        _or_rows(index, treated_rows, w0, m, treated)
        _or_rows(index, primary_rows, w0, m, primary)
        if sliced:  # count each counselor's graded numerator and shared slots, 64 at a time
            graded[:, :m] = _ZERO
            for b in range(PRIORITY_PLANES):
                add_rows(index, graded_rows[b], w0, m, graded[b:], twice >> b)
            shared[:, :m] = _ZERO
            add_rows(index, slot_rows, w0, m, shared, q.slot_count)
            for j in range(m):  # free at some of the client's slots: a count above 0
                word = _ZERO
                for p in range(slot_bits):
                    word |= shared[p, j]
                passes[q.slots_filter, j] = word
        block_eligible(passes, q, m, valid_bits((w0 + m - 1) * 64, hi), counts, eligible_words)
        for j in range(m):
            base = (w0 + j) * 64
            eligible = eligible_words[j]
            if floor == 0:
                candidates = eligible
            elif floor <= most_without_primary:
                candidates = eligible & treated[j]
            elif floor <= twice:
                candidates = eligible & primary[j]
            else:
                candidates = _ZERO
            if sliced and candidates != _ZERO:  # keep those past a corner of the staircase
                hopeful = _ZERO
                for c in range(steps):
                    hopeful |= at_least(graded, j, graded_bits, staircase[c, 0]) & at_least(
                        shared, j, slot_bits, staircase[c, 1]
                    )
                candidates &= hopeful
            while candidates != _ZERO:
                low = lowest_bit(candidates)
                candidates ^= low
                i = base + popcount(low - _ONE)
                if g >= 0:
                    numbers[g] = graded_hits(cols.codes[graded_word, i], planes)
                    if numbers[g] < floor:
                        continue
                numerators(cols, q, i, numbers, g)
                total = weighted_total(terms, numbers)
                if total > kth:
                    count = insert(scores, rows, count, total, i)
                    if count == k:
                        kth = scores[k - 1]
                        if g >= 0:
                            floor = concern_floor(terms, best, g, twice, kth)
                            if slot_bits > 0:  # the staircase is read only where slots are counted
                                steps = corners(terms, best, g, sf, slot_terms, kth, staircase)
        sliced = slot_bits > 0 and count == k  # from the next block on, once the top k is full
    return count
