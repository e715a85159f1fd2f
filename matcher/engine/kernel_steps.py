"""The compiled steps the kernels share (:mod:`matcher.engine.kernel`, :mod:`matcher.engine.scan`).

Tables turn a factor's integer numerator into its score and weighted term, once per
query; row steps compute one counselor's numerators from its row of the columns, for
the candidates a ranking scores in full and the rows :func:`matcher.engine.kernel.score_rows`
is given. Factors are handled by kind (``KIND_*`` of :mod:`matcher.engine.query`), in the
order the query lists them, never by a fixed position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba.extending import intrinsic

from matcher.availability import SLOT_WORDS
from matcher.engine.encoding import Columns
from matcher.engine.kernel_cache import use_versioned_cache
from matcher.engine.query import (
    KIND_ANY,
    KIND_FIRST_CHOICE,
    KIND_GRADED,
    KIND_RELATED,
    KIND_SHARE,
    PRIORITY_PLANES,
    RELATED_GROUP,
    KernelQuery,
)

__all__ = [
    "graded_hits",
    "insert",
    "jit",
    "numerators",
    "popcount",
    "score_table",
    "shared_slots",
    "term_table",
    "weighted_total",
]

F = TypeVar("F", bound=Callable[..., Any])

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]

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
    """The score of each factor for each value of its integer numerator, shape (G, S).

    Row ``g`` is factor ``g`` of the query: share ``x / most`` for ``x`` codes offered (any:
    ``most`` is 1),
    first choice ``1 / (x + 1)`` for ``x`` the position of the client's first code the
    counselor has (``most``: none, 0), graded ``x / most`` for ``x`` twice the weighted hits,
    shared slots ``x / most``. These are the divisions of the reference, done once per
    query instead of once per counselor.
    """
    size = 1
    for g in range(q.factor_kinds.shape[0]):
        size = max(size, q.factor_most[g] + 1)
    table = np.zeros((q.factor_kinds.shape[0], size), dtype=np.float64)
    for g in range(q.factor_kinds.shape[0]):
        most = q.factor_most[g]
        if q.factor_kinds[g] == KIND_FIRST_CHOICE:
            for x in range(most):
                table[g, x] = 1.0 / (x + 1)
        elif most > 0:
            for x in range(most + 1):
                table[g, x] = x / most
    return table


@jit()
def term_table(q: KernelQuery, table: _F64) -> _F64:
    """Each score of :func:`score_table` times its factor's weight: the terms of the total, shape (G, S)."""
    terms = np.empty_like(table)
    for g in range(table.shape[0]):
        for x in range(table.shape[1]):
            terms[g, x] = q.weights[g] * table[g, x]
    return terms


# --------------------------------------------------------------------------- row steps


@jit(inline="always")
def graded_hits(word: np.uint64, planes: _U64) -> int:
    """Twice the priority-weighted hits of one counselor's graded ``word``: the graded numerator.

    2 per primary code and 1 per secondary one is one popcount of the word
    (:data:`~matcher.engine.layout.GRADE_SHIFT`); the priorities are summed bit by bit
    (plane ``b`` holds the client's codes whose priority has bit ``b``).
    """
    out = 0
    for b in range(PRIORITY_PLANES):
        out += popcount(word & planes[b]) << b
    return out


@jit(inline="always")
def shared_slots(cols: Columns, q: KernelQuery, i: int) -> int:
    """How many of the client's weekly slots counselor ``i`` is also free in."""
    out = 0
    for w in range(SLOT_WORDS):
        if q.slot_words[w] != 0:
            out += popcount(cols.slot_words[w, i] & q.slot_words[w])
    return out


@jit(inline="always")
def _first_choice(held: np.uint64, q: KernelQuery, g: int) -> int:
    """Where factor ``g``'s first client code held in ``held`` is in the client's list; its length if none.

    Indexes ``q.factor_bits`` rather than slicing it: a view per candidate would cost reference counting.
    """
    count: int = q.factor_most[g]
    first = count
    for position in range(count - 1, -1, -1):
        if held & q.factor_bits[g, position] != 0:
            first = position
    return first


@jit(inline="always")
def _near_matches(word: np.uint64, q: KernelQuery, g: int) -> int:
    """Factor ``g``'s near-match numerator of one counselor's graded ``word``: for each client code,
    its priority times 4 if treated, else times 3, 2 or 1 for a related code treated at similarity
    0.75, 0.5, 0.25 (the best one); groups of RELATED_GROUP values in ``q.factor_bits[g]``, zero-padded."""
    out = 0
    for c in range(q.factor_bits.shape[1] // RELATED_GROUP):
        at = c * RELATED_GROUP
        priority = int(q.factor_bits[g, at + 4])
        if word & q.factor_bits[g, at]:
            out += 4 * priority
            continue
        for level in range(3):
            if word & q.factor_bits[g, at + 1 + level]:
                out += priority * (3 - level)
                break
    return out


@jit(inline="always")
def numerators(cols: Columns, q: KernelQuery, i: int, out: _I64, graded: int) -> None:
    """``out[g]``: the numerator of factor ``g`` for counselor ``i``; factor ``graded`` is already there."""
    for g in range(q.factor_kinds.shape[0]):
        if g == graded:
            continue
        kind = q.factor_kinds[g]
        if kind == KIND_SHARE:
            out[g] = popcount(cols.codes[q.factor_words[g], i] & q.factor_bits[g, 0])
        elif kind == KIND_ANY:
            out[g] = 1 if cols.codes[q.factor_words[g], i] & q.factor_bits[g, 0] else 0
        elif kind == KIND_RELATED:
            out[g] = _near_matches(cols.codes[q.factor_words[g], i], q, g)
        elif kind == KIND_FIRST_CHOICE:
            out[g] = _first_choice(cols.codes[q.factor_words[g], i], q, g)
        elif kind == KIND_GRADED:
            out[g] = graded_hits(cols.codes[q.factor_words[g], i], q.factor_bits[g])
        else:
            out[g] = shared_slots(cols, q, i)


@jit(inline="always")
def weighted_total(terms: _F64, x: _I64) -> float:
    """The weighted total of the numerators ``x`` (G,), capped at 1 (weights may sum to 1 + 1 ulp).

    ``terms`` is :func:`term_table`. Added left to right in the query's factor order, like the
    reference.
    """
    total = 0.0
    for g in range(x.shape[0]):
        total += terms[g, x[g]]
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
