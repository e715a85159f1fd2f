"""ProfileMapper: rows to profiles, with JSON written by either store or spaced any other way."""

from __future__ import annotations

import json
from typing import Any

import pytest

import service.storage.rows as rows
from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from service.storage.rows import ProfileMapper

P, S = Proficiency.PRIMARY, Proficiency.SECONDARY


def row(
    specialties: str, windows: str, counselor_id: str = "c1", time_zone: str = "America/Chicago"
) -> tuple[Any, ...]:
    """A row in :data:`PROFILE_COLUMNS` order with the given specialties and windows texts."""
    values = {
        "id": counselor_id,
        "display_name": "Name",
        "credentials": '["LPC"]',
        "specialties": specialties,
        "approaches": '["cbt", "act"]',
        "formats": '["video"]',
        "session_types": '["individual", "couples"]',
        "languages": '["en"]',
        "jurisdictions": '["US-IL", "US-WI"]',
        "age_groups": '["teen", "adult"]',
        "genders": '["woman"]',
        "identities": '["lgbtq_affirming", "lived_military"]',
        "time_zone": time_zone,
        "availability_windows": windows,
        "accepting_new_clients": 1,  # SQLite returns integers for booleans
        "caseload_current": 3,
        "caseload_max": 10,
        "active": 0,
    }
    return tuple(values[column.key] for column in rows.PROFILE_COLUMNS)


def profile(
    specialties: tuple[Specialty, ...], windows: tuple[WeeklyWindow, ...], counselor_id: str = "c1"
) -> CounselorProfile:
    return CounselorProfile(
        id=counselor_id,
        display_name="Name",
        credentials=("LPC",),
        specialties=specialties,
        approaches=("cbt", "act"),
        formats=(SessionFormat.VIDEO,),
        session_types=(SessionType.INDIVIDUAL, SessionType.COUPLES),
        jurisdictions=("US-IL", "US-WI"),
        age_groups=("teen", "adult"),
        genders=("woman",),
        identities=("lgbtq_affirming", "lived_military"),
        languages=("en",),
        availability=Availability("America/Chicago", windows),
        accepting_new_clients=True,
        caseload_current=3,
        caseload_max=10,
        active=False,
    )


SPECIALTIES = (Specialty("anxiety", P), Specialty("grief", S))
WINDOWS = (WeeklyWindow(0, 540, 720), WeeklyWindow(4, 60, 1440))
CANONICAL = ('[["anxiety", "primary"], ["grief", "secondary"]]', "[[0, 540, 720], [4, 60, 1440]]")


def test_the_stores_json_and_any_other_spacing_give_the_same_profile() -> None:
    mapper = ProfileMapper()
    expected = profile(SPECIALTIES, WINDOWS)
    got = mapper.profile(row(*CANONICAL))
    assert got == expected and type(got.active) is bool and type(got.accepting_new_clients) is bool
    for specialties, windows in [
        CANONICAL,  # now read from the cache of inner arrays
        ('[["anxiety","primary"],["grief","secondary"]]', "[[0,540,720],[4,60,1440]]"),
        ('[ ["anxiety", "primary"], ["grief", "secondary"] ]', "[[0, 540, 720],\n [4, 60, 1440]]"),
        ('[["anxiety", "primary"],  ["grief", "secondary"]]', "[[0, 540, 720],[4, 60, 1440]]"),
    ]:
        # A fresh text (the caches of whole texts miss) in a fresh or in a warm mapper.
        assert ProfileMapper().profile(row(specialties, windows)) == expected
        assert mapper.profile(row(specialties, windows, time_zone="America/Chicago")) == expected


def test_equal_parts_are_shared_between_profiles() -> None:
    mapper = ProfileMapper()
    a = mapper.profile(row('[["anxiety", "primary"], ["grief", "secondary"]]', "[[0, 540, 720]]", "a"))
    b = mapper.profile(
        row('[["grief", "secondary"], ["anxiety", "primary"]]', "[[1, 60, 90], [0, 540, 720]]", "b")
    )
    assert a.specialties[0] is b.specialties[1] and a.specialties[1] is b.specialties[0]
    assert a.availability.windows[0] is b.availability.windows[1]
    assert a.approaches is b.approaches and a.formats is b.formats
    assert a.age_groups is b.age_groups and a.identities is b.identities


def test_texts_that_only_look_like_known_inner_arrays_are_parsed() -> None:
    mapper = ProfileMapper()
    mapper.profile(row(*CANONICAL))  # caches '"anxiety", "primary"', '0, 540, 720', ...
    # Concerns are free text at this layer: one may contain the separator of inner arrays.
    tricky = [['anxiety", "primary"], ["grief', "secondary"], ["], [", "primary"]]
    got = mapper.profile(row(json.dumps(tricky), "[[0, 540, 720], [4, 60, 1440]]"))
    assert got.specialties == (Specialty('anxiety", "primary"], ["grief', S), Specialty("], [", P))
    # Non-ASCII as PostgreSQL writes it, and as json.dumps (SQLite) escapes it.
    for text in ('[["niño", "primary"]]', '[["ni\\u00f1o", "primary"]]', '[["niño", "primary"]]'):
        assert mapper.profile(row(text, "[]")).specialties == (Specialty("niño", P),)
    assert mapper.profile(row("[]", "[]")) == profile((), ())
    assert mapper.profile(row('[["anxiety", "primary"]]', "[[0, 540, 720.0]]")).availability.windows == (
        WeeklyWindow(0, 540, 720),
    )


def test_malformed_inner_arrays_are_refused_as_before() -> None:
    mapper = ProfileMapper()
    mapper.profile(row(*CANONICAL))
    with pytest.raises(ValueError):
        mapper.profile(row(CANONICAL[0], "[[0, 540]]"))
    with pytest.raises(KeyError):
        mapper.profile(row('[["anxiety", "expert"]]', CANONICAL[1]))
    # Known inner arrays inside something that is not a JSON array of them.
    for bad in (
        'X["anxiety", "primary"]]',
        '[["anxiety", "primary"]X',
        '[["anxiety", "primary"], ["grief", "secondary"]',
    ):
        with pytest.raises(ValueError):
            mapper.profile(row(bad, CANONICAL[1]))


def test_results_do_not_depend_on_the_cache_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        (
            json.dumps([["anxiety", "primary"], [f"c{i % 7}", "secondary"]]),
            json.dumps([[i % 7, 60 * (i % 5), 1440]]),
        )
        for i in range(40)
    ]
    unlimited = [ProfileMapper().profile(row(s, w, f"c{i}")) for i, (s, w) in enumerate(texts)]
    monkeypatch.setattr(rows, "CACHE_LIMIT", 3)
    mapper = ProfileMapper()
    assert [mapper.profile(row(s, w, f"c{i}")) for i, (s, w) in enumerate(texts)] == unlimited
