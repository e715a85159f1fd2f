"""Short, human match reasons for one counselor and one intake.

Written only for the results a ranking returns (a loop over ``k`` profiles), from
the intake and the counselor's profile, e.g.::

    treats anxiety (primary) and grief
    no listed experience with trauma
    offers CBT and EMDR
    speaks English (your second choice)
    offers video or phone sessions
    free Tue and Thu evenings: 6 of your 8 hours

The last one, the hours the counselor shares with the client in the client's local
time, is written by :mod:`matcher.explain.hours_phrase`.

A :class:`ReasonWriter` reads the intake once; a counselor is then described by
its bits in the snapshot's columns (:meth:`ReasonWriter.for_rows`), and each kind
of reason is written once per writer for the bits it depends on (masked by the
intake). Nothing is kept from one writer to the next (the caches of
:mod:`matcher.explain.hours_phrase` hold pure functions of their arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import repeat
from operator import attrgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOT_WORDS
from matcher.engine.bitsets import APPROACH_BITS, CONCERN_BITS, FORMAT_BITS, LANGUAGE_BITS
from matcher.engine.encoding import CONCERN_SHIFT, Columns
from matcher.explain.hours_phrase import (
    cached_slot_words,
    join_words,
    shared_hours_phrase,
    words_to_int,
    zone_shift,
)
from matcher.model import CounselorProfile, Intake
from matcher.vocabulary import (
    SESSION_FORMATS,
    Proficiency,
    SessionFormat,
    label_for_approach,
    label_for_concern,
    label_for_language,
)

__all__ = ["ReasonWriter", "explain"]

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_LOW = (1 << CONCERN_SHIFT) - 1
#: numpy dtype of one counselor's ``SLOT_WORDS`` slot words taken as one bytes value.
_SLOT_BYTES = np.dtype(f"V{8 * SLOT_WORDS}")

#: Code -> (bit, label, label marked primary) of every concern.
_CONCERN_TERMS = {
    code: (bit, label_for_concern(code), f"{label_for_concern(code)} (primary)")
    for code, bit in CONCERN_BITS.items()
}
#: Code -> (bit, label) of every approach, language and session format.
_APPROACH_TERMS = {code: (bit, label_for_approach(code)) for code, bit in APPROACH_BITS.items()}
_LANGUAGE_TERMS = {code: (bit, label_for_language(code)) for code, bit in LANGUAGE_BITS.items()}
_FORMAT_TERMS = {f: (FORMAT_BITS[f], SESSION_FORMATS[f]) for f in SessionFormat}

#: Sort key of the client's concerns.
_PRIORITY = attrgetter("priority")


# --------------------------------------------------------------------------- writer

K = TypeVar("K", bound=Hashable)


class _Memo(dict[K, tuple[str, ...]]):
    """Phrases by the bits they depend on, each written by ``write`` on first use."""

    __slots__ = ("_write",)

    def __init__(self, write: Callable[[K], tuple[str, ...]]) -> None:
        super().__init__()
        self._write = write

    def __missing__(self, key: K) -> tuple[str, ...]:
        value = self[key] = self._write(key)
        return value


def _mask(codes: Iterable[str], table: Mapping[str, int]) -> int:
    """OR of the bits of ``codes`` in ``table``; a code outside it has no bit (matches nothing)."""
    mask = 0
    for code in codes:
        mask |= table.get(code, 0)
    return mask


def _or(terms: Iterable[tuple[Any, ...]]) -> int:
    """OR of the bits (the first items, ints) of ``terms``."""
    mask = 0
    for term in terms:
        mask |= term[0]
    return mask


def _profile_bits(profile: CounselorProfile) -> tuple[int, int, int, int]:
    """``(concerns, approaches, languages, formats)`` of ``profile``, as the snapshot's columns hold them.

    ``concerns`` packs the primary concerns in its low bits and the treated ones above
    :data:`~matcher.engine.encoding.CONCERN_SHIFT`.
    """
    primary = treated = 0
    for s in profile.specialties:
        bit = CONCERN_BITS.get(s.concern, 0)
        treated |= bit
        if s.proficiency == Proficiency.PRIMARY:
            primary |= bit
    return (
        primary | treated << CONCERN_SHIFT,
        _mask(profile.approaches, APPROACH_BITS),
        _mask(profile.languages, LANGUAGE_BITS),
        _mask(profile.formats, FORMAT_BITS),
    )


def _ordinal(position: int) -> str:
    return _ORDINALS[position] if position < len(_ORDINALS) else f"number {position + 1}"


class ReasonWriter:
    """Writes the reasons of many counselors for one intake (the intake is read once).

    Parameters
    ----------
    intake : the client's validated intake
    client_slot_words : uint64 array of shape (SLOT_WORDS,), optional
        The intake's UTC slot bits, when the caller already has them; otherwise they are
        computed from ``intake.availability``.
    """

    def __init__(self, intake: Intake, client_slot_words: npt.NDArray[np.uint64] | None = None) -> None:
        # Concerns by priority, highest first (sorting is stable, even reversed: ties keep the order).
        self._concerns = [
            _CONCERN_TERMS[c.concern] for c in sorted(intake.concerns, key=_PRIORITY, reverse=True)
        ]
        self._approaches = [_APPROACH_TERMS[code] for code in intake.approaches]
        self._languages = [
            (bit, f"speaks {label}" + (f" (your {_ordinal(j)} choice)" if j else ""))
            for j, (bit, label) in enumerate(map(_LANGUAGE_TERMS.__getitem__, intake.languages))
        ]
        self._formats = [_FORMAT_TERMS[f] for f in intake.formats]
        self._concern_mask = _or(self._concerns)
        #: Masks of the counselor's bits that the reasons depend on: concerns (packed), approaches,
        #: languages, formats.
        self._masks = (
            self._concern_mask | self._concern_mask << CONCERN_SHIFT,
            _or(self._approaches),
            _or(self._languages),
            _or(self._formats),
        )
        availability = intake.availability
        if client_slot_words is None and availability is not None and availability.windows:
            client_slot_words = cached_slot_words(availability)
        self._client_slots = 0 if client_slot_words is None else words_to_int(client_slot_words)
        self._total = self._client_slots.bit_count()
        self._client_words = client_slot_words if self._total else None  # None: the client gave no hours
        self._shift = zone_shift(availability.time_zone) if self._total and availability else 0
        # Results often share their concern coverage, offers or shared hours: each phrase is
        # written once per writer (one ranking), keyed by the bits it depends on.
        self._concern_phrases: _Memo[int] = _Memo(self._write_concerns)
        self._offer_phrases: _Memo[tuple[int, int, int]] = _Memo(self._write_offers)
        self._hour_phrases: _Memo[bytes] = _Memo(self._write_hours)

    def _write_concerns(self, key: int) -> tuple[str, ...]:
        """Reasons for the client's concerns; ``key`` packs the counselor's as the snapshot does."""
        primary, treated = key & _LOW, key >> CONCERN_SHIFT
        out = []
        if treated == primary:  # every treated concern is primary
            labels = [label for bit, label, _ in self._concerns if bit & treated]
            if len(labels) > 1:
                out.append(f"treats {join_words(labels)} ({'both' if len(labels) == 2 else 'all'} primary)")
            elif labels:
                out.append(f"treats {labels[0]} (primary)")
        elif treated:
            marked = [
                marked if bit & primary else label for bit, label, marked in self._concerns if bit & treated
            ]
            out.append(f"treats {join_words(marked)}")
        if treated != self._concern_mask:
            missing = [label for bit, label, _ in self._concerns if not bit & treated]
            out.append(f"no listed experience with {join_words(missing, 'or')}")
        return tuple(out)

    def _write_offers(self, key: tuple[int, int, int]) -> tuple[str, ...]:
        """Reasons for the approaches, language and formats the counselor shares, given by ``key``'s bits."""
        approaches, languages, formats = key
        out = []
        if approaches:
            out.append(f"offers {join_words([label for bit, label in self._approaches if bit & approaches])}")
        for bit, phrase in self._languages:  # the client's first language the counselor speaks
            if bit & languages:
                out.append(phrase)
                break
        if formats:
            shared = [label for bit, label in self._formats if bit & formats]
            out.append(f"offers {join_words(shared, 'or')} sessions")
        return tuple(out)

    def _write_hours(self, shared: bytes) -> tuple[str, ...]:
        return (shared_hours_phrase(self._total, int.from_bytes(shared, "little"), self._shift),)

    def _reasons(self, rows: Iterable[tuple[int, int, int, int, bytes]]) -> list[tuple[str, ...]]:
        """The reasons for each counselor of ``rows``.

        A row is ``(concerns, approaches, languages, formats, shared)``: the counselor's bits
        as the snapshot's columns hold them (see :func:`_profile_bits`), and the slots shared
        with the client as ``SLOT_WORDS`` little-endian words (ignored if the client gave no hours).
        """
        concern_phrases, offer_phrases = self._concern_phrases, self._offer_phrases
        hour_phrases = None if self._client_words is None else self._hour_phrases
        concern_mask, approach_mask, language_mask, format_mask = self._masks
        out = []
        for concerns, approaches, languages, formats, shared in rows:
            reasons = (
                concern_phrases[concerns & concern_mask]
                + offer_phrases[
                    (approaches & approach_mask, languages & language_mask, formats & format_mask)
                ]
            )
            if hour_phrases is not None:
                reasons += hour_phrases[shared]
            out.append(reasons)
        return out

    def for_rows(self, columns: Columns, rows: npt.NDArray[np.int64]) -> list[tuple[str, ...]]:
        """Return the reasons of the counselors at ``rows`` (shape (m,)) of a snapshot's ``columns``.

        Everything is read from the columns in bulk; the profiles are not read.
        """
        _, approach_mask, _, format_mask = self._masks
        unread = repeat(0)  # a column the reasons do not depend on (the client named no approach, no format)
        shared: Iterable[bytes] = repeat(b"")
        if self._client_words is not None:  # each row's shared slots, (m, SLOT_WORDS) words as m bytes
            words = columns.slot_words.take(rows, axis=1) & self._client_words[:, np.newaxis]
            shared = np.ascontiguousarray(words.T, dtype="<u8").view(_SLOT_BYTES).ravel().tolist()
        rows_bits = zip(  # noqa: B905 (the first column has one item per row, the others at least as many)
            columns.concerns[rows].tolist(),
            columns.approaches[rows].tolist() if approach_mask else unread,
            columns.languages[rows].tolist(),
            columns.formats[rows].tolist() if format_mask else unread,
            shared,
        )
        return self._reasons(rows_bits)

    def explain(self, profile: CounselorProfile, counselor_slots: int | None = None) -> tuple[str, ...]:
        """Return the reasons to show the client for ``profile``.

        ``counselor_slots`` is the counselor's UTC slot bitset as an int (bit j = slot j),
        when the caller already has it; otherwise it is computed from the profile.
        """
        shared = b""
        if self._client_words is not None:
            if counselor_slots is None:
                counselor_slots = words_to_int(cached_slot_words(profile.availability))
            shared = (self._client_slots & counselor_slots).to_bytes(8 * SLOT_WORDS, "little")
        return self._reasons([(*_profile_bits(profile), shared)])[0]


def explain(
    profile: CounselorProfile,
    intake: Intake,
    counselor_slot_words: npt.NDArray[np.uint64] | None = None,
) -> tuple[str, ...]:
    """Return the reasons to show the client for ``profile`` (see :class:`ReasonWriter`).

    Parameters
    ----------
    profile : the counselor
    intake : the client's validated intake
    counselor_slot_words : uint64 array of shape (SLOT_WORDS,), optional
        The counselor's UTC slot bits when the caller already has them.
    """
    slots = None if counselor_slot_words is None else words_to_int(counselor_slot_words)
    return ReasonWriter(intake).explain(profile, slots)
