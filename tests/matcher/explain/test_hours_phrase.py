"""Shared hours in the client's local time when the client's zone changes its offset mid-week."""

from __future__ import annotations

from datetime import UTC, datetime

from matcher.availability import Availability, WeeklyWindow, availability_bits
from matcher.explain.hours_phrase import describe_shared_hours, words_to_int, zone_shifts
from tests.matcher.conftest import JANUARY_WEEK

H = 60
# The week starts on Thursday 5 March 2026, 12:00 UTC; New York springs forward on Sunday 8 March.
US_SPRING = datetime(2026, 3, 5, 12, tzinfo=UTC)


def slots(zone: str, week: datetime, *windows: tuple[int, int, int]) -> int:
    availability = Availability(zone, tuple(WeeklyWindow(*w) for w in windows))
    return words_to_int(availability_bits(availability, week))


def test_a_zone_that_changes_mid_week_maps_each_slot_with_its_own_offset() -> None:
    shifts = zone_shifts("America/New_York", US_SPRING)
    # UTC slots from the week start to Sunday 07:00 UTC read as EST (-10 slots), the others as EDT (-8).
    assert sorted(shift for _, shift in shifts) == [336 - 10, 336 - 8]
    masks = [mask for mask, _ in shifts]
    assert masks[0] & masks[1] == 0 and masks[0] | masks[1] == (1 << 336) - 1
    assert zone_shifts("America/New_York", JANUARY_WEEK) == (((1 << 336) - 1, 336 - 10),)


def test_hours_before_the_change_read_in_standard_time_and_after_it_in_summer_time() -> None:
    # The client: Fri 11:00-13:00 (EST, before the change) and Mon 12:00-14:00 (EDT, after it), i.e.
    # Fri 16:00-18:00 and Mon 16:00-18:00 UTC. The counselor (UTC) shares 16:00-17:00 on both days:
    # Friday 11:00-12:00 (morning) and Monday 12:00-13:00 (afternoon) in New York.
    client = slots("America/New_York", US_SPRING, (4, 11 * H, 13 * H), (0, 12 * H, 14 * H))
    assert client == slots("UTC", US_SPRING, (4, 16 * H, 18 * H), (0, 16 * H, 18 * H))
    counselor = slots("UTC", US_SPRING, (4, 16 * H, 17 * H), (0, 16 * H, 17 * H))
    assert (
        describe_shared_hours(client, counselor, "America/New_York", US_SPRING)
        == "free Mon afternoon and Fri morning: 2 of your 4 hours"
    )
