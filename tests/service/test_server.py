"""create_server wiring: refuses an old schema, serves health, and drains gracefully on stop."""

from __future__ import annotations

import threading
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from service.config import Config
from service.server import SchemaOutOfDate, create_server
from service.storage.database import upgrade


def test_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    with pytest.raises(SchemaOutOfDate, match="attune db upgrade"):
        create_server(Config(address="127.0.0.1:0", database_url=f"sqlite:///{tmp_path / 'empty.db'}"))


def test_stop_announces_not_serving_before_it_drains(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    server, port = create_server(Config(address="127.0.0.1:0", database_url=url, grace_seconds=2))
    assert port > 0
    server.start()
    stopper = threading.Thread(target=server.stop)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(
                health_pb2.HealthCheckRequest(service="attune.v1.MatchingService"), timeout=10
            )
            assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
            stopper.start()
            assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        if stopper.ident is None:
            server.stop(0)
        stopper.join(timeout=10)
    assert server.wait_for_termination(timeout=5)
