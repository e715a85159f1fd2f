"""Experiment records and their mapping to and from ``experiment`` / ``experiment_phase`` rows.

:class:`ExperimentRecord` and :class:`PhaseRecord` are what
:class:`~service.storage.experiments.ExperimentRepository` returns; the column tuples fix the order
in which rows are read, and the functions here turn an :class:`~matcher.experiments.model.Experiment`
into column values and rows back into records. Arms are stored as JSON arrays of ``[name, strategy, weight]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matcher.experiments.model import Arm, Experiment, ExperimentStatus
from service.storage.experiment_tables import experiment_phase_table, experiment_table

__all__ = [
    "CONFIG_COLUMNS",
    "PHASE_COLUMNS",
    "RECORD_COLUMNS",
    "ExperimentRecord",
    "PhaseRecord",
    "arms_from_value",
    "config_values",
    "experiment_from_row",
    "phase_from_row",
    "phase_values",
    "record_from_row",
]

_E = experiment_table
_P = experiment_phase_table
#: The columns of an experiment's configuration, in :func:`experiment_from_row` order.
CONFIG_COLUMNS = (
    _E.c.key,
    _E.c.salt,
    _E.c.arms,
    _E.c.coverage,
    _E.c.status,
    _E.c.phase,
    _E.c.layer,
    _E.c.layer_lo,
    _E.c.layer_hi,
    _E.c.control,
)
#: The columns of a whole experiment row, in :func:`record_from_row` order.
RECORD_COLUMNS = (
    *CONFIG_COLUMNS,
    _E.c.description,
    _E.c.create_time,
    _E.c.update_time,
    _E.c.start_time,
    _E.c.stop_time,
)
#: The columns of a phase row, in :func:`phase_from_row` order.
PHASE_COLUMNS = (_P.c.experiment_key, _P.c.phase, _P.c.salt, _P.c.arms, _P.c.coverage, _P.c.start_time)


@dataclass(frozen=True)
class PhaseRecord:
    """One phase of an experiment: its allocation and when its row was written (UTC)."""

    phase: int
    salt: str
    arms: tuple[Arm, ...]
    coverage: float
    start_time: datetime


@dataclass(frozen=True)
class ExperimentRecord:
    """A stored experiment, its output-only times (UTC) and its phases in order."""

    experiment: Experiment
    description: str
    create_time: datetime
    update_time: datetime
    start_time: datetime | None
    stop_time: datetime | None
    phases: tuple[PhaseRecord, ...]

    def phase_end_times(self) -> list[datetime | None]:
        """When each phase ended: the next one's start, or the stop for the last (None while it runs)."""
        ends: list[datetime | None] = [p.start_time for p in self.phases[1:]]
        return [*ends, self.stop_time] if self.phases else []


def _arms_value(arms: Sequence[Arm]) -> list[list[Any]]:
    return [[a.name, a.strategy, float(a.weight)] for a in arms]


def arms_from_value(value: Sequence[Sequence[Any]]) -> tuple[Arm, ...]:
    """The arms stored as ``value`` (a JSON array of ``[name, strategy, weight]``)."""
    return tuple(Arm(name, strategy, float(weight)) for name, strategy, weight in value)


def config_values(e: Experiment) -> dict[str, Any]:
    """The ``experiment`` column values of the configuration of ``e``, by column name."""
    return {
        "key": e.key,
        "salt": e.salt,
        "arms": _arms_value(e.arms),
        "coverage": float(e.coverage),
        "status": str(e.status),
        "phase": e.phase,
        "layer": e.layer,
        "layer_lo": e.layer_range[0],
        "layer_hi": e.layer_range[1],
        "control": e.control,
    }


def phase_values(e: Experiment, start_time: datetime) -> dict[str, Any]:
    """The ``experiment_phase`` row of the current phase of ``e``, started at ``start_time``."""
    return {
        "experiment_key": e.key,
        "phase": e.phase,
        "salt": e.salt,
        "arms": _arms_value(e.arms),
        "coverage": float(e.coverage),
        "start_time": start_time,
    }


def experiment_from_row(row: Sequence[Any]) -> Experiment:
    """The experiment configured by ``row``, read as :data:`CONFIG_COLUMNS` (or a longer row)."""
    return Experiment(
        key=row[0],
        salt=row[1],
        arms=arms_from_value(row[2]),
        coverage=float(row[3]),
        status=ExperimentStatus(row[4]),
        phase=row[5],
        layer=row[6],
        layer_range=(row[7], row[8]),
        control=row[9],
    )


def phase_from_row(row: Sequence[Any]) -> PhaseRecord:
    """The phase in ``row``, read as :data:`PHASE_COLUMNS`."""
    return PhaseRecord(row[1], row[2], arms_from_value(row[3]), float(row[4]), row[5])


def record_from_row(row: Sequence[Any], phases: Sequence[PhaseRecord]) -> ExperimentRecord:
    """The record of ``row``, read as :data:`RECORD_COLUMNS`, with its ``phases`` in order."""
    return ExperimentRecord(
        experiment_from_row(row), row[10], row[11], row[12], row[13], row[14], tuple(phases)
    )
