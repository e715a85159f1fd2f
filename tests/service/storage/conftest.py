"""Fixtures of the repository tests: ``engine`` on a fresh database of each backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def engine(database_engine: sa.Engine) -> sa.Engine:
    """``make_engine(database_url)``, disposed after the test (``database_engine`` of tests/conftest.py)."""
    return database_engine
