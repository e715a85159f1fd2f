"""Domain -> proto for rankings: the response of every ``RankCounselors`` call.

This runs once per ranking, on the server's event loop, so it is written for speed:
``add()`` on the repeated fields (about twice as fast as nested constructor calls),
``StrEnum`` members passed as the strings they are (reading ``.value`` forty times per
ranking cost about 15 µs under cProfile), and each result's factor scores encoded
once per distinct set of scores (:func:`_encoded_factors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attune.v1 import matching_pb2

if TYPE_CHECKING:  # annotations only: keeps the CLI from importing scipy
    from matcher.engine.ranking import FactorScore, Ranking
    from matcher.experiments import Assignment

__all__ = ["ranking_to_proto"]

#: Bound of the table of encoded factor scores (emptied when full).
_MAX_ENCODED = 4096
_encoded: dict[tuple[FactorScore, ...], bytes] = {}


def _encoded_factors(factors: tuple[FactorScore, ...]) -> bytes:
    """``factors`` as the wire bytes of ``RankedCounselor.factors``, to merge into a result.

    Scores are shares with small denominators and weights come from few strategies,
    so results keep repeating the same factor scores (613 distinct sets over the 2,000
    results of 200 synthetic intakes): merging their bytes, made on first use, costs
    about a third of adding four messages field by field.
    """
    encoded = _encoded.get(factors)
    if encoded is None:
        if len(_encoded) >= _MAX_ENCODED:
            _encoded.clear()
        message = matching_pb2.RankedCounselor()
        add_factor = message.factors.add
        for factor, score, weight, contribution in factors:
            add_factor(factor=factor, score=score, weight=weight, contribution=contribution)
        encoded = _encoded[factors] = message.SerializeToString()
    return encoded


def ranking_to_proto(
    ranking: Ranking, ranking_id: str, assignment: Assignment | None = None
) -> matching_pb2.RankCounselorsResponse:
    """Encode a ranking, the id it was logged under and the experiment arm that chose its strategy."""
    response = matching_pb2.RankCounselorsResponse(
        ranking_id=ranking_id,
        experiment_key=assignment.experiment_key if assignment else "",
        experiment_arm=assignment.arm if assignment else "",
        experiment_phase=assignment.phase if assignment else 0,
        strategy_name=ranking.strategy.name,
        strategy_version=ranking.strategy.version,
        catalog_version=ranking.catalog_version,
        catalog_size=ranking.catalog_size,
        eligible_count=ranking.eligible_count,
    )
    add_exclusion = response.exclusions.add
    for hard_filter, count in ranking.exclusions.items():
        add_exclusion(filter=hard_filter, excluded_count=count)
    for relaxation in ranking.relaxations:
        response.relaxations.add(
            attribute=relaxation.attribute, added_count=relaxation.added, suggestion=relaxation.suggestion
        )
    add_result = response.results.add
    for r in ranking.results:
        add_result(
            counselor_id=r.counselor_id,
            display_name=r.display_name,
            rank=r.rank,
            score=r.score,
            reasons=r.reasons,
        ).MergeFromString(_encoded_factors(r.factors))
    return response
