"""The running service driven with a raw gRPC client: happy paths and every bad input."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import code_pb2, error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from attune.v1 import common_pb2, counselor_pb2, counselor_pb2_grpc, matching_pb2, matching_pb2_grpc
from tests.e2e.conftest import DEMO_COUNT, RunningService

TIMEOUT = 10


def good_intake(**changes: object) -> matching_pb2.Intake:
    intake = matching_pb2.Intake(
        client_id="client-e2e-1",
        concerns=[
            matching_pb2.ConcernPreference(concern="anxiety", priority=3),
            matching_pb2.ConcernPreference(concern="grief"),
        ],
        formats=[common_pb2.SESSION_FORMAT_VIDEO],
        session_type=common_pb2.SESSION_TYPE_INDIVIDUAL,
        languages=["en"],
        jurisdiction="US-CA",
        age_group="adult",
        availability=common_pb2.Availability(
            time_zone="America/Chicago",
            windows=[
                common_pb2.WeeklyWindow(
                    day=common_pb2.DAY_OF_WEEK_TUESDAY, start_minute=9 * 60, end_minute=17 * 60
                ),
                common_pb2.WeeklyWindow(
                    day=common_pb2.DAY_OF_WEEK_THURSDAY, start_minute=9 * 60, end_minute=17 * 60
                ),
            ],
        ),
    )
    for key, value in changes.items():
        field = getattr(intake, key)
        if isinstance(value, list):
            del field[:]
            field.extend(value)
        elif hasattr(field, "CopyFrom"):
            field.CopyFrom(value)  # type: ignore[arg-type]
        else:
            setattr(intake, key, value)
    return intake


def violations(error: grpc.RpcError) -> dict[str, str]:
    """The BadRequest field violations of a failed call, by field."""
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    status = rpc_status.from_call(error)
    assert status is not None and status.code == code_pb2.INVALID_ARGUMENT
    found: dict[str, str] = {}
    reasons = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            found.update({v.field: v.description for v in bad.field_violations})
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reasons.append((info.domain, info.reason))
    assert reasons == [("attune", "INVALID_ARGUMENT")]
    return found


def test_rank_returns_ranked_counselors_with_reasons(
    matching_stub: matching_pb2_grpc.MatchingServiceStub,
) -> None:
    response = matching_stub.RankCounselors(
        matching_pb2.RankCounselorsRequest(intake=good_intake(), page_size=5), timeout=TIMEOUT
    )
    assert 1 <= len(response.results) <= 5
    assert [r.rank for r in response.results] == list(range(1, len(response.results) + 1))
    scores = [r.score for r in response.results]
    assert scores == sorted(scores, reverse=True)
    for r in response.results:
        assert 0 <= r.score <= 1
        assert r.score == pytest.approx(sum(f.contribution for f in r.factors))
        assert {f.factor for f in r.factors} == {"concern", "language", "availability"}  # no approach asked
        assert r.reasons and all(isinstance(x, str) and x for x in r.reasons)
    assert response.ranking_id and response.strategy_name == "balanced-v1" and response.strategy_version == 1
    assert response.catalog_size == DEMO_COUNT and response.catalog_version >= 1
    assert response.eligible_count >= len(response.results)
    assert {e.filter for e in response.exclusions} >= {
        "active",
        "capacity",
        "language",
        "format",
        "session_type",
    }


def test_default_page_size_is_ten_and_large_is_capped(
    matching_stub: matching_pb2_grpc.MatchingServiceStub,
) -> None:
    default = matching_stub.RankCounselors(
        matching_pb2.RankCounselorsRequest(intake=good_intake()), timeout=TIMEOUT
    )
    assert len(default.results) == min(10, default.eligible_count)
    big = matching_stub.RankCounselors(
        matching_pb2.RankCounselorsRequest(
            intake=good_intake(availability=common_pb2.Availability()), page_size=1000
        ),
        timeout=TIMEOUT,
    )
    assert len(big.results) == min(100, big.eligible_count)


def test_nobody_qualifies_is_ok_with_exclusion_counts(
    matching_stub: matching_pb2_grpc.MatchingServiceStub,
) -> None:
    # No counselor of the demo catalog is licensed in American Samoa: every one fails licensure,
    # counted under licensure_missing when no licence at all is on file.
    response = matching_stub.RankCounselors(
        matching_pb2.RankCounselorsRequest(intake=good_intake(jurisdiction="US-AS")), timeout=TIMEOUT
    )
    counts = {e.filter: e.excluded_count for e in response.exclusions}
    assert response.eligible_count == 0 and not response.results
    assert counts["licensure"] + counts["licensure_missing"] == response.catalog_size == DEMO_COUNT
    assert counts["licensure_missing"] > 0  # the synthetic catalog has a few counselors with none
    assert counts["capacity"] > 0  # the other filters are still counted over the whole catalog


@pytest.mark.parametrize(
    ("request_changes", "field", "mentions"),
    [
        (
            {"concerns": [matching_pb2.ConcernPreference(concern="anxeity")]},
            "intake.concerns[0].concern",
            "did you mean 'anxiety'?",
        ),
        ({"concerns": []}, "intake.concerns", "at least one concern is required; GetVocabulary"),
        ({"languages": ["xx"]}, "intake.languages[0]", "unknown language 'xx'; GetVocabulary"),
        ({"languages": []}, "intake.languages", "at least one language is required; GetVocabulary"),
        ({"approaches": ["hypnosis"]}, "intake.approaches[0]", "unknown approach 'hypnosis'; GetVocabulary"),
        ({"jurisdiction": ""}, "intake.jurisdiction", "required: one jurisdiction code"),
        ({"jurisdiction": "US-XX"}, "intake.jurisdiction", "unknown jurisdiction 'US-XX'; GetVocabulary"),
        ({"age_group": ""}, "intake.age_group", "required: one age group code"),
        ({"age_group": "kid"}, "intake.age_group", "unknown age group 'kid'; allowed: child, teen"),
        ({"genders": ["woman", "female"]}, "intake.genders[1]", "unknown gender 'female'"),
        ({"identities": ["queer"]}, "intake.identities[0]", "unknown identity attribute 'queer'"),
        (
            {"preferences": [matching_pb2.Preference(attribute="gender", importance=9)]},
            "intake.preferences[0].importance",
            "must be between 1 and 5",
        ),
        (
            {"preferences": [matching_pb2.Preference(attribute="colour")]},
            "intake.preferences[0].attribute",
            "unknown preference 'colour'",
        ),
        (
            {
                "preferences": [
                    matching_pb2.Preference(attribute="gender", requirement=matching_pb2.REQUIREMENT_REQUIRED)
                ]
            },
            "intake.preferences[0].requirement",
            "gender is required but the intake gives no gender",
        ),
        (
            {"preferences": [matching_pb2.Preference(attribute="format", requirement=9)]},  # type: ignore[arg-type]
            "intake.preferences[0].requirement",
            "REQUIREMENT_PREFERRED",
        ),
        ({"formats": [7]}, "intake.formats[0]", "SESSION_FORMAT_VIDEO"),
        ({"session_type": 0}, "intake.session_type", "SESSION_TYPE_INDIVIDUAL"),
        ({"client_id": ""}, "intake.client_id", "pseudonymous"),
        (
            {
                "availability": common_pb2.Availability(
                    time_zone="Mars/Olympus",
                    windows=[common_pb2.WeeklyWindow(day=1, start_minute=600, end_minute=660)],
                )
            },
            "intake.availability.time_zone",
            "IANA",
        ),
        (
            {
                "availability": common_pb2.Availability(
                    time_zone="UTC",
                    windows=[common_pb2.WeeklyWindow(day=1, start_minute=600, end_minute=540)],
                )
            },
            "intake.availability.windows[0]",
            "inverted",
        ),
        (
            {
                "availability": common_pb2.Availability(
                    time_zone="UTC",
                    windows=[common_pb2.WeeklyWindow(day=1, start_minute=600, end_minute=600)],
                )
            },
            "intake.availability.windows[0]",
            "empty",
        ),
        (
            {
                "availability": common_pb2.Availability(
                    time_zone="UTC",
                    windows=[common_pb2.WeeklyWindow(day=0, start_minute=600, end_minute=660)],
                )
            },
            "intake.availability.windows[0].day",
            "DAY_OF_WEEK_MONDAY",
        ),
    ],
)
def test_bad_intake_is_invalid_argument_naming_the_field(
    matching_stub: matching_pb2_grpc.MatchingServiceStub,
    request_changes: dict[str, object],
    field: str,
    mentions: str,
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        matching_stub.RankCounselors(
            matching_pb2.RankCounselorsRequest(intake=good_intake(**request_changes)), timeout=TIMEOUT
        )
    found = violations(caught.value)
    assert field in found, found
    assert mentions in found[field]


def test_negative_page_size_and_empty_intake(matching_stub: matching_pb2_grpc.MatchingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        matching_stub.RankCounselors(
            matching_pb2.RankCounselorsRequest(intake=good_intake(), page_size=-1), timeout=TIMEOUT
        )
    assert "page_size" in violations(caught.value)
    with pytest.raises(grpc.RpcError) as caught:
        matching_stub.RankCounselors(matching_pb2.RankCounselorsRequest(), timeout=TIMEOUT)
    assert "intake" in violations(caught.value)
    with pytest.raises(grpc.RpcError) as caught:
        matching_stub.RankCounselors(
            matching_pb2.RankCounselorsRequest(intake=good_intake(), strategy="nope"), timeout=TIMEOUT
        )
    assert "balanced-v1@1" in violations(caught.value)["strategy"]


def test_counselor_crud_and_pagination(counselor_stub: counselor_pb2_grpc.CounselorServiceStub) -> None:
    new = counselor_pb2.Counselor(
        display_name="Dr. Ada Test",
        credentials=["PhD"],
        specialties=[counselor_pb2.Specialty(concern="grief", proficiency=common_pb2.PROFICIENCY_PRIMARY)],
        approaches=["act"],
        formats=[common_pb2.SESSION_FORMAT_PHONE],
        session_types=[common_pb2.SESSION_TYPE_INDIVIDUAL],
        languages=["de", "en"],
        availability=common_pb2.Availability(
            time_zone="Europe/Berlin",
            windows=[
                common_pb2.WeeklyWindow(day=common_pb2.DAY_OF_WEEK_MONDAY, start_minute=480, end_minute=720)
            ],
        ),
        accepting_new_clients=True,
        caseload_max=20,
        active=True,
    )
    created = counselor_stub.CreateCounselor(
        counselor_pb2.CreateCounselorRequest(counselor=new, counselor_id="ada-test"), timeout=TIMEOUT
    ).counselor
    assert created.id == "ada-test" and created.languages == ["de", "en"] and created.create_time.seconds > 0
    with pytest.raises(grpc.RpcError) as caught:
        counselor_stub.CreateCounselor(
            counselor_pb2.CreateCounselorRequest(counselor=new, counselor_id="ada-test"), timeout=TIMEOUT
        )
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS

    updated = counselor_stub.UpdateCounselor(
        counselor_pb2.UpdateCounselorRequest(
            counselor=counselor_pb2.Counselor(id="ada-test", caseload_current=5, display_name="ignored"),
            update_mask=field_mask_pb2.FieldMask(paths=["caseload_current"]),
        ),
        timeout=TIMEOUT,
    ).counselor
    assert updated.caseload_current == 5 and updated.display_name == "Dr. Ada Test"

    with pytest.raises(grpc.RpcError) as caught:
        counselor_stub.UpdateCounselor(
            counselor_pb2.UpdateCounselorRequest(
                counselor=counselor_pb2.Counselor(
                    id="ada-test", languages=["klingon"], genders=["woman", "robot"]
                ),
                update_mask=field_mask_pb2.FieldMask(paths=["languages", "genders", "create_time"]),
            ),
            timeout=TIMEOUT,
        )
    found = violations(caught.value)
    assert "counselor.languages[0]" in found and "update_mask" in found
    assert found["counselor.genders[1]"].startswith("unknown gender 'robot'")
    still = counselor_stub.GetCounselor(
        counselor_pb2.GetCounselorRequest(id="ada-test"), timeout=TIMEOUT
    ).counselor
    assert still.languages == ["de", "en"]  # a failed write changes nothing

    seen: list[str] = []
    token = ""
    while True:
        page = counselor_stub.ListCounselors(
            counselor_pb2.ListCounselorsRequest(page_size=40, page_token=token), timeout=TIMEOUT
        )
        seen += [c.id for c in page.counselors]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == page.total_size and "ada-test" in seen
    with pytest.raises(grpc.RpcError) as caught:
        counselor_stub.ListCounselors(counselor_pb2.ListCounselorsRequest(page_size=-5), timeout=TIMEOUT)
    assert "page_size" in violations(caught.value)
    with pytest.raises(grpc.RpcError) as caught:
        counselor_stub.ListCounselors(
            counselor_pb2.ListCounselorsRequest(page_token="garbage"), timeout=TIMEOUT
        )
    assert "page_token" in violations(caught.value)

    counselor_stub.DeleteCounselor(counselor_pb2.DeleteCounselorRequest(id="ada-test"), timeout=TIMEOUT)
    with pytest.raises(grpc.RpcError) as caught:
        counselor_stub.GetCounselor(counselor_pb2.GetCounselorRequest(id="ada-test"), timeout=TIMEOUT)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_new_counselor_is_ranked_immediately(
    counselor_stub: counselor_pb2_grpc.CounselorServiceStub,
    matching_stub: matching_pb2_grpc.MatchingServiceStub,
) -> None:
    unique = counselor_pb2.Counselor(
        display_name="Only Amharic Speaker",
        specialties=[counselor_pb2.Specialty(concern="ptsd", proficiency=common_pb2.PROFICIENCY_PRIMARY)],
        formats=[common_pb2.SESSION_FORMAT_VIDEO],
        session_types=[common_pb2.SESSION_TYPE_INDIVIDUAL],
        languages=["am"],
        availability=common_pb2.Availability(time_zone="UTC"),
        accepting_new_clients=True,
        caseload_max=10,
        active=True,
        jurisdictions=["US-AS"],  # where no demo counselor is licensed
        age_groups=["adult"],
    )
    created = counselor_stub.CreateCounselor(
        counselor_pb2.CreateCounselorRequest(counselor=unique), timeout=TIMEOUT
    ).counselor
    try:
        response = matching_stub.RankCounselors(
            matching_pb2.RankCounselorsRequest(
                intake=good_intake(
                    languages=["am"],
                    concerns=[matching_pb2.ConcernPreference(concern="ptsd")],
                    availability=common_pb2.Availability(),
                    jurisdiction="US-AS",
                )
            ),
            timeout=TIMEOUT,
        )
        assert [r.counselor_id for r in response.results] == [created.id]
        assert "treats PTSD (primary)" in response.results[0].reasons
    finally:
        counselor_stub.DeleteCounselor(counselor_pb2.DeleteCounselorRequest(id=created.id), timeout=TIMEOUT)


def test_vocabulary_lists_every_code_the_api_accepts(
    matching_stub: matching_pb2_grpc.MatchingServiceStub,
) -> None:
    vocabulary = matching_stub.GetVocabulary(matching_pb2.GetVocabularyRequest(), timeout=10)
    codes = {
        name: [t.code for t in getattr(vocabulary, name)]
        for name in ("concerns", "approaches", "languages", "session_formats", "session_types")
    }
    assert "anxiety" in codes["concerns"] and "cbt" in codes["approaches"] and "es" in codes["languages"]
    # the enums of the API, by the codes files and the CLI use
    formats = [n.removeprefix("SESSION_FORMAT_").lower() for n in common_pb2.SessionFormat.keys()[1:]]
    types = [n.removeprefix("SESSION_TYPE_").lower() for n in common_pb2.SessionType.keys()[1:]]
    assert codes["session_formats"] == formats == ["video", "phone", "in_person"]
    assert codes["session_types"] == types == ["individual", "couples", "family"]
    assert all(t.label for name in codes for t in getattr(vocabulary, name))


def test_health_and_reflection(demo_service: RunningService) -> None:
    with demo_service.channel() as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "attune.v1.MatchingService", "attune.v1.CounselorService"):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=TIMEOUT
        )
        names = {s.name for r in replies for s in r.list_services_response.service}
        assert {"attune.v1.MatchingService", "attune.v1.CounselorService", "grpc.health.v1.Health"} <= names


def test_logs_never_contain_intake_details(
    demo_service: RunningService, matching_stub: matching_pb2_grpc.MatchingServiceStub
) -> None:
    matching_stub.RankCounselors(
        matching_pb2.RankCounselorsRequest(
            intake=good_intake(
                client_id="client-secret-42", concerns=[matching_pb2.ConcernPreference(concern="self_harm")]
            )
        ),
        timeout=TIMEOUT,
    )
    with pytest.raises(grpc.RpcError):
        matching_stub.RankCounselors(
            matching_pb2.RankCounselorsRequest(
                intake=good_intake(concerns=[matching_pb2.ConcernPreference(concern="suicidal-thoughts")])
            ),
            timeout=TIMEOUT,
        )
    # the service is still running: read what it logged so far without stopping it
    import os
    import select

    stream = demo_service.process.stderr
    assert stream is not None
    os.set_blocking(stream.fileno(), False)
    while select.select([stream], [], [], 0.5)[0]:
        chunk = stream.read()
        if not chunk:
            break
        demo_service.log_lines.extend(chunk.splitlines())
    os.set_blocking(stream.fileno(), True)
    text = "\n".join(demo_service.log_lines)
    for secret in ("self_harm", "suicidal-thoughts", "client-secret-42", "anxiety", "grief"):
        assert secret not in text
