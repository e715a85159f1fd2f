"""Engines and schema versions: SQLite by default, PostgreSQL by URL.

The schema is created and changed only by the Alembic revisions packaged in
``service/migrations``; :func:`upgrade` runs them programmatically, so it works
from any working directory and from an installed wheel.

SQLite engines get foreign keys, WAL journaling and *real* transactions: the
``sqlite3`` module's own transaction handling is switched off and SQLAlchemy
emits ``BEGIN`` itself, so a transaction that only reads sees one snapshot and
a write transaction (see :data:`WRITE_OPTIONS`) takes the write lock up front
instead of failing when it upgrades from a read lock under concurrency.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import StaticPool

__all__ = [
    "MIGRATIONS_DIR",
    "WRITE_OPTIONS",
    "SchemaOutOfDate",
    "alembic_config",
    "current_revision",
    "head_revision",
    "is_up_to_date",
    "make_engine",
    "normalize_url",
    "upgrade",
]

#: The packaged Alembic environment (``env.py``, ``versions/``).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: Execution options for a connection that will write: on SQLite the transaction
#: starts with ``BEGIN IMMEDIATE`` (ignored by other backends).
WRITE_OPTIONS: dict[str, Any] = {"attune_sqlite_begin": "IMMEDIATE"}

#: Seconds a SQLite connection waits for another writer's lock before failing.
SQLITE_BUSY_TIMEOUT_S = 30.0


class SchemaOutOfDate(RuntimeError):
    """The database has not been migrated to the schema this code needs (see :func:`is_up_to_date`)."""


def normalize_url(url: str | sa.URL) -> sa.URL:
    """Parse ``url``; ``postgres://`` and ``postgresql://`` use the psycopg 3 driver.

    Other drivers (``postgresql+psycopg2://`` …) and other backends are kept as given.
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, sa.URL) else url
    for prefix in ("postgres://", "postgresql://"):
        if text.startswith(prefix):
            text = "postgresql+psycopg://" + text[len(prefix) :]
            break
    return sa.make_url(text)


def _sqlite_file(url: sa.URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory or ``file:`` URI database."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:") or url.query.get("uri"):
        return None
    return Path(database)


def _setup_sqlite(engine: sa.Engine, wal: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from the sqlite3 module (it would not BEGIN
        # before a SELECT); the "begin" listener below emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        mode = options.get("attune_sqlite_begin", "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"attune_sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str | sa.URL, **kwargs: Any) -> sa.Engine:
    """Create an engine for ``url``, safe to share between the threads of a server.

    Parameters
    ----------
    url
        ``sqlite:///path/to.db`` (the parent directory is created), ``sqlite://``
        (in memory, one shared connection: for tests), or a PostgreSQL URL
        (``postgresql://``, ``postgres://`` or ``postgresql+psycopg://``).
    **kwargs
        Passed on to :func:`sqlalchemy.create_engine`.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return sa.create_engine(parsed, **kwargs)

    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
    path = _sqlite_file(parsed)
    if path is None:
        # One connection for everybody, or each connection would see its own empty database.
        kwargs.setdefault("poolclass", StaticPool)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
    _setup_sqlite(engine, wal=path is not None)
    return engine


def alembic_config(url: str | sa.URL | None = None) -> Config:
    """An Alembic configuration for the packaged migrations, built in code (no ini file).

    ``url`` (if given) becomes ``sqlalchemy.url``; :func:`upgrade` passes an open
    connection instead, through ``config.attributes["connection"]``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        text = normalize_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", text.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError(f"no Alembic revisions in {MIGRATIONS_DIR}")
    return head


def upgrade(url: str | sa.URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (all in one transaction where the backend allows)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(url: str | sa.URL) -> str | None:
    """The revision the database at ``url`` is at, or None if it has never been migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_up_to_date(url: str | sa.URL) -> bool:
    """Whether the database at ``url`` is at the newest packaged revision."""
    return current_revision(url) == head_revision()
