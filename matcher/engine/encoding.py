"""Encoding counselor profiles into the numeric columns of a catalog snapshot.

:func:`encode_profiles` turns a sequence of profiles into :class:`Columns`, attribute by
attribute as :mod:`matcher.engine.layout` places them, with a few passes over the
profiles that run in C (``map``/``attrgetter``/``chain``) and vectorized numpy for the
rest; availability windows of all profiles are converted to UTC slot bits of the coming
week at once (:mod:`matcher.engine.slot_encoding`). Parts shared between profiles (code
tuples, ``Specialty`` and ``WeeklyWindow`` objects, as the store's loader shares them) are
read once per distinct object (:func:`matcher.engine.distinct.distinct`).

=================  =======================  =============================================
column             dtype, shape             content
=================  =======================  =============================================
``flags``          uint8 (n,)               one bit per flag attribute (``Placement.flag``)
``codes``          uint64 (CODE_WORDS, n)   each code attribute's words (``Placement.word``)
``slot_words``     uint64 (SLOT_WORDS, n)   weekly UTC availability, one row per word
=================  =======================  =============================================
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from operator import attrgetter
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt

from matcher.attributes import Storage
from matcher.availability import SLOT_WORDS
from matcher.engine.distinct import distinct as _distinct
from matcher.engine.distinct import rows_of as _rows_of
from matcher.engine.layout import CODE_WORDS, FLAG_ATTRIBUTES, GRADE_SHIFT, LAYOUT, Placement
from matcher.engine.slot_encoding import encode_slot_words
from matcher.model import CounselorProfile, Specialty
from matcher.vocabulary import Proficiency
from matcher.week import current_week

__all__ = ["Columns", "encode_profiles", "encode_slots", "gc_paused", "split_grades"]

_U64 = npt.NDArray[np.uint64]
_U8 = npt.NDArray[np.uint8]

_LOW = np.uint64((1 << GRADE_SHIFT) - 1)
_WORD = (1 << 64) - 1


class Columns(NamedTuple):
    """The numeric columns of a snapshot; see the module docstring for shapes."""

    flags: _U8  # (n,)
    codes: _U64  # (CODE_WORDS, n)
    slot_words: _U64  # (SLOT_WORDS, n)

    def words_of(self, name: str) -> _U64:
        """The code words of attribute ``name``: uint64 (words, n), a view."""
        p = LAYOUT[name]
        return self.codes[p.word : p.word + p.words]

    @property
    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in self.arrays())

    def arrays(self) -> tuple[npt.NDArray[Any], ...]:
        """The columns, in field order."""
        return cast(tuple[npt.NDArray[Any], ...], tuple(self))

    def read_only(self) -> Columns:
        """The same columns, each C-contiguous (the compiled kernels expect it) and read-only."""
        out = Columns._make(np.ascontiguousarray(a) for a in self.arrays())
        for array in out.arrays():
            array.flags.writeable = False
        return out

    @classmethod
    def concatenate(cls, parts: Sequence[Columns]) -> Columns:
        """The rows of ``parts`` one after the other (at least one part).

        Each column of part ``k`` has ``n_k`` rows along its last axis, shape (n_k,) or
        (SLOT_WORDS, n_k); the result has ``sum(n_k)``.
        """
        if len(parts) == 1:
            return parts[0]
        return cls._make(np.concatenate(arrays, axis=-1) for arrays in zip(*parts, strict=True))


# --------------------------------------------------------------------------- encoding


def _code_words(code_lists: Sequence[tuple[str, ...]], p: Placement) -> _U64:
    """The words of each tuple of codes, each distinct tuple computed once.

    Returns
    -------
    numpy.ndarray of uint64, shape (p.words, len(code_lists))
    """
    distinct, inverse = _distinct(code_lists)
    masks = [p.mask(codes) for codes in distinct]
    words = np.array([[m >> (64 * w) & _WORD for m in masks] for w in range(p.words)], dtype=np.uint64)
    return words.reshape(p.words, len(distinct))[:, inverse]


def _bits_of(codes: list[str], positions: Mapping[str, int]) -> _U64:
    try:
        bits = np.fromiter(map(positions.__getitem__, codes), dtype=np.uint64, count=len(codes))
        return np.uint64(1) << bits
    except KeyError as e:
        raise ValueError(f"unknown code {e.args[0]!r}") from None


def _graded_word(per_profile: Sequence[tuple[Specialty, ...]], p: Placement) -> _U64:
    """The word of a graded attribute, uint64 of shape (len(per_profile),) (see :data:`GRADE_SHIFT`).

    Each item sets its code's bit in the upper half (treated at all) and, if primary,
    in the lower half: the OR of a profile's items is its value, and a code listed
    both ways counts as primary only.
    """
    out = np.zeros(len(per_profile), dtype=np.uint64)
    rows = _rows_of(per_profile)
    specialties, inverse = _distinct(list(chain.from_iterable(per_profile)))
    bits = _bits_of([getattr(s, p.attribute.item_code) for s in specialties], p.positions)
    primary_value = Proficiency.PRIMARY
    primary = np.array([s.proficiency == primary_value for s in specialties], dtype=np.bool_)
    values = (bits << np.uint64(GRADE_SHIFT)) | np.where(primary, bits, np.uint64(0))
    np.bitwise_or.at(out, rows, values[inverse])
    return out


_CODED = tuple(p for p in LAYOUT.values() if p.attribute.has_codes)
_SLOTS = tuple(p for p in LAYOUT.values() if p.attribute.storage == Storage.WEEKLY_SLOTS)
#: Reads every field the columns need from a profile in one call (one visit per profile).
_PROFILE_FIELDS = attrgetter(
    *(a.counselor_field for a in FLAG_ATTRIBUTES),
    *(p.attribute.counselor_field for p in _CODED),
    *(f"{p.attribute.counselor_field}.{part}" for p in _SLOTS for part in ("windows", "time_zone")),
)
_FIELD_COUNT = len(FLAG_ATTRIBUTES) + len(_CODED) + 2 * len(_SLOTS)


def encode_profiles(profiles: Sequence[CounselorProfile], week: datetime | None = None) -> Columns:
    """Encode ``profiles`` (in the given order) into numeric columns.

    ``week`` is the week start the weekly hours are placed in (:mod:`matcher.week`); None:
    the current week.
    """
    n = len(profiles)
    if n == 0:
        fields: list[tuple[Any, ...]] = [()] * _FIELD_COUNT
    else:
        fields = list(zip(*map(_PROFILE_FIELDS, profiles), strict=True))
    flags = np.zeros(n, dtype=np.uint8)
    for a, values in zip(FLAG_ATTRIBUTES, fields, strict=False):
        flags |= np.where(np.fromiter(values, dtype=np.bool_, count=n), LAYOUT[a.name].flag, 0).astype(
            np.uint8
        )
    codes = np.zeros((CODE_WORDS, n), dtype=np.uint64)
    for p, values in zip(_CODED, fields[len(FLAG_ATTRIBUTES) :], strict=False):
        if p.attribute.storage == Storage.GRADED_CODES:
            codes[p.word] = _graded_word(values, p)
        else:
            codes[p.word : p.word + p.words] = _code_words(values, p)
    slot_words = np.zeros((SLOT_WORDS, n), dtype=np.uint64)
    if _SLOTS:
        slot_words = encode_slot_words(fields[-2], fields[-1], current_week() if week is None else week)
    return Columns(flags, codes, slot_words)


#: Reads a profile's weekly windows and their zone.
_AVAILABILITY_FIELDS = attrgetter(
    *(f"{p.attribute.counselor_field}.{part}" for p in _SLOTS for part in ("windows", "time_zone"))
)


def encode_slots(profiles: Sequence[CounselorProfile], week: datetime) -> _U64:
    """The ``slot_words`` column alone of ``profiles`` (in the given order), placed in ``week``.

    Returns
    -------
    numpy.ndarray of uint64, shape (SLOT_WORDS, len(profiles))
    """
    if not _SLOTS or not profiles:
        return np.zeros((SLOT_WORDS, len(profiles)), dtype=np.uint64)
    windows, zones = zip(*map(_AVAILABILITY_FIELDS, profiles), strict=True)
    return encode_slot_words(windows, zones, week)


def split_grades(word: _U64) -> tuple[_U64, _U64]:
    """The primary and the secondary (treated, not primary) bits of a graded ``word`` (same shape)."""
    primary = word & _LOW
    return primary, (word >> np.uint64(GRADE_SHIFT)) & ~primary


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while encoding a whole catalog.

    Encoding creates millions of short-lived tuples, and every collection they
    trigger walks the whole heap, which holds every profile: with the collector
    paused, building 100k profiles takes about half the time. Nothing built here
    forms reference cycles. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
