"""Hard filters a block of counselors at a time, from the snapshot's bit index.

A block is :data:`WORDS` words of every bitmap of :mod:`matcher.engine.bit_index`, 64
counselors per word. :func:`block_filters` evaluates each filter that applies to the query
(:class:`~matcher.engine.query.KernelQuery`) over a block: the OR of its bitmaps (a flag's
row, the rows of the client's codes, the client's weekly slots), or their AND for a filter
that needs every client code; one with an "on file" row is not counted outside it.
:func:`block_eligible` ANDs the filters into the eligible counselors and counts each
filter's failures with a popcount, and those who fail only the query's tier filter.
:func:`eligible_scan` lists the eligible counselors of the whole catalog; the ranking scan
(:mod:`matcher.engine.scan`) uses the same steps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.engine.kernel_steps import jit, popcount
from matcher.engine.query import KernelQuery

__all__ = [
    "WORDS",
    "block_eligible",
    "block_filters",
    "count_scan",
    "count_slots",
    "eligible_scan",
    "lowest_bit",
    "valid_bits",
]


@jit(inline="always")
def count_slots(filters: int) -> int:
    """The size of the int64 counts a scan adds to, for ``filters`` (F) filters.

    In order: each filter's failures (F); the eligible (1); those who fail the tier filter
    and no other (1); for each relaxable filter, those who fail it and no other hard filter
    (F; 0 for the filters that cannot be relaxed).
    """
    return 2 * filters + 2


#: Words of each bitmap handled per block (64 counselors per word): 4,096 counselors, a run of
#: 512 bytes of each bitmap (long runs read fast; the measurements are in the commit history).
WORDS = 64

_I64 = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


@jit(inline="always")
def lowest_bit(word: np.uint64) -> np.uint64:
    """The lowest set bit of ``word`` (0 if none)."""
    return word & (~word + _ONE)


@jit(inline="always")
def block_filters(index: _U64, q: KernelQuery, w0: int, m: int, skip: int, passes: _U64) -> None:
    """``passes[f, j]``: the counselors of word ``w0 + j`` who pass filter ``f`` (``j < m``).

    ``passes`` is uint64 (F, WORDS). Filter ``skip`` (-1: none) is left to the caller, and the
    rows of filters that do not apply are left as they are (:func:`block_eligible` skips them).
    Arrays are indexed, not sliced: a view per filter and block would cost reference counting.
    """
    for f in range(q.filter_given.shape[0]):
        if f == skip or not q.filter_given[f]:  # a filter that does not apply is never read
            continue
        every = q.filter_all[f]  # in every one of its rows, not in any
        fill = _ALL if every else _ZERO
        for j in range(m):
            passes[f, j] = fill
        for k in range(q.filter_starts[f], q.filter_starts[f + 1]):
            r = q.filter_rows[k]
            if every:
                for j in range(m):
                    passes[f, j] &= index[r, w0 + j]
            else:
                for j in range(m):
                    passes[f, j] |= index[r, w0 + j]
        unless = q.filter_unless[f]
        if unless >= 0:  # not counted against those outside row ``unless``
            for j in range(m):
                passes[f, j] |= ~index[unless, w0 + j]


@jit(inline="always")
def _failures(passes: _U64, f: int, m: int, last: np.uint64) -> int:
    """How many counselors of the block fail filter ``f`` (``last`` masks the last word's range)."""
    failed = 0
    for j in range(m - 1):
        failed += popcount(~passes[f, j])
    return failed + popcount(~passes[f, m - 1] & last)


@jit(inline="always")
def block_eligible(passes: _U64, q: KernelQuery, m: int, last: np.uint64, counts: _I64, out: _U64) -> None:
    """``out[j]``: the counselors of word ``j`` (``j < m``) who pass every filter of ``q`` that applies.

    ``last`` masks the counselors of the block's last word that lie in the range. Adds to
    ``counts`` (see :func:`count_slots`): each filter's failures; the eligible; those who fail the
    tier filter and no other; and, for each filter the client could relax, those who fail it
    and no other hard filter (whom relaxing it would add). One filter at a time, so that each
    count stays in a register and the loops over the words vectorise.
    """
    filters = passes.shape[0]
    tier = q.tier_filter
    for j in range(m):
        out[j] = _ALL
    out[m - 1] = last
    for f in range(filters):
        if not q.filter_given[f]:
            continue
        counts[f] += _failures(passes, f, m, last)
        if f != tier and not q.filter_relax[f]:  # the tier and the relaxable ones last
            for j in range(m):
                out[j] &= passes[f, j]
    relax = q.relax_filters
    if relax.shape[0]:  # ``out`` holds the others: who fails one relaxable filter only
        for j in range(m):
            rest = out[j]
            for r in range(relax.shape[0]):
                held = rest
                for other in range(relax.shape[0]):
                    if other != r:
                        held &= passes[relax[other], j]
                counts[filters + 2 + relax[r]] += popcount(held & ~passes[relax[r], j])
            for r in range(relax.shape[0]):
                out[j] &= passes[relax[r], j]
    if tier >= 0:
        only = 0
        for j in range(m):  # ``out`` is already 0 outside the range
            only += popcount(out[j] & ~passes[tier, j])
            out[j] &= passes[tier, j]
        counts[filters + 1] += only
    eligible = 0
    for j in range(m):
        eligible += popcount(out[j])
    counts[filters] += eligible


@jit(inline="always")
def valid_bits(base: int, hi: int) -> np.uint64:
    """The counselors of the word starting at row ``base`` that lie below ``hi``."""
    return _ALL if base + 64 <= hi else (_ONE << np.uint64(hi - base)) - _ONE


@jit()
def eligible_scan(index: _U64, q: KernelQuery, n: int, rows: _I64, counts: _I64) -> int:
    """Write the rows of the counselors who pass every filter into ``rows`` (n,), ascending.

    Returns how many; adds the filter counts to ``counts`` (see :func:`count_slots`).
    """
    passes = np.empty((q.filter_given.shape[0], WORDS), dtype=np.uint64)
    eligible_words = np.empty(WORDS, dtype=np.uint64)
    found = 0
    end_word = (n + 63) >> 6
    for w0 in range(0, end_word, WORDS):
        m = min(WORDS, end_word - w0)
        block_filters(index, q, w0, m, -1, passes)
        block_eligible(passes, q, m, valid_bits((w0 + m - 1) * 64, n), counts, eligible_words)
        for j in range(m):
            base = (w0 + j) * 64
            eligible = eligible_words[j]
            while eligible != _ZERO:
                low = lowest_bit(eligible)
                eligible ^= low
                rows[found] = base + popcount(low - _ONE)
                found += 1
    return found


@jit()
def count_scan(index: _U64, q: KernelQuery, n: int, counts: _I64) -> None:
    """Add the counts of all ``n`` counselors to ``counts`` (see :func:`count_slots`), listing nobody."""
    passes = np.empty((q.filter_given.shape[0], WORDS), dtype=np.uint64)
    eligible_words = np.empty(WORDS, dtype=np.uint64)
    end_word = (n + 63) >> 6
    for w0 in range(0, end_word, WORDS):
        m = min(WORDS, end_word - w0)
        block_filters(index, q, w0, m, -1, passes)
        block_eligible(passes, q, m, valid_bits((w0 + m - 1) * 64, n), counts, eligible_words)
