"""The coming week: week starts, and a zone's real offsets over a week (hand-checked in 2026)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from matcher.week import WEEK_EPOCH, current_week, week_minute, week_of, zone_week

H = 60


def at(*fields: int) -> int:
    """The minute count of a date and time (UTC, or a local wall clock read the same way)."""
    return week_minute(datetime(*fields, tzinfo=UTC))  # type: ignore[misc]


def test_a_week_starts_at_the_reference_instant_floored_to_the_hour_in_utc() -> None:
    chicago_evening = datetime(2026, 3, 5, 18, 42, 7, tzinfo=timezone(timedelta(hours=-6)))
    assert week_of(chicago_evening) == datetime(2026, 3, 6, 0, tzinfo=UTC)
    clock = lambda: datetime(2026, 1, 12, 9, 59, tzinfo=UTC)  # noqa: E731
    assert current_week(clock) == datetime(2026, 1, 12, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        week_of(datetime(2026, 1, 12, 9))
    assert WEEK_EPOCH.weekday() == 0 and week_minute(WEEK_EPOCH) == 0  # a Monday 00:00 UTC


def test_new_york_springs_forward_in_the_middle_of_the_week() -> None:
    week = datetime(2026, 3, 5, 12, tzinfo=UTC)  # Thursday; clocks go 02:00 -> 03:00 on Sunday 8 March
    zw = zone_week("America/New_York", week)
    assert zw.start == at(2026, 3, 5, 12) and zw.local_start == at(2026, 3, 5, 7)
    assert zw.offsets == (-5 * H, -4 * H) and zw.changes == (at(2026, 3, 8, 7),)
    assert zw.utc_offset(at(2026, 3, 8, 6, 59)) == -5 * H and zw.utc_offset(at(2026, 3, 8, 7)) == -4 * H
    # fold=0: the skipped hour is read with the offset before the change (02:30 is 03:30 EDT).
    assert zw.local_offset(at(2026, 3, 8, 1, 59)) == -5 * H
    assert zw.local_offset(at(2026, 3, 8, 2, 30)) == -5 * H
    assert zw.local_offset(at(2026, 3, 8, 3)) == -4 * H
    assert not zw.steady


def test_new_york_falls_back_and_the_repeated_hour_is_read_as_its_first_pass() -> None:
    zw = zone_week("America/New_York", datetime(2026, 10, 29, 5, tzinfo=UTC))  # 1 November, 02:00 -> 01:00
    assert zw.offsets == (-4 * H, -5 * H) and zw.changes == (at(2026, 11, 1, 6),)
    assert zw.local_offset(at(2026, 11, 1, 1, 30)) == -4 * H  # 01:30 EDT, not 01:30 EST
    assert zw.local_offset(at(2026, 11, 1, 2)) == -5 * H


def test_zones_without_a_change_are_steady_and_compare_by_offset() -> None:
    january, february = datetime(2026, 1, 12, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC)
    july = datetime(2026, 7, 13, tzinfo=UTC)
    for zone, offset in (("America/Phoenix", -7 * H), ("Asia/Kolkata", 5 * H + 30), ("UTC", 0)):
        assert zone_week(zone, january).offsets == (offset,) and zone_week(zone, july).offsets == (offset,)
        assert zone_week(zone, january).same_offsets(zone_week(zone, july))
    berlin = [zone_week("Europe/Berlin", w) for w in (january, february, july)]
    assert berlin[0].same_offsets(berlin[1]) and not berlin[0].same_offsets(berlin[2])
    sydney = zone_week("Australia/Sydney", january)  # southern summer: daylight-saving time in January
    assert sydney.offsets == (11 * H,) and zone_week("Australia/Sydney", july).offsets == (10 * H,)
    changing = zone_week("Europe/Berlin", datetime(2026, 3, 26, 7, tzinfo=UTC))
    assert not changing.same_offsets(changing) and changing.offsets == (H, 2 * H)


def test_a_window_is_its_next_occurrence_at_or_after_the_week_start() -> None:
    zw = zone_week("America/New_York", datetime(2026, 3, 5, 12, tzinfo=UTC))  # Thursday 07:00 EST
    assert zw.window_minutes(3, 8 * H, 10 * H) == (at(2026, 3, 5, 13), at(2026, 3, 5, 15))  # today, EST
    assert zw.window_minutes(3, 7 * H, 8 * H) == (at(2026, 3, 5, 12), at(2026, 3, 5, 13))  # starts now
    # Started before the week start: next Thursday's, after the change (EDT).
    assert zw.window_minutes(3, 6 * H, 8 * H) == (at(2026, 3, 12, 10), at(2026, 3, 12, 12))
    assert zw.window_minutes(5, 22 * H, 24 * H) == (at(2026, 3, 8, 3), at(2026, 3, 8, 5))  # Saturday, EST
    # Sunday 8 March 01:00-04:00 is 2 real hours; 02:00-03:00 does not exist (empty); 02:30-04:00 is
    # 03:30-04:00 EDT.
    assert zw.window_minutes(6, 1 * H, 4 * H) == (at(2026, 3, 8, 6), at(2026, 3, 8, 8))
    assert zw.window_minutes(6, 2 * H, 3 * H) == (at(2026, 3, 8, 7), at(2026, 3, 8, 7))
    assert zw.window_minutes(6, 2 * H + 30, 4 * H) == (at(2026, 3, 8, 7, 30), at(2026, 3, 8, 8))
