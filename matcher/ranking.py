"""The vectorized ranking engine (matching model v1).

:func:`rank` scores a validated intake against a :class:`CatalogSnapshot` with a
few numpy passes and no Python loop over counselors:

1. **Hard filters**, each evaluated over the whole catalog so that
   ``Ranking.exclusions[f]`` counts every counselor failing ``f`` (a counselor can
   fail several). A filter that does not apply to the intake reports 0.
2. **Soft factors** in [0, 1], computed only for the eligible counselors:
   concern (priority-weighted proficiency, primary 1.0, secondary 0.5), approach
   (share of the preferred approaches offered), language (1/(j+1) for the client's
   j-th language, the best one shared) and availability (share of the client's
   weekly slots the counselor also has).
3. **Total**: the strategy's weights renormalised over the applicable factors, so
   the total is in [0, 1] (capped at 1 against a rounding excess of one ulp).
4. **Order**: score descending, then counselor id ascending; the top ``k`` by a
   partial selection (:func:`matcher.topk.top_k`). ``Algorithm.RANDOM_ELIGIBLE``
   orders the eligible counselors (taken in id order) by a seeded random draw,
   ``np.random.default_rng(seed).choice(m, size=min(k, m), replace=False)``.

Reasons are written only for the returned results (:mod:`matcher.reasons`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from matcher.bitmap_index import ROW_ACTIVE, ROW_HAS_ROOM, any_of, any_of_runs, count, set_rows
from matcher.bitsets import bit_index
from matcher.model import Intake
from matcher.query import EncodedIntake, encode_intake
from matcher.reasons import ReasonWriter, words_to_int
from matcher.snapshot import CatalogSnapshot
from matcher.strategy import DEFAULT_STRATEGY, Algorithm, Factor, Strategy
from matcher.topk import top_k

__all__ = ["FactorScore", "HardFilter", "RankedCounselor", "Ranking", "rank"]

_F64 = npt.NDArray[np.float64]


class HardFilter(StrEnum):
    """A condition a counselor must meet to be ranked at all."""

    ACTIVE = "active"
    CAPACITY = "capacity"
    LANGUAGE = "language"
    FORMAT = "format"
    SESSION_TYPE = "session_type"
    AVAILABILITY = "availability"


@dataclass(frozen=True)
class FactorScore:
    """One soft factor of one result; ``contribution = weight * score``."""

    factor: Factor
    score: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class RankedCounselor:
    """One ranked counselor; ``rank`` is 1-based."""

    counselor_id: str
    display_name: str
    rank: int
    score: float
    factors: tuple[FactorScore, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Ranking:
    """The top results, how many counselors were eligible and why the others were not."""

    results: tuple[RankedCounselor, ...]
    eligible_count: int
    exclusions: Mapping[HardFilter, int]
    catalog_version: int
    catalog_size: int
    strategy: Strategy


# --------------------------------------------------------------------------- filters


def _filters(snapshot: CatalogSnapshot, query: EncodedIntake) -> dict[HardFilter, npt.NDArray[np.uint64]]:
    """Evaluate every applicable hard filter over the whole catalog, on the bitmap index.

    Returns
    -------
    dict of HardFilter -> uint64 bitmap of shape (ceil(n / 64),) of the counselors who pass,
    for the applicable filters only
    """
    index = snapshot.index
    passes = {
        HardFilter.ACTIVE: index.flags[ROW_ACTIVE],
        HardFilter.CAPACITY: index.flags[ROW_HAS_ROOM],
        HardFilter.LANGUAGE: any_of(index.languages, [bit_index(b) for b in query.language_bits]),
        HardFilter.SESSION_TYPE: index.session_types[bit_index(query.session_type_bit)],
    }
    if query.format_mask:
        rows = [i for i in range(query.format_mask.bit_length()) if query.format_mask >> i & 1]
        passes[HardFilter.FORMAT] = any_of(index.formats, rows)
    if query.slot_words is not None:  # the client gave windows; none can be shared if they hold no slot
        passes[HardFilter.AVAILABILITY] = (
            any_of_runs(index.slots, query.slot_runs)
            if query.slot_runs
            else np.zeros(index.slots.shape[1], dtype=np.uint64)
        )
    return passes


def _shared_slots(snapshot: CatalogSnapshot, rows: npt.NDArray[np.intp], query: EncodedIntake) -> _F64:
    """Share of the client's weekly slots each counselor at ``rows`` is also free in, shape (m,)."""
    assert query.slot_words is not None
    words = np.take(snapshot.slot_words, rows, axis=1)  # (SLOT_WORDS, m); faster than [:, rows]
    words &= query.slot_words[:, None]
    shared: _F64 = np.bitwise_count(words).sum(axis=0, dtype=np.int64) / float(query.slot_count)
    return shared


# --------------------------------------------------------------------------- factors


def _concern_scores(snapshot: CatalogSnapshot, rows: npt.NDArray[np.intp], query: EncodedIntake) -> _F64:
    """sum_i p_i * proficiency_i / sum_i p_i for the counselors at ``rows`` (shape (m,))."""
    primary = snapshot.primary[rows]
    secondary = snapshot.secondary[rows]
    # Twice the numerator, in integers: 2 per primary concern, 1 per secondary one.
    twice = np.zeros(rows.shape[0], dtype=np.int64)
    for priority, mask in query.concern_groups:
        m = np.uint64(mask)
        hits = 2 * np.bitwise_count(primary & m).astype(np.int64) + np.bitwise_count(secondary & m)
        twice += priority * hits if priority != 1 else hits
    return twice / float(2 * query.priority_total)


def _language_scores(snapshot: CatalogSnapshot, rows: npt.NDArray[np.intp], query: EncodedIntake) -> _F64:
    """max over shared languages of 1/(j+1), j the position in the client's list (shape (m,))."""
    if len(query.language_bits) == 1:  # every eligible counselor speaks it
        return np.ones(rows.shape[0], dtype=np.float64)
    spoken = snapshot.languages[rows]
    scores = np.zeros(rows.shape[0], dtype=np.float64)
    for j in range(len(query.language_bits) - 1, -1, -1):  # the first language is written last
        scores[(spoken & np.uint64(query.language_bits[j])) != 0] = 1.0 / (j + 1)
    return scores


def _factor_scores(
    snapshot: CatalogSnapshot, rows: npt.NDArray[np.intp], query: EncodedIntake
) -> dict[Factor, _F64]:
    """Score every applicable factor for the counselors at ``rows``; each array has shape (m,)."""
    out: dict[Factor, _F64] = {}
    for factor in query.factors:
        if factor is Factor.CONCERN:
            out[factor] = _concern_scores(snapshot, rows, query)
        elif factor is Factor.APPROACH:
            offered = np.bitwise_count(snapshot.approaches[rows] & np.uint64(query.approach_mask))
            out[factor] = offered / float(query.approach_count)
        elif factor is Factor.LANGUAGE:
            out[factor] = _language_scores(snapshot, rows, query)
        elif factor is Factor.AVAILABILITY:
            out[factor] = _shared_slots(snapshot, rows, query)
    return out


# --------------------------------------------------------------------------- ranking


def rank(
    snapshot: CatalogSnapshot,
    intake: Intake,
    strategy: Strategy = DEFAULT_STRATEGY,
    k: int = 10,
    *,
    seed: int = 0,
) -> Ranking:
    """Rank the counselors of ``snapshot`` for a validated ``intake``.

    Parameters
    ----------
    snapshot : the catalog to rank
    intake : the client's preferences, already checked by ``validate_intake``
    strategy : the weights (and algorithm) to rank with
    k : how many results to return at most (>= 1)
    seed : seeds the draw of ``Algorithm.RANDOM_ELIGIBLE`` (ignored otherwise)

    Raises
    ------
    ValueError
        If ``k < 1``.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    query = encode_intake(intake, strategy)
    passes = _filters(snapshot, query)
    n = len(snapshot)
    exclusions = MappingProxyType({f: (n - count(passes[f])) if f in passes else 0 for f in HardFilter})
    bitmaps = list(passes.values())
    eligible = bitmaps[0] & bitmaps[1]
    for bitmap in bitmaps[2:]:
        eligible &= bitmap
    rows = set_rows(eligible)

    def ranking(results: tuple[RankedCounselor, ...]) -> Ranking:
        return Ranking(results, int(rows.shape[0]), exclusions, snapshot.version, n, strategy)

    if rows.shape[0] == 0:
        return ranking(())
    scores = _factor_scores(snapshot, rows, query)
    total = np.zeros(rows.shape[0], dtype=np.float64)
    for factor in query.factors:
        total += query.weights[factor] * scores[factor]
    np.minimum(total, 1.0, out=total)  # renormalised weights may sum to 1 + 1 ulp
    if strategy.algorithm == Algorithm.RANDOM_ELIGIBLE:
        rng = np.random.default_rng(seed)
        chosen = rng.choice(rows.shape[0], size=min(k, rows.shape[0]), replace=False)
    else:
        chosen = top_k(total, k)
    writer = ReasonWriter(intake)
    results = []
    for place, pos in enumerate(chosen.tolist(), start=1):
        row = int(rows[pos])
        profile = snapshot.profiles[row]
        factors = tuple(
            FactorScore(f, float(scores[f][pos]), query.weights[f], query.weights[f] * float(scores[f][pos]))
            for f in query.factors
        )
        results.append(
            RankedCounselor(
                counselor_id=profile.id,
                display_name=profile.display_name,
                rank=place,
                score=float(total[pos]),
                factors=factors,
                reasons=writer.explain(profile, words_to_int(snapshot.slot_words[:, row])),
            )
        )
    return ranking(tuple(results))
