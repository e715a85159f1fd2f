"""The intake flags of ``attune match`` (CLI layer): from what staff type to an :class:`Intake`'s values.

List flags are repeatable, and each value may hold several codes separated by commas
(``--language es,en`` is ``--language es --language en``). ``--require NAME`` and
``--prefer NAME[=IMPORTANCE]`` say how the client wants an attribute of
:data:`~matcher.attributes.PREFERENCES` to count; their mistakes are caught here, with
the flag named, before the service is called. Code values themselves (unknown codes)
are checked by the service, which says what was probably meant.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

import typer

from matcher.attributes import BY_NAME, PREFERENCES
from matcher.model import ConcernPreference
from matcher.preferences import DEFAULT_IMPORTANCE, MAX_IMPORTANCE, Preference

__all__ = ["parse_concern", "parse_enum", "parse_preferences", "split_codes"]

E = TypeVar("E", bound=StrEnum)


def split_codes(values: Iterable[str] | None) -> tuple[str, ...]:
    """The codes of a repeatable flag, each value split on commas: ``["es,en", "fr"]`` -> es, en, fr."""
    return tuple(code.strip() for value in values or () for code in value.split(",") if code.strip())


def parse_concern(text: str) -> ConcernPreference:
    """``CONCERN`` or ``CONCERN:PRIORITY`` (1-5) as a concern with its priority (1 if none given)."""
    code, _, priority = text.partition(":")
    if priority and not priority.strip().isdigit():
        raise typer.BadParameter(f"{text!r}: write CONCERN or CONCERN:PRIORITY (1-5), e.g. anxiety:5")
    return ConcernPreference(code.strip(), int(priority or 1))


def parse_enum(text: str, enum: type[E], what: str) -> E:
    """The member of ``enum`` named by ``text`` (any case, ``-`` for ``_``)."""
    try:
        return enum(text.strip().lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise typer.BadParameter(f"unknown {what} {text!r}; allowed: {allowed}") from None


def _preference(text: str, flag: str, required: bool) -> Preference:
    """One ``NAME[=IMPORTANCE]`` value of ``flag``."""
    name, has_importance, importance = (part.strip() for part in text.partition("="))
    name = name.lower()
    if name not in PREFERENCES:
        raise typer.BadParameter(
            f"unknown attribute {name!r}; one of: {', '.join(PREFERENCES)}", param_hint=flag
        )
    if has_importance and not (importance.isdigit() and 1 <= int(importance) <= MAX_IMPORTANCE):
        raise typer.BadParameter(
            f"{text!r}: the importance is a whole number from 1 (slight) to {MAX_IMPORTANCE} "
            f"(matters most); without one it is {DEFAULT_IMPORTANCE}",
            param_hint=flag,
        )
    return Preference(name, required, int(importance) if has_importance else 0)


def parse_preferences(
    require: Iterable[str] | None, prefer: Iterable[str] | None, given: Iterable[str]
) -> tuple[Preference, ...]:
    """The preferences of ``--require NAME[=IMPORTANCE]`` and ``--prefer NAME[=IMPORTANCE]`` values.

    ``given`` names the attributes the intake has a value for: requiring one it has none
    of is refused (nothing to require), naming the flag that gives it. An attribute may be
    named once, by one of the two flags.
    """
    preferences: list[Preference] = []
    flags: dict[str, str] = {}
    values = [("--require", text, True) for text in require or ()]
    values += [("--prefer", text, False) for text in prefer or ()]
    for flag, text, required in values:
        p = _preference(text, flag, required)
        if p.attribute in flags:
            raise typer.BadParameter(
                f"{p.attribute!r} is named twice ({flags[p.attribute]} and {flag}): "
                "require or prefer each attribute once",
                param_hint=flag,
            )
        flags[p.attribute] = flag
        preferences.append(p)
    have = set(given)
    for p in preferences:
        if p.required and p.attribute not in have:
            value_flag = BY_NAME[p.attribute].cli_flag
            raise typer.BadParameter(
                f"{p.attribute} is required but no {value_flag} is given: nothing to require",
                param_hint="--require",
            )
    return tuple(preferences)
