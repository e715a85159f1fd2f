"""A uniquely named PostgreSQL database for one benchmark run, dropped afterwards."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa

from service.storage.database import normalize_url, upgrade

__all__ = ["DEFAULT_SERVER_URL", "SERVER_URL_ENV", "benchmark_database", "libpq", "server_version"]

#: The server's URL comes from this variable when set (the tests' variable is used next).
SERVER_URL_ENV = "ATTUNE_BENCH_POSTGRES_URL"
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> sa.URL:
    """The PostgreSQL server to benchmark against (its database is only used to create ours)."""
    text = os.environ.get(SERVER_URL_ENV) or os.environ.get("ATTUNE_TEST_POSTGRES_URL") or DEFAULT_SERVER_URL
    return normalize_url(text)


def libpq(url: sa.URL) -> str:
    """``url`` as a libpq connection string for psycopg."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def server_version(url: sa.URL) -> str:
    """The server's ``SHOW server_version``."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


@contextmanager
def benchmark_database() -> Iterator[sa.URL]:
    """Create ``attune_bench_<pid>_<random>`` migrated to head; yield its URL; drop it (with FORCE)."""
    admin_url = server_url()
    name = f"attune_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = admin_url.set(database=name)
            upgrade(url)
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
