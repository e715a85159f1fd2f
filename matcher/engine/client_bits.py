"""The client's side of a compiled query, as the kernels read it: bit-index rows and bit patterns.

Each function reads one part of a validated intake once and is cached by value where the
values repeat across clients (code lists, weekly hours in a week, one concern's near matches):
the rows of a code filter (:func:`code_rows`), the weekly UTC slots (:func:`client_slots`), the
priority planes of graded codes (:func:`graded_planes`) and the near-match groups of the related
codes (:func:`near_groups`). :mod:`matcher.engine.query` assembles them into a query.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from matcher.attributes import Attribute, Storage
from matcher.availability import Availability, availability_bits
from matcher.engine.layout import GRADE_SHIFT, LAYOUT, SLOT_ROW
from matcher.model import MAX_PRIORITY

__all__ = ["PRIORITY_PLANES", "RELATED_GROUP", "client_slots", "code_rows", "graded_planes", "near_groups"]

_U64 = npt.NDArray[np.uint64]

#: Bits of a priority (1..MAX_PRIORITY): the graded numerator sums one popcount per bit.
PRIORITY_PLANES = MAX_PRIORITY.bit_length()
#: A near-match factor's bits per client code: the code itself (treated at all), its related codes
#: at similarity 0.75, 0.5 and 0.25 (treated at all), and its priority.
RELATED_GROUP = 5


@lru_cache(maxsize=4096)
def client_slots(availability: Availability, week: datetime) -> tuple[_U64, tuple[int, ...]]:
    """The slot bits (read-only, shape (SLOT_WORDS,)) placed in ``week`` and the index rows of the slots,
    ascending."""
    words = availability_bits(availability, week)
    words.flags.writeable = False
    bits = int.from_bytes(words.astype("<u8").tobytes(), "little")
    return words, tuple(SLOT_ROW + s for s in range(bits.bit_length()) if bits >> s & 1)


@lru_cache(maxsize=8192)
def code_rows(name: str, codes: tuple[object, ...]) -> tuple[int, ...]:
    """The bit-index rows of ``codes`` of attribute ``name`` (few distinct values: cached)."""
    p = LAYOUT[name]
    shift = GRADE_SHIFT if p.attribute.storage == Storage.GRADED_CODES else 0  # graded: "treated at all"
    return tuple(p.rows(p.mask(codes) << shift))


def graded_planes(a: Attribute, items: tuple[object, ...]) -> tuple[list[int], int]:
    """Plane ``b``: the client's codes whose priority has bit ``b``, in both halves; twice the priorities."""
    p = LAYOUT[a.name]
    planes = [0] * PRIORITY_PLANES
    total = 0
    for item in items:
        bit = p.mask((getattr(item, a.item_code),))
        priority: int = item.priority  # type: ignore[attr-defined]
        total += priority
        for b in range(PRIORITY_PLANES):
            if priority >> b & 1:
                planes[b] |= bit | bit << GRADE_SHIFT
    return planes, 2 * total


@lru_cache(maxsize=1024)
def _near_group(name: str, code: str, priority: int) -> tuple[int, ...]:
    """The RELATED_GROUP values of one client code of attribute ``name`` (few distinct ones: cached)."""
    p = LAYOUT[name]
    levels = {0.75: 0, 0.5: 0, 0.25: 0}
    for related, similarity in p.attribute.near.get(code, {}).items():
        levels[similarity] |= p.mask((related,)) << GRADE_SHIFT
    return (p.mask((code,)) << GRADE_SHIFT, levels[0.75], levels[0.5], levels[0.25], priority)


def near_groups(a: Attribute, items: tuple[object, ...]) -> list[int]:
    """The near-match factor's bits (RELATED_GROUP per client code), or [] if no code has related ones."""
    if not any(a.near.get(getattr(item, a.item_code)) for item in items):
        return []
    out: list[int] = []
    for item in items:
        out += _near_group(a.name, getattr(item, a.item_code), item.priority)  # type: ignore[attr-defined]
    return out
