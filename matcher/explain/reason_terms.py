"""What the reason writer (:mod:`matcher.explain.reasons`) reads once, at import: each attribute's
terms (bit, label), the reason templates split around their placeholder, the near matches of the
graded codes, and the small helpers that turn a profile into the bits the snapshot holds.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from operator import attrgetter
from typing import Any, TypeVar

import numpy as np

from matcher.attributes import ATTRIBUTES, Storage
from matcher.availability import SLOT_WORDS
from matcher.engine.layout import GRADE_SHIFT, LAYOUT, Placement
from matcher.model import CounselorProfile
from matcher.vocabulary import Proficiency

__all__ = [
    "GRADED",
    "GRADED_TERMS",
    "LOW",
    "NEAR_TERMS",
    "ORDINALS",
    "PRIORITY",
    "SLOT_BYTES",
    "TEMPLATED",
    "TEMPLATES",
    "TERMS",
    "Memo",
    "held_bits",
    "or_bits",
    "ordinal",
    "profile_bits",
    "template_parts",
]

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
LOW = (1 << GRADE_SHIFT) - 1
#: numpy dtype of one counselor's ``SLOT_WORDS`` slot words taken as one bytes value.
SLOT_BYTES = np.dtype(f"V{8 * SLOT_WORDS}")
#: The graded attribute (concerns) and the attributes with a reason template, in declared order.
GRADED = next(LAYOUT[a.name] for a in ATTRIBUTES if a.storage == Storage.GRADED_CODES)
TEMPLATED = tuple(LAYOUT[a.name] for a in ATTRIBUTES if a.reason)


def template_parts(template: str) -> tuple[str, str, str]:
    """``template`` split around its one placeholder: (before, ``all``/``any``/``first``, after)."""
    before, _, rest = template.partition("{")
    placeholder, _, after = rest.partition("}")
    if placeholder not in ("all", "any", "first"):
        raise RuntimeError(f"reason template {template!r}: use one of {{all}}, {{any}}, {{first}}")
    return before, placeholder, after


#: Code -> (bit, label) of each templated attribute; code -> (bit, label, label marked primary) of the
#: graded one (looked up once per code, at import).
TERMS = tuple(
    {code: (1 << position, p.attribute.vocabulary[code]) for code, position in p.positions.items()}
    for p in TEMPLATED
)
GRADED_TERMS = {
    code: (1 << position, label, f"{label} (primary)")
    for code, position in GRADED.positions.items()
    for label in (GRADED.attribute.vocabulary[code],)
}
#: For each graded code with related ones: (bit "treated at all", label) of each, nearest first.
NEAR_TERMS = {
    code: [
        (1 << (GRADED.positions[other] + GRADE_SHIFT), GRADED.attribute.vocabulary[other])
        for other, _ in sorted(related.items(), key=lambda item: -item[1])
    ]
    for code, related in GRADED.attribute.near.items()
    if related
}
#: Each templated attribute's reason, split around its placeholder (checked at import).
TEMPLATES = tuple(template_parts(p.attribute.reason or "") for p in TEMPLATED)

#: Sort key of the client's concerns.
PRIORITY = attrgetter("priority")


# --------------------------------------------------------------------------- writer

K = TypeVar("K", bound=Hashable)


class Memo(dict[K, tuple[str, ...]]):
    """Phrases by the bits they depend on, each written by ``write`` on first use."""

    __slots__ = ("_write",)

    def __init__(self, write: Callable[[K], tuple[str, ...]]) -> None:
        super().__init__()
        self._write = write

    def __missing__(self, key: K) -> tuple[str, ...]:
        value = self[key] = self._write(key)
        return value


def or_bits(terms: Iterable[tuple[Any, ...]]) -> int:
    """OR of the bits (the first items) of ``terms``."""
    mask = 0
    for term in terms:
        mask |= term[0]
    return mask


def held_bits(p: Placement, codes: Iterable[object]) -> int:
    """The bits of the codes of ``codes`` that ``p``'s vocabulary has (others match nothing)."""
    mask = 0
    for code in codes:
        position = p.positions.get(code)  # type: ignore[call-overload]
        if position is not None:
            mask |= 1 << position
    return mask


def profile_bits(profile: CounselorProfile) -> tuple[int, tuple[int, ...]]:
    """The graded word and each templated attribute's word of ``profile``, as the columns hold them."""
    primary = treated = 0
    for s in getattr(profile, GRADED.attribute.counselor_field):
        bit = held_bits(GRADED, (getattr(s, GRADED.attribute.item_code),))
        treated |= bit
        if s.proficiency == Proficiency.PRIMARY:
            primary |= bit
    held = tuple(held_bits(p, getattr(profile, p.attribute.counselor_field)) for p in TEMPLATED)
    return primary | treated << GRADE_SHIFT, held


def ordinal(position: int) -> str:
    return ORDINALS[position] if position < len(ORDINALS) else f"number {position + 1}"
