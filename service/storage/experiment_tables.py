"""SQLModel table models of strategies, experiments, exposures and outcomes.

Created by the Alembic revision ``0002_experiments``; a test compares the two. JSON shapes:

==========================  ==============================================================
``strategy.weights``        ``{"concern": 0.4, "approach": 0.15, ...}`` (factor -> weight)
``experiment.arms``         ``[["control", "balanced-v1@1", 1.0], ...]`` (name, strategy, weight)
``experiment_phase.arms``   the same, as the arms were during that phase
``exposure.shown``          ``[["c-17", 1, 0.93], ["c-4", 2, 0.88], ...]`` (counselor, position, score)
==========================  ==============================================================

An exposure row holds only what analysis needs (pseudonymous client id, experiment, arm,
strategy, catalog version, counselors shown): never intake contents. Outcomes have no foreign
key to exposures on purpose: exposures are written in batches off the request path, so an
outcome can be recorded before the row of its ranking is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# First: sets SQLModel.metadata's naming convention and defines the shared column types.
from service.storage.tables import COUNSELOR_ID_LENGTH, JsonType, UTCDateTime

__all__ = [
    "EXPERIMENT_KEY_LENGTH",
    "EXPERIMENT_STATE_ID",
    "RANKING_ID_LENGTH",
    "STRATEGY_NAME_LENGTH",
    "ExperimentPhaseRow",
    "ExperimentRow",
    "ExperimentStateRow",
    "ExposureRow",
    "OutcomeRow",
    "StrategyRow",
    "experiment_phase_table",
    "experiment_state_table",
    "experiment_table",
    "exposure_table",
    "outcome_table",
    "strategy_table",
]

#: Strategy names are at most this many characters.
STRATEGY_NAME_LENGTH = 100
#: Experiment keys are at most this many characters (as ``validate_experiment`` allows).
EXPERIMENT_KEY_LENGTH = 100
#: Ranking ids are at most this many characters.
RANKING_ID_LENGTH = 64
#: The primary key of the only row of ``experiment_state``.
EXPERIMENT_STATE_ID = 1


def _sortable(length: int) -> sa.types.TypeEngine[str]:
    """A string that sorts byte-wise on every backend (``ORDER BY`` is the same everywhere)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _column(type_: Any, *, nullable: bool = False, primary_key: bool = False) -> Any:
    return Field(sa_column=sa.Column(type_, nullable=nullable, primary_key=primary_key))


class StrategyRow(SQLModel, table=True):
    """One immutable strategy version (table ``strategy``, key ``(name, version)``)."""

    __tablename__ = "strategy"

    name: str = Field(sa_column=sa.Column(_sortable(STRATEGY_NAME_LENGTH), primary_key=True))
    version: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    algorithm: str = _column(sa.String(32))
    weights: dict[str, float] = _column(JsonType)
    description: str = _column(sa.Text)
    builtin: bool = _column(sa.Boolean)
    create_time: datetime = _column(UTCDateTime)


class ExperimentRow(SQLModel, table=True):
    """The current configuration of one experiment (table ``experiment``)."""

    __tablename__ = "experiment"

    key: str = Field(sa_column=sa.Column(_sortable(EXPERIMENT_KEY_LENGTH), primary_key=True))
    salt: str = _column(sa.Text)
    arms: list[list[Any]] = _column(JsonType)
    coverage: float = _column(sa.Float)
    status: str = _column(sa.String(16))
    phase: int = _column(sa.Integer)
    layer: str = _column(sa.Text)
    layer_lo: int = _column(sa.Integer)
    layer_hi: int = _column(sa.Integer)
    control: str = _column(sa.Text)
    description: str = _column(sa.Text)
    create_time: datetime = _column(UTCDateTime)
    update_time: datetime = _column(UTCDateTime)
    start_time: datetime | None = _column(UTCDateTime, nullable=True)
    stop_time: datetime | None = _column(UTCDateTime, nullable=True)


class ExperimentPhaseRow(SQLModel, table=True):
    """The allocation of one phase of an experiment (table ``experiment_phase``)."""

    __tablename__ = "experiment_phase"

    experiment_key: str = Field(
        sa_column=sa.Column(
            _sortable(EXPERIMENT_KEY_LENGTH), sa.ForeignKey("experiment.key"), primary_key=True
        )
    )
    phase: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    salt: str = _column(sa.Text)
    arms: list[list[Any]] = _column(JsonType)
    coverage: float = _column(sa.Float)
    start_time: datetime = _column(UTCDateTime)


class ExperimentStateRow(SQLModel, table=True):
    """The single row (``id`` = 1) holding ``experiment_version``, bumped by every experiment write."""

    __tablename__ = "experiment_state"
    __table_args__ = (sa.CheckConstraint(f"id = {EXPERIMENT_STATE_ID}", name="singleton"),)

    id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    experiment_version: int = _column(sa.BigInteger)


class ExposureRow(SQLModel, table=True):
    """One served ranking (table ``exposure``)."""

    __tablename__ = "exposure"
    __table_args__ = (sa.Index("ix_exposure_experiment_key_phase", "experiment_key", "phase"),)

    ranking_id: str = Field(sa_column=sa.Column(_sortable(RANKING_ID_LENGTH), primary_key=True))
    client_id: str = _column(sa.Text)
    experiment_key: str | None = _column(_sortable(EXPERIMENT_KEY_LENGTH), nullable=True)
    phase: int | None = _column(sa.Integer, nullable=True)
    arm: str | None = _column(sa.Text, nullable=True)
    strategy: str = _column(sa.Text)
    catalog_version: int = _column(sa.BigInteger)
    shown: list[list[Any]] = _column(JsonType)
    served_at: datetime = _column(UTCDateTime)
    forced: bool = _column(sa.Boolean)


class OutcomeRow(SQLModel, table=True):
    """One outcome event for one counselor of one ranking (table ``outcome``), recorded once."""

    __tablename__ = "outcome"

    ranking_id: str = Field(sa_column=sa.Column(_sortable(RANKING_ID_LENGTH), primary_key=True))
    counselor_id: str = Field(sa_column=sa.Column(_sortable(COUNSELOR_ID_LENGTH), primary_key=True))
    event: str = Field(sa_column=sa.Column(sa.String(32), primary_key=True))
    event_time: datetime = _column(UTCDateTime)


#: The Core tables, for column-wise statements.
strategy_table: sa.Table = SQLModel.metadata.tables["strategy"]
experiment_table: sa.Table = SQLModel.metadata.tables["experiment"]
experiment_phase_table: sa.Table = SQLModel.metadata.tables["experiment_phase"]
experiment_state_table: sa.Table = SQLModel.metadata.tables["experiment_state"]
exposure_table: sa.Table = SQLModel.metadata.tables["exposure"]
outcome_table: sa.Table = SQLModel.metadata.tables["outcome"]
