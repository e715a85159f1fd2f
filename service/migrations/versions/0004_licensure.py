"""Licensure: the jurisdictions each counselor is licensed in.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

Existing counselors get no jurisdiction on file (``[]``): the matcher excludes them,
counted as ``licensure_missing``, until their licences are entered, so nobody is
matched with a counselor who may not see them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("counselor") as batch:
        batch.add_column(sa.Column("jurisdictions", JSON_TYPE, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("counselor") as batch:
        batch.drop_column("jurisdictions")
