"""Required or preferred: how much each of the client's preferences counts.

For every attribute the client chooses about (:data:`~matcher.attributes.PREFERENCES`:
concerns, approaches, languages, formats, gender, identity), an intake may say whether
its value is **required** (a hard filter: a counselor without it is not ranked) or only
**preferred**, with an **importance** from 1 to 5 that scales the factor's weight (3, the
default, leaves the strategy's weight as it is). What an intake does not say is the
declaration's default (:attr:`~matcher.attributes.Attribute.required_by_default`):
languages and formats required, the rest preferred.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from matcher.attributes import (
    ATTRIBUTES,
    BY_NAME,
    FACTOR_BY_NAME,
    PREFERENCES,
    Attribute,
    Factor,
    Filter,
    Scoring,
    Storage,
)
from matcher.errors import FieldViolation

__all__ = [
    "DEFAULT_IMPORTANCE",
    "MAX_IMPORTANCE",
    "FilterMode",
    "Preference",
    "check_preferences",
    "client_value",
    "factor_applies",
    "factor_scores",
    "factor_weights",
    "filter_mode",
    "has_near",
    "importance_of",
    "is_required",
    "plan_intake",
    "weighed",
]

#: Importance runs from 1 (a slight preference) to this value (matters most).
MAX_IMPORTANCE = 5
#: The importance of a preference that gives none: the strategy's weight unchanged.
DEFAULT_IMPORTANCE = 3


@dataclass(frozen=True)
class Preference:
    """How the client wants one attribute (by name) to count.

    Attributes
    ----------
    attribute : the attribute's name (one of ``PREFERENCES``)
    required : True: a hard filter; False: preferred only; None: the attribute's default (on the
        wire, the ``requirement`` enum, the name violations report it under)
    importance : 1..MAX_IMPORTANCE, scales the factor's weight by ``importance / 3``;
        0 means DEFAULT_IMPORTANCE
    """

    attribute: str
    required: bool | None = None
    importance: int = 0


def _find(preferences: tuple[Preference, ...], name: str) -> Preference | None:
    for p in preferences:
        if p.attribute == name:
            return p
    return None


def is_required(a: Attribute, preferences: tuple[Preference, ...]) -> bool:
    """Whether the client's value of ``a`` (a CLIENT filter) is a hard filter."""
    p = _find(preferences, a.name)
    return a.required_by_default if p is None or p.required is None else p.required


def importance_of(a: Attribute, preferences: tuple[Preference, ...]) -> int:
    """The importance (1..MAX_IMPORTANCE) of the client's value of ``a``."""
    p = _find(preferences, a.name)
    return DEFAULT_IMPORTANCE if p is None or p.importance == 0 else p.importance


def check_preferences(
    out: list[FieldViolation], preferences: tuple[Preference, ...], given: set[str]
) -> None:
    """Add a violation for every preference that names no such attribute, repeats one, or is out of range.

    ``given`` holds the attributes whose value the intake gives: requiring one it does not
    give is a mistake worth telling (nothing to require).
    """
    seen: set[str] = set()
    for i, p in enumerate(preferences):
        path = f"preferences[{i}]"
        if p.attribute not in PREFERENCES:
            out.append(
                FieldViolation(
                    f"{path}.attribute",
                    f"unknown preference {p.attribute!r}; allowed: {', '.join(PREFERENCES)}",
                )
            )
            continue
        if p.attribute in seen:
            out.append(FieldViolation(f"{path}.attribute", f"{p.attribute!r} is listed twice"))
        seen.add(p.attribute)
        if not 0 <= p.importance <= MAX_IMPORTANCE:
            out.append(
                FieldViolation(
                    f"{path}.importance",
                    f"must be between 1 and {MAX_IMPORTANCE} (0 means {DEFAULT_IMPORTANCE})",
                )
            )
        if p.required and p.attribute not in given:
            a = BY_NAME[p.attribute]
            out.append(
                FieldViolation(
                    f"{path}.requirement",
                    f"{a.name} is required but the intake gives no {a.noun}: nothing to require",
                )
            )


class FilterMode(StrEnum):
    """How one hard filter acts on one intake."""

    #: Nobody is excluded by it (the client gave no value, or only prefers it).
    OFF = "off"
    #: A counselor who fails it is not ranked, and counted under its exclusion name.
    HARD = "hard"
    #: Preferred but tiered (concerns): those who fail it rank after every one who passes it,
    #: and fill the list only when fewer than k pass; nobody is excluded by it.
    TIER = "tier"


def client_value(a: Attribute, intake: Any) -> tuple[object, ...]:
    """The client's side of ``a`` in ``intake``: its codes (or graded items, or weekly windows) as a tuple.

    Empty when the client gave none (and for flags, which have no client side).
    """
    if a.intake_field is None:
        return ()
    value = getattr(intake, a.intake_field)
    if a.storage == Storage.WEEKLY_SLOTS:
        return () if value is None else tuple(value.windows)
    if a.one_code:
        return (value,) if value else ()
    return tuple(value)


def _mode(a: Attribute, given: bool, required: bool) -> FilterMode:
    if a.filter == Filter.ALWAYS:
        return FilterMode.HARD
    if a.filter == Filter.NEVER or not given:
        return FilterMode.OFF
    if a.filter == Filter.WHEN_GIVEN or required:
        return FilterMode.HARD
    return FilterMode.TIER if a.tiered else FilterMode.OFF


def _scores(a: Attribute, given: bool, required: bool) -> bool:
    return a.is_factor and given and (a.scores_when_required or not (a.client_chooses and required))


def filter_mode(a: Attribute, intake: Any) -> FilterMode:
    """How the hard filter of ``a`` acts on ``intake``."""
    return _mode(a, bool(client_value(a, intake)), is_required(a, intake.preferences))


def factor_applies(a: Attribute, intake: Any) -> bool:
    """Whether ``a`` scores for ``intake``: the client gave a value, and it is not a required one
    that the declaration says not to score."""
    return _scores(a, bool(client_value(a, intake)), is_required(a, intake.preferences))


def has_near(a: Attribute, value: tuple[object, ...]) -> bool:
    """Whether some of the client's graded items (``value``) have related codes (``a.near``)."""
    return any(a.near.get(getattr(item, a.item_code)) for item in value)


def factor_scores(f: Factor, intake: Any, weights: Mapping[str, float]) -> bool:
    """Whether factor ``f`` scores for ``intake`` under a strategy's ``weights``: its attribute's own
    factor applies; a near-match factor also needs a weight above 0 (it is optional: strategies that
    do not weigh it rank as before it existed) and some client code with related ones."""
    if not factor_applies(f.attribute, intake) or not weighed(f, weights):
        return False
    return f.scoring != Scoring.RELATED or has_near(f.attribute, client_value(f.attribute, intake))


def weighed(f: Factor, weights: Mapping[str, float]) -> bool:
    """Whether factor ``f`` may score under a strategy's ``weights``: always, but a near-match factor
    only with a weight above 0 (it is optional)."""
    return f.scoring != Scoring.RELATED or weights.get(f.name, f.default_weight) > 0


def factor_weights(
    weights: Mapping[str, float], factors: tuple[str, ...], preferences: tuple[Preference, ...] = ()
) -> Mapping[str, float]:
    """The weight of each of ``factors``, renormalised to sum to 1.

    A factor's raw weight is the strategy's (``weights``), or its declared default
    (:class:`~matcher.attributes.Factor`) when the strategy gives none, negative ones taken as 0, times
    ``importance / 3`` for a preference the client gave an importance. If every raw weight is
    0 the factors share the weight equally.
    """
    raw = []
    for f in factors:
        spec = FACTOR_BY_NAME[f]
        a = spec.attribute
        w = max(0.0, float(weights.get(f, spec.default_weight)))
        if a.client_chooses:
            w *= importance_of(a, preferences) / DEFAULT_IMPORTANCE
        raw.append(w)
    total = sum(raw)
    if total > 0:
        return MappingProxyType({f: w / total for f, w in zip(factors, raw, strict=True)})
    return MappingProxyType({f: 1.0 / len(factors) for f in factors})


#: What :func:`plan_intake` gives for each attribute: the client's value, its filter mode, whether it scores.
Planned = tuple[tuple[object, ...], FilterMode, bool]


def _reader(a: Attribute) -> Callable[[Any], tuple[object, ...]]:
    """:func:`client_value` of ``a`` as a function of the intake alone (made once per attribute)."""
    name = a.intake_field
    if name is None:
        return lambda intake: ()
    if a.storage == Storage.WEEKLY_SLOTS:
        return lambda intake: () if (v := getattr(intake, name)) is None else tuple(v.windows)
    if a.one_code:
        return lambda intake: (v,) if (v := getattr(intake, name)) else ()
    return attrgetter(name)  # already a tuple


#: Per attribute, in declared order: its reader, and what :func:`_mode` and :func:`_scores` read of it.
_READERS = tuple(
    (
        a.name,
        _reader(a),
        a.filter,
        a.required_by_default,
        FilterMode.TIER if a.tiered else FilterMode.OFF,
        a.is_factor,
        a.scores_when_required or not a.client_chooses,
    )
    for a in ATTRIBUTES
)
_ALWAYS, _NEVER, _WHEN_GIVEN = Filter.ALWAYS, Filter.NEVER, Filter.WHEN_GIVEN
_HARD, _OFF = FilterMode.HARD, FilterMode.OFF


def plan_intake(intake: Any) -> list[Planned]:
    """:func:`client_value`, :func:`filter_mode` and :func:`factor_applies` of every attribute, in
    declared order (``ATTRIBUTES``), reading each client value once.

    The same rules as those functions, unrolled over facts read from the declarations once
    (the compiled query calls this for every ranking; a test checks that they agree).
    """
    marked = {p.attribute: p.required for p in intake.preferences if p.required is not None}
    out: list[Planned] = []
    for name, read, kind, default, preferred, factor, scores_required in _READERS:
        value = read(intake)
        required = marked.get(name, default) if marked else default
        if kind is _ALWAYS:
            mode = _HARD
        elif kind is _NEVER or not value:
            mode = _OFF
        elif kind is _WHEN_GIVEN or required:
            mode = _HARD
        else:
            mode = preferred
        out.append((value, mode, factor and bool(value) and (scores_required or not required)))
    return out
