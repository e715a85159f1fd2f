"""Telling apart the database errors a repository turns into :mod:`matcher.errors` types."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

__all__ = ["is_duplicate_key"]


def is_duplicate_key(error: IntegrityError) -> bool:
    """Whether ``error`` is a primary-key / unique violation (not NOT NULL, CHECK or a foreign key)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return True
    name = getattr(original, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE")
