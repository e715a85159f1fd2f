"""Baseline (a): what a team would write first.

Every ranking loads the counselor rows with SQLModel (``select(CounselorRow)``), turns them into
profiles and scores them one by one in a Python loop with sets, attribute by attribute as
:data:`~matcher.attributes.ATTRIBUTES` declares them (like :mod:`matcher.engine.reference`): each
hard filter as its mode for the intake says (:func:`~matcher.preferences.filter_mode`: off, hard,
or a tier that only orders), passed by sharing a code or, for ``match_all``, holding all of them;
each soft factor by its scoring kind, weighted as the client's importances say
(:func:`~matcher.preferences.factor_weights`). The intake's own sets, weights and UTC slots are
computed once per ranking, not per counselor, so the loop is plain but not careless.

The arithmetic follows the order of :mod:`matcher.engine.reference` (the graded numerator in the
client's order, factors added in the query's order, capped at 1), so the scores agree to the last
bit with :func:`matcher.engine.ranking.rank` and exact ties are ties here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from matcher.attributes import ATTRIBUTES, BY_NAME, FACTOR_BY_NAME, Attribute, Scoring, Storage
from matcher.engine.query import applicable_factors
from matcher.engine.reference import utc_slots
from matcher.model import Availability, CounselorProfile, Intake, Specialty, WeeklyWindow
from matcher.preferences import FilterMode, client_value, factor_weights, filter_mode
from matcher.strategy import Strategy
from matcher.vocabulary import Proficiency
from service.storage.tables import CounselorRow

__all__ = ["load_profiles", "rank_straightforward", "row_to_profile"]


#: Each attribute held as codes: its column, and how a stored string becomes a code.
_CODED = tuple((a.counselor_field, a.code_enum or str) for a in ATTRIBUTES if a.storage == Storage.CODES)


def row_to_profile(row: CounselorRow) -> CounselorProfile:
    """Convert one ORM row (JSON columns already decoded by the driver) into a profile."""
    coded: dict[str, Any] = {field: tuple(map(make, getattr(row, field))) for field, make in _CODED}
    return CounselorProfile(
        id=row.id,
        display_name=row.display_name,
        credentials=tuple(row.credentials),
        specialties=tuple(Specialty(concern, Proficiency(level)) for concern, level in row.specialties),
        **coded,
        availability=Availability(
            row.time_zone, tuple(WeeklyWindow(d, s, e) for d, s, e in row.availability_windows)
        ),
        accepting_new_clients=row.accepting_new_clients,
        caseload_current=row.caseload_current,
        caseload_max=row.caseload_max,
        active=row.active,
    )


def load_profiles(engine: sa.Engine) -> list[CounselorProfile]:
    """Load every counselor with the SQLModel ORM, ordered by id."""
    with Session(engine) as session:
        rows = session.exec(select(CounselorRow).order_by(CounselorRow.id)).all()
        return [row_to_profile(row) for row in rows]


@dataclass(frozen=True)
class _Side:
    """The client's side of one attribute, computed once per ranking.

    Attributes
    ----------
    attribute : the declaration
    codes : the client's codes in the client's order (graded: the items), or its UTC slots
    wanted : the client's codes (graded: the items' codes) or UTC slots, as a set
    weight : the renormalised weight, for a factor
    priorities : the sum of the items' priorities, for graded codes
    scoring : how it scores, for a factor (its attribute's, or near matches)
    """

    attribute: Attribute
    codes: tuple[Any, ...]
    wanted: frozenset[Any]
    weight: float = 0.0
    priorities: int = 0
    scoring: Scoring = Scoring.NONE


def _side(a: Attribute, intake: Intake, weight: float = 0.0) -> _Side:
    if a.storage == Storage.WEEKLY_SLOTS:
        slots = utc_slots(getattr(intake, a.intake_field or "")) if client_value(a, intake) else set()
        return _Side(a, tuple(sorted(slots)), frozenset(slots), weight)
    codes = client_value(a, intake)
    if a.storage == Storage.GRADED_CODES:
        priorities = sum(item.priority for item in codes)  # type: ignore[attr-defined]
        return _Side(a, codes, frozenset(getattr(i, a.item_code) for i in codes), weight, priorities)
    return _Side(a, codes, frozenset(codes), weight)


class _Plan(NamedTuple):
    """What one ranking checks and scores: the hard filters, those that only tier, the factors."""

    filters: list[_Side]
    tiers: list[_Side]
    factors: list[_Side]


def _prepare(intake: Intake, strategy: Strategy) -> _Plan:
    """The filters that apply to ``intake``, by mode, and its factors (in the order they are added up)."""
    modes = {a.name: filter_mode(a, intake) for a in ATTRIBUTES if a.is_filter}
    filters = [_side(BY_NAME[name], intake) for name, mode in modes.items() if mode == FilterMode.HARD]
    tiers = [_side(BY_NAME[name], intake) for name, mode in modes.items() if mode == FilterMode.TIER]
    names = applicable_factors(intake, strategy)
    weights = factor_weights(strategy.weights, names, intake.preferences)
    factors = [
        dataclasses.replace(_side(spec.attribute, intake, weights[name]), scoring=spec.scoring)
        for name in names
        for spec in (FACTOR_BY_NAME[name],)
    ]
    return _Plan(filters, tiers, factors)


def _held(a: Attribute, p: CounselorProfile) -> Any:
    """What ``p`` holds of ``a``: a flag, its codes (graded: the items) or its UTC slots."""
    value = getattr(p, a.counselor_field)
    return utc_slots(value) if a.storage == Storage.WEEKLY_SLOTS else value


def _passes(side: _Side, held: Any) -> bool:
    a = side.attribute
    if a.storage == Storage.FLAG:
        return bool(held)
    if a.storage == Storage.GRADED_CODES:
        held = [getattr(s, a.item_code) for s in held]
    if a.match_all:
        return side.wanted.issubset(held)
    return not side.wanted.isdisjoint(held)


def _near(side: _Side, held: Any) -> float:
    """Coverage with near matches: each client code 1 if held, else the best similarity of a related
    code held, weighted by its priority."""
    a = side.attribute
    treated = {getattr(s, a.item_code) for s in held}
    numerator = 0.0
    for item in side.codes:
        code = getattr(item, a.item_code)
        near = max((s for other, s in a.near.get(code, {}).items() if other in treated), default=0.0)
        numerator += item.priority * (1.0 if code in treated else near)
    return numerator / side.priorities


def _factor(side: _Side, held: Any) -> float:
    """The factor score of ``side``'s attribute for what a counselor holds."""
    a = side.attribute
    if side.scoring == Scoring.RELATED:
        return _near(side, held)
    if a.scoring == Scoring.SHARE:
        return len(side.wanted.intersection(held)) / len(side.wanted)
    if a.scoring == Scoring.ANY:
        return 0.0 if side.wanted.isdisjoint(held) else 1.0
    if a.scoring == Scoring.FIRST_CHOICE:
        return next((1.0 / (j + 1) for j, code in enumerate(side.codes) if code in held), 0.0)
    if a.scoring == Scoring.GRADED:
        primary = {getattr(s, a.item_code) for s in held if s.proficiency == Proficiency.PRIMARY}
        treated = {getattr(s, a.item_code) for s in held}
        numerator = 0.0
        for item in side.codes:
            code = getattr(item, a.item_code)
            numerator += item.priority * (1.0 if code in primary else 0.5 if code in treated else 0.0)
        return numerator / side.priorities
    return len(side.wanted & held) / len(side.wanted) if side.wanted else 0.0


def _score(p: CounselorProfile, plan: _Plan) -> tuple[bool, float] | None:
    """Whether ``p`` passes the filters that tier, and its total score; None if it fails a hard filter."""
    held: dict[str, Any] = {}  # each attribute read (and its slots computed) once per counselor
    for side in plan.filters:
        name = side.attribute.name
        held[name] = _held(side.attribute, p)
        if not _passes(side, held[name]):
            return None
    first = True
    for side in plan.tiers:
        name = side.attribute.name
        held[name] = _held(side.attribute, p)
        first = first and _passes(side, held[name])
    total = 0.0
    for side in plan.factors:
        name = side.attribute.name
        value = held[name] if name in held else _held(side.attribute, p)
        total += side.weight * _factor(side, value)
    return first, min(total, 1.0)


def rank_straightforward(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy, k: int
) -> list[tuple[str, float]]:
    """The top ``k`` as ``[(counselor_id, score), ...]``: score descending, then id ascending.

    With a preference that tiers (concerns only preferred), those who fail it (and no hard filter)
    come after every counselor who passes it, in the same order among themselves: they fill the
    list only when fewer than ``k`` pass it.
    """
    plan = _prepare(intake, strategy)
    scored = []
    for p in profiles:
        result = _score(p, plan)
        if result is not None:
            scored.append((not result[0], -result[1], p.id))
    scored.sort()
    return [(cid, -score) for _, score, cid in scored[:k]]
