"""error_mapped: domain errors become rich statuses, bugs INTERNAL; methods run where they should."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2
from grpc_status import rpc_status

from attune.v1 import matching_pb2, matching_pb2_grpc
from matcher.errors import Conflict, FieldViolation, InvalidInput, NotFound
from service.api.errors import ERROR_DOMAIN, error_mapped, status_for

SERVICE = matching_pb2.DESCRIPTOR.services_by_name["MatchingService"]
RANK = f"/{SERVICE.full_name}/RankCounselors"


class Toy:
    """Each method fails or answers as its request asks, and notes the thread it ran on."""

    def __init__(self) -> None:
        self.threads: dict[str, str] = {}

    def RankCounselors(self, request: matching_pb2.RankCounselorsRequest, context: Any) -> Any:  # noqa: N802
        self.threads["RankCounselors"] = threading.current_thread().name
        if request.strategy == "bad":
            raise InvalidInput(
                [FieldViolation("strategy", "one of: balanced-v1"), FieldViolation("page_size", "x")]
            )
        if request.strategy == "bug":
            raise RuntimeError("a bug, with secrets from the request: anxiety")
        return matching_pb2.RankCounselorsResponse(ranking_id="r-1")

    def RecordOutcome(self, request: matching_pb2.RecordOutcomeRequest, context: Any) -> Any:  # noqa: N802
        self.threads["RecordOutcome"] = threading.current_thread().name
        raise NotFound("ranking", request.ranking_id)

    def GetVocabulary(self, request: Any, context: Any) -> Any:  # noqa: N802
        return matching_pb2.GetVocabularyResponse()


async def _serve_and_call(toy: Toy, calls: list[tuple[str, Any]]) -> list[Any]:
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db")
    server = grpc.aio.server()
    matching_pb2_grpc.add_MatchingServiceServicer_to_server(
        error_mapped(toy, SERVICE, executor, {RANK}), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    results: list[Any] = []
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = matching_pb2_grpc.MatchingServiceStub(channel)
            for method, request in calls:
                call = getattr(stub, method)(request, timeout=10)
                try:
                    results.append(await call)
                except grpc.aio.AioRpcError as error:
                    results.append((error.code(), error.details(), await rpc_status.aio.from_call(call)))
    finally:
        await server.stop(0)
        executor.shutdown()
    return results


def test_domain_errors_become_rich_statuses_and_methods_run_where_they_should(
    caplog: pytest.LogCaptureFixture,
) -> None:
    toy = Toy()
    with caplog.at_level(logging.INFO, logger="service.api.errors"):
        ok, bad, bug, missing = asyncio.run(
            _serve_and_call(
                toy,
                [
                    ("RankCounselors", matching_pb2.RankCounselorsRequest()),
                    ("RankCounselors", matching_pb2.RankCounselorsRequest(strategy="bad")),
                    ("RankCounselors", matching_pb2.RankCounselorsRequest(strategy="bug")),
                    ("RecordOutcome", matching_pb2.RecordOutcomeRequest(ranking_id="r-9")),
                ],
            )
        )
    assert ok.ranking_id == "r-1"

    code, message, status = bad
    assert code == grpc.StatusCode.INVALID_ARGUMENT and status.code == code_pb2.INVALID_ARGUMENT
    assert message == "strategy: one of: balanced-v1 (and 1 more)"
    request_details = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(request_details)
    assert [(v.field, v.description) for v in request_details.field_violations] == [
        ("strategy", "one of: balanced-v1"),
        ("page_size", "x"),
    ]
    info = error_details_pb2.ErrorInfo()
    assert status.details[1].Unpack(info) and info.domain == ERROR_DOMAIN

    code, message, _ = bug
    assert code == grpc.StatusCode.INTERNAL and message == "internal error; it has been logged"
    logged = [r for r in caplog.records if r.getMessage() == "unexpected error"]
    assert len(logged) == 1 and logged[0].exc_info is not None

    code, _, status = missing
    assert code == grpc.StatusCode.NOT_FOUND
    status.details[0].Unpack(info)
    assert dict(info.metadata) == {"kind": "ranking", "name": "r-9"}

    assert toy.threads["RankCounselors"] == "MainThread"  # inline: on the event loop's thread
    assert toy.threads["RecordOutcome"].startswith("db")  # waits on the database: on the executor


def test_a_conflict_names_the_ids_it_clashes_with_in_its_error_info() -> None:
    status = status_for(
        Conflict("counselors already exist: 'a', 'b'", reason="ALREADY_EXISTS", ids=("a", "b"))
    )
    assert status.code == code_pb2.ALREADY_EXISTS
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert info.reason == "ALREADY_EXISTS" and info.domain == ERROR_DOMAIN
    assert info.metadata["ids"] == "a,b"
    plain = error_details_pb2.ErrorInfo()
    status_for(Conflict("clash")).details[0].Unpack(plain)
    assert "ids" not in plain.metadata
