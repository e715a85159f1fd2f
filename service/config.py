"""Service configuration: flags override ``ATTUNE_*`` environment variables, which override defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_ADDRESS", "DEFAULT_DATABASE_URL", "SIBLING_REFRESH_SECONDS", "Config"]

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_DATABASE_URL = "sqlite:///var/attune.db"


#: The refresh interval when several processes serve and none is configured: a sibling's write is
#: served within a second (this poll, then a patch of milliseconds).
SIBLING_REFRESH_SECONDS = 0.5


@dataclass(frozen=True)
class Config:
    """Everything ``create_server`` needs.

    Attributes
    ----------
    address : host:port to bind; port 0 picks a free port (tests).
    database_url : SQLAlchemy URL; SQLite file by default, ``postgresql://...`` in production.
    grace_seconds : how long in-flight calls may finish after SIGTERM.
    max_workers : threads (per process) for the calls that wait on the database; rankings run on the
        gRPC event loop itself.
    processes : server processes sharing the port (SO_REUSEPORT), to use more than one core
        despite the GIL; each keeps its own snapshot and sees the others' writes within
        ``refresh_seconds``.
    refresh_seconds : how often the catalog version is polled to pick up writes from other processes.
    log_level : root log level name.
    """

    address: str = DEFAULT_ADDRESS
    database_url: str = DEFAULT_DATABASE_URL
    grace_seconds: float = 5.0
    max_workers: int = 16
    processes: int = 1
    refresh_seconds: float = 2.0
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        """Read ``ATTUNE_ADDRESS``, ``ATTUNE_DATABASE_URL``, ... then apply non-None ``overrides``."""
        env = os.environ
        values: dict[str, object] = {
            "address": env.get("ATTUNE_ADDRESS", DEFAULT_ADDRESS),
            "database_url": env.get("ATTUNE_DATABASE_URL", DEFAULT_DATABASE_URL),
            "grace_seconds": float(env.get("ATTUNE_GRACE_SECONDS", "5")),
            "max_workers": int(env.get("ATTUNE_MAX_WORKERS", "16")),
            "processes": int(env.get("ATTUNE_PROCESSES", "1")),
            "refresh_seconds": float(env.get("ATTUNE_REFRESH_SECONDS", "2")),
            "log_level": env.get("ATTUNE_LOG_LEVEL", "INFO"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "ATTUNE_REFRESH_SECONDS" not in env and int(values["processes"]) > 1:  # type: ignore[call-overload]
            values["refresh_seconds"] = SIBLING_REFRESH_SECONDS
        return cls(**values)  # type: ignore[arg-type]


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///path`` URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
        return Path(url[len(prefix) :])
    return None
