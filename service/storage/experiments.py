"""The experiment repository: :class:`~matcher.experiments.model.Experiment` configurations and
the history of their phases.

``experiment`` holds the current configuration; ``experiment_phase`` one row per phase (salt, arms,
coverage, when it started), so an analysis of an old phase knows what its arms were. Every write
runs in one transaction with a bump of ``experiment_state.experiment_version``, so a server can cache
the active experiments and reload them when :meth:`ExperimentRepository.version` changes. The
repository does not validate experiments (the service does, with
:func:`~matcher.experiments.model.validate_experiment`); it only keeps the phase history honest.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matcher.errors import Conflict, FieldViolation, InvalidInput, NotFound
from matcher.experiments.model import Arm, Experiment, ExperimentStatus, arm_upper_bounds
from service.storage.experiment_tables import (
    EXPERIMENT_KEY_LENGTH,
    EXPERIMENT_STATE_ID,
    experiment_phase_table,
    experiment_state_table,
    experiment_table,
)
from service.storage.pagination import KeysetPagination
from service.storage.sql_errors import is_duplicate_key
from service.storage.state_counters import StateCounter
from service.storage.transactions import Transactions, now, require_aware

__all__ = ["ExperimentRecord", "ExperimentRepository", "PhaseRecord"]

_E = experiment_table
_P = experiment_phase_table
_EXPERIMENT_VERSION = StateCounter(experiment_state_table, EXPERIMENT_STATE_ID, "experiment_version")
_CONFIG_COLUMNS = (
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
_RECORD_COLUMNS = (
    *_CONFIG_COLUMNS,
    _E.c.description,
    _E.c.create_time,
    _E.c.update_time,
    _E.c.start_time,
    _E.c.stop_time,
)
_PHASE_COLUMNS = (_P.c.experiment_key, _P.c.phase, _P.c.salt, _P.c.arms, _P.c.coverage, _P.c.start_time)
#: Statuses of the experiments :meth:`ExperimentRepository.active` returns.
ACTIVE_STATUSES = (ExperimentStatus.RUNNING, ExperimentStatus.PAUSED)
_PAGINATION = KeysetPagination("experiment", (_E.c.key,), (str,))


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


# --------------------------------------------------------------------------- rows


def _arms_value(arms: Sequence[Arm]) -> list[list[Any]]:
    return [[a.name, a.strategy, float(a.weight)] for a in arms]


def _arms(value: Sequence[Sequence[Any]]) -> tuple[Arm, ...]:
    return tuple(Arm(name, strategy, float(weight)) for name, strategy, weight in value)


def _config_values(e: Experiment) -> dict[str, Any]:
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


def _phase_values(e: Experiment, start_time: datetime) -> dict[str, Any]:
    return {
        "experiment_key": e.key,
        "phase": e.phase,
        "salt": e.salt,
        "arms": _arms_value(e.arms),
        "coverage": float(e.coverage),
        "start_time": start_time,
    }


def _experiment(row: Sequence[Any]) -> Experiment:
    return Experiment(
        key=row[0],
        salt=row[1],
        arms=_arms(row[2]),
        coverage=float(row[3]),
        status=ExperimentStatus(row[4]),
        phase=row[5],
        layer=row[6],
        layer_range=(row[7], row[8]),
        control=row[9],
    )


def _phase(row: Sequence[Any]) -> PhaseRecord:
    return PhaseRecord(row[1], row[2], _arms(row[3]), float(row[4]), row[5])


def _record(row: Sequence[Any], phases: Sequence[PhaseRecord]) -> ExperimentRecord:
    return ExperimentRecord(_experiment(row), row[10], row[11], row[12], row[13], row[14], tuple(phases))


def _same_allocation(old: Sequence[Arm], new: Sequence[Arm]) -> bool:
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


def _check_key(key: str) -> None:
    if not key:
        raise InvalidInput([FieldViolation("key", "required: the experiment key")])
    if len(key) > EXPERIMENT_KEY_LENGTH:
        raise InvalidInput(
            [FieldViolation("key", f"at most {EXPERIMENT_KEY_LENGTH} characters (got {len(key)})")]
        )


# --------------------------------------------------------------------------- repository


class ExperimentRepository(Transactions):
    """Experiments in a SQL database whose schema is at the newest migration. Thread-safe.

    Each successful write adds exactly 1 to :meth:`version`; a failed one changes nothing.
    """

    @staticmethod
    def _phases(connection: sa.Connection, keys: Sequence[str]) -> dict[str, builtins.list[PhaseRecord]]:
        phases: dict[str, builtins.list[PhaseRecord]] = {key: [] for key in keys}
        if keys:
            rows = connection.execute(
                sa.select(*_PHASE_COLUMNS).where(_P.c.experiment_key.in_(keys)).order_by(_P.c.phase)
            )
            for row in rows:
                phases[row[0]].append(_phase(row))
        return phases

    # -- writes

    def create(
        self, experiment: Experiment, description: str, *, start_time: datetime | None = None
    ) -> ExperimentRecord:
        """Store a new experiment and the row of its phase (``experiment.phase``, normally 1).

        ``start_time`` is when it started running (None for a draft); the phase row's start
        time is the creation time.

        Raises
        ------
        Conflict
            ``reason="ALREADY_EXISTS"`` if the key is taken.
        InvalidInput
            On ``key`` if it is empty or longer than 100 characters; on ``start_time`` if naive.
        """
        _check_key(experiment.key)
        require_aware("start_time", start_time)
        create_time = now()
        values = {
            **_config_values(experiment),
            "description": description,
            "create_time": create_time,
            "update_time": create_time,
            "start_time": start_time,
            "stop_time": None,
        }
        try:
            with self._write() as connection:
                connection.execute(sa.insert(_E).values(**values))
                connection.execute(sa.insert(_P).values(**_phase_values(experiment, create_time)))
                _EXPERIMENT_VERSION.bump(connection)
        except IntegrityError as error:
            if is_duplicate_key(error):
                raise Conflict(
                    f"experiment {experiment.key!r} already exists", reason="ALREADY_EXISTS"
                ) from None
            raise
        phase = PhaseRecord(
            experiment.phase, experiment.salt, _arms(values["arms"]), values["coverage"], create_time
        )
        return ExperimentRecord(
            _experiment([values[c.name] for c in _CONFIG_COLUMNS]),
            description,
            create_time,
            create_time,
            start_time,
            None,
            (phase,),
        )

    def save(
        self,
        experiment: Experiment,
        *,
        description: str | None = None,
        start_time: datetime | None = None,
        stop_time: datetime | None = None,
    ) -> ExperimentRecord:
        """Replace the stored configuration of ``experiment.key``; ``update_time`` moves forward.

        ``description``, ``start_time`` and ``stop_time`` are kept when None. The phase history
        follows in the same transaction:

        * ``experiment.phase`` above the stored phase: a row for the new phase is added (salt,
          arms, coverage, start time now);
        * the same phase: the phase row takes the new coverage (and arm weights that keep the
          bucket split). Other arms or another salt without a new phase are refused once the
          experiment has started (they would mix two allocations in one analysis); before that
          (no stored ``start_time``), the phase row simply takes them.

        Raises
        ------
        NotFound
            If no experiment has that key.
        Conflict
            ``reason="STALE_PHASE"`` if ``experiment.phase`` is below the stored phase (a
            concurrent change started a newer phase); ``reason="NEEDS_NEW_PHASE"`` as above.
        InvalidInput
            On ``start_time`` / ``stop_time`` if naive.
        """
        require_aware("start_time", start_time)
        require_aware("stop_time", stop_time)
        config = _config_values(experiment)
        with self._write() as connection:
            row = connection.execute(
                sa.select(_E.c.phase, _E.c.start_time, _E.c.update_time)
                .where(_E.c.key == experiment.key)
                .with_for_update()
            ).first()
            if row is None:
                raise NotFound("experiment", experiment.key)
            write_time = now()
            if experiment.phase < row.phase:
                raise Conflict(
                    f"experiment {experiment.key!r} is at phase {row.phase}, not {experiment.phase}; "
                    "read it again and reapply the change",
                    reason="STALE_PHASE",
                )
            current = connection.execute(
                sa.select(*_PHASE_COLUMNS).where(
                    _P.c.experiment_key == experiment.key, _P.c.phase == experiment.phase
                )
            ).first()
            if current is None:
                connection.execute(sa.insert(_P).values(**_phase_values(experiment, write_time)))
            else:
                stored = _phase(current)
                reallocated = stored.salt != experiment.salt or not _same_allocation(
                    stored.arms, experiment.arms
                )
                if reallocated and row.start_time is not None:
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
            # Strictly later than the previous update, even if the clock stepped back.
            update_time = max(write_time, row.update_time + timedelta(microseconds=1))
            changes: dict[str, Any] = {k: v for k, v in config.items() if k != "key"}
            changes["update_time"] = update_time
            if description is not None:
                changes["description"] = description
            if start_time is not None:
                changes["start_time"] = start_time
            if stop_time is not None:
                changes["stop_time"] = stop_time
            connection.execute(sa.update(_E).where(_E.c.key == experiment.key).values(**changes))
            _EXPERIMENT_VERSION.bump(connection)
            saved = connection.execute(sa.select(*_RECORD_COLUMNS).where(_E.c.key == experiment.key)).one()
            phases = self._phases(connection, [experiment.key])[experiment.key]
        return _record(saved, phases)

    # -- reads

    def get(self, key: str) -> ExperimentRecord:
        """The stored experiment ``key``; ``NotFound("experiment", key)`` if there is none."""
        with self._read() as connection:
            row = connection.execute(sa.select(*_RECORD_COLUMNS).where(_E.c.key == key)).first()
            if row is None:
                raise NotFound("experiment", key)
            phases = self._phases(connection, [key])[key]
        return _record(row, phases)

    def list(self, *, page_size: int, page_token: str = "") -> tuple[builtins.list[ExperimentRecord], str]:
        """One page of experiments ordered by key, with their phases.

        Returns
        -------
        (page, next_page_token)
            ``next_page_token`` is ``""`` on the last page.

        Raises
        ------
        InvalidInput
            On ``page_size`` below 1, or ``page_token`` not from this listing.
        """
        query = _PAGINATION.page_query(sa.select(*_RECORD_COLUMNS), page_size, page_token)
        with self._read() as connection:
            rows, next_token = _PAGINATION.split(connection.execute(query).all(), page_size)
            phases = self._phases(connection, [row[0] for row in rows])
        return [_record(row, phases[row[0]]) for row in rows], next_token

    def load_active(self) -> tuple[builtins.list[Experiment], int]:
        """The running and paused experiments (by key) and :meth:`version`, from one snapshot."""
        with self._read() as connection:
            version = _EXPERIMENT_VERSION.read(connection)
            rows = connection.execute(
                sa.select(*_CONFIG_COLUMNS)
                .where(_E.c.status.in_([str(s) for s in ACTIVE_STATUSES]))
                .order_by(_E.c.key)
            ).all()
        return [_experiment(row) for row in rows], version

    def active(self) -> builtins.list[Experiment]:
        """The running and paused experiments, ordered by key (for assignment and validation)."""
        return self.load_active()[0]

    def version(self) -> int:
        """The experiment version: 0 for a new database, +1 for every successful write."""
        with self._read() as connection:
            return _EXPERIMENT_VERSION.read(connection)
