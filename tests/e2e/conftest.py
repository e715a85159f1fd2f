"""End-to-end fixtures: a real ``attune serve`` process on a free port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from attune.v1 import counselor_pb2_grpc, matching_pb2_grpc

ATTUNE = [sys.executable, "-m", "service.cli"]
DEMO_COUNT = 3000  # enough counselors licensed in most states for lists long enough to compare strategies


@dataclass
class RunningService:
    """A started service: its address, process and the stderr lines read so far."""

    address: str
    process: subprocess.Popen[str]
    database_url: str
    log_lines: list[str] = field(default_factory=list)

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run ``attune ARGS --address ADDRESS`` and capture its output."""
        return subprocess.run(
            [*ATTUNE, *args, "--address", self.address],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "COLUMNS": "200"},
        )

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address)

    def stop(self) -> int:
        """SIGTERM, wait, collect the remaining log lines, return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        assert self.process.stderr is not None
        with self.process.stderr:
            self.log_lines.extend(self.process.stderr.read().splitlines())
        return code


def start_service(database_url: str, *extra: str, port: int = 0, processes: int = 1) -> RunningService:
    """Migrate ``database_url``, start ``attune serve`` and wait until it serves.

    The service listens on a free port unless ``port`` is given; with ``processes`` > 1 it
    waits until every one of them serves.
    """
    env = {**os.environ, "ATTUNE_DATABASE_URL": database_url, "ATTUNE_REFRESH_SECONDS": "0.2"}
    subprocess.run([*ATTUNE, "db", "upgrade"], check=True, env=env, capture_output=True, timeout=120)
    process = subprocess.Popen(
        [*ATTUNE, "serve", "--address", f"127.0.0.1:{port}", *extra],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    serving: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("message") == "attune serving":
            serving.add(entry["pid"])
        if len(serving) == processes:
            service = RunningService(entry["address"], process, database_url, lines)
            grpc.channel_ready_future(service.channel()).result(timeout=10)
            return service
    process.kill()
    raise RuntimeError("attune serve did not start:\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """A service on SQLite with the demo catalog, shared by a test module."""
    db = Path(tmp_path_factory.mktemp("e2e")) / "attune.db"
    service = start_service(f"sqlite:///{db}", "--seed-demo-if-empty", "--demo-count", str(DEMO_COUNT))
    yield service
    assert service.stop() == 0


@pytest.fixture
def matching_stub(demo_service: RunningService) -> Iterator[matching_pb2_grpc.MatchingServiceStub]:
    with demo_service.channel() as channel:
        yield matching_pb2_grpc.MatchingServiceStub(channel)


@pytest.fixture
def counselor_stub(demo_service: RunningService) -> Iterator[counselor_pb2_grpc.CounselorServiceStub]:
    with demo_service.channel() as channel:
        yield counselor_pb2_grpc.CounselorServiceStub(channel)
