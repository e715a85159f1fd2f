"""create_server wiring: refuses an old schema, serves health, drains on stop, survives an early SIGTERM."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from service.api.server import AttuneServer, SchemaOutOfDate, create_server
from service.config import Config
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


def _serve_with_a_slow_start(config: Config, started: str) -> None:
    """Run ``_serve_process`` in a child whose start-up takes a second (the signal lands during it)."""
    import time

    import service.api.server as server_module

    real_create_server = server_module.create_server

    def slow_create_server(config: Config) -> tuple[AttuneServer, int]:
        Path(started).touch()
        time.sleep(1.0)
        return real_create_server(config)

    server_module.create_server = slow_create_server
    server_module._serve_process(config)


def test_sigterm_during_start_up_is_a_clean_exit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    started = tmp_path / "started"
    child = multiprocessing.get_context("spawn").Process(
        target=_serve_with_a_slow_start,
        args=(Config(address="127.0.0.1:0", database_url=url), str(started)),
    )
    child.start()
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started.exists(), "the child never began to start"
        assert child.pid is not None
        os.kill(child.pid, signal.SIGTERM)
        child.join(timeout=60)
    finally:
        if child.is_alive():
            child.kill()
    assert child.exitcode == 0
