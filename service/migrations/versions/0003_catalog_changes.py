"""The catalog change log: which counselor each single-counselor write changed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Starts empty: versions made before it are not in the log, so a server whose snapshot
predates it loads the whole catalog once, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNSELOR_ID = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "catalog_change",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("counselor_id", COUNSELOR_ID, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_catalog_change")),
    )


def downgrade() -> None:
    op.drop_table("catalog_change")
