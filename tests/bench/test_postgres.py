"""The databases a killed run leaves behind are dropped by the next run; live runs' are kept."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from bench.postgres import drop_abandoned_databases, libpq
from tests.conftest import PostgresDatabases


def _exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _names(admin: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    return {str(row[0]) for row in admin.execute("SELECT datname FROM pg_database").fetchall()}


def test_only_the_databases_of_processes_that_are_gone_are_dropped(
    postgres_databases: PostgresDatabases,
) -> None:
    url = postgres_databases.server_url
    gone = f"attune_sweep_{_exited_pid()}_abc123"
    live = f"attune_sweep_{os.getpid()}_abc123"
    other = f"attune_sweepx_{_exited_pid()}_abc123"  # another prefix
    with psycopg.connect(libpq(url), autocommit=True) as admin:
        for name in (gone, live, other):
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            remote = url.set(host="db.example.org")
            assert drop_abandoned_databases(admin, remote, "attune_sweep") == []  # pids of another machine
            assert drop_abandoned_databases(admin, url, "attune_sweep") == [gone]
            left = _names(admin)
            assert gone not in left and {live, other} <= left
        finally:
            for name in (gone, live, other):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
