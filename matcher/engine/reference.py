"""A deliberately plain implementation of matching model v1, to check the fast path.

One Python loop over the profiles, Python sets instead of bitsets, availability as
sets of UTC slot numbers computed here from the windows. Slow (tens of
microseconds per counselor) and obvious; tests and benchmarks compare
:func:`matcher.engine.ranking.rank` against it.

The arithmetic is done in the same order as the fast path (concern numerator
summed in the client's order, factors added in :class:`Factor` order), so the two
agree to the last bit and exact ties are ties in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from matcher.availability import SLOTS_PER_WEEK, standard_offset_minutes
from matcher.engine.ranking import HardFilter
from matcher.model import MINUTES_PER_DAY, SLOT_MINUTES, Availability, CounselorProfile, Intake
from matcher.strategy import Algorithm, Factor, Strategy
from matcher.vocabulary import Proficiency

__all__ = ["ReferenceScore", "rank_reference", "score_profile", "utc_slots"]


class ReferenceScore(NamedTuple):
    """The hard filters a profile fails, its applicable factor scores and its total."""

    failed: frozenset[HardFilter]
    factors: dict[Factor, float]
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


def _weights(strategy: Strategy, factors: list[Factor]) -> dict[Factor, float]:
    raw = [max(0.0, float(strategy.weights.get(f, 0.0))) for f in factors]
    total = sum(raw)
    if total > 0:
        return {f: w / total for f, w in zip(factors, raw, strict=True)}
    return {f: 1.0 / len(factors) for f in factors}


def score_profile(profile: CounselorProfile, intake: Intake, strategy: Strategy) -> ReferenceScore:
    """Check every hard filter and score every applicable factor of one profile."""
    has_windows = intake.availability is not None and bool(intake.availability.windows)
    client_slots = utc_slots(intake.availability) if intake.availability is not None else set()
    failed = set()
    if not profile.active:
        failed.add(HardFilter.ACTIVE)
    if not (profile.accepting_new_clients and profile.caseload_current < profile.caseload_max):
        failed.add(HardFilter.CAPACITY)
    if not set(profile.languages) & set(intake.languages):
        failed.add(HardFilter.LANGUAGE)
    if intake.formats and not set(profile.formats) & set(intake.formats):
        failed.add(HardFilter.FORMAT)
    if intake.session_type not in profile.session_types:
        failed.add(HardFilter.SESSION_TYPE)
    counselor_slots = utc_slots(profile.availability)
    if has_windows and not client_slots & counselor_slots:
        failed.add(HardFilter.AVAILABILITY)

    primary = {s.concern for s in profile.specialties if s.proficiency == Proficiency.PRIMARY}
    secondary = {s.concern for s in profile.specialties} - primary
    factors: dict[Factor, float] = {}
    numerator = 0.0
    for c in intake.concerns:
        numerator += c.priority * (1.0 if c.concern in primary else 0.5 if c.concern in secondary else 0.0)
    factors[Factor.CONCERN] = numerator / sum(c.priority for c in intake.concerns)
    if intake.approaches:
        offered = set(profile.approaches) & set(intake.approaches)
        factors[Factor.APPROACH] = len(offered) / len(set(intake.approaches))
    shared_positions = [j for j, code in enumerate(intake.languages) if code in profile.languages]
    factors[Factor.LANGUAGE] = max((1.0 / (j + 1) for j in shared_positions), default=0.0)
    if has_windows:
        shared = len(client_slots & counselor_slots)
        factors[Factor.AVAILABILITY] = shared / len(client_slots) if client_slots else 0.0

    weights = _weights(strategy, list(factors))
    total = 0.0
    for factor, score in factors.items():
        total += weights[factor] * score
    return ReferenceScore(frozenset(failed), factors, min(total, 1.0))


def rank_reference(
    profiles: Sequence[CounselorProfile],
    intake: Intake,
    strategy: Strategy,
    k: int,
    *,
    seed: int = 0,
) -> list[tuple[str, float]]:
    """Rank like :func:`matcher.engine.ranking.rank`: ``[(counselor_id, score), ...]``, best first.

    Weighted: score descending, then id ascending. Random-eligible: the eligible
    counselors in id order, drawn with ``default_rng(seed).choice(m, min(k, m), replace=False)``.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    eligible = []
    for profile in profiles:
        result = score_profile(profile, intake, strategy)
        if not result.failed:
            eligible.append((profile.id, result.total))
    if strategy.algorithm == Algorithm.RANDOM_ELIGIBLE:
        eligible.sort()
        picks = np.random.default_rng(seed).choice(len(eligible), size=min(k, len(eligible)), replace=False)
        return [eligible[int(i)] for i in picks]
    eligible.sort(key=lambda item: (-item[1], item[0]))
    return eligible[:k]
