"""A uniquely named PostgreSQL database for one benchmark run, dropped afterwards.

Also :func:`drop_abandoned_databases`, which the benchmark and the test suite run first: a
run killed before its clean-up (a session that stopped mid-run) leaves its databases behind.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa

from service.storage.database import normalize_url, upgrade

__all__ = [
    "DEFAULT_SERVER_URL",
    "SERVER_URL_ENV",
    "benchmark_database",
    "drop_abandoned_databases",
    "libpq",
    "server_version",
]

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


#: Hosts on which a database's owner process (its name holds the pid) runs on this machine.
_LOCAL_HOSTS = frozenset({None, "", "localhost", "127.0.0.1", "::1"})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def drop_abandoned_databases(
    admin: psycopg.Connection[tuple[object, ...]], url: sa.URL, prefix: str
) -> list[str]:
    """Drop the databases ``<prefix>_<pid>_...`` whose process is gone; return their names.

    Only on a server of this machine (``url``'s host is local): elsewhere the pid in the name
    may be another machine's live process. A live process with that pid keeps its databases.
    """
    if url.host not in _LOCAL_HOSTS:
        return []
    owned = re.compile(rf"{re.escape(prefix)}_(\d+)_")
    names = [str(row[0]) for row in admin.execute("SELECT datname FROM pg_database").fetchall()]
    dropped = []
    for name in names:
        match = owned.match(name)
        if match and not _alive(int(match.group(1))):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            dropped.append(name)
    return dropped


@contextmanager
def benchmark_database() -> Iterator[sa.URL]:
    """Create ``attune_bench_<pid>_<random>`` migrated to head; yield its URL; drop it (with FORCE)."""
    admin_url = server_url()
    name = f"attune_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
        drop_abandoned_databases(admin, admin_url, "attune_bench")
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = admin_url.set(database=name)
            upgrade(url)
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
