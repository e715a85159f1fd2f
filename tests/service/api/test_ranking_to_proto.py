"""Encoding a ranking: every field as the domain has it, the cached factor encodings included."""

from __future__ import annotations

import pytest

from attune.v1 import matching_pb2
from matcher.engine.ranking import Ranking, rank
from matcher.engine.snapshot import CatalogSnapshot
from matcher.experiments import Assignment
from matcher.strategy import DEFAULT_STRATEGY
from matcher.synthetic import synthetic_counselors, synthetic_intakes
from service.api.convert import ranking as encoding
from service.api.convert.ranking import ranking_to_proto


def field_by_field(
    ranking: Ranking, ranking_id: str, assignment: Assignment | None
) -> matching_pb2.RankCounselorsResponse:
    """The plain encoding: nested constructors, no cache."""
    return matching_pb2.RankCounselorsResponse(
        ranking_id=ranking_id,
        experiment_key=assignment.experiment_key if assignment else "",
        experiment_arm=assignment.arm if assignment else "",
        experiment_phase=assignment.phase if assignment else 0,
        strategy_name=ranking.strategy.name,
        strategy_version=ranking.strategy.version,
        catalog_version=ranking.catalog_version,
        catalog_size=ranking.catalog_size,
        eligible_count=ranking.eligible_count,
        exclusions=[
            matching_pb2.FilterExclusion(filter=f, excluded_count=n) for f, n in ranking.exclusions.items()
        ],
        results=[
            matching_pb2.RankedCounselor(
                counselor_id=r.counselor_id,
                display_name=r.display_name,
                rank=r.rank,
                score=r.score,
                reasons=list(r.reasons),
                factors=[
                    matching_pb2.FactorScore(
                        factor=f.factor, score=f.score, weight=f.weight, contribution=f.contribution
                    )
                    for f in r.factors
                ],
            )
            for r in ranking.results
        ],
        relaxations=[
            matching_pb2.Relaxation(attribute=r.attribute, added_count=r.added, suggestion=r.suggestion)
            for r in ranking.relaxations
        ],
    )


@pytest.fixture(scope="module")
def rankings() -> list[Ranking]:
    snapshot = CatalogSnapshot.build(synthetic_counselors(400, seed=3), version=5)
    return [rank(snapshot, intake, DEFAULT_STRATEGY, k=10) for intake in synthetic_intakes(40, seed=4)]


def test_the_response_holds_every_field_of_the_ranking(rankings: list[Ranking]) -> None:
    arm = Assignment("exp-1", 2, "treatment", "balanced-v1@1", bucket=42)
    factors = 0
    for i, ranking in enumerate(rankings):
        assignment = arm if i % 2 else None
        encoded = ranking_to_proto(ranking, f"r-{i}", assignment)
        assert encoded == field_by_field(ranking, f"r-{i}", assignment)
        factors += sum(len(r.factors) for r in encoded.results)
    assert factors > 100  # the intakes have results, and their factors were compared
    assert sum(len(r.relaxations) for r in rankings) > 5  # a catalog of 400 often offers too few


def test_a_full_table_of_encoded_factors_is_emptied_and_refilled(
    rankings: list[Ranking], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "_MAX_ENCODED", 3)
    monkeypatch.setattr(encoding, "_encoded", {})
    distinct = {r.factors for ranking in rankings for r in ranking.results}
    assert len(distinct) > 3  # the table fills up several times
    for i, ranking in enumerate(rankings):
        assert ranking_to_proto(ranking, f"r-{i}") == field_by_field(ranking, f"r-{i}", None)
        assert len(encoding._encoded) <= 3
