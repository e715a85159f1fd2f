"""Strategies, experiments (with phase history and a version counter), exposures and outcomes.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)


def _sortable(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


NAME = _sortable(100)  # strategy names, experiment keys
RANKING_ID = _sortable(64)
COUNSELOR_ID = _sortable(64)


def upgrade() -> None:
    op.create_table(
        "strategy",
        sa.Column("name", NAME, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("weights", JSON, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_strategy")),
    )
    op.create_table(
        "experiment",
        sa.Column("key", NAME, nullable=False),
        sa.Column("salt", sa.Text(), nullable=False),
        sa.Column("arms", JSON, nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("layer", sa.Text(), nullable=False),
        sa.Column("layer_lo", sa.Integer(), nullable=False),
        sa.Column("layer_hi", sa.Integer(), nullable=False),
        sa.Column("control", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.Column("start_time", TIME, nullable=True),
        sa.Column("stop_time", TIME, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_experiment")),
    )
    op.create_table(
        "experiment_phase",
        sa.Column("experiment_key", NAME, nullable=False),
        sa.Column("phase", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("salt", sa.Text(), nullable=False),
        sa.Column("arms", JSON, nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("start_time", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_key"],
            ["experiment.key"],
            name=op.f("fk_experiment_phase_experiment_key_experiment"),
        ),
        sa.PrimaryKeyConstraint("experiment_key", "phase", name=op.f("pk_experiment_phase")),
    )
    experiment_state = op.create_table(
        "experiment_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("experiment_version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_experiment_state_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_state")),
    )
    op.bulk_insert(experiment_state, [{"id": 1, "experiment_version": 0}])
    op.create_table(
        "exposure",
        sa.Column("ranking_id", RANKING_ID, nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("experiment_key", NAME, nullable=True),
        sa.Column("phase", sa.Integer(), nullable=True),
        sa.Column("arm", sa.Text(), nullable=True),
        sa.Column("strategy", sa.Text(), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("shown", JSON, nullable=False),
        sa.Column("served_at", TIME, nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("ranking_id", name=op.f("pk_exposure")),
    )
    op.create_index("ix_exposure_experiment_key_phase", "exposure", ["experiment_key", "phase"])
    op.create_table(
        "outcome",
        sa.Column("ranking_id", RANKING_ID, nullable=False),
        sa.Column("counselor_id", COUNSELOR_ID, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("event_time", TIME, nullable=False),
        sa.PrimaryKeyConstraint("ranking_id", "counselor_id", "event", name=op.f("pk_outcome")),
    )


def downgrade() -> None:
    op.drop_table("outcome")
    op.drop_index("ix_exposure_experiment_key_phase", table_name="exposure")
    op.drop_table("exposure")
    op.drop_table("experiment_state")
    op.drop_table("experiment_phase")
    op.drop_table("experiment")
    op.drop_table("strategy")
