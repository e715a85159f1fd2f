"""Revision 0002 (strategies, experiments, exposures, outcomes) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from matcher.errors import InvalidInput
from service.storage.database import alembic_config, current_revision, head_revision, make_engine, upgrade
from service.storage.page_tokens import decode_page_token, encode_page_token

NEW_TABLES = {"strategy", "experiment", "experiment_phase", "experiment_state", "exposure", "outcome"}


def test_upgrade_creates_the_tables_keys_and_index(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        assert set(inspector.get_table_names()) >= NEW_TABLES
        primary_keys = {t: inspector.get_pk_constraint(t)["constrained_columns"] for t in sorted(NEW_TABLES)}
        assert primary_keys == {
            "experiment": ["key"],
            "experiment_phase": ["experiment_key", "phase"],
            "experiment_state": ["id"],
            "exposure": ["ranking_id"],
            "outcome": ["ranking_id", "counselor_id", "event"],
            "strategy": ["name", "version"],
        }
        indexes = [(i["name"], i["column_names"]) for i in inspector.get_indexes("exposure")]
        assert indexes == [("ix_exposure_experiment_key_phase", ["experiment_key", "phase"])]
        foreign_keys = inspector.get_foreign_keys("experiment_phase")
        assert [(f["referred_table"], f["constrained_columns"]) for f in foreign_keys] == [
            ("experiment", ["experiment_key"])
        ]
        assert inspector.get_foreign_keys("outcome") == []  # outcomes may precede their exposure
        with engine.connect() as connection:
            state = connection.execute(sa.text("SELECT id, experiment_version FROM experiment_state")).all()
        assert [tuple(row) for row in state] == [(1, 0)]
    finally:
        engine.dispose()


def test_downgrade_to_0001_keeps_the_catalog(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE catalog_state SET catalog_version = 5"))
        command.downgrade(alembic_config(database_url), "0001")
        assert current_revision(database_url) == "0001"
        tables = set(sa.inspect(engine).get_table_names())
        assert not NEW_TABLES & tables
        assert {"counselor", "catalog_state"} <= tables
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT catalog_version FROM catalog_state")).scalar_one() == 5
        upgrade(database_url)
        assert current_revision(database_url) == head_revision()
        assert set(sa.inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- page tokens


def test_page_tokens_round_trip_and_are_opaque() -> None:
    token = encode_page_token("strategy", ("balanced-v1", 3))
    assert "balanced" not in token and "=" not in token
    assert decode_page_token(token, "strategy", (str, int)) == ("balanced-v1", 3)


@pytest.mark.parametrize(
    ("token", "kind", "types"),
    [
        (encode_page_token("strategy", ("a", 1)), "experiment", (str, int)),  # another listing
        (encode_page_token("strategy", ("a", 1)), "strategy", (str,)),  # another key length
        (encode_page_token("strategy", ("a", "1")), "strategy", (str, int)),  # wrong type
        (encode_page_token("strategy", ("a", True)), "strategy", (str, int)),  # bool is no int
        ("%%%", "strategy", (str, int)),
        ("", "strategy", (str, int)),
    ],
)
def test_bad_page_tokens_are_invalid_input(token: str, kind: str, types: tuple[type, ...]) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_page_token(token, kind, types)
    assert [v.field for v in caught.value.violations] == ["page_token"]


def test_page_tokens_carry_their_filters() -> None:
    token = encode_page_token("counselor", ("c-1",), "active=True")
    assert "active" not in token
    assert decode_page_token(token, "counselor", (str,), "active=True") == ("c-1",)
    unfiltered = encode_page_token("counselor", ("c-1",))
    for given, filters in ((token, "active=False"), (token, ""), (unfiltered, "active=True")):
        with pytest.raises(InvalidInput) as caught:
            decode_page_token(given, "counselor", (str,), filters)
        assert [v.field for v in caught.value.violations] == ["page_token"]
        assert "different filters" in caught.value.violations[0].description
