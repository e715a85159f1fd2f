"""The coming week: the real UTC offsets of a time zone during the week weekly hours are compared in.

Weekly hours are local (``Tue 18:00-21:00`` in ``America/Chicago``) and compared in UTC. A
window means its **next occurrence in the coming week**: the week of 7 days that starts at a
reference instant, the *week start* (:func:`week_of`: the reference instant floored to the
whole hour, UTC, so that everything computed for a week is cached per hour). Each occurrence
takes the zone's real UTC offset on that date (``zoneinfo``), so a daylight-saving change in
the middle of the week applies to the windows after it and not to those before.

Minutes are counted from :data:`WEEK_EPOCH`, a Monday 00:00 UTC: a UTC minute ``u`` lies in
slot ``(u % MINUTES_PER_WEEK) // 30`` of the weekly slot grid. A *local minute* is the
same count taken on the local wall clock (the naive local date and time).

Transition rule (``zoneinfo`` ``fold=0``, :meth:`ZoneWeek.local_offset`): a local time that
occurs twice (the hour repeated when clocks go back) is read as its first occurrence (the
offset before the change); a local time that does not exist (the hour skipped when clocks go
forward) is read with the offset before the change, i.e. as the same time after the gap
(02:30 in a gap from 02:00 to 03:00 is 03:30). A window is the real time between its start
and its end, each read with that rule on the occurrence's date.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "MINUTES_PER_WEEK",
    "WEEK_EPOCH",
    "Clock",
    "ZoneWeek",
    "current_week",
    "utc_now",
    "week_minute",
    "week_of",
    "zone_week",
]

#: A function returning the current time, an aware datetime (production: :func:`utc_now`).
Clock = Callable[[], datetime]
#: Minutes are counted from this Monday 00:00 UTC.
WEEK_EPOCH = datetime(1970, 1, 5, tzinfo=UTC)
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_MINUTE = timedelta(minutes=1)
#: Changes are looked for this far around the span a week's windows can reach (minutes).
_MARGIN = 3 * 60
#: The offset is read every this many minutes of the span, then each change found to the minute.
_PROBE = 60


def utc_now() -> datetime:
    """The current time in UTC (the production clock)."""
    return datetime.now(UTC)


def week_of(moment: datetime) -> datetime:
    """The start of the week that begins at ``moment``: ``moment`` in UTC, floored to the whole hour.

    Raises
    ------
    ValueError
        If ``moment`` is naive (it must say which instant it is).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the reference instant {moment!r} must be timezone-aware")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def current_week(clock: Clock | None = None) -> datetime:
    """The start of the coming week at ``clock()`` (see :func:`week_of`); by default at :func:`utc_now`,
    looked up when called (so that a test run can pin the time for every default clock at once)."""
    return week_of((clock or utc_now)())


def week_minute(moment: datetime) -> int:
    """The UTC minute of ``moment`` (aware) counted from :data:`WEEK_EPOCH`, floored."""
    return (moment - WEEK_EPOCH) // _MINUTE


class ZoneWeek(NamedTuple):
    """A zone's UTC offsets over the span the windows of one week can reach.

    That span is the local minutes from the week start to 8 days later (a window that starts
    on the last day of the week may end on the next one). Offsets are in minutes, east
    positive; ``offsets[k + 1]`` holds from UTC minute ``changes[k]`` on.

    Attributes
    ----------
    start : the week start, a UTC minute
    local_start : the week start as a local minute
    offsets : the offset at the start of the span, then after each change
    changes : the UTC minute of each change within the span, ascending
    breaks : the local minute from which ``offsets[k + 1]`` applies under the ``fold=0`` rule
    """

    start: int
    local_start: int
    offsets: tuple[int, ...]
    changes: tuple[int, ...]
    breaks: tuple[int, ...]

    @property
    def steady(self) -> bool:
        """The offset does not change within the span."""
        return not self.changes

    def same_offsets(self, other: ZoneWeek) -> bool:
        """Both spans have one and the same offset (their windows then take the same UTC slots)."""
        return self.steady and other.steady and self.offsets == other.offsets

    def utc_offset(self, minute: int) -> int:
        """The offset at UTC minute ``minute``."""
        return self.offsets[bisect_right(self.changes, minute)]

    def local_offset(self, local: int) -> int:
        """The offset of local minute ``local`` under the ``fold=0`` rule (see the module docstring)."""
        return self.offsets[bisect_right(self.breaks, local)]

    def occurrence(self, weekly: int) -> int:
        """The local minute of the next occurrence of ``weekly`` (minutes since local Monday 00:00)."""
        return self.local_start + (weekly - self.local_start) % MINUTES_PER_WEEK

    def window_minutes(self, day: int, start_minute: int, end_minute: int) -> tuple[int, int]:
        """The UTC minutes ``[first, end)`` of the next occurrence of a local window (``end >= first``)."""
        local = self.occurrence(day * MINUTES_PER_DAY + start_minute)
        end = local + end_minute - start_minute
        first = local - self.local_offset(local)
        return first, max(first, end - self.local_offset(end))


def _offset_at(zone: ZoneInfo, minute: int) -> int:
    """The offset of ``zone`` at UTC minute ``minute`` (from :data:`WEEK_EPOCH`), in minutes, floored."""
    moment = (WEEK_EPOCH + minute * _MINUTE).astimezone(zone)
    return int((moment.utcoffset() or timedelta(0)).total_seconds()) // 60


def _first_of(zone: ZoneInfo, lo: int, hi: int, after: int) -> int:
    """The first UTC minute in ``(lo, hi]`` with offset ``after`` (it has it at ``hi``, not at ``lo``)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(zone, mid) == after:
            hi = mid
        else:
            lo = mid
    return hi


@lru_cache(maxsize=4096)
def zone_week(time_zone: str, week: datetime) -> ZoneWeek:
    """The offsets of ``time_zone`` over the span of the week starting at ``week`` (a week start).

    The offset is read every hour of the span (a few hundred reads, ~0.1 ms) and each change
    is then found to the minute; two changes less than an hour apart would be missed (no zone
    has any). Cached: a pure function of its arguments.
    """
    zone = ZoneInfo(time_zone)
    start = week_minute(week)
    lo, hi = start - _MARGIN, start + MINUTES_PER_WEEK + MINUTES_PER_DAY + _MARGIN
    offsets = [_offset_at(zone, lo)]
    changes: list[int] = []
    previous = lo
    for minute in range(lo + _PROBE, hi + _PROBE, _PROBE):
        offset = _offset_at(zone, minute)
        if offset != offsets[-1]:
            changes.append(_first_of(zone, previous, minute, offset))
            offsets.append(offset)
        previous = minute
    breaks = tuple(t + max(a, b) for t, a, b in zip(changes, offsets, offsets[1:], strict=False))
    local_start = start + offsets[bisect_right(changes, start)]
    return ZoneWeek(start, local_start, tuple(offsets), tuple(changes), breaks)
