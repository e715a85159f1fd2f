"""The availability phrase of a match reason: the client's hours a counselor shares.

E.g. ``free Tue and Thu evenings: 6 of your 8 hours``, ``free at all 8 of your hours``
or ``not free at any of your hours``. Shared availability is described in the client's
local time in the coming week, as everywhere in matching (:mod:`matcher.week`): each UTC
slot stands for its occurrence in the week, read with the zone's real offset then, by
day of the week and part of the day (morning before 12:00, afternoon 12:00-17:00,
evening from 17:00).

The days and parts of the day of shared hours come from a few integer operations on
the slot bits (:func:`_cells`). The phrase for a set of (day, part of the day) cells,
a zone's shifts in a week and an availability's slot bits in a week are cached: pure
functions of their arguments. :func:`join_words`, the list joining of every reason, lives here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOTS_PER_WEEK, availability_bits
from matcher.model import DAY_NAMES, SLOT_MINUTES, Availability
from matcher.week import MINUTES_PER_WEEK, current_week, zone_week

__all__ = [
    "Shifts",
    "cached_slot_words",
    "describe_shared_hours",
    "join_words",
    "shared_hours_phrase",
    "words_to_int",
    "zone_shifts",
]

_SLOTS_PER_DAY = SLOTS_PER_WEEK // 7
#: (name, first slot of the day, end slot) of each part of the day.
_PARTS = (
    ("morning", 0, 12 * 60 // SLOT_MINUTES),
    ("afternoon", 12 * 60 // SLOT_MINUTES, 17 * 60 // SLOT_MINUTES),
    ("evening", 17 * 60 // SLOT_MINUTES, _SLOTS_PER_DAY),
)
_WEEKDAYS = frozenset(range(5))
_WEEKEND = frozenset((5, 6))
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


#: ``_HOURS[n]`` is ``_hours(n)`` for every slot count of a week.
_HOURS = tuple(_hours(n) for n in range(SLOTS_PER_WEEK + 1))


def words_to_int(words: npt.NDArray[np.uint64]) -> int:
    """The slot bitset of ``words`` (shape (SLOT_WORDS,)) as one Python int, bit j = slot j."""
    return int.from_bytes(np.ascontiguousarray(words, dtype="<u8").tobytes(), "little")


@lru_cache(maxsize=4096)
def cached_slot_words(availability: Availability, week: datetime) -> npt.NDArray[np.uint64]:
    """The UTC slot bits of ``availability`` placed in ``week``, read-only, shape (SLOT_WORDS,)."""
    words = availability_bits(availability, week)
    words.flags.writeable = False
    return words


# --------------------------------------------------------------------------- days and parts of the day


def _part_field(lo: int, hi: int) -> tuple[int, int]:
    """``(slots, carries)`` of the part of the day ``[lo, hi)`` (local slots of a day), on every day.

    ``slots`` has the part's slots of each day of the week set, ``carries`` the slot just
    after the part on each day. For ``x`` within ``slots``, ``x + slots`` adds ``2**w - 1``
    to each day's ``w``-slot field, which carries into that day's bit of ``carries``
    exactly when ``x`` has a slot in that part of that day.
    """
    slots = carries = 0
    for day in range(7):
        slots |= ((1 << (hi - lo)) - 1) << (day * _SLOTS_PER_DAY + lo)
        carries |= 1 << (day * _SLOTS_PER_DAY + hi)
    return slots, carries


(_MORNINGS, _MORNING_CARRIES), (_AFTERNOONS, _AFTERNOON_CARRIES), (_EVENINGS, _EVENING_CARRIES) = (
    _part_field(lo, hi) for _, lo, hi in _PARTS
)


def _cells(local: int) -> int:
    """The (day, part of the day) cells in which ``local`` (local slot bits) has a slot.

    Returns the OR of the parts' carry bits (:func:`_part_field`): bit ``48 * day + hi``
    is set when ``local`` has a slot in the part ``[lo, hi)`` of ``day``.
    """
    return (
        (((local & _MORNINGS) + _MORNINGS) & _MORNING_CARRIES)
        | (((local & _AFTERNOONS) + _AFTERNOONS) & _AFTERNOON_CARRIES)
        | (((local & _EVENINGS) + _EVENINGS) & _EVENING_CARRIES)
    )


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


@lru_cache(maxsize=4096)
def _when(cells: int) -> str:
    """``"Tue and Thu evenings"`` for the nonzero ``cells`` of :func:`_cells`: parts ordered by first day."""
    groups: list[tuple[int, int, str]] = []  # (first day, part index, phrase)
    for index, (part, _, hi) in enumerate(_PARTS):
        days = [day for day in range(7) if cells >> (day * _SLOTS_PER_DAY + hi) & 1]
        if days:
            groups.append((days[0], index, _days_phrase(days, part)))
    return join_words([phrase for _, _, phrase in sorted(groups)])


# --------------------------------------------------------------------------- shared hours


#: How UTC slots map to local ones: ``(mask, shift)`` pieces, local slot = UTC slot + ``shift``
#: (modulo the week) for the UTC slots of ``mask``.
Shifts = tuple[tuple[int, int], ...]


@lru_cache(maxsize=4096)
def zone_shifts(time_zone: str, week: datetime) -> Shifts:
    """How the UTC slots of the week starting at ``week`` map to local slots of ``time_zone``.

    UTC slot ``j`` stands for its occurrence in the week (the first at or after its start);
    its local slot is ``j`` plus the zone's offset then, in slots. One piece (every slot)
    unless the offset changes during the week; then one per offset.
    """
    zw = zone_week(time_zone, week)
    pieces: dict[int, int] = {}
    for j in range(1 if zw.steady else SLOTS_PER_WEEK):
        minute = zw.start + (j * SLOT_MINUTES - zw.start) % MINUTES_PER_WEEK
        shift = (zw.utc_offset(minute) // SLOT_MINUTES) % SLOTS_PER_WEEK
        pieces[shift] = pieces.get(shift, 0) | (_WEEK_MASK if zw.steady else 1 << j)
    return tuple((mask, shift) for shift, mask in pieces.items())


def _local(slots: int, shifts: Shifts) -> int:
    """The local slot bits of ``slots`` (UTC slot bits) under ``shifts``."""
    local = 0
    for mask, shift in shifts:
        part = slots & mask
        local |= ((part << shift) | (part >> (SLOTS_PER_WEEK - shift))) & _WEEK_MASK
    return local


def shared_hours_phrase(total: int, shared: int, shifts: Shifts) -> str:
    """The phrase for ``shared`` (UTC slot bits) of ``total`` client slots, in local time by ``shifts``."""
    count = shared.bit_count()
    if count == 0:
        return "not free at any of your hours"
    if count == total:
        if total == 2:
            return "free at your one hour"
        if total == 1:
            return "free at your half hour"
        return f"free at all {_HOURS[total]} of your hours"
    return f"free {_when(_cells(_local(shared, shifts)))}: {_HOURS[count]} of your {_HOURS[total]} hours"


def describe_shared_hours(
    client_slots: int, counselor_slots: int, time_zone: str, week: datetime | None = None
) -> str | None:
    """Describe the overlap of two UTC slot bitsets in the client's local time.

    Parameters
    ----------
    client_slots, counselor_slots : int
        Bit ``j`` set when UTC slot ``j`` of the week (0 = Monday 00:00-00:30) is free.
    time_zone : str
        The client's IANA zone; its offsets in the week map UTC slots to local ones.
    week : datetime, optional
        The week start both bitsets were placed in (:mod:`matcher.week`); None: the current week.

    Returns
    -------
    ``"free Tue and Thu evenings: 6 of your 8 hours"``, ``"free at all 8 of your
    hours"``, ``"not free at any of your hours"``, or None when the client gave no hours.
    """
    total = client_slots.bit_count()
    if total == 0:
        return None
    shifts = zone_shifts(time_zone, current_week() if week is None else week)
    return shared_hours_phrase(total, client_slots & counselor_slots, shifts)
