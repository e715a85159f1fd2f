"""Domain model: counselor profiles, client intakes and their validation.

Plain frozen dataclasses with no I/O. Field names match the gRPC messages so that
a :class:`~matcher.errors.FieldViolation` path (``concerns[1].concern``) can be
reported to the caller unchanged, prefixed by the request field that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from matcher.attributes import ATTRIBUTES, Attribute, Storage
from matcher.availability import (
    DAY_NAMES,
    MINUTES_PER_DAY,
    SLOT_MINUTES,
    Availability,
    WeeklyWindow,
    seasonal_offsets_minutes,
    standard_offset_minutes,
)
from matcher.errors import FieldViolation, InvalidInput
from matcher.preferences import Preference, check_preferences
from matcher.vocabulary import Proficiency, SessionFormat, SessionType

__all__ = [
    "DAY_NAMES",
    "MAX_PRIORITY",
    "MINUTES_PER_DAY",
    "SLOT_MINUTES",
    "Availability",
    "ConcernPreference",
    "CounselorProfile",
    "Intake",
    "Preference",
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
    jurisdictions: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()

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
    ``jurisdiction`` is where the client will be during sessions (ISO 3166-2): required,
    since a counselor may only see clients where they are licensed. ``age_group`` is the
    client's (required). ``genders`` and ``identities`` are what the client asks of the
    counselor (none: no preference). ``preferences`` says which of the client's values are
    required and how important the preferred ones are (:mod:`matcher.preferences`).
    """

    client_id: str
    concerns: tuple[ConcernPreference, ...]
    languages: tuple[str, ...]
    session_type: SessionType = SessionType.INDIVIDUAL
    formats: tuple[SessionFormat, ...] = ()
    approaches: tuple[str, ...] = ()
    availability: Availability | None = None
    jurisdiction: str = ""
    age_group: str = ""
    genders: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    preferences: tuple[Preference, ...] = ()


# --------------------------------------------------------------------------- validation

#: The attributes whose values are codes: each side is checked against its vocabulary.
_CODED = tuple(a for a in ATTRIBUTES if a.has_codes)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


#: Vocabularies up to this size are listed in full in a message; larger ones are referred to.
_LISTED = 12


def _allowed(a: Attribute) -> str:
    if len(a.vocabulary) <= _LISTED:
        return f"allowed: {', '.join(map(str, a.vocabulary))}"
    return f"GetVocabulary (`attune vocabulary`) lists the {a.noun} codes"


def _guess(a: Attribute, code: object) -> str | None:
    """The code ``code`` was probably meant to be: the same but for case, its label, or a close spelling."""
    text = str(code).strip().casefold()
    for known, label in a.vocabulary.items():
        if text in (str(known).casefold(), label.casefold()):
            return str(known)
    close = get_close_matches(text, [str(known) for known in a.vocabulary], n=1, cutoff=0.85)
    return close[0] if close else None


def _unknown_code(a: Attribute, code: object) -> str:
    """The message for ``code``, outside ``a``'s vocabulary: what it may have meant, where to look."""
    guess = _guess(a, code)
    meant = f"did you mean {guess!r}? " if guess else ""
    return f"unknown {a.noun} {code!r}; {meant}{_allowed(a)}"


def _codes_of(a: Attribute, value: object, one: bool) -> tuple[tuple[object, ...], str, str]:
    """The codes of one side of ``a`` (``one``: a single code), the path form of item ``i``, its suffix."""
    if one:
        return ((value,) if value else ()), "", ""
    items: tuple[object, ...] = tuple(value)  # type: ignore[arg-type]
    if a.storage == Storage.GRADED_CODES:
        return tuple(getattr(item, a.item_code) for item in items), "[{}]", f".{a.item_code}"
    return items, "[{}]", ""


def _check_side(out: list[FieldViolation], a: Attribute, path: str, value: object, client: bool) -> None:
    """Check the codes one side of ``a`` holds at ``path``: known, listed once, present if required."""
    one = client and a.one_code
    codes, index, suffix = _codes_of(a, value, one)
    if client and a.required and not codes:
        need = f"required: one {a.noun} code" if one else f"at least one {a.noun} is required"
        out.append(FieldViolation(path, f"{need}; {_allowed(a)}"))
    seen: set[object] = set()
    for i, code in enumerate(codes):
        where = f"{path}{index.format(i)}{suffix}"
        if code not in a.vocabulary:
            out.append(FieldViolation(where, _unknown_code(a, code)))
        elif code in seen:
            out.append(FieldViolation(where, f"{a.noun} {str(code)!r} is listed twice"))
        seen.add(code)


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
    for seasonal in seasonal_offsets_minutes(name):  # the daylight-saving offset, where there is one
        if seasonal % SLOT_MINUTES:
            return (
                f"time zone {name!r} has a daylight-saving UTC offset of {seasonal} minutes; only "
                f"zones whose offsets are multiples of {SLOT_MINUTES} minutes are supported"
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
    for a in _CODED:
        if a.intake_field is not None:
            _check_side(out, a, a.intake_field, getattr(intake, a.intake_field), client=True)
    for i, c in enumerate(intake.concerns):
        if not 1 <= c.priority <= MAX_PRIORITY:
            out.append(
                FieldViolation(f"concerns[{i}].priority", f"must be between 1 and {MAX_PRIORITY} (0 means 1)")
            )
    if intake.availability is not None and (intake.availability.windows or intake.availability.time_zone):
        _check_availability(out, "availability", intake.availability)
    given = {a.name for a in _CODED if a.intake_field is not None and getattr(intake, a.intake_field)}
    check_preferences(out, intake.preferences, given)
    if out:
        raise InvalidInput(out)


def validate_counselor(profile: CounselorProfile) -> None:
    """Raise :class:`InvalidInput` listing every problem with ``profile``."""
    out: list[FieldViolation] = []
    if not profile.display_name.strip():
        out.append(FieldViolation("display_name", "required"))
    elif len(profile.display_name) > 200:
        out.append(FieldViolation("display_name", "at most 200 characters"))
    for a in _CODED:
        _check_side(out, a, a.counselor_field, getattr(profile, a.counselor_field), client=False)
    for i, s in enumerate(profile.specialties):
        if not isinstance(s.proficiency, Proficiency):
            out.append(
                FieldViolation(f"specialties[{i}].proficiency", "required; allowed: primary, secondary")
            )
    _check_availability(out, "availability", profile.availability)
    if profile.caseload_current < 0:
        out.append(FieldViolation("caseload_current", "must be 0 or more"))
    if profile.caseload_max < 0:
        out.append(FieldViolation("caseload_max", "must be 0 or more"))
    if out:
        raise InvalidInput(out)
