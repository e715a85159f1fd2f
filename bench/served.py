"""``attune serve --processes N`` as a child of the benchmark: the deployment that uses both cores.

The server runs as it would in production (the CLI, JSON logs, SO_REUSEPORT across its processes)
on a fixed free loopback port and the benchmark's PostgreSQL database; its processes' CPU time is
read from ``/proc``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

__all__ = ["ServedProcesses", "serve_processes"]

#: Seconds allowed for every server process to compile (or load) the kernel and load the catalog.
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ServedProcesses:
    """A running multi-process server: its address and the pids of its serving processes."""

    address: str
    pids: tuple[int, ...]

    def cpu_s(self) -> float:
        """User + system CPU seconds used so far by the serving processes (0 where /proc is missing)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_processes(url: sa.URL, processes: int) -> Iterator[ServedProcesses]:
    """Start ``attune serve --processes N`` on ``url`` and wait until every process serves; stop it after.

    Raises
    ------
    RuntimeError
        If the server does not start within :data:`START_TIMEOUT_S`, or exits with an error.
    """
    port = _free_port()
    env = {**os.environ, "ATTUNE_DATABASE_URL": url.render_as_string(hide_password=False)}
    command = [sys.executable, "-m", "service.cli", "serve", "--address", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--processes", str(processes)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    pids: set[int] = set()
    lines: list[str] = []
    drain: threading.Thread | None = None
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while len(pids) < processes and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("message") == "attune serving":
                pids.add(int(entry["pid"]))
        if len(pids) < processes:
            raise RuntimeError("attune serve --processes did not start:\n" + "".join(lines[-20:]))
        # Keep reading the logs, so that a full pipe never blocks the server.
        drain = threading.Thread(target=lambda: lines.extend(process.stderr or ()), daemon=True)
        drain.start()
        yield ServedProcesses(f"127.0.0.1:{port}", tuple(sorted(pids)))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if drain is not None:
            drain.join(timeout=10)  # ends at the end of the logs
        process.stderr.close()
    if code != 0:
        raise RuntimeError(f"attune serve --processes exited with {code}:\n" + "".join(lines[-20:]))
