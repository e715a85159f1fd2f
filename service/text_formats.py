"""The human text forms of windows, specialties, lists and flags, shared by the CLI and imports.

Only the syntax is checked here. Whether a concern code exists, a time zone is
known or a window is on 30-minute boundaries is checked by
:func:`matcher.model.validate_counselor` / :func:`matcher.model.validate_intake`,
so that every such problem is reported once, with its field path.
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.model import DAY_NAMES, MINUTES_PER_DAY, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency

__all__ = [
    "LIST_SEPARATOR",
    "format_bool",
    "format_list",
    "format_specialty",
    "format_window",
    "parse_bool",
    "parse_specialty",
    "parse_window",
    "split_list",
]

#: Separator of the items of a list held in one text field ("en;es").
LIST_SEPARATOR = ";"

_FULL_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS = {name.lower(): day for names in (DAY_NAMES, _FULL_DAY_NAMES) for day, name in enumerate(names)}
_WINDOW = re.compile(r"\s*(?P<day>[A-Za-z]+)\s+(?P<start>\S+?)\s*-\s*(?P<end>\S+)\s*")
_TIME = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})")
_WINDOW_HELP = (
    "expected a weekly window like 'Tue 18:00-21:00': a day (Mon..Sun or Monday..Sunday), "
    "then start-end as 24-hour HH:MM times (24:00 allowed as the end)"
)
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def _minutes(text: str, *, is_end: bool, window: str) -> int:
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"bad time {text!r} in {window!r}: {_WINDOW_HELP}")
    hours, minutes = int(match["h"]), int(match["m"])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        which, latest = ("end", "24:00") if is_end else ("start", "23:59")
        raise ValueError(
            f"bad time {text!r} in {window!r}: the {which} time must lie between 00:00 and {latest}"
        )
    return hours * 60 + minutes


@lru_cache(maxsize=8192)  # catalogs repeat the same windows; WeeklyWindow is frozen
def parse_window(text: str) -> WeeklyWindow:
    """Parse ``"Tue 18:00-21:00"`` (day names case-insensitive, abbreviated or full).

    Raises
    ------
    ValueError
        With a message saying what is allowed, when the text is not of that form.
        An inverted window or one off the 30-minute grid parses; validation rejects it.
    """
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValueError(f"bad window {text!r}: {_WINDOW_HELP}")
    day = _DAYS.get(match["day"].lower())
    if day is None:
        raise ValueError(f"bad day {match['day']!r} in {text!r}: use Mon..Sun or Monday..Sunday")
    start = _minutes(match["start"], is_end=False, window=text)
    end = _minutes(match["end"], is_end=True, window=text)
    return WeeklyWindow(day=day, start_minute=start, end_minute=end)


def format_window(w: WeeklyWindow) -> str:
    """Format a window as ``"Tue 18:00-21:00"`` (the form :func:`parse_window` reads)."""
    if not 0 <= w.day <= 6 or not (
        0 <= w.start_minute <= MINUTES_PER_DAY and 0 <= w.end_minute <= MINUTES_PER_DAY
    ):
        raise ValueError(f"not a weekly window: {w!r}")
    return str(w)


@lru_cache(maxsize=4096)
def parse_specialty(text: str) -> Specialty:
    """Parse ``"anxiety"`` (primary) or ``"anxiety:secondary"`` / ``"anxiety:primary"``.

    The concern code is only stripped of surrounding spaces; validation checks it.
    """
    code, sep, level = text.partition(":")
    code = code.strip()
    if not code:
        raise ValueError(
            f"bad specialty {text!r}: expected a concern code such as 'anxiety' or 'grief:secondary'"
        )
    if not sep:
        return Specialty(code)
    try:
        return Specialty(code, Proficiency(level.strip().lower()))
    except ValueError:
        raise ValueError(
            f"bad proficiency {level.strip()!r} in {text!r}: allowed: "
            + ", ".join(p.value for p in Proficiency)
        ) from None


def format_specialty(s: Specialty) -> str:
    """Format a specialty as ``"anxiety"`` (primary) or ``"anxiety:secondary"``."""
    return s.concern if s.proficiency is Proficiency.PRIMARY else f"{s.concern}:{s.proficiency.value}"


def parse_bool(text: str) -> bool:
    """Parse true/false, yes/no or 1/0 (case-insensitive, surrounding spaces ignored)."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"bad flag {text!r}: allowed: true/false, yes/no, 1/0")


def format_bool(value: bool) -> str:
    """Format a flag as ``"true"`` or ``"false"``."""
    return "true" if value else "false"


def split_list(text: str) -> list[str]:
    """Split ``"a; b;;c"`` on :data:`LIST_SEPARATOR` into stripped, non-empty items: ``["a", "b", "c"]``."""
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]


def format_list(items: tuple[str, ...] | list[str]) -> str:
    """Join items with :data:`LIST_SEPARATOR` (the inverse of :func:`split_list`)."""
    for item in items:
        if LIST_SEPARATOR in item or item != item.strip() or not item:
            raise ValueError(
                f"list item {item!r} cannot be written: it is empty, padded or holds {LIST_SEPARATOR!r}"
            )
    return LIST_SEPARATOR.join(items)
