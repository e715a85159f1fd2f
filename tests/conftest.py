"""Database fixtures shared by every test: SQLite always, PostgreSQL when reachable.

Fixtures
--------
``database_url``
    Parametrized ``[sqlite]`` / ``[postgres]``: the URL of a fresh database migrated
    to head (one new database per test; the postgres case carries ``pytest.mark.postgres``).
``sqlite_url`` / ``postgres_url``
    The same for one backend only (mark tests using ``postgres_url`` with ``pytest.mark.postgres``).
``empty_database_url``
    Parametrized like ``database_url`` but never migrated (for migration tests).
``database_engine``
    ``make_engine(database_url)``, disposed after the test.

The time is pinned for the whole run (:data:`PINNED_NOW`): weekly hours are compared in the
coming week with each zone's real offset (:mod:`matcher.week`), so without it a ranking and its
reference computed either side of an hour during a daylight-saving change could disagree, and
expected hours would depend on the date of the run. Tests of the calendar pass their own clocks;
servers started as subprocesses keep the real time.

The PostgreSQL server is ``$ATTUNE_TEST_POSTGRES_URL`` (default :data:`DEFAULT_POSTGRES_URL`); its
database is only used to create and drop the per-test databases. The server is probed once per
session. If it is unreachable, PostgreSQL tests are skipped with the reason, and a line at the end
of the run says how many -- unless ``CI=true``, where they fail: CI must never silently skip them.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
import sqlalchemy as sa

import matcher.week
from bench.postgres import drop_abandoned_databases

if TYPE_CHECKING:
    from _pytest.terminal import TerminalReporter

pytest_plugins = ["pytester"]  # tests/service/storage/test_database_fixtures.py runs inner sessions

POSTGRES_URL_ENV = "ATTUNE_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
#: Every skip reason of an unreachable server starts with this (the summary counts them).
UNREACHABLE = "PostgreSQL not reachable at"
CONNECT_TIMEOUT_S = 3
#: The time every default clock reads during the tests: a January Wednesday, noon UTC.
PINNED_NOW = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def _pinned_time() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matcher.week, "utc_now", lambda: PINNED_NOW)
        yield


# --------------------------------------------------------------------------- the server


def postgres_server_url() -> sa.URL:
    """The configured server URL, with the psycopg 3 driver."""
    from service.storage.database import normalize_url

    return normalize_url(os.environ.get(POSTGRES_URL_ENV, "") or DEFAULT_POSTGRES_URL)


def _libpq(url: sa.URL) -> str:
    """``url`` as a libpq connection string for psycopg."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _shown(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


_probe_result: list[str | None] = []  # filled once per session: [None] or [error text]


def _postgres_problem() -> str | None:
    """None if the server answers, else the message to skip (or fail) with. Probed once."""
    if not _probe_result:
        url = postgres_server_url()
        try:
            with psycopg.connect(_libpq(url), connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
                conn.execute("SELECT 1")
        except Exception as error:  # any failure means "not usable"; report it verbatim
            detail = " ".join(str(error).split()) or type(error).__name__
            _probe_result.append(
                f"{UNREACHABLE} {_shown(url)}: {detail}; start it with `{START_HINT}` "
                f"or set {POSTGRES_URL_ENV}"
            )
        else:
            _probe_result.append(None)
    return _probe_result[0]


def require_postgres() -> None:
    """Skip the current test if PostgreSQL is unreachable, or fail it when ``CI=true``."""
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true, so PostgreSQL tests must run, but {problem}", pytrace=False)
    pytest.skip(problem)


#: Fixtures that give a test a database: such tests are marked ``db``.
_DATABASE_FIXTURES = frozenset(
    ("database_url", "sqlite_url", "postgres_url", "empty_database_url", "database_engine", "engine")
)
_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tiers: ``e2e`` (tests/e2e, servers in subprocesses) and ``db`` (a database, or the store).

    ``make unit`` runs the rest (``-m "not db and not e2e"``): the domain, the engine and the
    adapters' pure code, with no database and no server.
    """
    for item in items:
        parts = item.path.resolve().relative_to(_TESTS).parts
        if parts[0] == "e2e":
            item.add_marker(pytest.mark.e2e)
        uses_database = _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if uses_database or parts[:2] == ("service", "storage") or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.db)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") is not None:
        require_postgres()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: TerminalReporter) -> Iterator[None]:
    yield  # after the other summaries (short test summary info): this line comes last
    reasons = [str(getattr(r, "longrepr", "")) for r in terminalreporter.stats.get("skipped", [])]
    skipped = sum(UNREACHABLE in reason for reason in reasons)
    problem = _probe_result[0] if _probe_result else None
    if skipped and problem:
        terminalreporter.write_line(f"{skipped} PostgreSQL tests were skipped: {problem}", yellow=True)


# --------------------------------------------------------------------------- per-test databases


class PostgresDatabases:
    """Creates uniquely named databases on the test server and drops them again.

    Migrated databases are copies (``CREATE DATABASE ... TEMPLATE``) of one database
    migrated to head once per session, which is much faster than migrating each one.
    """

    def __init__(self, server_url: sa.URL) -> None:
        self.server_url = server_url
        self._prefix = f"attune_test_{os.getpid()}_{secrets.token_hex(3)}"
        self._count = 0
        self._admin: psycopg.Connection[tuple[object, ...]] | None = None
        self._template: str | None = None

    def _execute(self, sql: str) -> None:
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(
                _libpq(self.server_url), connect_timeout=CONNECT_TIMEOUT_S, autocommit=True
            )
            # What a killed run left behind (its process is gone), before we add our own.
            drop_abandoned_databases(self._admin, self.server_url, "attune_test")
        self._admin.execute(sql)

    def url(self, name: str) -> str:
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def _new_name(self) -> str:
        self._count += 1
        return f"{self._prefix}_{self._count}"

    def create(self, *, migrated: bool) -> str:
        """Create a fresh database (at head if ``migrated``, else empty) and return its name."""
        name = self._new_name()
        if migrated:
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._migrated_template()}"')
        else:
            self._execute(f'CREATE DATABASE "{name}"')
        return name

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _migrated_template(self) -> str:
        if self._template is None:
            from service.storage.database import upgrade

            name = f"{self._prefix}_template"
            self._execute(f'CREATE DATABASE "{name}"')
            try:
                upgrade(self.url(name))  # disposes its engine: the template has no sessions left
            except BaseException:
                self.drop(name)  # the next test tries again (and fails the same way, visibly)
                raise
            self._template = name
        return self._template

    def close(self) -> None:
        if self._template is not None:
            self.drop(self._template)
            self._template = None
        if self._admin is not None:
            self._admin.close()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    require_postgres()
    databases = PostgresDatabases(postgres_server_url())
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; tests get copies."""
    from service.storage.database import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "attune.db"
    upgrade(f"sqlite:///{path}")  # disposes its engine, which checkpoints and removes the WAL file
    return path


def _postgres(databases: PostgresDatabases, *, migrated: bool) -> Iterator[str]:
    name = databases.create(migrated=migrated)
    try:
        yield databases.url(name)
    finally:
        databases.drop(name)


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A fresh SQLite database file migrated to head."""
    path = tmp_path / "attune.db"
    for suffix in ("", "-wal"):  # the WAL file is normally gone once the template's engine is disposed
        source = Path(f"{_sqlite_template}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{path}{suffix}")
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head, dropped after the test."""
    yield from _postgres(postgres_databases, migrated=True)


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database migrated to head, on each backend in turn."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no tables at all, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from _postgres(request.getfixturevalue("postgres_databases"), migrated=False)


@pytest.fixture
def database_engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on ``database_url``, disposed after the test."""
    from service.storage.database import make_engine

    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()
