"""SQLModel table models of the counselor catalog.

Multi-valued fields are JSON columns (``JSON`` on SQLite, ``JSONB`` on PostgreSQL),
so one row is one counselor and loading the whole catalog is a single scan with no
child tables. The shapes of the JSON values:

========================  ==================================================================
``credentials``           ``["LCSW", "PhD"]``
``specialties``           ``[["anxiety", "primary"], ["grief", "secondary"]]`` (concern, proficiency)
``approaches``            ``["cbt", "emdr"]``
``formats``               ``["video", "in_person"]`` (:class:`~matcher.vocabulary.SessionFormat` values)
``session_types``         ``["individual"]`` (:class:`~matcher.vocabulary.SessionType` values)
``languages``             ``["es", "en"]`` (order kept: the first is the main language)
``availability_windows``  ``[[0, 540, 1020], ...]`` (day 0=Monday, start_minute, end_minute; local time)
``jurisdictions``         ``["US-IL", "US-WI"]`` (ISO 3166-2 codes of licensure)
``age_groups``            ``["teen", "adult"]`` (the age groups the counselor sees)
``genders``               ``["woman", "transgender"]`` (as the counselor states their own)
``identities``            ``["lgbtq_affirming", "lived_military"]`` (identity and cultural attributes)
========================  ==================================================================

Pairs and triples rather than objects: they parse about twice as fast, which matters
when a million rows are loaded. On PostgreSQL, JSONB containment still finds them, e.g.
``specialties @> '[["anxiety"]]'``.

The schema itself is created by the Alembic revisions in ``service/migrations``;
these models must stay in step with them (a test compares the two). Define new tables
in modules of ``service.storage`` (env.py imports them all) and import this module
first, so that the naming convention below applies to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

__all__ = [
    "CATALOG_STATE_ID",
    "COUNSELOR_ID_LENGTH",
    "CatalogChangeRow",
    "CatalogStateRow",
    "CounselorRow",
    "JsonType",
    "UTCDateTime",
    "catalog_change_table",
    "catalog_state_table",
    "counselor_table",
]

#: Counselor ids are at most this many characters.
COUNSELOR_ID_LENGTH = 64
#: The primary key of the only row of ``catalog_state``.
CATALOG_STATE_ID = 1

# Constraint names that are the same on every backend (Alembic batch mode on SQLite needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON on SQLite, JSONB on PostgreSQL.
JsonType: sa.types.TypeEngine[Any] = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

#: Ids compare byte-wise on every backend, so "ordered by id" means the same everywhere.
IdType: sa.types.TypeEngine[str] = sa.String(COUNSELOR_ID_LENGTH).with_variant(
    sa.String(COUNSELOR_ID_LENGTH, collation="C"), "postgresql"
)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (UTC).

    SQLite keeps no offset, so values are converted to UTC before they are written
    and tagged UTC when read; PostgreSQL stores ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _json_column() -> Any:
    return Field(default_factory=list, sa_column=sa.Column(JsonType, nullable=False))


def _added_json_column() -> Any:
    """A JSON array column added by a later revision: existing rows got ``[]`` (its server default)."""
    return Field(
        default_factory=list, sa_column=sa.Column(JsonType, nullable=False, server_default=sa.text("'[]'"))
    )


class CounselorRow(SQLModel, table=True):
    """One counselor profile (table ``counselor``)."""

    __tablename__ = "counselor"

    id: str = Field(sa_column=sa.Column(IdType, primary_key=True))
    display_name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    credentials: list[str] = _json_column()
    specialties: list[list[str]] = _json_column()
    approaches: list[str] = _json_column()
    formats: list[str] = _json_column()
    session_types: list[str] = _json_column()
    languages: list[str] = _json_column()
    time_zone: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    availability_windows: list[list[int]] = _json_column()
    accepting_new_clients: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    caseload_current: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    caseload_max: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    active: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    jurisdictions: list[str] = _added_json_column()  # revision 0004
    age_groups: list[str] = _added_json_column()  # revision 0005, with genders and identities
    genders: list[str] = _added_json_column()
    identities: list[str] = _added_json_column()
    create_time: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    update_time: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))


class CatalogStateRow(SQLModel, table=True):
    """The single row (``id`` = 1) holding ``catalog_version``, bumped by every counselor write."""

    __tablename__ = "catalog_state"
    __table_args__ = (sa.CheckConstraint(f"id = {CATALOG_STATE_ID}", name="singleton"),)

    id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    catalog_version: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


class CatalogChangeRow(SQLModel, table=True):
    """The counselor a single-counselor write changed, and the ``catalog_version`` it made.

    Written in the transaction of the write, so that a server process whose snapshot is
    at an older version can patch in just the counselors changed since, instead of loading
    the whole catalog (``CounselorRepository.changes_since``). Bulk imports write no rows:
    the versions they made are missing from the log, which tells readers to load everything.
    """

    __tablename__ = "catalog_change"

    version: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    counselor_id: str = Field(sa_column=sa.Column(IdType, nullable=False))


#: The Core tables, for fast column-wise statements.
counselor_table: sa.Table = SQLModel.metadata.tables["counselor"]
catalog_state_table: sa.Table = SQLModel.metadata.tables["catalog_state"]
catalog_change_table: sa.Table = SQLModel.metadata.tables["catalog_change"]
