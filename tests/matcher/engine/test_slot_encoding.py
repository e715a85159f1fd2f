"""The vectorized slot encoder, the per-availability bits and the plain reference agree in any week.

Zones with every kind of change: the US and Europe, the southern hemisphere (Sydney, Auckland,
Santiago, whose clocks change at midnight), a half-hour change (Lord Howe), changes at
midnight (Havana, Beirut), none (Phoenix, Kolkata, UTC). Reference instants are drawn over
several years, so that many weeks hold a change, some in their middle.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.availability import SLOT_WORDS, Availability, WeeklyWindow, availability_bits, slots_from_bits
from matcher.engine.reference import utc_slots
from matcher.engine.slot_encoding import encode_slot_words
from matcher.model import validate_time_zone
from matcher.week import week_of
from tests.matcher.conftest import WEEKS

ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "America/Phoenix",
    "America/Denver",
    "Asia/Kolkata",
    "UTC",
)


@st.composite
def windows(draw: st.DrawFn) -> WeeklyWindow:
    start = draw(st.integers(0, 47))
    end = draw(st.integers(start + 1, 48))
    return WeeklyWindow(draw(st.integers(0, 6)), start * 30, end * 30)


availabilities = st.builds(Availability, st.sampled_from(ZONES), st.lists(windows(), max_size=5).map(tuple))
weeks = st.sampled_from(WEEKS) | st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
).map(week_of)


def test_the_zones_are_valid() -> None:
    assert [validate_time_zone(z) for z in ZONES] == [None] * len(ZONES)


@settings(max_examples=300, deadline=None)
@given(st.lists(availabilities, max_size=12), weeks)
def test_the_three_ways_of_placing_hours_agree(given_hours: list[Availability], week: datetime) -> None:
    encoded = encode_slot_words([a.windows for a in given_hours], [a.time_zone for a in given_hours], week)
    assert encoded.shape == (SLOT_WORDS, len(given_hours))
    for i, availability in enumerate(given_hours):
        bits = availability_bits(availability, week)
        assert np.array_equal(encoded[:, i], bits)
        assert set(np.flatnonzero(slots_from_bits(bits)).tolist()) == utc_slots(availability, week)


def test_a_half_hour_change_takes_a_slot_off_a_window_across_it() -> None:
    # Lord Howe goes from UTC+10:30 to +11 at 02:00 on Sunday 4 October 2026 (back on 5 April 2026).
    week = datetime(2026, 10, 1, tzinfo=UTC)
    night = Availability("Australia/Lord_Howe", (WeeklyWindow(6, 60, 180),))  # 01:00-03:00: 1.5 real hours
    assert len(utc_slots(night, week)) == 3
    assert int(np.bitwise_count(availability_bits(night, week)).sum()) == 3
