"""Short, human match reasons for one counselor and one intake.

Written only for the results a ranking returns (a loop over ``k`` profiles), from
the intake and the counselor's profile, e.g.::

    treats anxiety (primary) and grief
    no listed experience with trauma
    offers CBT and EMDR
    speaks English (your second choice)
    offers video or phone sessions
    free Tue and Thu evenings: 6 of your 8 hours

Shared availability is described in the client's local time (their zone's
standard offset, as everywhere in matching): by day of the week and part of the
day (morning before 12:00, afternoon 12:00-17:00, evening from 17:00).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOTS_PER_WEEK, availability_bits, standard_offset_minutes
from matcher.bitsets import CONCERN_BITS, mask_of
from matcher.model import DAY_NAMES, SLOT_MINUTES, Availability, CounselorProfile, Intake
from matcher.vocabulary import (
    Proficiency,
    SessionFormat,
    label_for_approach,
    label_for_concern,
    label_for_language,
)

__all__ = ["ReasonWriter", "describe_shared_hours", "explain", "join_words", "words_to_int"]

_SLOTS_PER_DAY = SLOTS_PER_WEEK // 7
#: (name, first slot of the day, end slot) of each part of the day.
_PARTS = (
    ("morning", 0, 12 * 60 // SLOT_MINUTES),
    ("afternoon", 12 * 60 // SLOT_MINUTES, 17 * 60 // SLOT_MINUTES),
    ("evening", 17 * 60 // SLOT_MINUTES, _SLOTS_PER_DAY),
)
_WEEKDAYS = frozenset(range(5))
_WEEKEND = frozenset((5, 6))
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_FORMAT_LABELS = {
    SessionFormat.VIDEO: "video",
    SessionFormat.PHONE: "phone",
    SessionFormat.IN_PERSON: "in-person",
}
_WEEK_MASK = (1 << SLOTS_PER_WEEK) - 1


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """Join as people write lists: ``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _hours(slots: int) -> str:
    """Hours of ``slots`` half-hour slots: ``6`` or ``6.5``."""
    whole, half = divmod(slots * SLOT_MINUTES, 60)
    return f"{whole}.5" if half else str(whole)


def words_to_int(words: npt.NDArray[np.uint64]) -> int:
    """The slot bitset of ``words`` (shape (SLOT_WORDS,)) as one Python int, bit j = slot j."""
    return int.from_bytes(np.ascontiguousarray(words, dtype="<u8").tobytes(), "little")


@lru_cache(maxsize=4096)
def _slot_int(availability: Availability) -> int:
    return words_to_int(availability_bits(availability))


def _days_phrase(days: list[int], part: str) -> str:
    chosen = frozenset(days)
    if len(chosen) == 7:
        return f"every {part}"
    if chosen == _WEEKDAYS:
        return f"weekday {part}s"
    if chosen == _WEEKEND:
        return f"weekend {part}s"
    names = [DAY_NAMES[d] for d in days]
    return f"{join_words(names)} {part}s" if len(names) > 1 else f"{names[0]} {part}"


_PartMasks = tuple[tuple[str, int, tuple[tuple[int, int], ...]], ...]


def _part_masks(shift: int) -> _PartMasks:
    """For each part of the day, ``(part, UTC slot mask of the whole week, ((day, UTC slot mask), ...))``.

    ``shift`` is the client's standard offset in slots (local slot = UTC slot + shift).
    """
    out = []
    for part, lo, hi in _PARTS:
        masks = []
        for day in range(7):
            local = ((1 << (hi - lo)) - 1) << (day * _SLOTS_PER_DAY + lo)
            back = (SLOTS_PER_WEEK - shift) % SLOTS_PER_WEEK  # local slot j is UTC slot j - shift
            masks.append((day, ((local << back) | (local >> (SLOTS_PER_WEEK - back))) & _WEEK_MASK))
        week = 0
        for _, mask in masks:
            week |= mask
        out.append((part, week, tuple(masks)))
    return tuple(out)


@lru_cache(maxsize=64)
def _part_masks_for_zone(time_zone: str) -> _PartMasks:
    return _part_masks((standard_offset_minutes(time_zone) // SLOT_MINUTES) % SLOTS_PER_WEEK)


def describe_shared_hours(client_slots: int, counselor_slots: int, time_zone: str) -> str | None:
    """Describe the overlap of two UTC slot bitsets in the client's local time.

    Parameters
    ----------
    client_slots, counselor_slots : int
        Bit ``j`` set when UTC slot ``j`` of the week (0 = Monday 00:00-00:30) is free.
    time_zone : str
        The client's IANA zone; its standard offset maps UTC slots to local ones.

    Returns
    -------
    ``"free Tue and Thu evenings: 6 of your 8 hours"``, ``"free at all 8 of your
    hours"``, ``"not free at any of your hours"``, or None when the client gave no hours.
    """
    total = client_slots.bit_count()
    if total == 0:
        return None
    shared = client_slots & counselor_slots
    count = shared.bit_count()
    if count == 0:
        return "not free at any of your hours"
    if count == total:
        if total == 2:
            return "free at your one hour"
        if total == 1:
            return "free at your half hour"
        return f"free at all {_hours(total)} of your hours"
    groups: list[tuple[int, int, str]] = []  # (first day, part index, phrase)
    for index, (part, week, masks) in enumerate(_part_masks_for_zone(time_zone)):
        if shared & week:
            days = [day for day, mask in masks if shared & mask]
            groups.append((days[0], index, _days_phrase(days, part)))
    when = join_words([phrase for _, _, phrase in sorted(groups)])
    return f"free {when}: {_hours(count)} of your {_hours(total)} hours"


def _concern_bits(profile: CounselorProfile) -> tuple[int, int]:
    """The profile's ``(primary, secondary)`` concern bits; a concern listed both ways is primary only."""
    primary = treated = 0
    for s in profile.specialties:
        bit = CONCERN_BITS[s.concern]
        treated |= bit
        if s.proficiency == Proficiency.PRIMARY:
            primary |= bit
    return primary, treated & ~primary


def _ordinal(position: int) -> str:
    return _ORDINALS[position] if position < len(_ORDINALS) else f"number {position + 1}"


class ReasonWriter:
    """Writes the reasons of many counselors for one intake (the intake is read once).

    Parameters
    ----------
    intake : the client's validated intake
    """

    def __init__(self, intake: Intake) -> None:
        by_priority = sorted(
            intake.concerns, key=lambda c: -c.priority
        )  # stable: ties keep the client's order
        self._concerns = tuple((CONCERN_BITS[c.concern], label_for_concern(c.concern)) for c in by_priority)
        self._concern_mask = mask_of((c.concern for c in intake.concerns), CONCERN_BITS)
        # Results often share their concern coverage or their shared hours: each phrase is
        # written once per writer (one ranking), keyed by the bits it depends on.
        self._concern_phrases: dict[tuple[int, int], tuple[str, ...]] = {}
        self._hour_phrases: dict[int, str | None] = {}
        self._approaches = tuple((a, label_for_approach(a)) for a in intake.approaches)
        self._languages = tuple(
            (code, f"speaks {label_for_language(code)}" + (f" (your {_ordinal(j)} choice)" if j else ""))
            for j, code in enumerate(intake.languages)
        )
        self._formats = tuple((f, _FORMAT_LABELS.get(f, str(f))) for f in intake.formats)
        self._client_slots = 0
        self._time_zone = "UTC"
        if intake.availability is not None and intake.availability.windows:
            self._client_slots = _slot_int(intake.availability)
            self._time_zone = intake.availability.time_zone

    def _concern_reasons(self, primary: int, treated_bits: int) -> tuple[str, ...]:
        key = (primary & self._concern_mask, treated_bits & self._concern_mask)
        phrases = self._concern_phrases.get(key)
        if phrases is None:
            phrases = self._concern_phrases[key] = tuple(self._write_concern_reasons(*key))
        return phrases

    def _write_concern_reasons(self, primary: int, treated_bits: int) -> list[str]:
        treated = [(label, bit & primary != 0) for bit, label in self._concerns if bit & treated_bits]
        missing = [label for bit, label in self._concerns if not bit & treated_bits]
        out = []
        if len(treated) > 1 and all(is_primary for _, is_primary in treated):
            both = "both" if len(treated) == 2 else "all"
            out.append(f"treats {join_words([label for label, _ in treated])} ({both} primary)")
        elif treated:
            labels = [label + " (primary)" if is_primary else label for label, is_primary in treated]
            out.append(f"treats {join_words(labels)}")
        if missing:
            out.append(f"no listed experience with {join_words(missing, 'or')}")
        return out

    def explain(
        self,
        profile: CounselorProfile,
        counselor_slots: int | None = None,
        concerns: tuple[int, int] | None = None,
    ) -> tuple[str, ...]:
        """Return the reasons to show the client for ``profile``.

        ``counselor_slots`` is the counselor's UTC slot bitset as an int (bit j = slot j)
        and ``concerns`` its ``(primary, secondary)`` concern bits
        (:data:`~matcher.bitsets.CONCERN_BITS`; a concern listed both ways is primary only),
        when the caller already has them, as the snapshot does; otherwise they are
        computed from the profile.
        """
        primary, secondary = _concern_bits(profile) if concerns is None else concerns
        out = list(self._concern_reasons(primary, primary | secondary))
        offered = [label for code, label in self._approaches if code in profile.approaches]
        if offered:
            out.append(f"offers {join_words(offered)}")
        for code, phrase in self._languages:
            if code in profile.languages:
                out.append(phrase)
                break
        formats = [label for f, label in self._formats if f in profile.formats]
        if formats:
            out.append(f"offers {join_words(formats, 'or')} sessions")
        if self._client_slots:
            if counselor_slots is None:
                counselor_slots = _slot_int(profile.availability)
            shared = self._client_slots & counselor_slots
            if shared in self._hour_phrases:
                hours = self._hour_phrases[shared]
            else:
                hours = self._hour_phrases[shared] = describe_shared_hours(
                    self._client_slots, shared, self._time_zone
                )
            if hours:
                out.append(hours)
        return tuple(out)


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
