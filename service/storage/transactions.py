"""Read and write transactions shared by the repositories of counselors, strategies, experiments
and exposures.

A write takes the SQLite write lock up front (``BEGIN IMMEDIATE``), a read on PostgreSQL is one
``REPEATABLE READ`` read-only snapshot, and every call checks its own connection out of the
engine's pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from matcher.errors import FieldViolation, InvalidInput
from service.storage.database import WRITE_OPTIONS

__all__ = ["Transactions", "now", "require_aware"]


def now() -> datetime:
    """The current time, UTC and timezone-aware."""
    return datetime.now(UTC)


def require_aware(field: str, value: datetime | None) -> None:
    """Raise :class:`InvalidInput` on ``field`` if ``value`` is a naive datetime (None passes)."""
    if value is not None and value.utcoffset() is None:
        raise InvalidInput([FieldViolation(field, "must be a timezone-aware time")])


class Transactions:
    """Base class of a repository on ``engine`` (whose schema is at the newest migration)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writer: sa.Engine = engine.execution_options(**WRITE_OPTIONS)
        self._reader: sa.Engine
        if engine.dialect.name == "postgresql":
            # One snapshot for every statement of a read (page + total, profiles + version).
            self._reader = engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:
            self._reader = engine  # SQLite: BEGIN + WAL already give one snapshot per transaction

    @property
    def engine(self) -> sa.Engine:
        """The engine given to the constructor (dispose of it when the repository is done)."""
        return self._engine

    @property
    def is_postgresql(self) -> bool:
        """Whether the database is PostgreSQL (else SQLite)."""
        return self._engine.dialect.name == "postgresql"

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._reader.begin() as connection:
            yield connection

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._writer.begin() as connection:
            yield connection

    def _insert_ignoring_duplicates(self, table: sa.Table) -> sa.Insert:
        """``INSERT ... ON CONFLICT DO NOTHING`` into ``table`` (any unique or primary-key clash)."""
        if self.is_postgresql:
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()
