"""Where each attribute lives in a snapshot: its code words and bit-index rows, computed.

The declarations of :mod:`matcher.attributes` are laid out here once, at import, in
declaration order; nothing else numbers a row or a bit:

- **flags** (active, capacity): one bit each of the ``flags`` column (uint8), and one
  bit-index row each;
- **codes**: code ``i`` of an attribute's vocabulary is bit position ``i`` of its words in
  the ``codes`` column (uint64 (CODE_WORDS, n)), ``ceil(V / 64)`` words for ``V`` codes;
  a **graded** attribute (concerns) holds the codes treated as primary at positions
  ``0 .. V - 1`` and those treated at all at ``GRADE_SHIFT + i``, in one word, so that one
  popcount gives 2 per primary code and 1 per secondary one;
- **bit-index rows** (:mod:`matcher.engine.bit_index`): one bitmap over the counselors per
  bit position of every attribute that filters or that the scan prunes on (graded codes),
  plus an "on file" row for an attribute that counts missing values apart
  (:attr:`~matcher.attributes.Attribute.missing`), plus one row per weekly UTC slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from matcher.attributes import ATTRIBUTES, Attribute, Storage
from matcher.availability import SLOTS_PER_WEEK

__all__ = [
    "CODE_WORDS",
    "FLAG_ATTRIBUTES",
    "GRADE_SHIFT",
    "INDEX_ROWS",
    "LAYOUT",
    "SLOT_ROW",
    "Placement",
]

#: Position of a graded code's "treated at all" bit above its "primary" bit.
GRADE_SHIFT = 32


@dataclass(frozen=True)
class Placement:
    """Where one attribute lives: its bits, code words and bit-index rows (-1: none).

    Attributes
    ----------
    attribute : the declaration
    positions : code -> bit position in the attribute's words (a graded code's primary position)
    word, words : the attribute's rows of the ``codes`` column
    flag : the attribute's bit of the ``flags`` column (flags only, else 0)
    index_row : the bit-index row of position 0 (position ``p`` is row ``index_row + p``)
    on_file_row : the bit-index row of "has some code on file"
    """

    attribute: Attribute
    positions: Mapping[str, int]
    word: int = -1
    words: int = 0
    flag: int = 0
    index_row: int = -1
    on_file_row: int = -1

    def mask(self, codes: Iterable[object]) -> int:
        """OR of the bits of ``codes`` (Python int; a graded attribute's primary positions).

        Raises
        ------
        ValueError
            If a code is not in the vocabulary (values are validated before they get here).
        """
        out = 0
        for code in codes:
            try:
                out |= 1 << self.positions[code]  # type: ignore[index]
            except KeyError:
                raise ValueError(f"unknown {self.attribute.noun} {code!r}") from None
        return out

    def rows(self, mask: int) -> list[int]:
        """The bit-index rows of the positions set in ``mask``, ascending."""
        return [self.index_row + p for p in range(mask.bit_length()) if mask >> p & 1]


def _lay_out() -> tuple[dict[str, Placement], int, int, int]:
    placed: dict[str, Placement] = {}
    words = rows = flags = 0
    for a in ATTRIBUTES:
        if a.storage == Storage.FLAG:
            placed[a.name] = Placement(a, {}, flag=1 << flags, index_row=rows)
            flags += 1
            rows += 1
    for a in ATTRIBUTES:
        if not a.has_codes:
            continue
        positions = {code: i for i, code in enumerate(a.vocabulary)}
        graded = a.storage == Storage.GRADED_CODES
        if graded and len(positions) > GRADE_SHIFT:
            raise RuntimeError(f"{a.name}: {len(positions)} graded codes do not fit in {GRADE_SHIFT} bits")
        span = GRADE_SHIFT + len(positions) if graded else len(positions)
        count = (span + 63) // 64
        if a.is_factor and count > 1:
            raise RuntimeError(f"{a.name}: a scored attribute's codes must fit in one word")
        index_row = on_file = -1
        if a.is_filter or graded:
            index_row, rows = rows, rows + span
        if a.missing is not None:
            on_file, rows = rows, rows + 1
        placed[a.name] = Placement(a, MappingProxyType(positions), words, count, 0, index_row, on_file)
        words += count
    slot_row = rows
    for a in ATTRIBUTES:
        if a.storage == Storage.WEEKLY_SLOTS:
            placed[a.name] = Placement(a, {}, index_row=slot_row)
    if flags > 8:
        raise RuntimeError(f"{flags} flags do not fit in the uint8 flags column")
    return placed, words, slot_row, slot_row + SLOTS_PER_WEEK


_placed, CODE_WORDS, SLOT_ROW, INDEX_ROWS = _lay_out()
#: Placement of every attribute, by name.
LAYOUT: Mapping[str, Placement] = MappingProxyType(_placed)
#: The flag attributes, in the order of their bits.
FLAG_ATTRIBUTES: tuple[Attribute, ...] = tuple(a for a in ATTRIBUTES if a.storage == Storage.FLAG)
if sum(a.storage == Storage.WEEKLY_SLOTS for a in ATTRIBUTES) > 1:
    raise RuntimeError("the engine holds one weekly-slots attribute")
