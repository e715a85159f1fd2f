"""Revision 0005 (age groups, genders, identities) on SQLite and PostgreSQL: an older catalog upgrades safely.

Counselors stored before 0005 have no age group on file: after the upgrade they are excluded
from every ranking, counted as ``age_group_missing``, until the age groups they see are
entered. Their genders and identities are empty, which excludes nobody by default. The
downgrade drops the three columns and keeps everything else.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from alembic import command

from matcher.engine.ranking import rank
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import ConcernPreference, CounselorProfile, Intake
from matcher.vocabulary import SessionType
from service.storage.counselors import CounselorRepository
from service.storage.database import alembic_config, current_revision, make_engine, upgrade

NEW_COLUMNS = {"age_groups", "genders", "identities"}
INTAKE = Intake(
    "client-1", (ConcernPreference("anxiety", 1),), ("en",), jurisdiction="US-IL", age_group="adult"
)


def _counselor(counselor_id: str) -> CounselorProfile:
    return CounselorProfile(
        counselor_id,
        counselor_id.upper(),
        languages=("en",),
        session_types=(SessionType.INDIVIDUAL,),
        caseload_max=5,
        jurisdictions=("US-IL",),
        age_groups=("adult",),
        genders=("woman",),
        identities=("lgbtq_affirming",),
    )


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("counselor")}


def test_counselors_stored_before_age_groups_are_excluded_until_their_age_groups_are_entered(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        repo = CounselorRepository(engine)
        repo.create(_counselor("a"))
        repo.create(_counselor("b"))
        command.downgrade(alembic_config(database_url), "0004")
        old_columns = _columns(engine)
        assert not NEW_COLUMNS & old_columns and "jurisdictions" in old_columns
        with engine.begin() as connection:  # a counselor written by the previous release
            listed = ", ".join(sorted(old_columns - {"id", "display_name"}))
            connection.execute(
                sa.text(
                    f"INSERT INTO counselor (id, display_name, {listed}) "
                    f"SELECT 'c', 'C', {listed} FROM counselor WHERE id = 'b'"
                )
            )

        upgrade(database_url)

        assert current_revision(database_url) == "0005"
        profiles, version = repo.load_all()
        assert [p.id for p in profiles] == ["a", "b", "c"]
        for p in profiles:
            assert (p.age_groups, p.genders, p.identities) == ((), (), ())
            assert p.jurisdictions == ("US-IL",)  # what 0004 held is kept
        ranking = rank(CatalogSnapshot.build(profiles, version), INTAKE)
        assert ranking.results == ()
        assert ranking.exclusions["age_group_missing"] == 3 and ranking.exclusions["age_group"] == 0
        assert ranking.exclusions["gender"] == ranking.exclusions["identity"] == 0  # nothing asked

        repo.replace(dataclasses.replace(profiles[0], age_groups=("adult", "older_adult")))
        repo.replace(dataclasses.replace(profiles[2], age_groups=("child",)))
        profiles, version = repo.load_all()
        ranking = rank(CatalogSnapshot.build(profiles, version), INTAKE)
        assert [r.counselor_id for r in ranking.results] == ["a"]
        assert ranking.exclusions["age_group_missing"] == 1 and ranking.exclusions["age_group"] == 1
    finally:
        engine.dispose()


def test_the_downgrade_drops_the_three_columns_and_keeps_the_rest(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        CounselorRepository(engine).create(_counselor("a"))
        command.downgrade(alembic_config(database_url), "0004")
        assert current_revision(database_url) == "0004"
        assert not NEW_COLUMNS & _columns(engine)
        with engine.connect() as connection:
            row = connection.execute(sa.text("SELECT id, display_name FROM counselor")).one()
        assert tuple(row) == ("a", "A")

        upgrade(database_url)  # and up again: the values entered before are gone, not invented

        (profile,), _ = CounselorRepository(engine).load_all()
        assert profile == dataclasses.replace(_counselor("a"), age_groups=(), genders=(), identities=())
    finally:
        engine.dispose()
