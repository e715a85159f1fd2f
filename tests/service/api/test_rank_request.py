"""Decoding a ``RankCounselorsRequest``: every problem reported together, with its field path."""

from __future__ import annotations

import pytest

from attune.v1 import common_pb2, matching_pb2
from matcher.errors import InvalidInput
from service.api.convert.catalog import rank_request_from_proto
from service.api.paging import DEFAULT_TOP_K, MAX_TOP_K


def intake(**changes: object) -> matching_pb2.Intake:
    msg = matching_pb2.Intake(
        client_id="client-1",
        concerns=[matching_pb2.ConcernPreference(concern="anxiety", priority=2)],
        formats=[common_pb2.SESSION_FORMAT_VIDEO],
        session_type=common_pb2.SESSION_TYPE_INDIVIDUAL,
        languages=["es", "en"],
        jurisdiction="US-IL",
        age_group="adult",
    )
    for name, value in changes.items():
        msg.ClearField(name)
        if isinstance(value, list):
            getattr(msg, name).extend(value)
        else:
            setattr(msg, name, value)
    return msg


@pytest.mark.parametrize(
    ("page_size", "top_k"), [(0, DEFAULT_TOP_K), (1, 1), (MAX_TOP_K, MAX_TOP_K), (MAX_TOP_K + 1, MAX_TOP_K)]
)
def test_page_size_is_the_number_of_results(page_size: int, top_k: int) -> None:
    decoded, k = rank_request_from_proto(
        matching_pb2.RankCounselorsRequest(intake=intake(), page_size=page_size)
    )
    assert k == top_k
    assert decoded.client_id == "client-1"
    assert decoded.languages == ("es", "en")
    assert [(c.concern, c.priority) for c in decoded.concerns] == [("anxiety", 2)]


def test_every_problem_is_reported_at_once() -> None:
    request = matching_pb2.RankCounselorsRequest(
        intake=intake(concerns=[matching_pb2.ConcernPreference(concern="not-a-concern")]), page_size=-1
    )
    with pytest.raises(InvalidInput) as raised:
        rank_request_from_proto(request)
    fields = {v.field: v.description for v in raised.value.violations}
    assert fields["page_size"] == (
        f"must be 0 or more (0 means {DEFAULT_TOP_K}; above {MAX_TOP_K} means {MAX_TOP_K}); got -1"
    )
    assert fields["intake.concerns[0].concern"] == (
        "unknown concern 'not-a-concern'; GetVocabulary (`attune vocabulary`) lists the concern codes"
    )


def test_a_request_without_intake_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        rank_request_from_proto(matching_pb2.RankCounselorsRequest(page_size=5))
    assert [v.field for v in raised.value.violations] == ["intake"]


@pytest.mark.parametrize(
    ("jurisdiction", "message"),
    [
        (
            "",
            "required: one jurisdiction code; GetVocabulary (`attune vocabulary`) lists the "
            "jurisdiction codes",
        ),
        (
            "US-ZZ",
            "unknown jurisdiction 'US-ZZ'; GetVocabulary (`attune vocabulary`) lists the jurisdiction codes",
        ),
        (
            "US-Il",
            "unknown jurisdiction 'US-Il'; did you mean 'US-IL'? GetVocabulary (`attune vocabulary`) "
            "lists the jurisdiction codes",
        ),
    ],
)
def test_where_the_client_will_be_is_required_and_must_be_a_known_jurisdiction(
    jurisdiction: str, message: str
) -> None:
    request = matching_pb2.RankCounselorsRequest(intake=intake(jurisdiction=jurisdiction))
    with pytest.raises(InvalidInput) as raised:
        rank_request_from_proto(request)
    assert [(v.field, v.description) for v in raised.value.violations] == [("intake.jurisdiction", message)]
