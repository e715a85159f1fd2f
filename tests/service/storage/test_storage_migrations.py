"""Engines and migrations: schema from empty to head, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import service.storage.tables  # noqa: F401  (registers the tables; service.storage imports the rest)
from service.storage.database import (
    alembic_config,
    current_revision,
    head_revision,
    is_up_to_date,
    make_engine,
    normalize_url,
    upgrade,
)


def test_head_is_the_intake_attributes_revision() -> None:
    assert head_revision() == "0005"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d?sslmode=disable", "postgresql+psycopg://u@h/d?sslmode=disable"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("sqlite:///var/attune.db", "sqlite:///var/attune.db"),
    ],
)
def test_normalize_url_uses_psycopg_3(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_empty_database_upgrades_to_head(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None
    assert not is_up_to_date(empty_database_url)

    upgrade(empty_database_url)

    assert current_revision(empty_database_url) == head_revision() == "0005"
    assert is_up_to_date(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        inspector = sa.inspect(engine)
        assert {
            "counselor",
            "catalog_state",
            "catalog_change",
            "strategy",
            "experiment",
            "experiment_phase",
            "experiment_state",
            "exposure",
            "outcome",
            "alembic_version",
        } <= set(inspector.get_table_names())
        primary_key = inspector.get_pk_constraint("counselor")
        assert (primary_key["name"], primary_key["constrained_columns"]) == ("pk_counselor", ["id"])
        checks = inspector.get_check_constraints("catalog_state")
        assert [(c["name"], c["sqltext"].strip("()")) for c in checks] == [
            ("ck_catalog_state_singleton", "id = 1")
        ]
        with engine.connect() as connection:
            state = connection.execute(sa.text("SELECT id, catalog_version FROM catalog_state")).all()
            assert [tuple(row) for row in state] == [(1, 0)]
            assert connection.execute(sa.text("SELECT count(*) FROM counselor")).scalar_one() == 0
    finally:
        engine.dispose()

    upgrade(empty_database_url)  # a second upgrade is a no-op
    assert current_revision(empty_database_url) == "0005"


def test_table_models_match_the_migrations(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again_through_the_url(database_url: str) -> None:
    # Without a connection in config.attributes, env.py builds its own engine from the URL.
    command.downgrade(alembic_config(database_url), "base")
    assert current_revision(database_url) is None
    engine = make_engine(database_url)
    try:
        assert "counselor" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    command.upgrade(alembic_config(database_url), "head")
    assert is_up_to_date(database_url)


def test_upgrade_works_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    url = "sqlite:///nested/dirs/attune.db"  # relative to the working directory

    upgrade(url)

    assert (elsewhere / "nested" / "dirs" / "attune.db").is_file()
    assert current_revision(url) == "0005"


def test_sqlite_engine_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        engine.dispose()


def test_sqlite_transactions_roll_back_dml_and_ddl(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with pytest.raises(RuntimeError), engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE scratch (x INTEGER)")
            connection.exec_driver_sql("UPDATE catalog_state SET catalog_version = 99")
            raise RuntimeError("roll back")
        assert "scratch" not in sa.inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT catalog_version FROM catalog_state").scalar_one() == 0
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_database_for_every_thread() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        seen: list[int] = []

        def read() -> None:
            with engine.connect() as connection:
                seen.append(connection.exec_driver_sql("SELECT count(*) FROM t").scalar_one())

        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        assert seen == [0]  # the table exists in the other thread too
    finally:
        engine.dispose()
