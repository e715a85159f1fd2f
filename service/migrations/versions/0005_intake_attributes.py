"""The whole intake: the age groups, genders and identity attributes of each counselor.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

Existing counselors get none of them on file (``[]``). With no age group on file a
counselor is excluded from every ranking, counted as ``age_group_missing``, until the
age groups they see are entered, so no child is matched with a counselor who sees only
adults. No gender or identity on file only means the counselor matches no client who
requires one, and scores nothing for a client who prefers one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
#: The new counselor columns, JSON arrays of codes each.
COLUMNS = ("age_groups", "genders", "identities")


def upgrade() -> None:
    with op.batch_alter_table("counselor") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, JSON_TYPE, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("counselor") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
