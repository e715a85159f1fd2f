"""Exact reason strings for hand-built counselors and intakes.

Hours are placed in a January week (``JANUARY_WEEK``), when every zone here has its standard
UTC offset.
"""

from __future__ import annotations

import numpy as np
import pytest

from matcher.availability import availability_bits
from matcher.engine.snapshot import CatalogSnapshot
from matcher.explain.hours_phrase import describe_shared_hours, join_words, words_to_int
from matcher.explain.reasons import ReasonWriter, explain
from matcher.model import Availability, ConcernPreference, CounselorProfile, Intake, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from tests.matcher.conftest import JANUARY_WEEK

P, S = Proficiency.PRIMARY, Proficiency.SECONDARY
H = 60  # minutes per hour


def counselor(**kwargs: object) -> CounselorProfile:
    defaults: dict[str, object] = {
        "id": "c1",
        "display_name": "Dr. One",
        "languages": ("en",),
        "session_types": (SessionType.INDIVIDUAL,),
        "formats": (SessionFormat.VIDEO,),
        "caseload_max": 10,
    }
    defaults.update(kwargs)
    return CounselorProfile(**defaults)  # type: ignore[arg-type]


def intake(**kwargs: object) -> Intake:
    defaults: dict[str, object] = {
        "client_id": "client",
        "concerns": (ConcernPreference("anxiety", 3),),
        "languages": ("en",),
    }
    defaults.update(kwargs)
    return Intake(**defaults)  # type: ignore[arg-type]


def slots(zone: str, *windows: tuple[int, int, int]) -> int:
    """UTC slot bitset of windows given as (day, start hour*60, end hour*60) in ``zone``."""
    availability = Availability(zone, tuple(WeeklyWindow(*w) for w in windows))
    return words_to_int(availability_bits(availability, JANUARY_WEEK))


# --------------------------------------------------------------------------- join_words


@pytest.mark.parametrize(
    ("items", "conjunction", "expected"),
    [
        ([], "and", ""),
        (["a"], "and", "a"),
        (["a", "b"], "and", "a and b"),
        (["a", "b", "c"], "and", "a, b and c"),
        (["a", "b", "c"], "or", "a, b or c"),
    ],
)
def test_join_words(items: list[str], conjunction: str, expected: str) -> None:
    assert join_words(items, conjunction) == expected


# --------------------------------------------------------------------------- concerns


def test_treated_concerns_in_priority_order_with_primary_marked_and_a_caveat() -> None:
    # Priorities: anxiety 3, trauma 2, grief 3 -> order anxiety, grief (ties keep the client's order), trauma.
    client = intake(
        concerns=(
            ConcernPreference("anxiety", 3),
            ConcernPreference("trauma", 2),
            ConcernPreference("grief", 3),
        )
    )
    profile = counselor(specialties=(Specialty("grief", S), Specialty("anxiety", P), Specialty("stress", P)))
    assert explain(profile, client)[:2] == (
        "treats anxiety (primary) and grief",
        "no listed experience with trauma",
    )


def test_all_primary_concerns_are_marked_once() -> None:
    client = intake(concerns=(ConcernPreference("ptsd", 5), ConcernPreference("relationship", 1)))
    profile = counselor(specialties=(Specialty("relationship", P), Specialty("ptsd", P)))
    assert explain(profile, client)[0] == "treats PTSD and relationship issues (both primary)"
    client3 = intake(
        concerns=(
            ConcernPreference("ptsd", 5),
            ConcernPreference("relationship", 1),
            ConcernPreference("ocd", 2),
        )
    )
    profile3 = counselor(
        specialties=(Specialty("relationship", P), Specialty("ptsd", P), Specialty("ocd", P))
    )
    assert explain(profile3, client3)[0] == "treats PTSD, OCD and relationship issues (all primary)"


def test_secondary_only_and_nothing_treated() -> None:
    client = intake(concerns=(ConcernPreference("anxiety", 1), ConcernPreference("grief", 2)))
    assert explain(counselor(specialties=(Specialty("anxiety", S),)), client)[:2] == (
        "treats anxiety",
        "no listed experience with grief",
    )
    assert explain(counselor(), client)[0] == (
        "treats none of your concerns (grief or anxiety): shown because too few counselors who treat "
        "them fit the rest of your needs"
    )


# --------------------------------------------------------------------------- approaches, language, formats


def test_full_reason_list_in_order() -> None:
    client = intake(
        concerns=(ConcernPreference("anxiety", 2), ConcernPreference("trauma", 1)),
        languages=("es", "en"),
        approaches=("emdr", "act", "cbt"),
        formats=(SessionFormat.VIDEO, SessionFormat.PHONE),
    )
    profile = counselor(
        specialties=(Specialty("anxiety", P),),
        approaches=("cbt", "emdr", "dbt"),
        languages=("en", "fr"),
        formats=(SessionFormat.PHONE, SessionFormat.IN_PERSON, SessionFormat.VIDEO),
    )
    assert explain(profile, client) == (
        "treats anxiety (primary)",
        "no listed experience with trauma",
        "offers EMDR and CBT",
        "speaks English (your second choice)",
        "offers video or phone sessions",
    )


def test_language_choices() -> None:
    client = intake(languages=("es", "fr", "en"))
    assert "speaks Spanish" in explain(counselor(languages=("en", "es")), client)
    assert "speaks French (your second choice)" in explain(counselor(languages=("en", "fr")), client)
    assert "speaks English (your third choice)" in explain(counselor(languages=("en",)), client)


def test_format_reason_only_when_the_client_named_formats() -> None:
    profile = counselor(formats=(SessionFormat.IN_PERSON, SessionFormat.VIDEO))
    assert "offers in-person sessions" in explain(profile, intake(formats=(SessionFormat.IN_PERSON,)))
    assert not any("sessions" in r for r in explain(profile, intake()))


def test_no_approach_reason_when_none_offered() -> None:
    reasons = explain(counselor(approaches=("dbt",)), intake(approaches=("cbt",)))
    assert not any(r.startswith("offers") for r in reasons)


# --------------------------------------------------------------------------- availability


CHICAGO_TUE_THU_EVENINGS = Availability(
    "America/Chicago", (WeeklyWindow(1, 18 * H, 22 * H), WeeklyWindow(3, 18 * H, 22 * H))
)


def test_shared_evenings_in_the_clients_local_time() -> None:
    # Chicago is UTC-6 (standard): Tue 18:00-22:00 local is Wed 00:00-04:00 UTC.
    counselor_slots = slots("UTC", (2, 0, 3 * H), (4, 0, 3 * H))  # Wed and Fri 00:00-03:00 UTC
    client_slots = slots("America/Chicago", (1, 18 * H, 22 * H), (3, 18 * H, 22 * H))
    assert (
        describe_shared_hours(client_slots, counselor_slots, "America/Chicago", JANUARY_WEEK)
        == "free Tue and Thu evenings: 6 of your 8 hours"
    )


def test_all_hours_and_half_hours() -> None:
    client_slots = slots("America/Chicago", (1, 18 * H, 22 * H), (3, 18 * H, 22 * H))
    everything = (1 << 336) - 1
    assert (
        describe_shared_hours(client_slots, everything, "America/Chicago", JANUARY_WEEK)
        == "free at all 8 of your hours"
    )
    half = slots("UTC", (2, 0, 30))  # Wed 00:00-00:30 UTC = Tue 18:00-18:30 Chicago
    assert (
        describe_shared_hours(client_slots, half, "America/Chicago", JANUARY_WEEK)
        == "free Tue evening: 0.5 of your 8 hours"
    )
    six_and_a_half = slots("UTC", (2, 0, 4 * H), (4, 0, 2 * H + 30))
    assert (
        describe_shared_hours(client_slots, six_and_a_half, "America/Chicago", JANUARY_WEEK)
        == "free Tue and Thu evenings: 6.5 of your 8 hours"
    )
    assert (
        describe_shared_hours(client_slots, 0, "America/Chicago", JANUARY_WEEK)
        == "not free at any of your hours"
    )
    one_hour = slots("UTC", (0, 9 * H, 10 * H))
    assert describe_shared_hours(one_hour, everything, "UTC", JANUARY_WEEK) == "free at your one hour"


def test_parts_of_the_day_are_grouped_and_ordered_by_day() -> None:
    # Client (UTC) Mon 09:00-13:00 and Wed 18:00-20:00; counselor Mon 11:00-13:00 and Wed 19:00-20:00.
    client_slots = slots("UTC", (0, 9 * H, 13 * H), (2, 18 * H, 20 * H))
    counselor_slots = slots("UTC", (0, 11 * H, 13 * H), (2, 19 * H, 20 * H))
    assert (
        describe_shared_hours(client_slots, counselor_slots, "UTC", JANUARY_WEEK)
        == "free Mon morning, Mon afternoon and Wed evening: 3 of your 6 hours"
    )


def test_weekday_weekend_and_every_day_phrases() -> None:
    weekday_evenings = [(d, 18 * H, 20 * H) for d in range(5)]
    client_slots = slots("UTC", *weekday_evenings, (5, 10 * H, 12 * H))
    counselor_slots = slots("UTC", *[(d, 18 * H, 19 * H) for d in range(5)])
    assert (
        describe_shared_hours(client_slots, counselor_slots, "UTC", JANUARY_WEEK)
        == "free weekday evenings: 5 of your 12 hours"
    )
    weekend = slots("UTC", (5, 10 * H, 11 * H), (6, 10 * H, 11 * H))
    client_all_week = slots("UTC", *[(d, 10 * H, 12 * H) for d in range(7)])
    assert (
        describe_shared_hours(client_all_week, weekend, "UTC", JANUARY_WEEK)
        == "free weekend mornings: 2 of your 14 hours"
    )
    daily = slots("UTC", *[(d, 10 * H, 11 * H) for d in range(7)])
    assert (
        describe_shared_hours(client_all_week, daily, "UTC", JANUARY_WEEK)
        == "free every morning: 7 of your 14 hours"
    )


def test_half_hour_offset_zone() -> None:
    # Kolkata is UTC+5:30: Mon 09:00-11:00 local = Mon 03:30-05:30 UTC.
    client_slots = slots("Asia/Kolkata", (0, 9 * H, 11 * H))
    counselor_slots = slots("UTC", (0, 3 * H + 30, 4 * H + 30))
    assert (
        describe_shared_hours(client_slots, counselor_slots, "Asia/Kolkata", JANUARY_WEEK)
        == "free Mon morning: 1 of your 2 hours"
    )


def test_week_wrap_is_mapped_back_to_sunday() -> None:
    # Chicago Sun 17:00-21:00 = Sun 23:00 - Mon 03:00 UTC; the counselor is free Mon 00:00-01:00 UTC.
    client_slots = slots("America/Chicago", (6, 17 * H, 21 * H))
    counselor_slots = slots("UTC", (0, 0, 1 * H))
    assert (
        describe_shared_hours(client_slots, counselor_slots, "America/Chicago", JANUARY_WEEK)
        == "free Sun evening: 1 of your 4 hours"
    )


def test_explain_adds_availability_from_the_profile_or_given_bits() -> None:
    profile = counselor(availability=Availability("Europe/Berlin", (WeeklyWindow(2, 1 * H, 4 * H),)))
    client = intake(availability=CHICAGO_TUE_THU_EVENINGS)
    # Berlin is UTC+1: Wed 01:00-04:00 Berlin = Wed 00:00-03:00 UTC = Tue 18:00-21:00 Chicago.
    expected = "free Tue evening: 3 of your 8 hours"
    assert explain(profile, client, week=JANUARY_WEEK)[-1] == expected
    words = availability_bits(profile.availability, JANUARY_WEEK)
    assert explain(profile, client, words, JANUARY_WEEK)[-1] == expected
    assert ReasonWriter(client, week=JANUARY_WEEK).explain(profile, words_to_int(words))[-1] == expected
    assert not any(r.startswith("free") for r in explain(profile, intake()))


# --------------------------------------------------------------------------- the snapshot path


def test_for_rows_pins_the_texts_of_hand_made_counselors() -> None:
    client = intake(
        concerns=(ConcernPreference("anxiety", 1), ConcernPreference("grief", 3)),
        languages=("es", "en"),
        approaches=("cbt", "emdr"),
        formats=(SessionFormat.PHONE, SessionFormat.VIDEO),
        availability=Availability("UTC", tuple(WeeklyWindow(d, 18 * H, 20 * H) for d in range(7))),
    )
    rows = {
        "a": counselor(
            id="a",
            specialties=(Specialty("anxiety", P), Specialty("grief", P)),
            approaches=("emdr", "cbt"),
            languages=("en", "es"),
            formats=(SessionFormat.VIDEO, SessionFormat.PHONE),
            availability=Availability("UTC", tuple(WeeklyWindow(d, 18 * H, 19 * H) for d in range(5))),
        ),
        "b": counselor(
            id="b",
            specialties=(Specialty("grief", S), Specialty("ocd", P)),
            languages=("en",),
            formats=(SessionFormat.IN_PERSON,),
            availability=Availability("UTC", (WeeklyWindow(5, 19 * H, 21 * H),)),
        ),
        "c": counselor(
            id="c",
            specialties=(Specialty("grief", P), Specialty("anxiety", S)),
            approaches=("act",),
            languages=("fr",),
            availability=Availability("UTC", tuple(WeeklyWindow(d, 0, 24 * H) for d in range(7))),
        ),
        "d": counselor(id="d", specialties=(Specialty("ocd", P),), languages=("es",)),
    }
    snap = CatalogSnapshot.build(list(rows.values()), 1)
    got = ReasonWriter(client).for_rows(snap.columns, np.array([3, 0, 1, 2], dtype=np.int64))
    assert got == [
        (
            "treats none of your concerns (grief or anxiety): shown because too few counselors who treat "
            "them fit the rest of your needs",
            "speaks Spanish",
            "offers video sessions",
            "not free at any of your hours",
        ),
        (
            "treats grief and anxiety (both primary)",
            "offers CBT and EMDR",
            "speaks Spanish",
            "offers phone or video sessions",
            "free weekday evenings: 5 of your 14 hours",
        ),
        (
            "treats grief",
            "no listed experience with anxiety",
            "speaks English (your second choice)",
            "free Sat evening: 1 of your 14 hours",
        ),
        ("treats grief (primary) and anxiety", "offers video sessions", "free at all 14 of your hours"),
    ]
    assert got == [ReasonWriter(client).explain(rows[i]) for i in "dabc"]
