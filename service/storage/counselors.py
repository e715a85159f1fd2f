"""The counselor repository: persists :class:`~matcher.model.CounselorProfile` values.

Every write runs in one transaction together with a bump of ``catalog_state.catalog_version``,
so a failed write changes nothing and readers can tell when the catalog changed.
Expected failures are :mod:`matcher.errors` exceptions (NotFound, Conflict, InvalidInput),
never raw SQLAlchemy errors. The repository does not validate profiles (the service
layer does, with :func:`matcher.model.validate_counselor`); it only checks what the
schema itself would reject differently on each backend (the id length). The catalog version and
its change log are in :mod:`service.storage.catalog_changes`, the row mapping in
:mod:`service.storage.rows`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from contextlib import closing
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matcher.errors import Conflict, FieldViolation, InvalidInput, NotFound
from matcher.model import CounselorProfile
from service.storage.batches import row_batches
from service.storage.catalog_changes import (
    CATALOG_VERSION,
    LOOKUP_CHUNK,
    CatalogChanges,
    log_change,
    read_changes,
)
from service.storage.pagination import KeysetPagination
from service.storage.rows import (
    PROFILE_COLUMNS,
    RECORD_COLUMNS,
    CounselorRecord,
    ProfileMapper,
    profile_values,
)
from service.storage.sql_errors import is_duplicate_key
from service.storage.tables import COUNSELOR_ID_LENGTH, counselor_table
from service.storage.transactions import Transactions, now

__all__ = ["LOAD_BATCH", "CounselorRecord", "CounselorRepository"]

_C = counselor_table
_PAGINATION = KeysetPagination("counselor", (_C.c.id,), (str,))
#: How many clashing ids a Conflict message names.
_NAMED_IDS = 5
#: At most this many clashing ids go back to the client one by one (gRPC metadata is small).
_LISTED_IDS = 50
#: Rows read at a time by :meth:`CounselorRepository.load_all`.
LOAD_BATCH = 5000


def _id_problem(counselor_id: str) -> str | None:
    if not counselor_id:
        return "required: the counselor id"
    if len(counselor_id) > COUNSELOR_ID_LENGTH:
        return f"at most {COUNSELOR_ID_LENGTH} characters (got {len(counselor_id)})"
    return None


def _name_ids(ids: Sequence[str]) -> str:
    named = ", ".join(repr(i) for i in ids[:_NAMED_IDS])
    return named + (f" and {len(ids) - _NAMED_IDS} more" if len(ids) > _NAMED_IDS else "")


# --------------------------------------------------------------------------- repository


class CounselorRepository(Transactions):
    """Counselor profiles in a SQL database whose schema is at the newest migration.

    Each successful write call adds exactly 1 to :meth:`catalog_version` (``create_many``:
    1 for the whole batch); failed calls change nothing. Records returned by writes hold
    the profile as given, which :meth:`get` returns equal. Thread-safe: every call checks
    a connection out of the engine's pool.
    """

    # -- helpers

    def _existing(self, ids: Sequence[str]) -> builtins.list[str]:
        found: builtins.list[str] = []
        with self._read() as connection:
            for start in range(0, len(ids), LOOKUP_CHUNK):
                chunk = ids[start : start + LOOKUP_CHUNK]
                found.extend(connection.execute(sa.select(_C.c.id).where(_C.c.id.in_(chunk))).scalars())
        return sorted(found)

    # -- writes

    def create(self, profile: CounselorProfile) -> CounselorRecord:
        """Store a new profile under ``profile.id``.

        Raises
        ------
        Conflict
            ``reason="ALREADY_EXISTS"`` if the id is taken.
        InvalidInput
            On ``id`` if it is empty or longer than 64 characters.
        """
        problem = _id_problem(profile.id)
        if problem:
            raise InvalidInput([FieldViolation("id", problem)])
        create_time = now()
        values = profile_values(profile, create_time, create_time)
        try:
            with self._write() as connection:
                connection.execute(sa.insert(_C), [values])
                log_change(connection, profile.id)
        except IntegrityError as error:
            if is_duplicate_key(error):
                raise Conflict(f"counselor {profile.id!r} already exists", reason="ALREADY_EXISTS") from None
            raise
        return CounselorRecord(profile, create_time, create_time)

    def create_many(self, profiles: Sequence[CounselorProfile]) -> builtins.list[CounselorRecord]:
        """Store every profile, in one transaction: all of them or, on any error, none.

        Raises
        ------
        Conflict
            ``reason="ALREADY_EXISTS"`` if an id is taken or appears twice in ``profiles``.
        InvalidInput
            On ``profiles[i].id`` for each empty or too long id.
        """
        violations = [
            FieldViolation(f"profiles[{i}].id", problem)
            for i, p in enumerate(profiles)
            if (problem := _id_problem(p.id))
        ]
        if violations:
            raise InvalidInput(violations)
        seen: set[str] = set()
        repeated: set[str] = set()
        for p in profiles:
            (repeated if p.id in seen else seen).add(p.id)
        if repeated:
            raise Conflict(
                f"counselor ids listed more than once: {_name_ids(sorted(repeated))}", reason="ALREADY_EXISTS"
            )
        if not profiles:
            return []
        create_time = now()
        rows = [profile_values(p, create_time, create_time) for p in profiles]
        try:
            with self._write() as connection:
                connection.execute(sa.insert(_C), rows)
                CATALOG_VERSION.bump(connection)  # not logged: readers reload everything
        except IntegrityError as error:
            if not is_duplicate_key(error):
                raise
            taken = self._existing([p.id for p in profiles])
            detail = f": {_name_ids(taken)}" if taken else ""
            raise Conflict(
                f"counselors already exist{detail}", reason="ALREADY_EXISTS", ids=tuple(taken[:_LISTED_IDS])
            ) from None
        return [CounselorRecord(p, create_time, create_time) for p in profiles]

    def replace(self, profile: CounselorProfile) -> CounselorRecord:
        """Replace every field of the stored profile ``profile.id``; ``update_time`` moves forward.

        Raises
        ------
        NotFound
            If no counselor has that id.
        """
        with self._write() as connection:
            row = connection.execute(
                sa.select(_C.c.create_time, _C.c.update_time).where(_C.c.id == profile.id).with_for_update()
            ).first()
            if row is None:
                raise NotFound("counselor", profile.id)
            create_time: datetime = row.create_time
            # Strictly later than the previous update, even if the clock stepped back.
            update_time = max(now(), row.update_time + timedelta(microseconds=1))
            values = profile_values(profile, create_time, update_time)
            changes = {k: v for k, v in values.items() if k not in ("id", "create_time")}
            connection.execute(sa.update(_C).where(_C.c.id == profile.id).values(**changes))
            log_change(connection, profile.id)
        return CounselorRecord(profile, create_time, update_time)

    def delete(self, counselor_id: str) -> None:
        """Delete a counselor.

        Raises
        ------
        NotFound
            If no counselor has that id.
        """
        with self._write() as connection:
            result = connection.execute(sa.delete(_C).where(_C.c.id == counselor_id))
            if result.rowcount == 0:
                raise NotFound("counselor", counselor_id)
            log_change(connection, counselor_id)

    # -- reads

    def get(self, counselor_id: str) -> CounselorRecord:
        """The stored counselor ``counselor_id``; NotFound if there is none."""
        with self._read() as connection:
            row = connection.execute(sa.select(*RECORD_COLUMNS).where(_C.c.id == counselor_id)).first()
        if row is None:
            raise NotFound("counselor", counselor_id)
        return ProfileMapper().record(row)

    def list(
        self,
        *,
        page_size: int,
        page_token: str = "",
        active: bool | None = None,
        accepting_only: bool = False,
    ) -> tuple[builtins.list[CounselorRecord], str, int]:
        """One page of counselors ordered by id.

        Parameters
        ----------
        page_size
            At most this many records (at least 1; the service applies defaults and caps).
        page_token
            ``""`` for the first page, else a previous call's next token, with the same filters.
        active
            Only active (True) or inactive (False) counselors; None for both.
        accepting_only
            Only counselors accepting new clients with caseload room.

        Returns
        -------
        (page, next_page_token, total_size)
            ``next_page_token`` is ``""`` on the last page; ``total_size`` counts every
            counselor matching the filters.
        """
        filters = f"active={active};accepting_only={accepting_only}"
        conditions: builtins.list[sa.ColumnElement[bool]] = []
        if active is not None:
            conditions.append(_C.c.active == active)
        if accepting_only:
            conditions.append(_C.c.accepting_new_clients == sa.true())
            conditions.append(_C.c.caseload_current < _C.c.caseload_max)
        query = _PAGINATION.page_query(
            sa.select(*RECORD_COLUMNS).where(*conditions), page_size, page_token, filters
        )
        with self._read() as connection:
            total = connection.execute(
                sa.select(sa.func.count()).select_from(_C).where(*conditions)
            ).scalar_one()
            rows = connection.execute(query).all()
        page_rows, next_token = _PAGINATION.split(rows, page_size, filters)
        mapper = ProfileMapper()
        return [mapper.record(row) for row in page_rows], next_token, int(total)

    def load_all(self) -> tuple[builtins.list[CounselorProfile], int]:
        """Every profile, ordered by id, and the catalog version of that same snapshot.

        Rows are read :data:`LOAD_BATCH` at a time; on PostgreSQL the server produces the
        next rows while this makes the current ones into profiles (see
        :func:`~service.storage.batches.row_batches`).
        """
        mapper = ProfileMapper()
        profiles: builtins.list[CounselorProfile] = []
        query = sa.select(*PROFILE_COLUMNS).order_by(_C.c.id)
        with self._read() as connection:
            version = CATALOG_VERSION.read(connection)
            with closing(row_batches(connection, query, LOAD_BATCH)) as batches:
                for rows in batches:
                    profiles.extend(map(mapper.profile, rows))
        return profiles, version

    def changes_since(self, version: int, limit: int) -> CatalogChanges | None:
        """The counselors changed after catalog ``version``, read in one snapshot of the store.

        Returns None when only a full reload can bring a snapshot at ``version`` up to date:
        some version after it is missing from the change log (a bulk import, a write made
        before the log existed, a store reset), or more than ``limit`` counselors changed.
        """
        with self._read() as connection:
            return read_changes(connection, version, limit)

    def catalog_version(self) -> int:
        """The current catalog version: 0 for a new database, +1 for every successful write."""
        with self._read() as connection:
            return CATALOG_VERSION.read(connection)

    def count(self) -> int:
        """How many counselors are stored."""
        with self._read() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(_C)).scalar_one())
