"""Domain model: counselor profiles, client intakes and their validation.

Plain frozen dataclasses with no I/O. Field names match the gRPC messages so that
a :class:`~matcher.errors.FieldViolation` path (``concerns[1].concern``) can be
reported to the caller unchanged, prefixed by the request field that holds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from matcher.availability import (
    DAY_NAMES,
    MINUTES_PER_DAY,
    SLOT_MINUTES,
    Availability,
    WeeklyWindow,
    standard_offset_minutes,
)
from matcher.errors import FieldViolation, InvalidInput
from matcher.vocabulary import (
    APPROACHES,
    CONCERNS,
    LANGUAGES,
    Proficiency,
    SessionFormat,
    SessionType,
)

__all__ = [
    "DAY_NAMES",
    "MAX_PRIORITY",
    "MINUTES_PER_DAY",
    "SLOT_MINUTES",
    "Availability",
    "ConcernPreference",
    "CounselorProfile",
    "Intake",
    "Specialty",
    "WeeklyWindow",
    "validate_counselor",
    "validate_intake",
]
#: Concern priorities run from 1 (mentioned) to this value (most pressing).
MAX_PRIORITY = 5


@dataclass(frozen=True)
class Specialty:
    """A concern a counselor treats, and how central it is to their practice."""

    concern: str
    proficiency: Proficiency = Proficiency.PRIMARY


@dataclass(frozen=True)
class CounselorProfile:
    """Everything the matcher knows about one counselor."""

    id: str
    display_name: str
    credentials: tuple[str, ...] = ()
    specialties: tuple[Specialty, ...] = ()
    approaches: tuple[str, ...] = ()
    formats: tuple[SessionFormat, ...] = ()
    session_types: tuple[SessionType, ...] = ()
    languages: tuple[str, ...] = ()
    availability: Availability = field(default_factory=lambda: Availability("UTC"))
    accepting_new_clients: bool = True
    caseload_current: int = 0
    caseload_max: int = 0
    active: bool = True

    @property
    def has_room(self) -> bool:
        """Accepting new clients and below the maximum caseload."""
        return self.accepting_new_clients and self.caseload_current < self.caseload_max


@dataclass(frozen=True)
class ConcernPreference:
    """A client's concern with its priority (1..MAX_PRIORITY, higher is more pressing)."""

    concern: str
    priority: int = 1


@dataclass(frozen=True)
class Intake:
    """A client's intake preferences; ``client_id`` is a pseudonymous id.

    ``formats`` empty means any format is acceptable; ``approaches`` empty means no
    preference; ``availability`` None (or no windows) means any time.
    ``languages`` is ordered: the first is the client's preferred language.
    """

    client_id: str
    concerns: tuple[ConcernPreference, ...]
    languages: tuple[str, ...]
    session_type: SessionType = SessionType.INDIVIDUAL
    formats: tuple[SessionFormat, ...] = ()
    approaches: tuple[str, ...] = ()
    availability: Availability | None = None


# --------------------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _allowed(values: Iterable[object]) -> str:
    return ", ".join(sorted(str(v) for v in values))


def _check_codes(
    out: list[FieldViolation],
    path: str,
    codes: tuple[str, ...],
    vocab: Mapping[str, str],
    what: str,
    suffix: str = "",
) -> None:
    seen: set[str] = set()
    for i, code in enumerate(codes):
        where = f"{path}[{i}]{suffix}"
        if code not in vocab:
            out.append(FieldViolation(where, f"unknown {what} {code!r}; allowed: {_allowed(vocab)}"))
        elif code in seen:
            out.append(FieldViolation(where, f"{what} {code!r} is listed twice"))
        seen.add(code)


def _check_enums(
    out: list[FieldViolation], path: str, values: tuple[object, ...], enum: type[StrEnum]
) -> None:
    seen: set[object] = set()
    for i, value in enumerate(values):
        if not isinstance(value, enum):
            allowed = ", ".join(e.value for e in enum)
            out.append(FieldViolation(f"{path}[{i}]", f"unknown value {value!r}; allowed: {allowed}"))
        elif value in seen:
            out.append(FieldViolation(f"{path}[{i}]", f"{value.value!r} is listed twice"))
        seen.add(value)


@lru_cache(maxsize=1024)
def validate_time_zone(name: str) -> str | None:
    """Return a description of what is wrong with ``name``, or None if it is usable.

    Cached: the answer depends on the name alone, and ``ZoneInfo``'s own cache keeps
    only 8 zones strongly, so intakes from many zones would otherwise read tz files
    on the request path.
    """
    if not name:
        return "required: an IANA time zone such as 'America/Chicago' or 'UTC'"
    if name not in _known_zones() and name != "UTC":
        return f"unknown time zone {name!r}; use an IANA name such as 'America/Chicago' or 'Europe/Berlin'"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}"
    offset = standard_offset_minutes(name)
    if offset % SLOT_MINUTES:
        return (
            f"time zone {name!r} has a standard UTC offset of {offset} minutes; only zones "
            f"whose offset is a multiple of {SLOT_MINUTES} minutes are supported"
        )
    return None


def _check_availability(out: list[FieldViolation], path: str, availability: Availability) -> None:
    problem = validate_time_zone(availability.time_zone)
    if problem:
        out.append(FieldViolation(f"{path}.time_zone", problem))
    for i, w in enumerate(availability.windows):
        where = f"{path}.windows[{i}]"
        if not 0 <= w.day <= 6:
            out.append(FieldViolation(f"{where}.day", "must be a day of the week (Monday to Sunday)"))
        if not (0 <= w.start_minute <= MINUTES_PER_DAY and 0 <= w.end_minute <= MINUTES_PER_DAY):
            out.append(FieldViolation(where, "times must lie between 00:00 and 24:00"))
        elif w.end_minute == w.start_minute:
            out.append(FieldViolation(where, f"empty window {w}: the end must be after the start"))
        elif w.end_minute < w.start_minute:
            out.append(FieldViolation(where, f"inverted window {w}: the end must be after the start"))
        if w.start_minute % SLOT_MINUTES or w.end_minute % SLOT_MINUTES:
            out.append(
                FieldViolation(
                    where, f"times must be on {SLOT_MINUTES}-minute boundaries (e.g. 18:00, 18:30)"
                )
            )


def validate_intake(intake: Intake) -> None:
    """Raise :class:`InvalidInput` listing every problem with ``intake``."""
    out: list[FieldViolation] = []
    if not intake.client_id.strip():
        out.append(FieldViolation("client_id", "required: the client's pseudonymous id"))
    elif len(intake.client_id) > 128:
        out.append(FieldViolation("client_id", "at most 128 characters"))
    if not intake.concerns:
        out.append(
            FieldViolation("concerns", f"at least one concern is required; allowed: {_allowed(CONCERNS)}")
        )
    concern_codes = tuple(c.concern for c in intake.concerns)
    _check_codes(out, "concerns", concern_codes, CONCERNS, "concern", suffix=".concern")
    for i, c in enumerate(intake.concerns):
        if not 1 <= c.priority <= MAX_PRIORITY:
            out.append(
                FieldViolation(f"concerns[{i}].priority", f"must be between 1 and {MAX_PRIORITY} (0 means 1)")
            )
    if not intake.languages:
        out.append(FieldViolation("languages", "at least one language is required (ISO 639-1, e.g. 'en')"))
    _check_codes(out, "languages", intake.languages, LANGUAGES, "language")
    _check_codes(out, "approaches", intake.approaches, APPROACHES, "approach")
    _check_enums(out, "formats", intake.formats, SessionFormat)
    if not isinstance(intake.session_type, SessionType):
        out.append(
            FieldViolation("session_type", f"required; allowed: {', '.join(t.value for t in SessionType)}")
        )
    if intake.availability is not None and (intake.availability.windows or intake.availability.time_zone):
        _check_availability(out, "availability", intake.availability)
    if out:
        raise InvalidInput(out)


def validate_counselor(profile: CounselorProfile) -> None:
    """Raise :class:`InvalidInput` listing every problem with ``profile``."""
    out: list[FieldViolation] = []
    if not profile.display_name.strip():
        out.append(FieldViolation("display_name", "required"))
    elif len(profile.display_name) > 200:
        out.append(FieldViolation("display_name", "at most 200 characters"))
    specialty_codes = tuple(s.concern for s in profile.specialties)
    _check_codes(out, "specialties", specialty_codes, CONCERNS, "concern", suffix=".concern")
    for i, s in enumerate(profile.specialties):
        if not isinstance(s.proficiency, Proficiency):
            out.append(
                FieldViolation(f"specialties[{i}].proficiency", "required; allowed: primary, secondary")
            )
    _check_codes(out, "approaches", profile.approaches, APPROACHES, "approach")
    _check_codes(out, "languages", profile.languages, LANGUAGES, "language")
    _check_enums(out, "formats", profile.formats, SessionFormat)
    _check_enums(out, "session_types", profile.session_types, SessionType)
    _check_availability(out, "availability", profile.availability)
    if profile.caseload_current < 0:
        out.append(FieldViolation("caseload_current", "must be 0 or more"))
    if profile.caseload_max < 0:
        out.append(FieldViolation("caseload_max", "must be 0 or more"))
    if out:
        raise InvalidInput(out)
