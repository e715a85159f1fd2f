"""A snapshot moved to a later week: the same arrays while offsets hold, slot words derived again when not.

A New York client and two Berlin counselors: in February both zones have their standard
offsets; in the week of 16 March the United States has switched to summer time and Europe
has not, so the client's Monday morning moves an hour earlier in UTC and the counselor who
overlaps it best changes.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np

from matcher.engine.bit_index import build_index
from matcher.engine.ranking import RankedCounselor, rank
from matcher.engine.reference import rank_reference
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import Availability, ConcernPreference, CounselorProfile, Intake, Specialty, WeeklyWindow
from matcher.strategy import DEFAULT_STRATEGY
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from tests.matcher.conftest import random_profiles

H = 60
FEBRUARY = datetime(2026, 2, 23, 9, tzinfo=UTC)  # no zone used here changes its offset until 8 March
MARCH_16 = datetime(2026, 3, 16, 9, tzinfo=UTC)


def berlin(counselor_id: str, start: int, end: int) -> CounselorProfile:
    return CounselorProfile(
        id=counselor_id,
        display_name=counselor_id.title(),
        specialties=(Specialty("anxiety", Proficiency.PRIMARY),),
        languages=("en",),
        session_types=(SessionType.INDIVIDUAL,),
        formats=(SessionFormat.VIDEO,),
        caseload_max=10,
        jurisdictions=("US-NY",),
        age_groups=("adult",),
        availability=Availability("Europe/Berlin", (WeeklyWindow(0, start, end),)),
    )


# Mon 14:00-17:00 and 15:00-18:00 in Berlin: 13:00-16:00 and 14:00-17:00 UTC (CET, UTC+1).
EARLY, LATE = berlin("early", 14 * H, 17 * H), berlin("late", 15 * H, 18 * H)
# Mon 09:00-12:00 in New York: 14:00-17:00 UTC in February (EST), 13:00-16:00 UTC on 16 March (EDT).
CLIENT = Intake(
    "client-ny",
    (ConcernPreference("anxiety", 1),),
    ("en",),
    formats=(SessionFormat.VIDEO,),
    availability=Availability("America/New_York", (WeeklyWindow(0, 9 * H, 12 * H),)),
    jurisdiction="US-NY",
    age_group="adult",
)


def hours_score(result: RankedCounselor) -> float:
    return next(f.score for f in result.factors if f.factor == "availability")


def test_a_week_with_the_same_offsets_shares_every_array() -> None:
    snap = CatalogSnapshot.build(random_profiles(300, seed=2), 1, FEBRUARY)
    assert snap.zones() == {"UTC", "America/Chicago", "America/New_York", "America/Los_Angeles"} | {
        "Europe/Berlin",
        "Asia/Kolkata",
        "Australia/Adelaide",
        "Pacific/Auckland",
    }
    later = snap.at_week(datetime(2026, 2, 24, 15, tzinfo=UTC))
    assert later.week == datetime(2026, 2, 24, 15, tzinfo=UTC) and later.version == snap.version
    assert later.columns is snap.columns and later.index is snap.index
    assert snap.at_week(FEBRUARY) is snap


def test_a_week_after_a_change_derives_the_slot_words_again() -> None:
    profiles = [EARLY, LATE, *random_profiles(300, seed=2)]
    snap = CatalogSnapshot.build(profiles, 1, FEBRUARY)
    assert not snap.keeps_offsets(MARCH_16)
    moved = snap.at_week(MARCH_16)
    fresh = CatalogSnapshot.build(profiles, 1, MARCH_16)
    assert moved.week == MARCH_16 and not np.array_equal(moved.slot_words, snap.slot_words)
    assert np.array_equal(moved.slot_words, fresh.slot_words)
    assert np.array_equal(moved.index, fresh.index)
    assert np.array_equal(moved.index, build_index(moved.columns))
    assert moved.columns.flags is snap.columns.flags and moved.columns.codes is snap.columns.codes
    for array in (*moved.columns.arrays(), moved.index):
        assert array.flags.c_contiguous and not array.flags.writeable
    # A change to one counselor after the move is encoded in the snapshot's week.
    changed = dataclasses.replace(EARLY, availability=LATE.availability)
    assert np.array_equal(
        moved.with_upsert(changed, 2).slot_words,
        CatalogSnapshot.build([changed, LATE, *profiles[2:]], 2, MARCH_16).slot_words,
    )


def test_the_best_overlap_changes_with_the_week_and_equals_the_reference_each_time() -> None:
    profiles = [EARLY, LATE]
    february = CatalogSnapshot.build(profiles, 1, FEBRUARY)
    march = february.at_week(MARCH_16)
    orders = []
    for snap in (february, march):
        ranking = rank(snap, CLIENT, DEFAULT_STRATEGY, 2)
        got = [(r.counselor_id, r.score) for r in ranking.results]
        assert got == rank_reference(profiles, CLIENT, DEFAULT_STRATEGY, 2, week=snap.week)
        orders.append([(r.counselor_id, hours_score(r), r.reasons[-1]) for r in ranking.results])
    best, partly = "free at all 3 of your hours", "free Mon morning: 2 of your 3 hours"
    assert orders == [
        [("late", 1.0, best), ("early", 4 / 6, partly)],  # February
        [("early", 1.0, best), ("late", 4 / 6, partly)],  # 16 March
    ]
