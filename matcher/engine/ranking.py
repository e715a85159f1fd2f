"""The ranking engine.

:func:`rank` scores a validated intake against a :class:`CatalogSnapshot` in one
compiled pass over the catalog (:func:`matcher.engine.kernel.top_k`), with no Python loop
over counselors:

1. **Hard filters** (:data:`~matcher.attributes.FILTERS`), each checked for every
   counselor so that ``Ranking.exclusions[f]`` counts every counselor failing ``f`` (a
   counselor can fail several). A filter that does not apply to the intake reports 0. The
   client's own preferences (languages, formats, approaches, concerns, gender, identity) are
   hard filters when the client requires them (:mod:`matcher.preferences`).
2. **Soft factors** (:data:`~matcher.attributes.FACTORS`) in [0, 1], computed only for
   the eligible counselors, each as its attribute declares: concern (priority-weighted
   proficiency, primary 1.0, secondary 0.5), approach and identity (share of the client's
   codes offered), language and format (1/(j+1) for the client's j-th choice, the best one
   shared), gender (1 if any of the client's), availability (share of the client's weekly
   slots the counselor also has, both placed in the snapshot's week: :mod:`matcher.week`).
3. **Total**: the strategy's weights (a factor it does not weigh takes its declared default),
   times ``importance / 3`` for a preference the client gave an importance, renormalised over
   the applicable factors, so the total is in [0, 1] (capped at 1 against a rounding excess
   of one ulp).
4. **Order**: score descending, then counselor id ascending; the kernel keeps the
   top ``k`` as it goes. Concerns only preferred *tier*: counselors who treat none of them
   come after every counselor who treats one, and fill the list only when fewer than ``k``
   do (a second pass). ``Algorithm.RANDOM_ELIGIBLE``, the control of experiments, has no
   tiers: it orders the eligible counselors (taken in id order) by a seeded random draw,
   ``np.random.default_rng(seed).choice(m, size=min(k, m), replace=False)``.
5. **Relaxations**: when fewer than ``k`` counselors qualify, up to :data:`MAX_RELAXATIONS`
   requirements the client could relax, each with the number of counselors it would add (those
   who fail it and no other hard filter), most first. They are counted in one more pass over the
   bit index, made only then (counting them in every scan cost a quarter of the kernel's time).

The intake is compiled once (:func:`~matcher.engine.query.compile_query`) into the query
that filtering, scoring and the reasons read. Reasons are written only for the returned
results (:mod:`matcher.explain.reasons`).
:func:`warm_up` compiles the kernels ahead of the first ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import getitem
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from matcher.attributes import BY_NAME, FACTOR_BY_NAME, FILTERS, Scoring
from matcher.engine import kernel
from matcher.engine.kernel import warm_up
from matcher.engine.query import KernelQuery, Query, compile_query
from matcher.engine.snapshot import CatalogSnapshot
from matcher.explain.reasons import ReasonWriter
from matcher.model import Intake
from matcher.strategy import DEFAULT_STRATEGY, Algorithm, Strategy

__all__ = [
    "MAX_RELAXATIONS",
    "FactorScore",
    "RankedCounselor",
    "Ranking",
    "Relaxation",
    "rank",
    "warm_up",
    "without_tier",
]


class FactorScore(NamedTuple):
    """One soft factor of one result; ``contribution = weight * score``.

    A named tuple rather than a dataclass: a ranking creates four per result, and a
    tuple is created in half the time.
    """

    factor: str
    score: float
    weight: float
    contribution: float


class Relaxation(NamedTuple):
    """A requirement the client could relax when too few counselors qualify, and whom it would add.

    ``suggestion`` reads like "any session format"; ``added`` counts the counselors who fail
    that requirement and no other hard filter.
    """

    attribute: str
    added: int
    suggestion: str


#: At most this many relaxations are offered, those adding the most first.
MAX_RELAXATIONS = 3


class RankedCounselor(NamedTuple):
    """One ranked counselor; ``rank`` is 1-based.

    A named tuple, like :class:`FactorScore`: every ranking makes ``k`` of them, and a
    frozen dataclass took four times as long to create.
    """

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
    exclusions: Mapping[str, int]
    catalog_version: int
    catalog_size: int
    strategy: Strategy
    relaxations: tuple[Relaxation, ...] = ()


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
    query = compile_query(intake, strategy, snapshot.week)  # the client's hours in the snapshot's week
    q = query.kernel
    cols = snapshot.columns
    n = len(snapshot)
    if strategy.algorithm == Algorithm.RANDOM_ELIGIBLE:  # a control: no tiers, a uniform draw
        if q.tier_filter >= 0:
            q = without_tier(q)
        eligible, excluded = kernel.eligible_rows(cols, snapshot.index, q)
        m = int(eligible.shape[0])
        picks = np.random.default_rng(seed).choice(m, size=min(k, m), replace=False) if m else eligible
        rows = eligible[picks]
        factors, totals = kernel.score_rows(cols, q, rows)
    else:
        rows, totals, factors, excluded, m, tier_only, _ = kernel.top_k(cols, snapshot.index, q, k)
        if tier_only and m < k:  # too few pass the tier: the best of those who fail it only follow
            wider = kernel.top_k(cols, snapshot.index, without_tier(q), k)
            more = ~np.isin(wider.rows, rows)
            rows = np.concatenate((rows, wider.rows[more][: k - m]))
            totals = np.concatenate((totals, wider.totals[more][: k - m]))
            factors = np.concatenate((factors, wider.factors[more][: k - m]))
        m += tier_only
    if q.tier_filter >= 0:  # only preferred: nobody is excluded by it
        excluded = excluded.copy()
        excluded[q.tier_filter] = 0
    exclusions = MappingProxyType(dict(zip(FILTERS, excluded.tolist(), strict=True)))
    relaxations: tuple[Relaxation, ...] = ()
    if m < k and query.relax.any():  # too few qualify: one more pass counts whom each relaxation adds
        relaxations = _relaxations(
            kernel.relaxation_counts(cols, snapshot.index, query.counting_relaxations())
        )
    results = _results(snapshot, query, rows, totals, factors)
    return Ranking(results, m, exclusions, snapshot.version, n, strategy, relaxations)


def _relaxations(only: npt.NDArray[np.int64]) -> tuple[Relaxation, ...]:
    """The requirements whose relaxing adds someone (``only``: int64 (F,), see ``TopK.only``), best first."""
    offered = [
        Relaxation(name, added, BY_NAME[name].relaxed)
        for name, added in zip(FILTERS, only.tolist(), strict=True)
        if added > 0
    ]
    offered.sort(key=lambda r: -r.added)  # stable: ties in declared order
    return tuple(offered[:MAX_RELAXATIONS])


def without_tier(q: KernelQuery) -> KernelQuery:
    """``q`` with its tier filter no longer applied."""
    given = q.filter_given.copy()
    given[q.tier_filter] = False
    given.flags.writeable = False  # the kernels are compiled for read-only arrays
    return q._replace(filter_given=given, tier_filter=-1)


class _FactorScores(dict[float, FactorScore]):
    """The :class:`FactorScore` of one factor and weight, by score, each made on first use.

    Scores take few distinct values (shares with small denominators), so rankings share
    these immutable tuples rather than making four per result (see :func:`_factor_scores`).
    Scores are never ``-0.0`` or NaN, so equal keys are identical scores.
    """

    __slots__ = ("factor", "weight")

    def __init__(self, factor: str, weight: float) -> None:
        super().__init__()
        self.factor = factor
        self.weight = weight

    def __missing__(self, score: float) -> FactorScore:
        if len(self) >= _MAX_SCORES:
            self.clear()
        made = self[score] = FactorScore(self.factor, score, self.weight, self.weight * score)
        return made


#: Bounds of the shared FactorScore tables: scores per (factor, weight), and (factor, weight) pairs.
_MAX_SCORES = 4096
_MAX_TABLES = 256
_factor_score_tables: dict[tuple[str, float], _FactorScores] = {}


def _factor_scores(factor: str, weight: float) -> _FactorScores:
    """The table of ``factor``'s :class:`FactorScore` at ``weight``, shared by all rankings."""
    table = _factor_score_tables.get((factor, weight))
    if table is None:
        if len(_factor_score_tables) >= _MAX_TABLES:
            _factor_score_tables.clear()
        table = _factor_score_tables[factor, weight] = _FactorScores(factor, weight)
    return table


def _results(
    snapshot: CatalogSnapshot,
    query: Query,
    rows: npt.NDArray[np.int64],
    totals: npt.NDArray[np.float64],
    factors: npt.NDArray[np.float64],
) -> tuple[RankedCounselor, ...]:
    """The results for ``rows`` (m,), with their ``totals`` (m,) and ``factors`` (m, G), and reasons.

    Everything is read from the arrays in bulk.
    """
    near = any(FACTOR_BY_NAME[f].scoring == Scoring.RELATED for f in query.factors)
    writer = ReasonWriter(query.intake, query.slot_words, snapshot.week, near)
    reasons = writer.for_rows(snapshot.columns, rows)
    factor_scores = [_factor_scores(f, query.weights[f]) for f in query.factors]
    scores = factors.tolist()
    profiles = snapshot.profiles.take(rows.tolist())
    return tuple(
        [
            RankedCounselor(p.id, p.display_name, place, total, tuple(map(getitem, factor_scores, s)), why)
            for place, (p, total, s, why) in enumerate(
                zip(profiles, totals.tolist(), scores, reasons, strict=True), start=1
            )
        ]
    )
