"""The shared database fixtures of tests/conftest.py, including an unreachable PostgreSQL server.

The unreachable cases run an inner pytest session (in a subprocess, so the once-per-session
probe starts afresh) with the root conftest and ATTUNE_TEST_POSTGRES_URL pointing at a closed port.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from service.storage.database import current_revision, head_revision

ROOT_CONFTEST = Path(__file__).resolve().parents[2] / "conftest.py"
CLOSED_PORT_URL = "postgresql://postgres@127.0.0.1:1/test"

INNER_TESTS = """
import pytest

@pytest.mark.postgres
def test_marked():
    pass

def test_uses_postgres_url(postgres_url):
    pass

def test_both(database_url):
    assert database_url.startswith("sqlite:")
"""


def test_database_url_is_fresh_and_at_head(database_url: str) -> None:
    assert current_revision(database_url) == head_revision()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM counselor")).scalar_one() == 0
            version = connection.execute(sa.text("SELECT catalog_version FROM catalog_state")).scalar_one()
            assert version == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_gets_its_own_database(
    database_url: str, attempt: int, request: pytest.FixtureRequest
) -> None:
    # Each run finds the untouched seed value and then changes it: a shared database would fail
    # the second run. URLs never repeat within the session either.
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            version = connection.execute(sa.text("SELECT catalog_version FROM catalog_state")).scalar_one()
            assert version == 0
            connection.execute(sa.text("UPDATE catalog_state SET catalog_version = 41"))
    finally:
        engine.dispose()
    seen: set[str] = request.config.stash.setdefault(_SEEN_URLS, set())
    assert database_url not in seen
    seen.add(database_url)


_SEEN_URLS = pytest.StashKey[set[str]]()


@pytest.mark.postgres
def test_postgres_url_names_a_database_on_the_server(postgres_url: str) -> None:
    url = sa.make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.database is not None and url.database.startswith("attune_test_")


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makeconftest(ROOT_CONFTEST.read_text())
    pytester.makeini("[pytest]\nmarkers =\n    postgres: needs PostgreSQL\n")
    pytester.makepyfile(test_inner=INNER_TESTS)
    monkeypatch.setenv("ATTUNE_TEST_POSTGRES_URL", CLOSED_PORT_URL)
    return pytester


def test_unreachable_postgres_is_skipped_with_the_reason(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = inner.runpytest_subprocess("-rs")

    result.assert_outcomes(passed=1, skipped=3)
    reason = "PostgreSQL not reachable at postgresql+psycopg://postgres@127.0.0.1:1/test: "
    result.stdout.fnmatch_lines(
        [
            f"SKIPPED*{reason}*start it with `pg_ctlcluster --skip-systemctl-redirect*"
            "or set ATTUNE_TEST_POSTGRES_URL",
            f"3 PostgreSQL tests were skipped: {reason}*",
        ]
    )
    assert result.ret == 0


def test_unreachable_postgres_fails_in_ci(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest_subprocess()

    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines(
        ["*CI=true, so PostgreSQL tests must run, but PostgreSQL not reachable at *127.0.0.1:1/test*"]
    )
    result.stdout.no_fnmatch_line("*PostgreSQL tests were skipped*")
    assert result.ret == 1
