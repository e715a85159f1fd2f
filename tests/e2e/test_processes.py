"""Several server processes on one port: both serve, writes reach all, shutdown loses nothing."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from pathlib import Path

from attune.v1 import counselor_pb2, matching_pb2
from matcher.synthetic import synthetic_intakes
from service.api.convert.catalog import intake_to_proto
from service.cli.client import AttuneClient
from tests.e2e.conftest import RunningService, start_service


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def two_processes(db: Path) -> RunningService:
    """`attune serve --processes 2` on a demo catalog of 80 counselors in the SQLite file ``db``."""
    return start_service(
        f"sqlite:///{db}",
        "--seed-demo-if-empty",
        "--demo-count",
        "80",
        "--processes",
        "2",
        port=free_port(),
        processes=2,
    )


def test_two_processes_share_the_port_and_the_work(tmp_path: Path) -> None:
    db = tmp_path / "multi.db"
    service = two_processes(db)
    ranking_ids: list[str] = []
    try:
        with AttuneClient(service.address, 10) as client:
            for i, intake in enumerate(synthetic_intakes(60, seed=3)):
                # a new channel per call spreads the calls over both processes
                with AttuneClient(service.address, 10) as fresh:
                    response = fresh.call(
                        fresh.matching.RankCounselors,
                        matching_pb2.RankCounselorsRequest(intake=intake_to_proto(intake)),
                    )
                ranking_ids.append(response.ranking_id)
                if response.results and i % 10 == 0:
                    # reported through another connection, possibly to the other process
                    request = matching_pb2.RecordOutcomeRequest(
                        ranking_id=response.ranking_id,
                        counselor_id=response.results[0].counselor_id,
                        event=matching_pb2.OUTCOME_EVENT_VIEWED,
                    )
                    assert client.call(client.matching.RecordOutcome, request).duplicate is False
    finally:
        assert service.stop() == 0
    serving = [json.loads(line) for line in service.log_lines if '"attune serving"' in line]
    serving_pids = {entry["pid"] for entry in serving}
    assert len(serving_pids) == 2
    with sqlite3.connect(db) as connection:
        stored = {row[0] for row in connection.execute("SELECT ranking_id FROM exposure")}
    assert set(ranking_ids) <= stored


def test_a_write_through_one_process_is_patched_into_the_other(tmp_path: Path) -> None:
    service = two_processes(tmp_path / "multi.db")
    request = matching_pb2.RankCounselorsRequest(intake=intake_to_proto(synthetic_intakes(1, seed=5)[0]))

    def top_ids() -> list[str]:
        with AttuneClient(service.address, 10) as fresh:  # a new connection: either process
            return [r.counselor_id for r in fresh.call(fresh.matching.RankCounselors, request).results]

    try:
        best = top_ids()[0]
        with AttuneClient(service.address, 10) as client:
            client.call(client.counselors.DeleteCounselor, counselor_pb2.DeleteCounselorRequest(id=best))
        # Siblings poll every ATTUNE_REFRESH_SECONDS (0.2 s here) and then patch: the promise is a
        # second. Waiting it out also lets the other process log its patch before we stop it.
        time.sleep(1.0)
        for _ in range(12):  # each on a new connection: the kernel picks either process
            assert best not in top_ids()
    finally:
        assert service.stop() == 0
    logs = [json.loads(line) for line in service.log_lines if line.startswith("{")]
    patched = [e for e in logs if e["message"] == "catalog snapshot patched (0 upserted, 1 deleted)"]
    assert len(patched) == 1  # the process that did not make the write: patched, not rebuilt
    assert not [e for e in logs if e["message"] == "catalog snapshot rebuilt"]
