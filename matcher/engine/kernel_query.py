"""An encoded intake in the fixed types the compiled kernels take (:mod:`matcher.engine.kernel`).

Every field has the same numba type whatever the intake (masks are ``np.uint64``,
small sets are uint64 arrays, counts are ints), so the kernels are compiled once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOT_WORDS
from matcher.engine.encoding import CONCERN_SHIFT
from matcher.engine.query import EncodedIntake
from matcher.model import MAX_PRIORITY
from matcher.strategy import Factor

__all__ = ["FACTORS", "PRIORITY_PLANES", "KernelQuery", "kernel_query"]

#: The factors in the order of the kernels' factor columns (:class:`Factor` order).
FACTORS: tuple[Factor, ...] = tuple(Factor)
#: Bits of a priority (1..MAX_PRIORITY): the concern numerator sums one popcount per bit.
PRIORITY_PLANES = MAX_PRIORITY.bit_length()

_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]


class KernelQuery(NamedTuple):
    """An :class:`~matcher.engine.query.EncodedIntake` as the kernels read it (fixed numba types).

    Attributes
    ----------
    language_mask, session_type_bit, format_mask : uint64 filter masks (``format_mask`` 0: any)
    concern_planes : uint64 (PRIORITY_PLANES,), plane ``b``: the concerns whose priority has bit ``b``,
        in both halves of the ``concerns`` column (``m | m << CONCERN_SHIFT``)
    twice_priorities : twice the sum of the client's priorities (the concern denominator)
    approach_mask : uint64 of the preferred approaches (0: no preference)
    approach_count : number of preferred approaches (0: the approach factor does not apply)
    language_bits : uint64 (L,), the client's languages in order
    slot_words : uint64 (SLOT_WORDS,), the client's weekly UTC slots (zeros when none given)
    slot_count : number of the client's weekly slots
    has_windows : the client gave windows: the availability filter and factor apply
    weights : float64 (4,), the weight of each factor of :data:`FACTORS`, 0 when it does not apply
    """

    language_mask: np.uint64
    session_type_bit: np.uint64
    format_mask: np.uint64
    concern_planes: _U64
    twice_priorities: int
    approach_mask: np.uint64
    approach_count: int
    language_bits: _U64
    slot_words: _U64
    slot_count: int
    has_windows: bool
    weights: _F64


_PLANES = range(PRIORITY_PLANES)


def _plane(concern_groups: Iterable[tuple[int, int]], b: int) -> int:
    """The concerns whose priority has bit ``b``, in both halves of a ``concerns`` word."""
    out = 0
    for priority, mask in concern_groups:
        if priority >> b & 1:
            out |= mask
    return out | out << CONCERN_SHIFT


_NO_SLOTS = np.zeros(SLOT_WORDS, dtype=np.uint64)
_NO_SLOTS.flags.writeable = False


def kernel_query(query: EncodedIntake) -> KernelQuery:
    """Convert ``query`` to the kernels' fixed types (a few microseconds)."""
    return KernelQuery(
        language_mask=np.uint64(query.language_mask),
        session_type_bit=np.uint64(query.session_type_bit),
        format_mask=np.uint64(query.format_mask),
        concern_planes=np.array([_plane(query.concern_groups, b) for b in _PLANES], dtype=np.uint64),
        twice_priorities=2 * query.priority_total,
        approach_mask=np.uint64(query.approach_mask),
        approach_count=query.approach_count,
        language_bits=np.array(query.language_bits, dtype=np.uint64),
        slot_words=_NO_SLOTS if query.slot_words is None else query.slot_words,
        slot_count=query.slot_count,
        has_windows=query.slot_words is not None,
        weights=np.array([query.weights.get(f, 0.0) for f in FACTORS], dtype=np.float64),
    )
