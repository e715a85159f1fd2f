"""Revision 0004 (licensure) on SQLite and PostgreSQL: a catalog written before it upgrades safely.

Counselors stored before licensure existed have no jurisdiction on file: after the upgrade
they are excluded from every ranking, counted as ``licensure_missing``, until their
licences are entered.
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
from service.storage.database import alembic_config, current_revision, head_revision, make_engine, upgrade

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
    )


def test_counselors_stored_before_licensure_are_excluded_until_their_licences_are_entered(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        repo = CounselorRepository(engine)
        repo.create(_counselor("a"))
        repo.create(_counselor("b"))
        command.downgrade(alembic_config(database_url), "0003")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("counselor")}
        assert "jurisdictions" not in columns

        upgrade(database_url)

        assert current_revision(database_url) == head_revision()
        profiles, version = repo.load_all()
        assert [p.jurisdictions for p in profiles] == [(), ()]
        # Going below 0005 lost the age groups too (test_intake_attributes_migration covers them).
        profiles = [dataclasses.replace(p, age_groups=("adult",)) for p in profiles]
        ranking = rank(CatalogSnapshot.build(profiles, version), INTAKE)
        assert ranking.results == ()
        assert ranking.exclusions["licensure_missing"] == 2 and ranking.exclusions["licensure"] == 0

        repo.replace(dataclasses.replace(profiles[0], jurisdictions=("US-IL", "US-WI")))
        repo.replace(profiles[1])
        profiles, version = repo.load_all()
        ranking = rank(CatalogSnapshot.build(profiles, version), INTAKE)
        assert [r.counselor_id for r in ranking.results] == ["a"]
        assert ranking.exclusions["licensure_missing"] == 1
    finally:
        engine.dispose()
