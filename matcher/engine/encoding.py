"""Encoding counselor profiles into the numeric columns of a catalog snapshot.

:func:`encode_profiles` turns a sequence of profiles into :class:`Columns`, attribute by
attribute as :mod:`matcher.engine.layout` places them, with a few passes over the
profiles that run in C (``map``/``attrgetter``/``chain``) and vectorized numpy for the
rest; availability windows of all profiles are converted to UTC slot bits at once.
Parts shared between profiles (code tuples, ``Specialty`` and ``WeeklyWindow``
objects, as the store's loader shares them) are read once per distinct object
(:func:`_distinct`).

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
from itertools import chain, compress, repeat
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar, cast

import numpy as np
import numpy.typing as npt

from matcher.attributes import Storage
from matcher.availability import (
    MINUTES_PER_DAY,
    SLOT_MINUTES,
    SLOT_WORDS,
    SLOTS_PER_WEEK,
    standard_offset_minutes,
)
from matcher.engine.layout import CODE_WORDS, FLAG_ATTRIBUTES, GRADE_SHIFT, LAYOUT, Placement
from matcher.model import CounselorProfile, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency

__all__ = ["Columns", "encode_profiles", "gc_paused", "split_grades"]

T = TypeVar("T")
_U64 = npt.NDArray[np.uint64]
_U8 = npt.NDArray[np.uint8]
_MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_LOW = np.uint64((1 << GRADE_SHIFT) - 1)
_ALL_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
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


def _rows_of(lists: Sequence[Sequence[object]]) -> npt.NDArray[np.intp]:
    """Row index of every item of the flattened ``lists`` (``[[a, b], [], [c]] -> [0, 0, 2]``)."""
    counts = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
    return np.repeat(np.arange(len(lists), dtype=np.intp), counts)


#: Up to this many items, :func:`_distinct` takes every item as distinct.
_FEW = 32


def _distinct(items: Sequence[T]) -> tuple[list[T], npt.NDArray[np.intp]]:
    """The distinct objects of ``items``, by identity, and where each item is among them.

    Profiles loaded from the store share their equal parts (one tuple of formats, one
    ``Specialty``, one ``WeeklyWindow`` for all profiles that have it), so encoding each
    distinct object once reads a few hundred objects instead of hundreds of thousands.
    Equal objects that are not shared are merely encoded more than once (as are all of
    a few items).

    Returns
    -------
    distinct : list
        Each distinct object once.
    inverse : numpy.ndarray of intp, shape (len(items),)
        ``items[i] is distinct[inverse[i]]``.
    """
    if len(items) <= _FEW:  # not worth looking for shared objects (one profile changed, say)
        return list(items), np.arange(len(items), dtype=np.intp)
    ids = np.fromiter(map(id, items), dtype=np.intp, count=len(items))
    unique_ids, inverse = np.unique(ids, return_inverse=True)
    some = np.empty(unique_ids.shape, dtype=np.intp)
    some[inverse] = np.arange(len(items), dtype=np.intp)  # an item of each distinct object
    picks = cast(list[int], some.tolist())
    return [items[i] for i in picks], inverse


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


def _encode_slot_words(per_profile: Sequence[tuple[WeeklyWindow, ...]], zones: Sequence[str]) -> _U64:
    """Encode weekly availabilities (windows and time zone of each) as UTC slot bits.

    Gives the same bits as :func:`matcher.availability.availability_bits` for each
    availability, but with a few vectorized passes over all windows at once.

    Returns
    -------
    numpy.ndarray of uint64, shape (SLOT_WORDS, len(per_profile))
    """
    n = len(per_profile)
    out = np.zeros((SLOT_WORDS, n), dtype=np.uint64)
    rows = _rows_of(per_profile)
    if rows.size == 0:
        return out
    # Only the zones of counselors with windows matter (and must be valid).
    zone_offsets = {z: standard_offset_minutes(z) for z in set(compress(zones, per_profile))}
    offsets = np.fromiter(map(zone_offsets.get, zones, repeat(0)), dtype=np.int64, count=n)
    windows, inverse = _distinct(list(chain.from_iterable(per_profile)))
    fields = np.fromiter(
        chain.from_iterable(map(attrgetter("day", "start_minute", "end_minute"), windows)),
        dtype=np.int64,
        count=3 * len(windows),
    ).reshape(-1, 3)[inverse]
    day, start_minute, end_minute = fields[:, 0], fields[:, 1], fields[:, 2]
    start = (day * MINUTES_PER_DAY + start_minute - offsets[rows]) % _MINUTES_PER_WEEK
    first = start // SLOT_MINUTES
    length = np.minimum((end_minute - start_minute) // SLOT_MINUTES, SLOTS_PER_WEEK)
    keep = length > 0
    rows, first, end = rows[keep], first[keep], first[keep] + length[keep]
    # A window that runs past the end of the week wraps to its start: split it in two.
    wraps = end > SLOTS_PER_WEEK
    rows = np.concatenate([rows, rows[wraps]])
    lo_all = np.concatenate([first, np.zeros(int(wraps.sum()), dtype=np.int64)])
    hi_all = np.concatenate([np.minimum(end, SLOTS_PER_WEEK), end[wraps] - SLOTS_PER_WEEK])
    for word in range(SLOT_WORDS):
        base = 64 * word
        lo = np.clip(lo_all, base, base + 64)
        width = np.clip(hi_all, base, base + 64) - lo
        sel = width > 0
        if not sel.any():
            continue
        width_u = width[sel].astype(np.uint64)
        ones = np.where(width_u >= 64, _ALL_ONES, (np.uint64(1) << width_u) - np.uint64(1))
        bits = ones << (lo[sel] - base).astype(np.uint64)
        np.bitwise_or.at(out[word], rows[sel], bits)
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


def encode_profiles(profiles: Sequence[CounselorProfile]) -> Columns:
    """Encode ``profiles`` (in the given order) into numeric columns."""
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
        slot_words = _encode_slot_words(fields[-2], fields[-1])
    return Columns(flags, codes, slot_words)


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
