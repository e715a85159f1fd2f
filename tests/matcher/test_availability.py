"""Weekly hours in the coming week, hand-checked across daylight-saving changes (2026).

Slots are numbered from Monday 00:00 UTC (``slot(day, hour)``). In a January week the
northern zones have their standard offsets; in the weeks of March the United States has
switched to summer time and Europe has not yet; the southern hemisphere switches the other
way; Arizona (Phoenix) never switches.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from matcher.availability import Availability, WeeklyWindow, availability_bits, slots_from_bits
from matcher.engine.reference import utc_slots
from tests.matcher.conftest import JANUARY_WEEK

H = 60
MARCH_16 = datetime(2026, 3, 16, tzinfo=UTC)  # the US is on summer time, Europe is not yet
APRIL_13 = datetime(2026, 4, 13, tzinfo=UTC)  # both are; Sydney is back on its standard time
JULY = datetime(2026, 7, 13, tzinfo=UTC)
US_SPRING = datetime(2026, 3, 5, 12, tzinfo=UTC)  # New York: 02:00 -> 03:00 on Sunday 8 March
US_FALL = datetime(2026, 10, 29, 5, tzinfo=UTC)  # New York: 02:00 -> 01:00 on Sunday 1 November
EU_SPRING = datetime(2026, 3, 26, 7, tzinfo=UTC)  # Berlin: 02:00 -> 03:00 on Sunday 29 March


def slot(day: int, hour: int, minute: int = 0) -> int:
    return day * 48 + hour * 2 + minute // 30


def run(day: int, hour: float, hours: float) -> set[int]:
    """The slots of ``hours`` hours from ``day`` ``hour``:00 UTC (wrapping around the week)."""
    first = day * 48 + int(hour * 2)
    return {(first + i) % 336 for i in range(int(hours * 2))}


def slots(zone: str, week: datetime, *windows: tuple[int, int, int]) -> set[int]:
    """The UTC slots of ``windows`` (day, start minute, end minute) in ``zone``, placed in ``week``.

    The fast path and the plain reference must agree.
    """
    availability = Availability(zone, tuple(WeeklyWindow(*w) for w in windows))
    found = set(np.flatnonzero(slots_from_bits(availability_bits(availability, week))).tolist())
    assert found == utc_slots(availability, week)
    return found


def test_new_york_and_berlin_overlap_an_hour_less_while_only_the_us_has_switched() -> None:
    # A New York client Mon 09:00-12:00; a Berlin counselor Mon 15:00-18:00.
    client = [slots("America/New_York", w, (0, 9 * H, 12 * H)) for w in (JANUARY_WEEK, MARCH_16, JULY)]
    counselor = [slots("Europe/Berlin", w, (0, 15 * H, 18 * H)) for w in (JANUARY_WEEK, MARCH_16, JULY)]
    assert client == [run(0, 14, 3), run(0, 13, 3), run(0, 13, 3)]  # EST, EDT, EDT
    assert counselor == [run(0, 14, 3), run(0, 14, 3), run(0, 13, 3)]  # CET, CET, CEST
    shared = [len(c & k) for c, k in zip(client, counselor, strict=True)]
    assert shared == [6, 4, 6]  # 3 hours, 2 hours while only the US has switched, 3 hours


def test_sydney_switches_the_other_way() -> None:
    # A New York client Mon 17:00-19:00; a Sydney counselor Tue 09:00-11:00 (Monday evening in UTC).
    weeks = (JANUARY_WEEK, MARCH_16, APRIL_13, JULY)
    client = [slots("America/New_York", w, (0, 17 * H, 19 * H)) for w in weeks]
    counselor = [slots("Australia/Sydney", w, (1, 9 * H, 11 * H)) for w in weeks]
    assert client == [run(0, 22, 2), run(0, 21, 2), run(0, 21, 2), run(0, 21, 2)]
    assert counselor == [run(0, 22, 2), run(0, 22, 2), run(0, 23, 2), run(0, 23, 2)]  # +11 in summer
    assert [len(c & k) for c, k in zip(client, counselor, strict=True)] == [4, 2, 0, 0]


def test_phoenix_keeps_its_offset_and_denver_does_not() -> None:
    for week, shared in ((JANUARY_WEEK, 4), (MARCH_16, 2), (JULY, 2)):
        phoenix = slots("America/Phoenix", week, (2, 10 * H, 12 * H))
        denver = slots("America/Denver", week, (2, 10 * H, 12 * H))
        assert phoenix == run(2, 17, 2)
        assert denver == (run(2, 17, 2) if week == JANUARY_WEEK else run(2, 16, 2))
        assert len(phoenix & denver) == shared


def test_windows_on_the_night_of_the_change() -> None:
    # New York, Sunday 8 March: 01:00 EST = 06:00 UTC, 04:00 EDT = 08:00 UTC: two real hours.
    assert slots("America/New_York", US_SPRING, (6, 1 * H, 4 * H)) == run(6, 6, 2)
    assert slots("America/New_York", JANUARY_WEEK, (6, 1 * H, 4 * H)) == run(6, 6, 3)
    assert slots("America/New_York", US_SPRING, (6, 2 * H, 3 * H)) == set()  # the skipped hour
    assert slots("America/New_York", US_SPRING, (6, 2 * H + 30, 4 * H)) == run(6, 7.5, 0.5)  # 03:30 EDT on
    # Sunday 1 November: 01:00-02:00 happens twice (EDT, then EST): both passes, 05:00-07:00 UTC.
    assert slots("America/New_York", US_FALL, (6, 1 * H, 2 * H)) == run(6, 5, 2)
    assert slots("America/New_York", US_FALL, (6, 1 * H, 1 * H + 30)) == run(6, 5, 0.5)  # the first pass
    # Berlin, Sunday 29 March: 01:00 CET = 00:00 UTC, 04:00 CEST = 02:00 UTC.
    assert slots("Europe/Berlin", EU_SPRING, (6, 1 * H, 4 * H)) == run(6, 0, 2)


def test_a_change_in_the_middle_of_the_week_applies_to_the_windows_after_it() -> None:
    # The week starts on Thursday 5 March 12:00 UTC (07:00 EST): Friday is before the change, Monday
    # after it; Thursday 06:00 has passed, so it is next Thursday's, after the change too.
    windows = ((4, 9 * H, 10 * H), (0, 9 * H, 10 * H), (3, 6 * H, 7 * H), (3, 8 * H, 9 * H))
    assert slots("America/New_York", US_SPRING, *windows) == (
        run(4, 14, 1) | run(0, 13, 1) | run(3, 10, 1) | run(3, 13, 1)
    )


@pytest.mark.parametrize(("week", "first"), [(JANUARY_WEEK, 23), (JULY, 22)])
def test_windows_crossing_midnight_and_the_end_of_the_week_still_wrap(week: datetime, first: int) -> None:
    # Chicago Sun 17:00-21:00 is Sun 23:00 - Mon 03:00 UTC in January (CST), an hour earlier in July.
    assert slots("America/Chicago", week, (6, 17 * H, 21 * H)) == run(6, first, 4)
    assert slots("Asia/Kolkata", week, (0, 0, 2 * H)) == run(6, 18.5, 2)  # UTC+5:30, no change
