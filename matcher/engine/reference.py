"""A deliberately plain implementation of the matching model, to check the fast path.

One Python loop over the profiles and one over the attributes
(:data:`~matcher.attributes.ATTRIBUTES`), Python sets instead of bitsets, availability
as sets of UTC slot numbers computed here from the windows. Slow (tens of microseconds
per counselor) and obvious; tests and benchmarks compare
:func:`matcher.engine.ranking.rank` against it.

The arithmetic is done in the same order as the fast path (the graded numerator summed
in the client's order, factors added in declared order), so the two agree to the last
bit and exact ties are ties in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from matcher.attributes import ATTRIBUTES, FILTERS, Attribute, Scoring, Storage
from matcher.availability import (
    MINUTES_PER_DAY,
    SLOT_MINUTES,
    SLOTS_PER_WEEK,
    Availability,
    standard_offset_minutes,
)
from matcher.model import CounselorProfile, Intake
from matcher.preferences import DEFAULT_IMPORTANCE, FilterMode, factor_applies, filter_mode, importance_of
from matcher.strategy import Algorithm, Strategy
from matcher.vocabulary import Proficiency

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


def utc_slots(availability: Availability) -> set[int]:
    """The set of UTC slot numbers (0 = Monday 00:00-00:30 UTC) of ``availability``."""
    offset = standard_offset_minutes(availability.time_zone) if availability.windows else 0
    out: set[int] = set()
    for w in availability.windows:
        minute = w.day * MINUTES_PER_DAY + w.start_minute - offset
        while minute < w.day * MINUTES_PER_DAY + w.end_minute - offset:
            out.add((minute // SLOT_MINUTES) % SLOTS_PER_WEEK)
            minute += SLOT_MINUTES
    return out


def _weights(strategy: Strategy, factors: list[str], intake: Intake) -> dict[str, float]:
    raw = []
    for f in factors:
        a = next(a for a in ATTRIBUTES if a.name == f)
        w = max(0.0, float(strategy.weights.get(f, a.default_weight)))
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


def _fails(a: Attribute, profile: CounselorProfile, intake: Intake) -> str | None:
    """The exclusion ``profile`` falls under for ``a`` (hard or tier), or None."""
    held = getattr(profile, a.counselor_field)
    if a.storage == Storage.FLAG:
        return None if held else a.name
    if filter_mode(a, intake) == FilterMode.OFF:
        return None
    wanted = _client_codes(a, intake)
    if a.storage == Storage.WEEKLY_SLOTS:
        return None if utc_slots(intake.availability) & utc_slots(held) else a.name  # type: ignore[arg-type]
    if a.missing is not None and not held:
        return a.missing
    if a.storage == Storage.GRADED_CODES:
        held = [getattr(s, a.item_code) for s in held]
        wanted = [getattr(c, a.item_code) for c in wanted]
    if a.match_all:
        return None if set(wanted) <= set(held) else a.name
    return None if set(held) & set(wanted) else a.name


def _score(a: Attribute, profile: CounselorProfile, intake: Intake) -> float:
    """The factor score of ``a`` (which applies to ``intake``)."""
    held = getattr(profile, a.counselor_field)
    wanted = _client_codes(a, intake)
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
    client = utc_slots(intake.availability)  # type: ignore[arg-type]
    return len(client & utc_slots(held)) / len(client) if client else 0.0


def score_profile(profile: CounselorProfile, intake: Intake, strategy: Strategy) -> ReferenceScore:
    """Check every hard filter and score every applicable factor of one profile.

    ``failed`` holds tier filters too (see :class:`~matcher.preferences.FilterMode`).
    """
    failed = {name for a in ATTRIBUTES if a.is_filter and (name := _fails(a, profile, intake)) is not None}
    factors = {a.name: _score(a, profile, intake) for a in ATTRIBUTES if factor_applies(a, intake)}
    weights = _weights(strategy, list(factors), intake)
    total = 0.0
    for factor, score in factors.items():
        total += weights[factor] * score
    return ReferenceScore(frozenset(failed), factors, min(total, 1.0))


def _tiers(intake: Intake) -> set[str]:
    """The filters that only tier for ``intake``."""
    return {a.name for a in ATTRIBUTES if a.is_filter and filter_mode(a, intake) == FilterMode.TIER}


def reference_counts(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy
) -> tuple[int, dict[str, int]]:
    """The eligible count and the exclusion counts (by FILTERS name) a ranking reports.

    Eligible: failing no filter but a tiering one; nobody is counted under a tiering filter.
    """
    tiers = _tiers(intake)
    failed = [score_profile(p, intake, strategy).failed for p in profiles]
    exclusions = {h: sum(1 for f in failed if h in f and h not in tiers) for h in FILTERS}
    return sum(1 for f in failed if f <= tiers), exclusions


def reference_relaxations(
    profiles: Sequence[CounselorProfile], intake: Intake, strategy: Strategy
) -> dict[str, int]:
    """For each requirement the client could relax (a value they require, their hours), how many
    counselors fail it and no other hard filter (tiering ones aside); only those above 0."""
    tiers = _tiers(intake)
    relaxable = {a.name for a in ATTRIBUTES if a.relaxed and filter_mode(a, intake) == FilterMode.HARD}
    out: dict[str, int] = {}
    for p in profiles:
        failed = score_profile(p, intake, strategy).failed - tiers
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
) -> list[tuple[str, float]]:
    """Rank like :func:`matcher.engine.ranking.rank`: ``[(counselor_id, score), ...]``, best first.

    Weighted: score descending, then id ascending; those who fail a tiering preference only
    (concerns) after all the others. Random-eligible (a control) has no tiers. Random-eligible: the eligible
    counselors in id order, drawn with ``default_rng(seed).choice(m, min(k, m), replace=False)``.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    tiers = _tiers(intake)
    eligible, second = [], []
    for profile in profiles:
        result = score_profile(profile, intake, strategy)
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
