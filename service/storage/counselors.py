"""The counselor repository: persists :class:`~matcher.model.CounselorProfile` values.

Every write runs in one transaction together with a bump of ``catalog_state.catalog_version``,
so a failed write changes nothing and readers can tell when the catalog changed.
Expected failures are :mod:`matcher.errors` exceptions (NotFound, Conflict, InvalidInput),
never raw SQLAlchemy errors. The repository does not validate profiles (the service
layer does, with :func:`matcher.model.validate_counselor`); it only checks what the
schema itself would reject differently on each backend (the id length).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matcher.errors import Conflict, FieldViolation, InvalidInput, NotFound
from matcher.model import CounselorProfile
from service.storage.database import WRITE_OPTIONS
from service.storage.rows import (
    PROFILE_COLUMNS,
    RECORD_COLUMNS,
    CounselorRecord,
    ProfileMapper,
    profile_values,
)
from service.storage.tables import (
    CATALOG_STATE_ID,
    COUNSELOR_ID_LENGTH,
    catalog_state_table,
    counselor_table,
)

__all__ = ["CounselorRecord", "CounselorRepository"]

_C = counselor_table
_STATE = catalog_state_table
#: Ids looked up per statement when naming the ids of a failed batch (bind-parameter limits).
_LOOKUP_CHUNK = 500
#: How many clashing ids a Conflict message names.
_NAMED_IDS = 5


def _now() -> datetime:
    return datetime.now(UTC)


def _id_problem(counselor_id: str) -> str | None:
    if not counselor_id:
        return "required: the counselor id"
    if len(counselor_id) > COUNSELOR_ID_LENGTH:
        return f"at most {COUNSELOR_ID_LENGTH} characters (got {len(counselor_id)})"
    return None


def _is_duplicate_key(error: IntegrityError) -> bool:
    """Whether ``error`` is a primary-key / unique violation (not a NOT NULL or CHECK failure)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return True
    name = getattr(original, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE")


def _name_ids(ids: Sequence[str]) -> str:
    named = ", ".join(repr(i) for i in ids[:_NAMED_IDS])
    return named + (f" and {len(ids) - _NAMED_IDS} more" if len(ids) > _NAMED_IDS else "")


# --------------------------------------------------------------------------- page tokens


def _filter_fingerprint(active: bool | None, accepting_only: bool) -> str:
    text = f"active={active};accepting_only={accepting_only}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encode_token(after_id: str, fingerprint: str) -> str:
    payload = json.dumps({"v": 1, "after": after_id, "filter": fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> str:
    """The id after which the page starts; InvalidInput on ``page_token`` if the token is unusable."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError):
        payload = None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != 1
        or not isinstance(payload.get("after"), str)
        or not isinstance(payload.get("filter"), str)
    ):
        raise InvalidInput(
            [
                FieldViolation(
                    "page_token", "not a page token from this service; pass next_page_token unchanged"
                )
            ]
        )
    if payload["filter"] != fingerprint:
        raise InvalidInput(
            [
                FieldViolation(
                    "page_token",
                    "the token was issued for different filters; keep the filters of the first "
                    "request, or start again without a token",
                )
            ]
        )
    after: str = payload["after"]
    return after


# --------------------------------------------------------------------------- repository


class CounselorRepository:
    """Counselor profiles in a SQL database whose schema is at the newest migration.

    Each successful write call adds exactly 1 to :meth:`catalog_version` (``create_many``:
    1 for the whole batch); failed calls change nothing. Records returned by writes hold
    the profile as given, which :meth:`get` returns equal. Thread-safe: every call checks
    a connection out of the engine's pool.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._writer: sa.Engine = engine.execution_options(**WRITE_OPTIONS)
        self._reader: sa.Engine
        if engine.dialect.name == "postgresql":
            # One snapshot for every statement of a read (page + total, profiles + version).
            self._reader = engine.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:
            self._reader = engine  # SQLite: BEGIN + WAL already give one snapshot per transaction

    @property
    def engine(self) -> sa.Engine:
        """The engine given to the constructor (dispose of it when the repository is done)."""
        return self._engine

    # -- transactions

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._reader.begin() as connection:
            yield connection

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._writer.begin() as connection:
            yield connection

    @staticmethod
    def _bump(connection: sa.Connection) -> None:
        result = connection.execute(
            sa.update(_STATE)
            .where(_STATE.c.id == CATALOG_STATE_ID)
            .values(catalog_version=_STATE.c.catalog_version + 1)
        )
        if result.rowcount == 0:  # a schema made without the migration's seed row
            connection.execute(sa.insert(_STATE).values(id=CATALOG_STATE_ID, catalog_version=1))

    @staticmethod
    def _version(connection: sa.Connection) -> int:
        version = connection.execute(
            sa.select(_STATE.c.catalog_version).where(_STATE.c.id == CATALOG_STATE_ID)
        ).scalar_one_or_none()
        return int(version or 0)

    def _existing(self, ids: Sequence[str]) -> builtins.list[str]:
        found: builtins.list[str] = []
        with self._read() as connection:
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start : start + _LOOKUP_CHUNK]
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
        now = _now()
        values = profile_values(profile, now, now)
        try:
            with self._write() as connection:
                connection.execute(sa.insert(_C), [values])
                self._bump(connection)
        except IntegrityError as error:
            if _is_duplicate_key(error):
                raise Conflict(f"counselor {profile.id!r} already exists", reason="ALREADY_EXISTS") from None
            raise
        return CounselorRecord(profile, now, now)

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
        now = _now()
        rows = [profile_values(p, now, now) for p in profiles]
        try:
            with self._write() as connection:
                connection.execute(sa.insert(_C), rows)
                self._bump(connection)
        except IntegrityError as error:
            if not _is_duplicate_key(error):
                raise
            taken = self._existing([p.id for p in profiles])
            detail = f": {_name_ids(taken)}" if taken else ""
            raise Conflict(f"counselors already exist{detail}", reason="ALREADY_EXISTS") from None
        return [CounselorRecord(p, now, now) for p in profiles]

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
            update_time = max(_now(), row.update_time + timedelta(microseconds=1))
            values = profile_values(profile, create_time, update_time)
            changes = {k: v for k, v in values.items() if k not in ("id", "create_time")}
            connection.execute(sa.update(_C).where(_C.c.id == profile.id).values(**changes))
            self._bump(connection)
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
            self._bump(connection)

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
        if page_size < 1:
            raise InvalidInput([FieldViolation("page_size", "must be at least 1")])
        fingerprint = _filter_fingerprint(active, accepting_only)
        conditions: builtins.list[sa.ColumnElement[bool]] = []
        if active is not None:
            conditions.append(_C.c.active == active)
        if accepting_only:
            conditions.append(_C.c.accepting_new_clients == sa.true())
            conditions.append(_C.c.caseload_current < _C.c.caseload_max)
        page_conditions = list(conditions)
        if page_token:
            page_conditions.append(_C.c.id > _decode_token(page_token, fingerprint))
        with self._read() as connection:
            total = connection.execute(
                sa.select(sa.func.count()).select_from(_C).where(*conditions)
            ).scalar_one()
            rows = connection.execute(
                sa.select(*RECORD_COLUMNS).where(*page_conditions).order_by(_C.c.id).limit(page_size + 1)
            ).all()
        mapper = ProfileMapper()
        page = [mapper.record(row) for row in rows[:page_size]]
        next_token = _encode_token(page[-1].profile.id, fingerprint) if len(rows) > page_size else ""
        return page, next_token, int(total)

    def load_all(self) -> tuple[builtins.list[CounselorProfile], int]:
        """Every profile, ordered by id, and the catalog version of that same snapshot."""
        mapper = ProfileMapper()
        with self._read() as connection:
            version = self._version(connection)
            result = connection.execution_options(yield_per=5000).execute(
                sa.select(*PROFILE_COLUMNS).order_by(_C.c.id)
            )
            profiles = [mapper.profile(row) for row in result]
        return profiles, version

    def catalog_version(self) -> int:
        """The current catalog version: 0 for a new database, +1 for every successful write."""
        with self._read() as connection:
            return self._version(connection)

    def count(self) -> int:
        """How many counselors are stored."""
        with self._read() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(_C)).scalar_one())
