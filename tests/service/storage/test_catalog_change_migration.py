"""Revision 0003 (the catalog change log) on SQLite and PostgreSQL: a store with a catalog upgrades."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from matcher.model import CounselorProfile
from service.storage.counselors import CounselorRepository
from service.storage.database import alembic_config, current_revision, head_revision, make_engine, upgrade


def test_a_catalog_written_before_the_log_upgrades_and_is_reloaded_once(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        repo = CounselorRepository(engine)
        repo.create(CounselorProfile("a", "A", languages=("en",)))
        repo.create(CounselorProfile("b", "B", languages=("en",)))
        command.downgrade(alembic_config(database_url), "0002")
        assert "catalog_change" not in sa.inspect(engine).get_table_names()
        with engine.begin() as connection:  # a write made by the previous release
            connection.execute(sa.text("UPDATE counselor SET display_name = 'A2' WHERE id = 'a'"))
            connection.execute(sa.text("UPDATE catalog_state SET catalog_version = 3"))

        upgrade(database_url)

        assert current_revision(database_url) == head_revision()
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM catalog_change")).scalar_one() == 0
        assert repo.changes_since(1, limit=10) is None  # versions 2 and 3 are not in the log
        repo.create(CounselorProfile("c", "C", languages=("en",)))
        changes = repo.changes_since(3, limit=10)
        assert changes is not None
        assert (changes.version, [p.id for p in changes.upserted], changes.deleted) == (4, ["c"], [])
        assert [p.display_name for p in repo.load_all()[0]] == ["A2", "B", "C"]
    finally:
        engine.dispose()
