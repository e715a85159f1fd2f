"""The catalog version and its change log: what changed in the counselor catalog since a version.

Every counselor write bumps ``catalog_state.catalog_version`` in its own transaction; a
single-counselor write also logs the counselor id under the new version (:func:`log_change`), so a
reader that holds the catalog at some version can fetch only what changed since
(:func:`read_changes`) instead of reloading everything. Both run inside the caller's transaction
(:class:`~service.storage.counselors.CounselorRepository`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from matcher.model import CounselorProfile
from service.storage.rows import PROFILE_COLUMNS, ProfileMapper
from service.storage.state_counters import StateCounter
from service.storage.tables import (
    CATALOG_STATE_ID,
    catalog_change_table,
    catalog_state_table,
    counselor_table,
)

__all__ = ["CATALOG_VERSION", "LOG_KEEP", "LOOKUP_CHUNK", "CatalogChanges", "log_change", "read_changes"]

_C = counselor_table
_LOG = catalog_change_table
#: ``catalog_state.catalog_version``: +1 for every successful counselor write.
CATALOG_VERSION = StateCounter(catalog_state_table, CATALOG_STATE_ID, "catalog_version")
#: Ids looked up per statement when reading counselors by id (bind-parameter limits).
LOOKUP_CHUNK = 500
#: Versions the catalog change log keeps (older rows are deleted as new ones are written).
LOG_KEEP = 10_000


@dataclass(frozen=True)
class CatalogChanges:
    """What changed in the catalog after some version, up to ``version``.

    Attributes
    ----------
    version : the catalog version these changes lead to
    upserted : the current profile of every counselor created or replaced since, by id
    deleted : the ids of the counselors deleted since (and not created again), sorted
    """

    version: int
    upserted: list[CounselorProfile]
    deleted: list[str]


def log_change(connection: sa.Connection, counselor_id: str) -> None:
    """Bump the catalog version and log ``counselor_id`` under the new version (same transaction).

    The log keeps the last :data:`LOG_KEEP` versions: a reader further behind finds a gap and
    reloads everything, as it would anyway past :data:`service.usecases.catalog.PATCH_LIMIT` changes.
    """
    version = CATALOG_VERSION.bump(connection)
    connection.execute(sa.insert(_LOG).values(version=version, counselor_id=counselor_id))
    connection.execute(sa.delete(_LOG).where(_LOG.c.version <= version - LOG_KEEP))


def read_changes(connection: sa.Connection, version: int, limit: int) -> CatalogChanges | None:
    """The counselors changed after catalog ``version``, read with ``connection`` (one snapshot).

    Returns None when only a full reload can bring a snapshot at ``version`` up to date:
    some version after it is missing from the change log (a bulk import, a write made
    before the log existed, a store reset), or more than ``limit`` counselors changed.
    """
    current = CATALOG_VERSION.read(connection)
    if current == version:
        return CatalogChanges(current, [], [])
    versions, counselors = connection.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(_LOG.c.counselor_id))).where(
            _LOG.c.version > version, _LOG.c.version <= current
        )
    ).one()
    if current < version or versions != current - version or counselors > limit:
        return None
    ids = sorted(
        connection.execute(
            sa.select(_LOG.c.counselor_id)
            .distinct()
            .where(_LOG.c.version > version, _LOG.c.version <= current)
        ).scalars()
    )
    mapper = ProfileMapper()
    upserted: list[CounselorProfile] = []
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        rows = connection.execute(
            sa.select(*PROFILE_COLUMNS).where(_C.c.id.in_(chunk)).order_by(_C.c.id)
        ).all()
        upserted.extend(map(mapper.profile, rows))
    present = {p.id for p in upserted}
    return CatalogChanges(current, upserted, [i for i in ids if i not in present])
