"""Mapping between ``counselor`` rows and :class:`~matcher.model.CounselorProfile`.

Enums are stored as their string values and lists as JSON arrays (shapes in
:mod:`service.storage.tables`). Reading is the hot path of loading the whole
catalog, so :class:`ProfileMapper` reads rows by column positions computed once from
the column names, and shares the immutable pieces (specialties, windows, code tuples) between profiles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from matcher.attributes import ATTRIBUTES, Storage
from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency
from service.storage.tables import counselor_table

__all__ = ["PROFILE_COLUMNS", "RECORD_COLUMNS", "CounselorRecord", "ProfileMapper", "profile_values"]

_C = counselor_table

#: The counselor sides of the attributes held as sets of codes: a JSON array of strings each.
_CODE_FIELDS = tuple(a.counselor_field for a in ATTRIBUTES if a.storage == Storage.CODES)
_PROFILE_COLUMN_NAMES = (
    "id",
    "display_name",
    "credentials",
    "specialties",
    *_CODE_FIELDS,
    "time_zone",
    "availability_windows",
    "accepting_new_clients",
    "caseload_current",
    "caseload_max",
    "active",
)
_JSON_COLUMNS = frozenset(("credentials", "specialties", "availability_windows", *_CODE_FIELDS))


def _as_text(name: str) -> sa.ColumnElement[Any]:
    column = _C.c[name]
    # JSON arrives undecoded: the mapper parses each distinct value once.
    return sa.cast(column, sa.Text).label(name) if name in _JSON_COLUMNS else column


#: The columns of a profile, in the order :meth:`ProfileMapper.profile` reads them (JSON as text).
PROFILE_COLUMNS: tuple[sa.ColumnElement[Any], ...] = tuple(_as_text(name) for name in _PROFILE_COLUMN_NAMES)
#: :data:`PROFILE_COLUMNS` followed by ``create_time`` and ``update_time``.
RECORD_COLUMNS: tuple[sa.ColumnElement[Any], ...] = (*PROFILE_COLUMNS, _C.c.create_time, _C.c.update_time)
#: Where each column is in a row selected with :data:`RECORD_COLUMNS` (by name, computed once).
_AT = {name: i for i, name in enumerate((*_PROFILE_COLUMN_NAMES, "create_time", "update_time"))}
#: Where each profile field is among ``CounselorProfile``'s arguments (profiles are built positionally,
#: the hot loop of loading a catalog; the positions come from the dataclass's field names).
_ARG = {f.name: i for i, f in enumerate(fields(CounselorProfile))}
#: The code columns (the credentials and each coded attribute): (row position, argument position).
_CODES_AT = tuple((_AT[name], _ARG[name]) for name in ("credentials", *_CODE_FIELDS))
#: The plain columns copied as they are, and those read as booleans: (row position, argument position).
_PLAIN_AT = tuple((_AT[n], _ARG[n]) for n in ("id", "display_name", "caseload_current", "caseload_max"))
_BOOL_AT = tuple((_AT[n], _ARG[n]) for n in ("accepting_new_clients", "active"))
_SPECIALTIES, _ZONE, _WINDOWS = (_AT[n] for n in ("specialties", "time_zone", "availability_windows"))
_SPECIALTIES_ARG, _AVAILABILITY_ARG = _ARG["specialties"], _ARG["availability"]
#: Most distinct values each cache of a :class:`ProfileMapper` keeps.
CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class CounselorRecord:
    """A stored profile and its output-only timestamps (UTC, timezone-aware)."""

    profile: CounselorProfile
    create_time: datetime
    update_time: datetime


#: ``json.loads`` without its whitespace handling (stored JSON never starts with blanks).
_parse_raw = json.JSONDecoder().raw_decode


def _parse(text: str) -> Any:
    return _parse_raw(text)[0]


_PROFICIENCY = {p.value: p for p in Proficiency}
#: How the stored strings of each code column become codes: the enum of the attribute's codes, or str.
_CODE_TYPES: tuple[Callable[[str], Any], ...] = (
    str,
    *(a.code_enum or str for a in ATTRIBUTES if a.storage == Storage.CODES),
)

T = TypeVar("T")

#: How both stores write a JSON array of arrays (PostgreSQL's jsonb output and ``json.dumps`` alike):
#: ``[[0, 540, 720], [2, 600, 660]]``, inner arrays separated by ``], [``.
_OPEN, _BETWEEN, _CLOSE = "[[", "], [", "]]"


def _value(member: object) -> str:
    """The string stored for an enum member (StrEnum's ``str`` is its value)."""
    return str(member)


class _InnerArrays(Generic[T]):
    """Reads JSON arrays of arrays, making each distinct inner array into a ``T`` once.

    Specialties and availability windows are nearly unique per counselor, but made of few
    distinct pairs and triples. :meth:`read` splits a text on ``], [`` and looks each piece
    up by its text. Every key is the JSON of the inner array its value was made from,
    spaced as the stores write it (see :meth:`_element`), so a text between ``[[`` and
    ``]]`` whose pieces are all keys is the JSON of exactly those inner arrays. Any other
    text (one with a piece not seen yet, or spaced otherwise) is parsed as JSON.
    """

    def __init__(self, make: Callable[[Any], T]) -> None:
        self._make = make
        self._by_text: dict[str, T] = {}
        self._lookup = self._by_text.__getitem__

    def read(self, text: str) -> tuple[T, ...]:
        """The elements of the JSON array ``text``, each made by ``make`` from an inner array."""
        if text.startswith(_OPEN) and text.endswith(_CLOSE):
            try:
                return tuple(map(self._lookup, text[2:-2].split(_BETWEEN)))
            except KeyError:
                pass
        return tuple(map(self._element, _parse(text)))

    def _element(self, item: Any) -> T:
        if type(item) is not list:
            return self._make(item)
        key = json.dumps(item, ensure_ascii=False)[1:-1]  # [0, 540, 720] -> "0, 540, 720"
        element = self._by_text.get(key)
        if element is None:
            element = self._make(item)
            if len(self._by_text) < CACHE_LIMIT:
                self._by_text[key] = element
        return element


def _specialty(item: Any) -> Specialty:
    concern, level = item
    return Specialty(concern, _PROFICIENCY[level])


def _window(item: Any) -> WeeklyWindow:
    day, start, end = item
    return WeeklyWindow(day, start, end)


def profile_values(profile: CounselorProfile, create_time: datetime, update_time: datetime) -> dict[str, Any]:
    """The column values of ``profile`` (keys are column names)."""
    return {
        "id": profile.id,
        "display_name": profile.display_name,
        "credentials": list(profile.credentials),
        "specialties": [[s.concern, _value(s.proficiency)] for s in profile.specialties],
        **{field: [_value(code) for code in getattr(profile, field)] for field in _CODE_FIELDS},
        "time_zone": profile.availability.time_zone,
        "availability_windows": [[w.day, w.start_minute, w.end_minute] for w in profile.availability.windows],
        "accepting_new_clients": profile.accepting_new_clients,
        "caseload_current": profile.caseload_current,
        "caseload_max": profile.caseload_max,
        "active": profile.active,
        "create_time": create_time,
        "update_time": update_time,
    }


class _Codes(dict[str, tuple[Any, ...]]):
    """One code column's tuples by stored text, each parsed on first use (at most CACHE_LIMIT kept)."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, text: str) -> tuple[Any, ...]:
        found = tuple(map(self._make, _parse(text)))
        if len(self) < CACHE_LIMIT:
            self[text] = found
        return found


class ProfileMapper:
    """Builds profiles from rows, sharing equal immutable parts between them.

    JSON columns arrive as text (see :data:`PROFILE_COLUMNS`): a value already seen
    is not parsed again, and equal values share one tuple. Specialties and availability
    windows, nearly unique per counselor, are read inner array by inner array
    (:class:`_InnerArrays`), so that all profiles share one ``Specialty`` or
    ``WeeklyWindow`` per distinct value. One mapper per read; each cache keeps at most
    :data:`CACHE_LIMIT` values, so memory stays bounded when a field is nearly unique
    per counselor.
    """

    def __init__(self) -> None:
        self._codes = tuple(_Codes(make) for make in _CODE_TYPES)  # credentials, then each code column
        self._specialties: dict[str, tuple[Specialty, ...]] = {}
        self._availability: dict[tuple[str, str], Availability] = {}
        self._specialty = _InnerArrays(_specialty)
        self._window = _InnerArrays(_window)

    def _new_specialties(self, text: str) -> tuple[Specialty, ...]:
        found = self._specialty.read(text)
        if len(self._specialties) < CACHE_LIMIT:
            self._specialties[text] = found
        return found

    def _new_availability(self, time_zone: str, text: str) -> Availability:
        found = Availability(time_zone, self._window.read(text))
        if len(self._availability) < CACHE_LIMIT:
            self._availability[(time_zone, text)] = found
        return found

    def profile(self, row: Sequence[Any]) -> CounselorProfile:
        """The profile of a row selected with :data:`PROFILE_COLUMNS` (extra trailing columns ignored)."""
        # The hot loop of loading a catalog: cache hits inline, misses in the _new_* methods.
        args: list[Any] = [None] * len(_ARG)
        for cache, (at, arg) in zip(self._codes, _CODES_AT, strict=True):
            args[arg] = cache[row[at]]
        for at, arg in _PLAIN_AT:
            args[arg] = row[at]
        for at, arg in _BOOL_AT:
            args[arg] = bool(row[at])
        specialties = self._specialties.get(row[_SPECIALTIES])
        if specialties is None:
            specialties = self._new_specialties(row[_SPECIALTIES])
        args[_SPECIALTIES_ARG] = specialties
        zone, windows = row[_ZONE], row[_WINDOWS]
        availability = self._availability.get((zone, windows))
        if availability is None:
            availability = self._new_availability(zone, windows)
        args[_AVAILABILITY_ARG] = availability
        return CounselorProfile(*args)

    def record(self, row: Sequence[Any]) -> CounselorRecord:
        """The record of a row selected with :data:`RECORD_COLUMNS`."""
        return CounselorRecord(self.profile(row), row[_AT["create_time"]], row[_AT["update_time"]])
