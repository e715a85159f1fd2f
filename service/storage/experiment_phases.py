"""The phase history of experiments: reading ``experiment_phase`` rows and keeping them honest.

A phase row holds the allocation (salt, arms, coverage) an experiment had during that phase, so an
analysis of an old phase knows what its arms were. :func:`write_phase` records a saved
configuration in the history, refusing changes that would mix two allocations in one phase once the
experiment has started. Both run inside the caller's transaction
(:class:`~service.storage.experiments.ExperimentRepository`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from matcher.errors import Conflict
from matcher.experiments.model import Arm, Experiment, arm_upper_bounds
from service.storage.experiment_rows import PHASE_COLUMNS, PhaseRecord, phase_from_row, phase_values
from service.storage.experiment_tables import experiment_phase_table

__all__ = ["load_phases", "same_allocation", "write_phase"]

_P = experiment_phase_table


def same_allocation(old: Sequence[Arm], new: Sequence[Arm]) -> bool:
    """Whether ``new`` gives every unit the same arm as ``old`` (same names, strategies, bucket split)."""
    if [(a.name, a.strategy) for a in old] != [(a.name, a.strategy) for a in new]:
        return False
    if [a.weight for a in old] == [a.weight for a in new]:
        return True
    try:
        return arm_upper_bounds(tuple(a.weight for a in old)) == arm_upper_bounds(
            tuple(a.weight for a in new)
        )
    except (ArithmeticError, ValueError):  # weights that validation would refuse
        return False


def load_phases(connection: sa.Connection, keys: Sequence[str]) -> dict[str, list[PhaseRecord]]:
    """The phases of each experiment in ``keys``, in phase order (an empty list for one without rows)."""
    phases: dict[str, list[PhaseRecord]] = {key: [] for key in keys}
    if keys:
        rows = connection.execute(
            sa.select(*PHASE_COLUMNS).where(_P.c.experiment_key.in_(keys)).order_by(_P.c.phase)
        )
        for row in rows:
            phases[row[0]].append(phase_from_row(row))
    return phases


def write_phase(
    connection: sa.Connection,
    experiment: Experiment,
    config: dict[str, Any],
    write_time: datetime,
    *,
    started: bool,
) -> None:
    """Record the phase ``experiment.phase`` of a configuration being saved.

    A phase without a row gets one (starting at ``write_time``); an existing phase row takes the
    new salt, arms and coverage (``config``, from
    :func:`~service.storage.experiment_rows.config_values`).

    Raises
    ------
    Conflict
        ``reason="NEEDS_NEW_PHASE"`` if the experiment has ``started`` and the salt or the
        allocation of the arms changes within the phase.
    """
    current = connection.execute(
        sa.select(*PHASE_COLUMNS).where(_P.c.experiment_key == experiment.key, _P.c.phase == experiment.phase)
    ).first()
    if current is None:
        connection.execute(sa.insert(_P).values(**phase_values(experiment, write_time)))
        return
    stored = phase_from_row(current)
    reallocated = stored.salt != experiment.salt or not same_allocation(stored.arms, experiment.arms)
    if reallocated and started:
        raise Conflict(
            f"experiment {experiment.key!r} has started: changing its arms or salt needs "
            f"a new phase (phase {experiment.phase + 1})",
            reason="NEEDS_NEW_PHASE",
        )
    connection.execute(
        sa.update(_P)
        .where(_P.c.experiment_key == experiment.key, _P.c.phase == experiment.phase)
        .values(salt=config["salt"], arms=config["arms"], coverage=config["coverage"])
    )
