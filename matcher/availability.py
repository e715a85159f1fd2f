"""Weekly availability as bitsets of 30-minute UTC slots.

A week has ``SLOTS_PER_WEEK = 336`` slots; slot 0 is Monday 00:00-00:30 UTC. A set
of slots is packed little-endian into ``SLOT_WORDS = 6`` ``uint64`` words (bit ``j``
of the week is bit ``j % 64`` of word ``j // 64``).

Local windows are placed in **the coming week** (:mod:`matcher.week`): each window is
its next occurrence in the week that starts at a week start, converted with the zone's
real UTC offset on that date (``zoneinfo``, ``fold=0`` at a transition). Two people whose
zones change to or from daylight-saving time on different dates (the United States and
Europe in March, a southern-hemisphere zone, Arizona) therefore overlap as they really do
that week. Both sides of a comparison must be placed in the same week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from matcher.week import current_week, zone_week

__all__ = [
    "DAY_NAMES",
    "MINUTES_PER_DAY",
    "SLOTS_PER_WEEK",
    "SLOT_MINUTES",
    "SLOT_WORDS",
    "Availability",
    "WeeklyWindow",
    "availability_bits",
    "popcount",
    "seasonal_offsets_minutes",
    "slots_from_bits",
    "standard_offset_minutes",
]

MINUTES_PER_DAY = 24 * 60
#: Weekly availability is resolved in slots of this many minutes.
SLOT_MINUTES = 30
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring weekly window in local time: ``day`` 0=Monday .. 6=Sunday.

    ``start_minute`` and ``end_minute`` count minutes since local midnight, on
    30-minute boundaries, with ``0 <= start_minute < end_minute <= 1440``.
    """

    day: int
    start_minute: int
    end_minute: int

    def __str__(self) -> str:
        def hhmm(m: int) -> str:
            return f"{m // 60:02d}:{m % 60:02d}"

        return f"{DAY_NAMES[self.day]} {hhmm(self.start_minute)}-{hhmm(self.end_minute)}"


@dataclass(frozen=True)
class Availability:
    """Weekly windows in one IANA time zone."""

    time_zone: str
    windows: tuple[WeeklyWindow, ...] = ()


SLOTS_PER_WEEK = 7 * MINUTES_PER_DAY // SLOT_MINUTES
SLOT_WORDS = (SLOTS_PER_WEEK + 63) // 64
_MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


@lru_cache(maxsize=512)
def standard_offset_minutes(time_zone: str) -> int:
    """Return the zone's standard (non-DST) offset from UTC in minutes, east positive.

    Reads the offset in January and in July of a fixed year and keeps the one
    with no daylight-saving component, so the answer is the same on every date.
    Used to validate zones; slots are placed with the real offsets of the coming week.
    """
    zone = ZoneInfo(time_zone)
    for month in (1, 7):
        moment = datetime(2025, month, 15, 12, tzinfo=zone)
        dst = moment.dst() or timedelta(0)
        if dst == timedelta(0):
            offset = moment.utcoffset() or timedelta(0)
            return int(offset.total_seconds() // 60)
    moment = datetime(2025, 1, 15, 12, tzinfo=zone)  # a zone with DST all year
    offset = (moment.utcoffset() or timedelta(0)) - (moment.dst() or timedelta(0))
    return int(offset.total_seconds() // 60)


@lru_cache(maxsize=512)
def seasonal_offsets_minutes(time_zone: str) -> tuple[int, ...]:
    """The zone's UTC offsets in minutes (east positive) in mid-January and mid-July of a fixed year.

    Its standard offset and, where it keeps daylight-saving time, its daylight offset: the
    same answer on every date, for validation.
    """
    zone = ZoneInfo(time_zone)
    moments = (datetime(2025, month, 15, 12, tzinfo=zone) for month in (1, 7))
    return tuple(sorted({int((m.utcoffset() or timedelta(0)).total_seconds() // 60) for m in moments}))


def _slot_mask(availability: Availability, week: datetime) -> npt.NDArray[np.bool_]:
    mask = np.zeros(SLOTS_PER_WEEK, dtype=np.bool_)
    if not availability.windows:
        return mask
    zw = zone_week(availability.time_zone, week)
    for w in availability.windows:
        first, end = zw.window_minutes(w.day, w.start_minute, w.end_minute)
        count = min((end - first) // SLOT_MINUTES, SLOTS_PER_WEEK)
        mask[((first % _MINUTES_PER_WEEK) // SLOT_MINUTES + np.arange(count)) % SLOTS_PER_WEEK] = True
    return mask


def availability_bits(availability: Availability, week: datetime | None = None) -> npt.NDArray[np.uint64]:
    """Pack the weekly windows of ``availability`` into UTC slot bits of the coming week.

    Parameters
    ----------
    availability : the windows and their zone
    week : the week start (:func:`matcher.week.week_of`); None: the current week

    Returns
    -------
    numpy.ndarray of uint64, shape (SLOT_WORDS,)
    """
    mask = _slot_mask(availability, current_week() if week is None else week)
    padded = np.zeros(SLOT_WORDS * 64, dtype=np.bool_)
    padded[:SLOTS_PER_WEEK] = mask
    packed = np.packbits(padded, bitorder="little")  # shape (SLOT_WORDS * 8,)
    return packed.view("<u8").astype(np.uint64)


def slots_from_bits(bits: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """Unpack ``bits`` (shape (SLOT_WORDS,)) into a boolean mask of shape (SLOTS_PER_WEEK,)."""
    raw = np.ascontiguousarray(bits, dtype="<u8").view(np.uint8)
    return np.unpackbits(raw, bitorder="little")[:SLOTS_PER_WEEK].astype(np.bool_)


def popcount(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Count set bits along the last axis.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape (..., W)

    Returns
    -------
    numpy.ndarray of int64, shape (...)
    """
    counts: npt.NDArray[np.int64] = np.bitwise_count(words).sum(axis=-1, dtype=np.int64)
    return counts
