"""The compiled steps the kernels share (:mod:`matcher.engine.kernel`, :mod:`matcher.engine.scan`).

Block steps compute the hard filters of the rows ``lo .. hi - 1`` (at most
:data:`BLOCK`) from the columns, for :func:`matcher.engine.kernel.eligible_rows` (ranking
decides the filters from the bit index instead), with simple loops over
``j = 0 .. hi - lo - 1`` that the compiler vectorises (slicing the columns first lets
it see that no index is negative), writing into scratch arrays of shape (BLOCK,).
Row steps handle one counselor: the candidates a ranking scores in full, and the
rows :func:`matcher.engine.kernel.score_rows` is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba.extending import intrinsic

from matcher.availability import SLOT_WORDS
from matcher.engine.encoding import FLAG_ACTIVE, FLAG_HAS_ROOM, Columns
from matcher.engine.kernel_cache import use_versioned_cache
from matcher.engine.kernel_query import PRIORITY_PLANES, KernelQuery

__all__ = [
    "BLOCK",
    "FILTERS",
    "check_filters",
    "concern_hits",
    "count_shared",
    "first_language",
    "insert",
    "jit",
    "popcount",
    "score_table",
    "shared_slots",
    "term_table",
    "weighted_total",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Number of hard filters; bit ``f`` of a failure mask is filter ``f`` in ``HardFilter`` order
#: (active, capacity, language, format, session type, availability).
FILTERS = 6
_ACTIVE, _CAPACITY, _LANGUAGE, _FORMAT, _SESSION_TYPE, _AVAILABILITY = (1 << f for f in range(FILTERS))
#: Rows handled together by each block step (the scratch arrays stay in the L1/L2 cache).
BLOCK = 1024

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]
_U8 = npt.NDArray[np.uint8]

use_versioned_cache()  # before the first @jit below: every kernel module imports jit from here


def jit(**options: Any) -> Callable[[F], F]:
    """``numba.njit`` with the options every kernel shares, typed for mypy.

    Compilations are cached on disk in a directory of the current sources
    (:mod:`matcher.engine.kernel_cache`).
    """
    return cast(Callable[[F], F], numba.njit(cache=True, nogil=True, **options))


def _popcount_codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
    return builder.ctpop(args[0])


def _popcount_typing(typingctx: Any, word: Any) -> Any:
    return numba.types.int64(numba.types.uint64), _popcount_codegen


#: Number of set bits of a uint64, as one ``popcnt`` instruction (callable in compiled code only).
popcount = cast(Callable[[Any], int], intrinsic(_popcount_typing))


# --------------------------------------------------------------------------- tables


@jit()
def score_table(q: KernelQuery) -> _F64:
    """The score of each factor for each value of its integer numerator, shape (4, S).

    Row ``f`` is factor ``FACTORS[f]``: concern ``x / twice_priorities`` for ``x`` twice the
    weighted hits, approach ``x / approach_count`` for ``x`` approaches offered, language
    ``1 / (x + 1)`` for ``x`` the position of the first shared language (``L``: none, 0),
    availability ``x / slot_count`` for ``x`` shared slots. These are the divisions of the
    reference, done once per query instead of once per counselor.
    """
    size = max(q.twice_priorities, q.approach_count, q.language_bits.shape[0], q.slot_count) + 1
    table = np.zeros((4, size), dtype=np.float64)
    for x in range(q.twice_priorities + 1):
        table[0, x] = x / q.twice_priorities
    for x in range(q.approach_count + 1):
        table[1, x] = x / q.approach_count if q.approach_count else 0.0
    for x in range(q.language_bits.shape[0]):
        table[2, x] = 1.0 / (x + 1)
    for x in range(q.slot_count + 1):
        table[3, x] = x / q.slot_count if q.slot_count else 0.0
    return table


@jit()
def term_table(q: KernelQuery, table: _F64) -> _F64:
    """Each score of :func:`score_table` times its factor's weight: the terms of the total, shape (4, S)."""
    terms = np.empty_like(table)
    for f in range(4):
        for x in range(table.shape[1]):
            terms[f, x] = q.weights[f] * table[f, x]
    return terms


# --------------------------------------------------------------------------- block steps


@jit()
def count_shared(cols: Columns, q: KernelQuery, lo: int, hi: int, shared: _I64) -> None:
    """``shared[j]``: how many of the client's weekly slots counselor ``lo + j`` is also free in.

    Reads only the slot words in which the client has slots.
    """
    shared[: hi - lo] = 0
    for w in range(SLOT_WORDS):
        client = q.slot_words[w]
        if client != 0:
            words = cols.slot_words[w, lo:hi]
            for j in range(hi - lo):
                shared[j] += popcount(words[j] & client)


@jit()
def check_filters(
    cols: Columns, q: KernelQuery, lo: int, hi: int, shared: _I64, failed: _U8, counts: _I64
) -> None:
    """``failed[j]``: bit mask of the hard filters counselor ``lo + j`` fails (0: eligible).

    Adds to ``counts[f]`` how many of them fail filter ``f``, to ``counts[FILTERS]`` how
    many are eligible.
    """
    flags = cols.flags[lo:hi]
    languages = cols.languages[lo:hi]
    formats = cols.formats[lo:hi]
    session_types = cols.session_types[lo:hi]
    any_format = q.format_mask == 0
    any_time = not q.has_windows
    active = capacity = language = format_ = session_type = availability = eligible = 0
    for j in range(hi - lo):
        fails_active = (flags[j] & FLAG_ACTIVE) == 0
        fails_capacity = (flags[j] & FLAG_HAS_ROOM) == 0
        fails_language = (languages[j] & q.language_mask) == 0
        fails_format = (formats[j] & q.format_mask) == 0 and not any_format
        fails_session_type = (session_types[j] & q.session_type_bit) == 0
        fails_availability = shared[j] == 0 and not any_time
        mask = (
            fails_active * _ACTIVE
            | fails_capacity * _CAPACITY
            | fails_language * _LANGUAGE
            | fails_format * _FORMAT
            | fails_session_type * _SESSION_TYPE
            | fails_availability * _AVAILABILITY
        )
        failed[j] = mask
        active += fails_active
        capacity += fails_capacity
        language += fails_language
        format_ += fails_format
        session_type += fails_session_type
        availability += fails_availability
        eligible += mask == 0
    counts[0] += active
    counts[1] += capacity
    counts[2] += language
    counts[3] += format_
    counts[4] += session_type
    counts[5] += availability
    counts[FILTERS] += eligible


# --------------------------------------------------------------------------- row steps


@jit(inline="always")
def concern_hits(concerns: np.uint64, q: KernelQuery) -> int:
    """Twice the priority-weighted hits of one counselor's ``concerns`` word: the concern numerator.

    2 per primary concern and 1 per secondary one is one popcount of the ``concerns``
    column (:data:`~matcher.engine.encoding.CONCERN_SHIFT`); the priorities are summed bit by
    bit (plane ``b`` holds the concerns whose priority has bit ``b``).
    """
    out = 0
    for b in range(PRIORITY_PLANES):
        out += popcount(concerns & q.concern_planes[b]) << b
    return out


@jit(inline="always")
def shared_slots(cols: Columns, q: KernelQuery, i: int) -> int:
    """How many of the client's weekly slots counselor ``i`` is also free in (as :func:`count_shared`)."""
    out = 0
    for w in range(SLOT_WORDS):
        if q.slot_words[w] != 0:
            out += popcount(cols.slot_words[w, i] & q.slot_words[w])
    return out


@jit(inline="always")
def first_language(spoken: np.uint64, language_bits: _U64) -> int:
    """The position of the first of the client's languages (``language_bits``, shape (L,)) in ``spoken``.

    ``L`` when none is spoken.
    """
    first: int = language_bits.shape[0]
    for position in range(language_bits.shape[0] - 1, -1, -1):
        if spoken & language_bits[position] != 0:
            first = position
    return first


@jit(inline="always")
def weighted_total(terms: _F64, concern: int, offered: int, first: int, shared: int) -> float:
    """The weighted total from the factors' numerators, capped at 1 (weights may sum to 1 + 1 ulp).

    ``terms`` is :func:`term_table`. Added left to right in :data:`FACTORS` order like the
    reference; a factor that does not apply has weight 0 and adds an exact 0.
    """
    total: float = terms[0, concern] + terms[1, offered]
    total += terms[2, first]
    total += terms[3, shared]
    return min(total, 1.0)


@jit()
def insert(scores: _F64, rows: _I64, count: int, score: float, row: int) -> int:
    """Insert ``(score, row)`` into the buffer sorted by score descending; return the new count.

    The caller checks that the buffer has room or that ``score`` beats its last score.
    ``row`` goes after every equal score already held: callers insert rows in ascending
    order among equal scores, so ties stay in row order.
    """
    k: int = scores.shape[0]
    pos = count if count < k else k - 1
    while pos > 0 and scores[pos - 1] < score:
        scores[pos] = scores[pos - 1]
        rows[pos] = rows[pos - 1]
        pos -= 1
    scores[pos] = score
    rows[pos] = row
    return min(count + 1, k)
