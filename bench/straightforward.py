"""Baseline (a): what a team would write first.

Every ranking loads the counselor rows with SQLModel (``select(CounselorRow)``), turns them into
profiles and scores them one by one in a Python loop with sets, attribute by attribute as
:data:`~matcher.attributes.ATTRIBUTES` declares them (like :mod:`matcher.engine.reference`): each
hard filter by its filter rule, each soft factor by its scoring kind. The intake's own sets, weights
and UTC slots are computed once per ranking, not per counselor, so the loop is plain but not careless.

The arithmetic follows the order of :mod:`matcher.engine.reference` (the graded numerator in the
client's order, factors added in the query's order, capped at 1), so the scores agree to the last
bit with :func:`matcher.engine.ranking.rank` and exact ties are ties here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from matcher.attributes import ATTRIBUTES, BY_NAME, Attribute, Filter, Scoring, Storage
from matcher.engine.query import applicable_factors, client_value, factor_weights
from matcher.engine.reference import utc_slots
from matcher.model import Availability, CounselorProfile, Intake, Specialty, WeeklyWindow
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
    """

    attribute: Attribute
    codes: tuple[Any, ...]
    wanted: frozenset[Any]
    weight: float = 0.0
    priorities: int = 0


def _side(a: Attribute, intake: Intake, weight: float = 0.0) -> _Side:
    if a.storage == Storage.WEEKLY_SLOTS:
        slots = utc_slots(getattr(intake, a.intake_field or "")) if client_value(a, intake) else set()
        return _Side(a, tuple(sorted(slots)), frozenset(slots), weight)
    codes = client_value(a, intake)
    if a.storage == Storage.GRADED_CODES:
        priorities = sum(item.priority for item in codes)  # type: ignore[attr-defined]
        return _Side(a, codes, frozenset(getattr(i, a.item_code) for i in codes), weight, priorities)
    return _Side(a, codes, frozenset(codes), weight)


def _prepare(intake: Intake, strategy: Strategy) -> tuple[list[_Side], list[_Side]]:
    """The hard filters that apply to ``intake`` and its factors (in the order they are added up)."""
    filters = [
        _side(a, intake)
        for a in ATTRIBUTES
        if a.is_filter and not (a.filter == Filter.WHEN_GIVEN and not client_value(a, intake))
    ]
    names = applicable_factors(intake)
    weights = factor_weights(strategy, names)
    return filters, [_side(BY_NAME[name], intake, weights[name]) for name in names]


def _held(a: Attribute, p: CounselorProfile) -> Any:
    """What ``p`` holds of ``a``: a flag, its codes (graded: the items) or its UTC slots."""
    value = getattr(p, a.counselor_field)
    return utc_slots(value) if a.storage == Storage.WEEKLY_SLOTS else value


def _passes(side: _Side, held: Any) -> bool:
    if side.attribute.storage == Storage.FLAG:
        return bool(held)
    if side.attribute.storage == Storage.GRADED_CODES:
        held = [getattr(s, side.attribute.item_code) for s in held]
    return not side.wanted.isdisjoint(held)


def _factor(side: _Side, held: Any) -> float:
    """The factor score of ``side``'s attribute for what a counselor holds."""
    a = side.attribute
    if a.scoring == Scoring.SHARE:
        return len(side.wanted.intersection(held)) / len(side.wanted)
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


def _score(p: CounselorProfile, filters: list[_Side], factors: list[_Side]) -> float | None:
    """The total score of ``p``, or None if it fails a hard filter."""
    held: dict[str, Any] = {}  # each attribute read (and its slots computed) once per counselor
    for side in filters:
        name = side.attribute.name
        held[name] = _held(side.attribute, p)
        if not _passes(side, held[name]):
            return None
    total = 0.0
    for side in factors:
        name = side.attribute.name
        value = held[name] if name in held else _held(side.attribute, p)
        total += side.weight * _factor(side, value)
    return min(total, 1.0)


def rank_straightforward(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy, k: int
) -> list[tuple[str, float]]:
    """The top ``k`` as ``[(counselor_id, score), ...]``: score descending, then id ascending."""
    filters, factors = _prepare(intake, strategy)
    scored = []
    for p in profiles:
        score = _score(p, filters, factors)
        if score is not None:
            scored.append((p.id, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:k]
