"""The ranking scan over a range of counselors, driven by the snapshot's bit index.

:func:`scan` ranks counselors ``lo .. hi - 1`` 64 at a time (one word of every bitmap
of :mod:`matcher.engine.bit_index`), :data:`WORDS` words per block:

1. the bitmaps the intake selects are ORed, block by block: the client's languages,
   formats, session type, weekly slots, and the concerns it named (treated at all,
   treated as primary);
2. every hard filter of 64 counselors is one word (``active & has_room & language &
   format & session_type & time``), and its failures one popcount;
3. the candidates are the eligible counselors who could still beat the ``k``-th best
   (:mod:`matcher.engine.score_bounds`): once the concern floor is above 0 only those who treat
   one of the client's concerns, once it is above what secondary concerns can give only
   those who treat one as primary; each is scored from its row of the columns and kept
   in a small buffer sorted by (score descending, row ascending);
4. once the buffer is full, for an intake whose weekly slots score (from
   :data:`COUNT_SLOTS_FROM` to :data:`COUNT_SLOTS_BELOW`), each block also counts every
   counselor's concern numerator and shared slots in bit-sliced counters
   (:mod:`matcher.engine.bit_slices`: the slot bitmaps added up instead of ORed), and keeps only
   the candidates past a corner of the staircase of :func:`~matcher.engine.score_bounds.corners`,
   where both numerators together may still beat the ``k``-th best. For a broad intake
   (tens of thousands eligible, few of them free at most of the client's hours) this
   leaves a few hundred to score instead of thousands.

Only the candidates' rows of the columns are read, so the scan reads a few bytes per
counselor whatever the catalog holds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOT_WORDS
from matcher.engine.bit_index import (
    CONCERN_ROWS,
    FLAG_ROWS,
    FORMAT_ROWS,
    LANGUAGE_ROWS,
    SESSION_TYPE_ROWS,
    SLOT_ROWS,
)
from matcher.engine.bit_slices import MAX_PLANES, add_rows, at_least, planes_for
from matcher.engine.encoding import CONCERN_SHIFT, FLAG_ACTIVE, FLAG_HAS_ROOM, Columns
from matcher.engine.kernel_query import PRIORITY_PLANES, KernelQuery
from matcher.engine.kernel_steps import (
    FILTERS,
    concern_hits,
    first_language,
    insert,
    jit,
    popcount,
    shared_slots,
    weighted_total,
)
from matcher.engine.score_bounds import concern_floor, corners

__all__ = ["COUNT_SLOTS_BELOW", "COUNT_SLOTS_FROM", "WORDS", "scan"]

#: Words of each bitmap handled per block (64 counselors per word): 4,096 counselors, a run of
#: 512 bytes of each bitmap. At 100k counselors the kernel's p50 over 200 synthetic intakes was
#: 76 µs with 16 words, 66 µs with 32, 64-66 µs with 64 and 128 (1M: 450, 418, 394 µs for 16,
#: 32 and 64; the worst-case intake at 100k: 617 µs with 16 words, 494 µs with 64).
WORDS = 64

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_ACTIVE_ROW = FLAG_ROWS + FLAG_ACTIVE.bit_length() - 1
_ROOM_ROW = FLAG_ROWS + FLAG_HAS_ROOM.bit_length() - 1
_PRIMARY_HALF = np.uint64((1 << CONCERN_SHIFT) - 1)
_TREATED_HALF = ~_PRIMARY_HALF


@jit(inline="always")
def _lowest(word: np.uint64) -> np.uint64:
    """The lowest set bit of ``word`` (0 if none)."""
    return word & (~word + _ONE)


@jit()
def _rows_of(mask: np.uint64, offset: int) -> _I64:
    """``offset + b`` for every bit ``b`` set in ``mask``, ascending: the index rows of a mask's bitmaps."""
    out = np.empty(popcount(mask), dtype=np.int64)
    rest = mask
    for j in range(out.shape[0]):
        low = _lowest(rest)
        out[j] = offset + popcount(low - _ONE)
        rest ^= low
    return out


@jit()
def _slot_rows(slot_words: _U64) -> _I64:
    """The index rows of the client's weekly slots (``slot_words``, shape (SLOT_WORDS,))."""
    total = 0
    for w in range(SLOT_WORDS):
        total += popcount(slot_words[w])
    out = np.empty(total, dtype=np.int64)
    at = 0
    for w in range(SLOT_WORDS):
        part = _rows_of(slot_words[w], SLOT_ROWS + 64 * w)
        out[at : at + part.shape[0]] = part
        at += part.shape[0]
    return out


@jit()
def _or_rows(index: _U64, rows: _I64, w0: int, m: int, out: _U64) -> None:
    """``out[j]``: the OR of word ``w0 + j`` of the bitmaps ``rows`` (0 if none), for ``j < m``."""
    out[:m] = _ZERO
    for r in rows:
        words = index[r, w0 : w0 + m]
        for j in range(m):
            out[j] |= words[j]


#: Shared slots are counted only for intakes with this many weekly slots: with fewer, pruning on
#: the counts saved less than counting cost (100k counselors, intakes of 1 to 7 slots: kernel
#: p50 62-67 µs counted, 47-51 µs not); with more, counting costs more.
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

    Returns how many the buffer holds. Adds the filter counts to ``counts`` (shape
    (FILTERS + 1,), the eligible last). ``index`` is the snapshot's bit index,
    uint64 (INDEX_ROWS, W); ``terms`` is :func:`~matcher.engine.kernel_steps.term_table`.
    """
    if lo >= hi:
        return 0
    k = scores.shape[0]
    language_rows = _rows_of(q.language_mask, LANGUAGE_ROWS)
    format_rows = _rows_of(q.format_mask, FORMAT_ROWS)
    session_type_rows = _rows_of(q.session_type_bit, SESSION_TYPE_ROWS)
    slot_rows = _slot_rows(q.slot_words)
    named = _ZERO
    for b in range(PRIORITY_PLANES):
        named |= q.concern_planes[b]
    treated_rows = _rows_of(named & _TREATED_HALF, CONCERN_ROWS)
    primary_rows = _rows_of(named & _PRIMARY_HALF, CONCERN_ROWS)
    # plane b's concerns (priority with bit b) add 2 ** b per concern treated, as much again if primary
    concern_rows = [_rows_of(q.concern_planes[b], CONCERN_ROWS) for b in range(PRIORITY_PLANES)]
    any_format = q.format_mask == _ZERO
    any_time = not q.has_windows
    most_without_primary = q.twice_priorities // 2  # every concern treated as secondary
    concern_bits = planes_for(q.twice_priorities)
    best = np.array([terms[f].max() for f in range(4)])
    counted = q.weights[3] > 0.0 and COUNT_SLOTS_FROM <= q.slot_count < COUNT_SLOTS_BELOW  # then blocks prune
    slot_bits = planes_for(q.slot_count) if counted else 0
    slot_terms = terms[3, : q.slot_count + 1] if counted else best[3:]

    language = np.empty(WORDS, dtype=np.uint64)
    format_ = np.empty(WORDS, dtype=np.uint64)
    session_type = np.empty(WORDS, dtype=np.uint64)
    free = np.empty(WORDS, dtype=np.uint64)
    treated = np.empty(WORDS, dtype=np.uint64)
    primary = np.empty(WORDS, dtype=np.uint64)
    concern = np.empty((MAX_PLANES + PRIORITY_PLANES, WORDS), dtype=np.uint64)  # concern numerators
    shared = np.empty((MAX_PLANES, WORDS), dtype=np.uint64)  # shared slot counts
    if any_format:
        format_[:] = _ALL
    if any_time:
        free[:] = _ALL

    count = 0
    kth = -1.0  # the score to beat: scores are >= 0, so anything beats it until the buffer is full
    floor = 0  # the concern numerator a candidate needs (see concern_floor)
    staircase = np.empty((q.twice_priorities + 1, 2), dtype=np.int64)
    steps = 0  # corners of the staircase (see score_bounds.corners)
    sliced = False  # whether this block counts numerators 64 counselors at a time and prunes on them
    first_word, end_word = lo >> 6, (hi + 63) >> 6
    for w0 in range(first_word, end_word, WORDS):
        m = min(WORDS, end_word - w0)
        _or_rows(index, language_rows, w0, m, language)
        _or_rows(index, session_type_rows, w0, m, session_type)
        if not any_format:
            _or_rows(index, format_rows, w0, m, format_)
        _or_rows(index, treated_rows, w0, m, treated)
        _or_rows(index, primary_rows, w0, m, primary)
        if sliced:  # count each counselor's concern numerator and shared slots, 64 at a time
            concern[:, :m] = _ZERO
            for b in range(PRIORITY_PLANES):
                add_rows(index, concern_rows[b], w0, m, concern[b:], q.twice_priorities >> b)
            shared[:, :m] = _ZERO
            add_rows(index, slot_rows, w0, m, shared, q.slot_count)
            free[:m] = _ZERO
            for p in range(slot_bits):
                free[:m] |= shared[p, :m]
        elif not any_time:
            _or_rows(index, slot_rows, w0, m, free)
        for j in range(m):
            w = w0 + j
            base = w * 64
            valid = _ALL if base + 64 <= hi else (_ONE << np.uint64(hi - base)) - _ONE
            active = index[_ACTIVE_ROW, w]
            room = index[_ROOM_ROW, w]
            counts[0] += popcount(~active & valid)
            counts[1] += popcount(~room & valid)
            counts[2] += popcount(~language[j] & valid)
            counts[3] += popcount(~format_[j] & valid)
            counts[4] += popcount(~session_type[j] & valid)
            counts[5] += popcount(~free[j] & valid)
            eligible = active & room & language[j] & format_[j] & session_type[j] & free[j] & valid
            counts[FILTERS] += popcount(eligible)
            if floor == 0:
                candidates = eligible
            elif floor <= most_without_primary:
                candidates = eligible & treated[j]
            elif floor <= q.twice_priorities:
                candidates = eligible & primary[j]
            else:
                candidates = _ZERO
            if sliced and candidates != _ZERO:  # keep those past a corner of the staircase
                hopeful = _ZERO
                for c in range(steps):
                    hopeful |= at_least(concern, j, concern_bits, staircase[c, 0]) & at_least(
                        shared, j, slot_bits, staircase[c, 1]
                    )
                candidates &= hopeful
            while candidates != _ZERO:
                low = _lowest(candidates)
                candidates ^= low
                b = popcount(low - _ONE)
                i = base + b
                hits = concern_hits(cols.concerns[i], q)
                if hits < floor:
                    continue
                slots = shared_slots(cols, q, i)
                offered = popcount(cols.approaches[i] & q.approach_mask)
                first = first_language(cols.languages[i], q.language_bits)
                total = weighted_total(terms, hits, offered, first, slots)
                if total > kth:
                    count = insert(scores, rows, count, total, i)
                    if count == k:
                        kth = scores[k - 1]
                        floor = concern_floor(q, terms, best, kth)
                        steps = corners(terms, best, slot_terms, kth, staircase)
        sliced = slot_bits > 0 and count == k  # from the next block on, once the top k is full
    return count
