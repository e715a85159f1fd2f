"""``attune.v1.MatchingService`` (gRPC adapter): thin, converts, calls the matching use case,
converts back."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from attune.v1 import matching_pb2, matching_pb2_grpc
from matcher.attributes import ATTRIBUTES, FACTORS, FILTERS
from matcher.vocabulary import APPROACHES, CONCERNS, LANGUAGES, SESSION_FORMATS, SESSION_TYPES
from service.api.convert.catalog import rank_request_from_proto
from service.api.convert.experiments import outcome_event_from_proto
from service.api.convert.preferences import preference_attributes
from service.api.convert.ranking import ranking_to_proto
from service.usecases.matching import Matching

__all__ = ["MatchingServicer"]


def _terms(vocabulary: Mapping[str, str]) -> list[matching_pb2.VocabularyTerm]:
    return [matching_pb2.VocabularyTerm(code=code, label=label) for code, label in vocabulary.items()]


class MatchingServicer(matching_pb2_grpc.MatchingServiceServicer):
    """Ranks counselors for an intake."""

    def __init__(self, matching: Matching) -> None:
        self._matching = matching

    def RankCounselors(
        self, request: matching_pb2.RankCounselorsRequest, context: grpc.ServicerContext
    ) -> matching_pb2.RankCounselorsResponse:
        intake, top_k = rank_request_from_proto(request)
        result = self._matching.rank(intake, top_k, request.strategy)
        return ranking_to_proto(result.ranking, result.ranking_id, result.assignment)

    def RecordOutcome(
        self, request: matching_pb2.RecordOutcomeRequest, context: grpc.ServicerContext
    ) -> matching_pb2.RecordOutcomeResponse:
        event = outcome_event_from_proto(request.event)
        is_new = self._matching.record_outcome(request.ranking_id, request.counselor_id, event)
        return matching_pb2.RecordOutcomeResponse(duplicate=not is_new)

    def GetVocabulary(
        self, request: matching_pb2.GetVocabularyRequest, context: grpc.ServicerContext
    ) -> matching_pb2.GetVocabularyResponse:
        return matching_pb2.GetVocabularyResponse(
            concerns=_terms(CONCERNS),
            approaches=_terms(APPROACHES),
            languages=_terms(LANGUAGES),
            session_formats=_terms(SESSION_FORMATS),
            session_types=_terms(SESSION_TYPES),
            vocabularies=[
                matching_pb2.Vocabulary(attribute=a.name, noun=a.noun, terms=_terms(a.vocabulary))
                for a in ATTRIBUTES
                if a.vocabulary
            ],
            filters=FILTERS,
            factors=FACTORS,
            preferences=preference_attributes(),
        )
