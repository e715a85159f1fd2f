"""Upper bounds on a counselor's total, from which the index scan prunes (:mod:`matcher.engine.scan`).

Once the scan holds ``k`` counselors, only one whose total can exceed the ``k``-th
best score ``kth`` is worth scoring. A bound adds, in the order of
:func:`~matcher.engine.kernel_steps.weighted_total`, the exact terms the scan knows (the
graded term, and the weekly-slots term where shared slots are counted) and, for every
other factor, the largest term it can give (``best``, shape (G,): the largest of each row
of ``terms``, :func:`~matcher.engine.kernel_steps.term_table`). Every factor is bounded
that way, whatever its kind. Rounding is monotonic, so no total exceeds its bound, and a
counselor whose bound is ``<= kth`` cannot enter the top ``k``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.engine.kernel_steps import jit

__all__ = ["MAX_CORNERS", "bound", "concern_floor", "corners"]

#: At most this many corners are tested per word (adjacent ones merged: a superset, tested cheaply).
MAX_CORNERS = 5

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]


@jit(inline="always")
def bound(best: _F64, graded: int, graded_term: float, slots: int, slot_term: float) -> float:
    """The largest total of a counselor whose graded term is ``graded_term`` (factor ``graded``).

    Factor ``slots`` (-1: none counted) adds ``slot_term``; every other factor its best term.
    """
    total = 0.0
    for g in range(best.shape[0]):
        if g == graded:
            total += graded_term
        elif g == slots:
            total += slot_term
        else:
            total += best[g]
    return total


@jit()
def concern_floor(terms: _F64, best: _F64, graded: int, most: int, kth: float) -> int:
    """The smallest graded numerator (at most ``most``) with which a counselor could still beat ``kth``.

    Returns ``most + 1`` when nobody can.
    """
    lo, hi = 0, most + 1  # the answer lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if bound(best, graded, terms[graded, mid], -1, 0.0) > kth:
            hi = mid
        else:
            lo = mid + 1
    return lo


@jit()
def corners(terms: _F64, best: _F64, graded: int, slots: int, slot_terms: _F64, kth: float, out: _I64) -> int:
    """The pairs (graded numerator ``c``, shared slots ``s``) from which a counselor may beat ``kth``.

    ``slot_terms`` (S + 1,) is the weekly-slots term of each count of shared slots (factor
    ``slots``). The least count ``s`` that lifts a counselor's bound above ``kth`` falls as
    its graded numerator rises, so those who may are the counselors with graded numerator
    ``>= c`` and shared slots ``>= s`` for one of the corners of that staircase. Runs of
    adjacent corners are merged into one (their first ``c``, their last ``s``), which admits
    more counselors, never fewer, so that at most :data:`MAX_CORNERS` are written to ``out``
    (shape (C + 1, 2), C the largest graded numerator); returns how many.
    """
    slot_most = slot_terms.shape[0] - 1
    found = 0
    s = slot_most + 1  # the least count that suffices with the current graded numerator (none yet)
    for c in range(out.shape[0]):
        while s > 0 and bound(best, graded, terms[graded, c], slots, slot_terms[s - 1]) > kth:
            s -= 1
        if s <= slot_most and (found == 0 or s < out[found - 1, 1]):
            out[found, 0] = c
            out[found, 1] = s
            found += 1
    kept = min(found, MAX_CORNERS)
    for g in range(kept):  # group g merges corners first .. last (first >= g: read before written)
        first = g * found // kept
        last = (g + 1) * found // kept - 1
        out[g, 0] = out[first, 0]
        out[g, 1] = out[last, 1]
    return kept
