"""Upper bounds on a counselor's total, from which the index scan prunes (:mod:`matcher.engine.scan`).

Once the scan holds ``k`` counselors, only one whose total can exceed the ``k``-th
best score ``kth`` is worth scoring. The bounds here add the exact terms the scan
knows (the concern term, and the availability term where shared slots are counted) to
the largest term each other factor can give (``best``, shape (4,): the largest of each
row of ``terms``, :func:`~matcher.engine.kernel_steps.term_table`), in the order of
:func:`~matcher.engine.kernel_steps.weighted_total`. Rounding is monotonic, so no total exceeds
its bound, and a counselor whose bound is ``<= kth`` cannot enter the top ``k``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.engine.kernel_query import KernelQuery
from matcher.engine.kernel_steps import jit

__all__ = ["MAX_CORNERS", "concern_floor", "corners"]

#: At most this many corners are tested per word (adjacent ones merged: a superset, tested cheaply).
MAX_CORNERS = 5

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]


@jit()
def concern_floor(q: KernelQuery, terms: _F64, best: _F64, kth: float) -> int:
    """The smallest concern numerator with which a counselor could still score above ``kth``.

    The bound adds the concern term to the largest term of every other factor. Returns
    ``twice_priorities + 1`` when nobody can.
    """
    lo, hi = 0, q.twice_priorities + 1  # the answer lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        bound = terms[0, mid] + best[1]
        bound += best[2]
        bound += best[3]
        if bound > kth:
            hi = mid
        else:
            lo = mid + 1
    return lo


@jit()
def corners(terms: _F64, best: _F64, slot_terms: _F64, kth: float, out: _I64) -> int:
    """The pairs (concern numerator ``c``, shared slots ``s``) from which a counselor may beat ``kth``.

    ``slot_terms`` (S + 1,) is the availability term of each count of shared slots, or
    one value, ``best[3]``, where they are not counted. The least count ``s`` that lifts a
    counselor's bound above ``kth`` falls as its concern numerator rises, so those who may
    are the counselors with concern ``>= c`` and shared slots ``>= s`` for one of the
    corners of that staircase. Runs of adjacent corners are merged into one (their first
    ``c``, their last ``s``), which admits more counselors, never fewer, so that at most
    :data:`MAX_CORNERS` are written to ``out`` (shape (C + 1, 2), C the largest concern
    numerator); returns how many.
    """
    slot_most = slot_terms.shape[0] - 1
    found = 0
    s = slot_most + 1  # the least count that suffices with the current concern numerator (none yet)
    for c in range(out.shape[0]):
        partial = terms[0, c] + best[1]
        partial += best[2]
        while s > 0 and partial + slot_terms[s - 1] > kth:
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
