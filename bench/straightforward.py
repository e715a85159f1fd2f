"""Baseline (a): what a team would write first.

Every ranking loads the counselor rows with SQLModel (``select(CounselorRow)``), turns them into
profiles and scores them one by one in a Python loop with sets. The intake's own sets, weights and
UTC slots are computed once per ranking, not per counselor, so the loop is plain but not careless.

The arithmetic follows the order of :mod:`matcher.engine.ranking` (concern numerator in the client's
order, factors added in :class:`~matcher.strategy.Factor` order, capped at 1), so the scores agree
to the last bit and exact ties are ties here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from matcher.engine.query import applicable_factors, factor_weights
from matcher.engine.reference import utc_slots
from matcher.model import Availability, CounselorProfile, Intake, Specialty, WeeklyWindow
from matcher.strategy import Factor, Strategy
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from service.storage.tables import CounselorRow

__all__ = ["load_profiles", "rank_straightforward", "row_to_profile"]


def row_to_profile(row: CounselorRow) -> CounselorProfile:
    """Convert one ORM row (JSON columns already decoded by the driver) into a profile."""
    return CounselorProfile(
        id=row.id,
        display_name=row.display_name,
        credentials=tuple(row.credentials),
        specialties=tuple(Specialty(concern, Proficiency(level)) for concern, level in row.specialties),
        approaches=tuple(row.approaches),
        formats=tuple(SessionFormat(f) for f in row.formats),
        session_types=tuple(SessionType(t) for t in row.session_types),
        languages=tuple(row.languages),
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
class _Prepared:
    """What the loop needs from the intake, computed once per ranking."""

    languages: frozenset[str]
    formats: frozenset[str]
    approaches: frozenset[str]
    client_slots: frozenset[int]
    priority_total: int
    factors: tuple[Factor, ...]
    weights: dict[Factor, float]


def _prepare(intake: Intake, strategy: Strategy) -> _Prepared:
    slots = frozenset(utc_slots(intake.availability)) if intake.availability is not None else frozenset()
    factors = applicable_factors(intake)
    return _Prepared(
        languages=frozenset(intake.languages),
        formats=frozenset(intake.formats),
        approaches=frozenset(intake.approaches),
        client_slots=slots,
        priority_total=sum(c.priority for c in intake.concerns),
        factors=factors,
        weights=dict(factor_weights(strategy, factors)),
    )


def _score(p: CounselorProfile, intake: Intake, q: _Prepared) -> float | None:
    """The total score of ``p``, or None if it fails a hard filter."""
    if not (p.active and p.accepting_new_clients and p.caseload_current < p.caseload_max):
        return None
    if q.languages.isdisjoint(p.languages) or intake.session_type not in p.session_types:
        return None
    if q.formats and q.formats.isdisjoint(p.formats):
        return None
    shared_slots = 0
    if q.client_slots:
        shared_slots = len(q.client_slots & utc_slots(p.availability))
        if shared_slots == 0:
            return None
    primary = {s.concern for s in p.specialties if s.proficiency == Proficiency.PRIMARY}
    secondary = {s.concern for s in p.specialties} - primary
    numerator = 0.0
    for c in intake.concerns:
        numerator += c.priority * (1.0 if c.concern in primary else 0.5 if c.concern in secondary else 0.0)
    scores = {Factor.CONCERN: numerator / q.priority_total}
    if q.approaches:
        scores[Factor.APPROACH] = len(q.approaches.intersection(p.approaches)) / len(q.approaches)
    scores[Factor.LANGUAGE] = next(
        (1.0 / (j + 1) for j, code in enumerate(intake.languages) if code in p.languages), 0.0
    )
    if q.client_slots:
        scores[Factor.AVAILABILITY] = shared_slots / len(q.client_slots)
    total = 0.0
    for factor in q.factors:
        total += q.weights[factor] * scores[factor]
    return min(total, 1.0)


def rank_straightforward(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy, k: int
) -> list[tuple[str, float]]:
    """The top ``k`` as ``[(counselor_id, score), ...]``: score descending, then id ascending."""
    q = _prepare(intake, strategy)
    scored = []
    for p in profiles:
        score = _score(p, intake, q)
        if score is not None:
            scored.append((p.id, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:k]
