"""A deliberately plain implementation of the matching model, to check the fast path.

One Python loop over the profiles and one over the attributes
(:data:`~matcher.attributes.ATTRIBUTES`), Python sets instead of bitsets, availability
as sets of UTC slot numbers computed here from the windows with ``datetime`` and
``zoneinfo`` (each window's next occurrence in the coming week, ``fold=0``: the rule of
:mod:`matcher.week`, written again without its offset tables). Slow (tens of microseconds
per counselor) and obvious; tests and benchmarks compare
:func:`matcher.engine.ranking.rank` against it.

The arithmetic is done in the same order as the fast path (the graded numerator summed
in the client's order, factors added in declared order), so the two agree to the last
bit and exact ties are ties in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from matcher.attributes import (
    ATTRIBUTES,
    FACTOR_BY_NAME,
    FACTOR_SPECS,
    FILTERS,
    Attribute,
    Factor,
    Scoring,
    Storage,
)
from matcher.availability import SLOT_MINUTES, SLOTS_PER_WEEK, Availability
from matcher.model import CounselorProfile, Intake
from matcher.preferences import DEFAULT_IMPORTANCE, FilterMode, factor_scores, filter_mode, importance_of
from matcher.strategy import Algorithm, Strategy
from matcher.vocabulary import Proficiency
from matcher.week import WEEK_EPOCH, current_week

__all__ = [
    "ReferenceScore",
    "rank_reference",
    "reference_counts",
    "reference_relaxations",
    "score_profile",
    "utc_slots",
]


class ReferenceScore(NamedTuple):
    """The hard filters a profile fails (by exclusion name), its applicable factor scores and its total."""

    failed: frozenset[str]
    factors: dict[str, float]
    total: float


_SLOT = timedelta(minutes=SLOT_MINUTES)


def utc_slots(availability: Availability, week: datetime | None = None) -> set[int]:
    """The set of UTC slot numbers (0 = Monday 00:00-00:30 UTC) of ``availability`` in the coming week.

    ``week`` is the week start (:func:`matcher.week.week_of`); None: the current week. A window
    is its next local occurrence at or after the week start, from its start to its end each read
    with ``fold=0``, every slot it overlaps.
    """
    if not availability.windows:
        return set()
    week = week or current_week()
    zone = ZoneInfo(availability.time_zone)
    local_start = week.astimezone(zone).replace(tzinfo=None)
    out: set[int] = set()
    for w in availability.windows:
        day = local_start.date() + timedelta(days=(w.day - local_start.weekday()) % 7)
        begin = datetime.combine(day, time()) + timedelta(minutes=w.start_minute)
        if begin < local_start:
            begin += timedelta(days=7)
        end = begin + timedelta(minutes=w.end_minute - w.start_minute)
        moment = begin.replace(tzinfo=zone, fold=0).astimezone(UTC)
        while moment < end.replace(tzinfo=zone, fold=0).astimezone(UTC):
            out.add((moment - WEEK_EPOCH) // _SLOT % SLOTS_PER_WEEK)
            moment += _SLOT
    return out


def _weights(strategy: Strategy, factors: list[str], intake: Intake) -> dict[str, float]:
    raw = []
    for f in factors:
        spec = FACTOR_BY_NAME[f]
        a = spec.attribute
        w = max(0.0, float(strategy.weights.get(f, spec.default_weight)))
        if a.client_chooses:
            w *= importance_of(a, intake.preferences) / DEFAULT_IMPORTANCE
        raw.append(w)
    total = sum(raw)
    if total > 0:
        return {f: w / total for f, w in zip(factors, raw, strict=True)}
    return {f: 1.0 / len(factors) for f in factors}


def _client_codes(a: Attribute, intake: Intake) -> list[object]:
    """The client's codes of ``a``, in the client's order (graded: the items)."""
    value = getattr(intake, a.intake_field) if a.intake_field else None
    if a.one_code:
        return [value] if value else []
    if a.storage == Storage.WEEKLY_SLOTS:
        return [] if value is None else list(value.windows)
    return list(value or ())


def _fails(a: Attribute, profile: CounselorProfile, intake: Intake, week: datetime) -> str | None:
    """The exclusion ``profile`` falls under for ``a`` (hard or tier), or None."""
    held = getattr(profile, a.counselor_field)
    if a.storage == Storage.FLAG:
        return None if held else a.name
    if filter_mode(a, intake) == FilterMode.OFF:
        return None
    wanted = _client_codes(a, intake)
    if a.storage == Storage.WEEKLY_SLOTS:
        shared = utc_slots(intake.availability, week) & utc_slots(held, week)  # type: ignore[arg-type]
        return None if shared else a.name
    if a.missing is not None and not held:
        return a.missing
    if a.storage == Storage.GRADED_CODES:
        held = [getattr(s, a.item_code) for s in held]
        wanted = [getattr(c, a.item_code) for c in wanted]
    if a.match_all:
        return None if set(wanted) <= set(held) else a.name
    return None if set(held) & set(wanted) else a.name


def _near_score(a: Attribute, held: list[object], wanted: list[object]) -> float:
    """Coverage with near matches: each client code counts 1 if treated, else the best similarity of a
    related code treated, weighted by its priority."""
    treated = {getattr(s, a.item_code) for s in held}
    numerator = 0.0
    for c in wanted:
        code = getattr(c, a.item_code)
        near = [s for other, s in a.near.get(code, {}).items() if other in treated]
        numerator += c.priority * (1.0 if code in treated else max(near, default=0.0))  # type: ignore[attr-defined]
    priorities: int = sum(c.priority for c in wanted)  # type: ignore[attr-defined]
    return numerator / priorities


def _score(f: Factor, profile: CounselorProfile, intake: Intake, week: datetime) -> float:
    """The score of factor ``f`` (which applies to ``intake``)."""
    a = f.attribute
    held = getattr(profile, a.counselor_field)
    wanted = _client_codes(a, intake)
    if f.scoring == Scoring.RELATED:
        return _near_score(a, held, wanted)
    if a.scoring == Scoring.SHARE:
        return len(set(held) & set(wanted)) / len(set(wanted))
    if a.scoring == Scoring.ANY:
        return 1.0 if set(held) & set(wanted) else 0.0
    if a.scoring == Scoring.FIRST_CHOICE:
        return max((1.0 / (j + 1) for j, code in enumerate(wanted) if code in held), default=0.0)
    if a.scoring == Scoring.GRADED:
        primary = {getattr(s, a.item_code) for s in held if s.proficiency == Proficiency.PRIMARY}
        treated = {getattr(s, a.item_code) for s in held}
        numerator = 0.0
        for c in wanted:
            code = getattr(c, a.item_code)
            numerator += c.priority * (1.0 if code in primary else 0.5 if code in treated else 0.0)  # type: ignore[attr-defined]
        priorities: int = sum(c.priority for c in wanted)  # type: ignore[attr-defined]
        return numerator / priorities
    client = utc_slots(intake.availability, week)  # type: ignore[arg-type]
    return len(client & utc_slots(held, week)) / len(client) if client else 0.0


def score_profile(
    profile: CounselorProfile, intake: Intake, strategy: Strategy, week: datetime | None = None
) -> ReferenceScore:
    """Check every hard filter and score every applicable factor of one profile.

    ``failed`` holds tier filters too (see :class:`~matcher.preferences.FilterMode`). Weekly
    hours are placed in the week starting at ``week`` (see :func:`utc_slots`).
    """
    week = week or current_week()
    failed = {
        name for a in ATTRIBUTES if a.is_filter and (name := _fails(a, profile, intake, week)) is not None
    }
    factors = {
        f.name: _score(f, profile, intake, week)
        for f in FACTOR_SPECS
        if factor_scores(f, intake, strategy.weights)
    }
    weights = _weights(strategy, list(factors), intake)
    total = 0.0
    for factor, score in factors.items():
        total += weights[factor] * score
    return ReferenceScore(frozenset(failed), factors, min(total, 1.0))


def _tiers(intake: Intake) -> set[str]:
    """The filters that only tier for ``intake``."""
    return {a.name for a in ATTRIBUTES if a.is_filter and filter_mode(a, intake) == FilterMode.TIER}


def reference_counts(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy, week: datetime | None = None
) -> tuple[int, dict[str, int]]:
    """The eligible count and the exclusion counts (by FILTERS name) a ranking reports.

    Eligible: failing no filter but a tiering one; nobody is counted under a tiering filter.
    """
    tiers = _tiers(intake)
    failed = [score_profile(p, intake, strategy, week).failed for p in profiles]
    exclusions = {h: sum(1 for f in failed if h in f and h not in tiers) for h in FILTERS}
    return sum(1 for f in failed if f <= tiers), exclusions


def reference_relaxations(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy, week: datetime | None = None
) -> dict[str, int]:
    """For each requirement the client could relax (a value they require, their hours), how many
    counselors fail it and no other hard filter (tiering ones aside); only those above 0."""
    tiers = _tiers(intake)
    relaxable = {a.name for a in ATTRIBUTES if a.relaxed and filter_mode(a, intake) == FilterMode.HARD}
    out: dict[str, int] = {}
    for p in profiles:
        failed = score_profile(p, intake, strategy, week).failed - tiers
        if len(failed) == 1 and (name := next(iter(failed))) in relaxable:
            out[name] = out.get(name, 0) + 1
    return out


def rank_reference(
    profiles: Sequence[CounselorProfile],
    intake: Intake,
    strategy: Strategy,
    k: int,
    *,
    seed: int = 0,
    week: datetime | None = None,
) -> list[tuple[str, float]]:
    """Rank like :func:`matcher.engine.ranking.rank`: ``[(counselor_id, score), ...]``, best first.

    Weighted: score descending, then id ascending; those who fail a tiering preference only
    (concerns) after all the others. Random-eligible (a control) has no tiers. Random-eligible: the eligible
    counselors in id order, drawn with ``default_rng(seed).choice(m, min(k, m), replace=False)``.
    Weekly hours are placed in the week starting at ``week`` (see :func:`utc_slots`).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    tiers = _tiers(intake)
    eligible, second = [], []
    for profile in profiles:
        result = score_profile(profile, intake, strategy, week)
        if not result.failed:
            eligible.append((profile.id, result.total))
        elif result.failed <= tiers:  # fails only a preference that tiers
            second.append((profile.id, result.total))
    if strategy.algorithm == Algorithm.RANDOM_ELIGIBLE:  # a control: no tiers, one uniform draw
        drawn = sorted(eligible + second)
        picks = np.random.default_rng(seed).choice(len(drawn), size=min(k, len(drawn)), replace=False)
        return [drawn[int(i)] for i in picks]
    eligible.sort(key=lambda item: (-item[1], item[0]))
    second.sort(key=lambda item: (-item[1], item[0]))
    return (eligible + second)[:k]
