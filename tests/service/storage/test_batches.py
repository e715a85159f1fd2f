"""row_batches: a query's rows in order and in batches, streamed on PostgreSQL, on both backends."""

from __future__ import annotations

import time
from contextlib import closing

import pytest
import sqlalchemy as sa

from matcher.model import CounselorProfile
from service.storage.batches import _streams, row_batches
from service.storage.counselors import CounselorRepository
from service.storage.database import make_engine
from service.storage.rows import PROFILE_COLUMNS
from service.storage.tables import counselor_table

QUERY = sa.select(*PROFILE_COLUMNS).order_by(counselor_table.c.id)


@pytest.fixture
def loaded(database_engine: sa.Engine) -> sa.Engine:
    profiles = [
        CounselorProfile(f"c{i:02d}", f"Name {i}", languages=("en",), caseload_max=i, active=i % 2 == 0)
        for i in range(11)
    ]
    CounselorRepository(database_engine).create_many(profiles[::-1])
    return database_engine


def test_rows_come_in_order_in_batches_with_the_values_sqlalchemy_gives(loaded: sa.Engine) -> None:
    with loaded.begin() as connection:
        expected = [tuple(row) for row in connection.execute(QUERY)]
        batches = list(row_batches(connection, QUERY, 4))
        # The same transaction goes on after a complete stream.
        assert connection.execute(sa.select(sa.func.count()).select_from(counselor_table)).scalar_one() == 11
        assert (_streams(connection) is not None) == (loaded.dialect.name == "postgresql")
    assert [len(b) for b in batches] == [4, 4, 3]
    got = [tuple(row) for batch in batches for row in batch]
    assert got == expected and [r[0] for r in got] == [f"c{i:02d}" for i in range(11)]
    assert [type(v) for v in got[3]] == [type(v) for v in expected[3]]
    at = {name: i for i, name in enumerate(QUERY.selected_columns.keys())}
    most, active = got[3][at["caseload_max"]], got[3][at["active"]]
    assert (most, active) == (3, False) and type(active) is bool


def test_a_read_stopped_early_leaves_the_connection_usable(loaded: sa.Engine) -> None:
    with (
        pytest.raises(RuntimeError, match="stop"),
        loaded.begin() as connection,
        closing(row_batches(connection, QUERY, 2)) as batches,
    ):
        for batch in batches:
            assert len(batch) == 2
            raise RuntimeError("stop")
    for _ in range(3):  # whichever pooled connection comes next
        with loaded.begin() as connection:
            assert len([row for batch in row_batches(connection, QUERY, 5) for row in batch]) == 11


@pytest.mark.postgres
def test_stopping_early_cancels_the_rest_of_a_long_query(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    query = sa.select(sa.func.generate_series(1, 50_000_000).label("n"))
    try:
        start = time.perf_counter()
        with (
            pytest.raises(RuntimeError, match="enough"),
            engine.begin() as connection,
            closing(row_batches(connection, query, 1000)) as batches,
        ):
            for batch in batches:
                assert [row[0] for row in batch[:3]] == [1, 2, 3]
                raise RuntimeError("enough")
        # Reading the other 50 million rows would take many seconds.
        assert time.perf_counter() - start < 5
        with engine.begin() as connection:
            assert connection.execute(sa.select(sa.literal(1))).scalar_one() == 1
    finally:
        engine.dispose()
