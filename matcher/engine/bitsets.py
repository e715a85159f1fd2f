"""Bit positions of the controlled vocabularies, for the columnar catalog snapshot.

Each code of a vocabulary gets the bit given by its position in that vocabulary
(``CONCERNS``, ``APPROACHES`` and ``LANGUAGES`` in :mod:`matcher.vocabulary`, the
enum order of :class:`SessionFormat` and :class:`SessionType`). A set of codes is
then one unsigned integer: ``uint64`` for concerns, approaches and languages
(each vocabulary has fewer than 64 codes), ``uint8`` for formats and session types.
The tables are built once at import; the snapshot and the ranking both read them,
so a code always maps to the same bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from matcher.vocabulary import APPROACHES, CONCERNS, LANGUAGES, SessionFormat, SessionType

__all__ = [
    "APPROACH_BITS",
    "CONCERN_BITS",
    "FORMAT_BITS",
    "LANGUAGE_BITS",
    "SESSION_TYPE_BITS",
    "bit_index",
    "mask_of",
]


def _table(codes: Iterable[str], width: int) -> Mapping[str, int]:
    table = {code: 1 << i for i, code in enumerate(codes)}
    if len(table) > width:
        raise RuntimeError(f"a vocabulary of {len(table)} codes does not fit in {width} bits")
    return MappingProxyType(table)


#: Concern code -> its bit (a Python int with one bit set), below 2**64.
CONCERN_BITS: Mapping[str, int] = _table(CONCERNS, 64)
#: Approach code -> its bit, below 2**64.
APPROACH_BITS: Mapping[str, int] = _table(APPROACHES, 64)
#: ISO 639-1 language code -> its bit, below 2**64.
LANGUAGE_BITS: Mapping[str, int] = _table(LANGUAGES, 64)
#: Session format -> its bit, below 2**8 (keys are the enum members, equal to their values).
FORMAT_BITS: Mapping[str, int] = _table(SessionFormat, 8)
#: Session type -> its bit, below 2**8.
SESSION_TYPE_BITS: Mapping[str, int] = _table(SessionType, 8)


def mask_of(codes: Iterable[str], table: Mapping[str, int]) -> int:
    """Return the OR of the bits of ``codes``.

    Raises
    ------
    ValueError
        If a code is not in ``table`` (profiles and intakes are validated before
        they reach the matcher, so this signals a programming error).
    """
    mask = 0
    for code in codes:
        try:
            mask |= table[code]
        except KeyError:
            raise ValueError(f"unknown code {code!r}") from None
    return mask


def bit_index(bit: int) -> int:
    """Return the position of the single set bit of ``bit`` (``bit_index(8) == 3``)."""
    return bit.bit_length() - 1
