"""The details of the machine a benchmark ran on, for the report."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

__all__ = ["BLAS_VARIABLES", "load_average", "machine_details", "rss_bytes"]

#: Environment variables that change how numpy's BLAS behaves (reported when set).
BLAS_VARIABLES = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "NUMBA_THREADING_LAYER",
    "OMP_WAIT_POLICY",
)


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _version(module: str) -> str:
    try:
        mod = __import__(module)
    except ImportError:
        return "not installed"
    return str(getattr(mod, "__version__", "unknown"))


def _numba() -> str:
    """numba's version, thread count and threading layer, if the ranking kernel uses numba."""
    try:
        import numba
    except ImportError:
        return "not installed"
    layer: str
    try:
        layer = str(numba.threading_layer())  # type: ignore[attr-defined]
    except ValueError:  # no parallel kernel has run in this process
        layer = "not started"
    return f"{numba.__version__}, {numba.get_num_threads()} threads, threading layer {layer}"


def rss_bytes() -> int:
    """The resident set size of this process (0 where /proc is missing)."""
    for line in _read("/proc/self/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as text (other processes competing for the cores)."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine_details(
    postgres_version: str | None = None, *, load_at_start: str | None = None, seconds: float | None = None
) -> list[tuple[str, str]]:
    """``(name, value)`` pairs describing this machine and the software measured.

    ``load_at_start`` (from :func:`load_average`) and ``seconds`` describe the run itself.
    """
    blas = [f"{name}={os.environ[name]}" for name in BLAS_VARIABLES if name in os.environ]
    rows = [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", _cpu_model()),
        ("cores (os.cpu_count)", str(os.cpu_count())),
        ("memory", _memory_gib()),
        ("OS", f"{platform.system()} {platform.release()} ({platform.machine()})"),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("numpy", np.__version__),
        ("numba", _numba()),
        ("grpcio", _version("grpc")),
        ("SQLAlchemy / SQLModel", f"{_version('sqlalchemy')} / {_version('sqlmodel')}"),
        ("psycopg", _version("psycopg")),
        ("BLAS environment", ", ".join(blas) if blas else "none set"),
    ]
    if postgres_version is not None:
        rows.append(("PostgreSQL", postgres_version))
    if load_at_start is not None:
        rows.append(("load average 1 / 5 / 15 min, at start", load_at_start))
        rows.append(("load average 1 / 5 / 15 min, at end", load_average()))
    if seconds is not None:
        rows.append(("duration of the run", f"{seconds / 60:.1f} min"))
    return rows
