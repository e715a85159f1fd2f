"""Shared fixtures of the matcher tests: a seeded random catalog generator.

``random_profiles(n, seed)`` builds plausible counselor profiles from the
vocabularies (a few concerns, approaches and languages each, weekly windows in a
handful of time zones, licences in a few states). It is deliberately independent of
``matcher.synthetic``. Jurisdictions, and the attributes of the whole intake (age groups,
genders, identities, required or preferred), are drawn from generators of their own, seeded
by the counselor's id or the intake's other values, so the other fields do not depend on them.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from matcher.attributes import PREFERENCES
from matcher.jurisdictions import JURISDICTIONS
from matcher.model import (
    Availability,
    ConcernPreference,
    CounselorProfile,
    Intake,
    Preference,
    Specialty,
    WeeklyWindow,
)
from matcher.vocabulary import (
    AGE_GROUPS,
    APPROACHES,
    CONCERNS,
    GENDERS,
    IDENTITIES,
    LANGUAGES,
    Proficiency,
    SessionFormat,
    SessionType,
)

TIME_ZONES = (
    "UTC",
    "America/Chicago",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "Pacific/Auckland",
)
#: A week start in January, when every northern-hemisphere zone has its standard UTC offset:
#: hand-checked expectations about such zones are pinned to it.
JANUARY_WEEK = datetime(2026, 1, 12, tzinfo=UTC)
#: A week start at which every zone of TIME_ZONES and of ``matcher.synthetic`` had its standard
#: offset of today (Monday 1970-01-05: a northern winter, before Adelaide (1971) and Auckland
#: (1974) kept summer time), except the keys of STANDARD_ZONES. Records made when hours were
#: compared with standard offsets are pinned to it.
STANDARD_WEEK = datetime(1970, 1, 5, tzinfo=UTC)
#: Zones whose offset in STANDARD_WEEK was not today's standard one (Anchorage was UTC-10 until
#: 1983, London UTC+1 in 1968-71), and a fixed zone with today's standard offset.
STANDARD_ZONES = {"America/Anchorage": "Etc/GMT+9", "Europe/London": "Etc/UTC"}
#: Week starts around the daylight-saving changes of 2026 (US: 8 March and 1 November; Europe:
#: 29 March and 25 October; Sydney, Adelaide and Auckland fall back on 5 April, spring forward
#: on 4 October and 27 September), some with the change in the middle of the week.
TRANSITION_WEEKS = (
    datetime(2026, 3, 5, 12, tzinfo=UTC),  # the US springs forward on the fourth day
    datetime(2026, 3, 16, tzinfo=UTC),  # the US has switched, Europe has not
    datetime(2026, 3, 26, 7, tzinfo=UTC),  # Europe springs forward on the fourth day
    datetime(2026, 4, 2, 18, tzinfo=UTC),  # Sydney, Adelaide and Auckland fall back
    datetime(2026, 9, 25, tzinfo=UTC),  # Auckland springs forward
    datetime(2026, 10, 22, 13, tzinfo=UTC),  # Europe falls back
    datetime(2026, 10, 29, 5, tzinfo=UTC),  # the US falls back
)
#: Reference instants for checks that must hold in any week.
WEEKS = (JANUARY_WEEK, datetime(2026, 7, 13, tzinfo=UTC), *TRANSITION_WEEKS)
_CONCERNS = tuple(CONCERNS)
_APPROACHES = tuple(APPROACHES)
_COMMON_LANGUAGES = ("en", "en", "en", "es", "es", "fr", "de", "zh", "ar", "vi", "pt")
_LANGUAGES = tuple(LANGUAGES)
_FORMATS = tuple(SessionFormat)
#: A few states most profiles and intakes are drawn from, so that licensure matches often.
_STATES = ("US-IL", "US-IL", "US-NY", "US-CA", "US-TX", "US-WA")
_JURISDICTIONS = tuple(JURISDICTIONS)
_SESSION_TYPES = tuple(SessionType)


def _windows(r: random.Random, count: int) -> tuple[WeeklyWindow, ...]:
    out = []
    for _ in range(count):
        start = r.randrange(0, 46) * 30
        end = min(24 * 60, start + r.randrange(1, 13) * 30)
        out.append(WeeklyWindow(r.randrange(7), start, end))
    return tuple(out)


def random_jurisdictions(seed: str) -> tuple[str, ...]:
    """Licences: usually one or two common states, sometimes many, sometimes none on file."""
    r = random.Random(seed)
    roll = r.random()
    if roll < 0.03:
        return ()
    chosen = {r.choice(_STATES)}
    if roll < 0.08:
        chosen.update(r.sample(_JURISDICTIONS, r.randint(5, 30)))
    elif roll < 0.3:
        chosen.add(r.choice(_JURISDICTIONS))
    return tuple(sorted(chosen))


_AGE_GROUPS = tuple(AGE_GROUPS)
_GENDERS = tuple(GENDERS)
_IDENTITIES = tuple(IDENTITIES)


def random_whole_profile(seed: str) -> dict[str, tuple[str, ...]]:
    """Age groups served (mostly adults, sometimes none on file), genders, identity attributes."""
    r = random.Random(f"whole-{seed}")
    ages = () if r.random() < 0.03 else tuple(sorted(set(r.sample(_AGE_GROUPS, r.randint(1, 3))) | {"adult"}))
    if r.random() < 0.2:
        ages = tuple(a for a in ages if a != "adult") or ("teen",)
    genders = (r.choice(_GENDERS[:3]),) + (("transgender",) if r.random() < 0.1 else ())
    return {
        "age_groups": ages,
        "genders": genders,
        "identities": tuple(r.sample(_IDENTITIES, r.randint(0, 3))),
    }


def random_whole_intake(seed: str, given: set[str]) -> dict[str, object]:
    """The client's age group, sometimes genders and identities, and for some of the attributes
    given (``given`` names those of the rest of the intake) whether required, with an importance."""
    r = random.Random(f"whole-{seed}")
    out: dict[str, object] = {"age_group": "adult" if r.random() < 0.7 else r.choice(_AGE_GROUPS)}
    given = set(given)
    if r.random() < 0.3:
        out["genders"] = tuple(r.sample(_GENDERS, r.randint(1, 2)))
        given.add("gender")
    if r.random() < 0.3:
        out["identities"] = tuple(r.sample(_IDENTITIES, r.randint(1, 2)))
        given.add("identity")
    out["preferences"] = tuple(
        Preference(name, r.choice((True, False, None)), r.randint(0, 5))
        for name in PREFERENCES
        if name in given and r.random() < 0.3
    )
    return out


def random_profile(r: random.Random, counselor_id: str) -> CounselorProfile:
    """One random, valid counselor profile."""
    concerns = r.sample(_CONCERNS, r.randint(1, 6))
    specialties = tuple(
        Specialty(c, Proficiency.PRIMARY if r.random() < 0.5 else Proficiency.SECONDARY) for c in concerns
    )
    languages = {r.choice(_COMMON_LANGUAGES)}
    while r.random() < 0.35:
        languages.add(r.choice(_LANGUAGES))
    caseload_max = r.randint(0, 30)
    return CounselorProfile(
        id=counselor_id,
        display_name=f"Counselor {counselor_id}",
        specialties=specialties,
        approaches=tuple(r.sample(_APPROACHES, r.randint(0, 4))),
        formats=tuple(r.sample(_FORMATS, r.randint(1, 3))),
        session_types=tuple(r.sample(_SESSION_TYPES, r.randint(1, 3))),
        languages=tuple(sorted(languages)),
        availability=Availability(r.choice(TIME_ZONES), _windows(r, r.randint(0, 8))),
        accepting_new_clients=r.random() < 0.9,
        caseload_current=r.randint(0, caseload_max + 2),
        caseload_max=caseload_max,
        active=r.random() < 0.95,
        jurisdictions=random_jurisdictions(counselor_id),
        **random_whole_profile(counselor_id),  # type: ignore[arg-type]
    )


def random_profiles(n: int, seed: int = 0) -> list[CounselorProfile]:
    """``n`` random profiles with ids ``c{i:07d}`` in shuffled order."""
    r = random.Random(seed)
    ids = [f"c{i:07d}" for i in range(n)]
    r.shuffle(ids)
    return [random_profile(r, i) for i in ids]


def random_intake(r: random.Random) -> Intake:
    """One random, valid intake (sometimes with formats, approaches and availability)."""
    concerns = r.sample(_CONCERNS, r.randint(1, 4))
    languages = [r.choice(_COMMON_LANGUAGES)]
    if r.random() < 0.4:
        extra = r.choice(_LANGUAGES)
        if extra not in languages:
            languages.append(extra)
    availability = None
    if r.random() < 0.7:
        availability = Availability(r.choice(TIME_ZONES), _windows(r, r.randint(1, 5)))
    intake = Intake(
        client_id="client-1",
        concerns=tuple(ConcernPreference(c, r.randint(1, 5)) for c in concerns),
        languages=tuple(languages),
        session_type=r.choice(_SESSION_TYPES),
        formats=tuple(r.sample(_FORMATS, r.randint(0, 2))),
        approaches=tuple(r.sample(_APPROACHES, r.randint(0, 3))),
        availability=availability,
        jurisdiction=random.Random(f"{concerns}{languages}").choice(_STATES),
    )
    given = {"concern", "language"}
    given |= {"format"} if intake.formats else set()
    given |= {"approach"} if intake.approaches else set()
    whole = random_whole_intake(f"{concerns}{languages}{intake.formats}{intake.approaches}", given)
    return dataclasses.replace(intake, **whole)  # type: ignore[arg-type]


@pytest.fixture
def make_profiles() -> Callable[[int, int], list[CounselorProfile]]:
    """The :func:`random_profiles` generator."""
    return random_profiles
