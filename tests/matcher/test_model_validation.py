"""Validating time zones and intakes: every problem named, the same answer on every call."""

from __future__ import annotations

import pytest

from matcher import model
from matcher.errors import InvalidInput
from matcher.model import (
    Availability,
    ConcernPreference,
    Intake,
    WeeklyWindow,
    validate_intake,
    validate_time_zone,
)
from matcher.vocabulary import SessionFormat


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("UTC", None),
        ("America/Chicago", None),
        ("Asia/Kolkata", None),  # UTC+5:30: a multiple of the 30-minute slot
        ("", "required: an IANA time zone"),
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
        ("Asia/Kathmandu", "standard UTC offset of 345 minutes"),
    ],
)
def test_a_time_zone_is_checked_by_name_alone(name: str, problem: str | None) -> None:
    for _ in range(2):  # the second answer comes from the cache
        found = validate_time_zone(name)
        assert (found is None) if problem is None else (found is not None and problem in found)


def test_every_problem_of_an_intake_is_listed_with_its_field() -> None:
    intake = Intake(
        "client-1",
        (ConcernPreference("anxiety", 1),),
        ("en",),
        formats=(SessionFormat.VIDEO, "hologram"),  # type: ignore[arg-type]
        availability=Availability("Asia/Kathmandu", (WeeklyWindow(0, 600, 660),)),
        jurisdiction="US-IL",
        age_group="adult",
    )
    with pytest.raises(InvalidInput) as error:
        validate_intake(intake)
    fields = {v.field: v.description for v in error.value.violations}
    assert set(fields) == {"formats[1]", "availability.time_zone"}
    assert fields["formats[1]"] == "unknown format 'hologram'; allowed: video, phone, in_person"


def test_a_zone_whose_daylight_saving_offset_is_off_the_slot_grid_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert validate_time_zone("Australia/Lord_Howe") is None  # UTC+10:30, +11 in summer
    monkeypatch.setattr(model, "seasonal_offsets_minutes", lambda name: (60, 105))  # no such zone today
    found = validate_time_zone.__wrapped__("Europe/Berlin")
    assert found is not None and "daylight-saving UTC offset of 105 minutes" in found
