"""Counselor catalog: the counselor table and the catalog_state version counter.

Revision ID: 0001
Revises:
Create Date: 2025-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "counselor",
        sa.Column("id", ID, nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("credentials", JSON, nullable=False),
        sa.Column("specialties", JSON, nullable=False),
        sa.Column("approaches", JSON, nullable=False),
        sa.Column("formats", JSON, nullable=False),
        sa.Column("session_types", JSON, nullable=False),
        sa.Column("languages", JSON, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("availability_windows", JSON, nullable=False),
        sa.Column("accepting_new_clients", sa.Boolean(), nullable=False),
        sa.Column("caseload_current", sa.Integer(), nullable=False),
        sa.Column("caseload_max", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counselor")),
    )
    catalog_state = op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_catalog_state_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    op.bulk_insert(catalog_state, [{"id": 1, "catalog_version": 0}])


def downgrade() -> None:
    op.drop_table("catalog_state")
    op.drop_table("counselor")
