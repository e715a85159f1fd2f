"""The experiment repository: :class:`~matcher.experiments.model.Experiment` configurations and
the history of their phases.

``experiment`` holds the current configuration; ``experiment_phase`` one row per phase (salt, arms,
coverage, when it started), so an analysis of an old phase knows what its arms were. Every write
runs in one transaction with a bump of ``experiment_state.experiment_version``, so a server can cache
the active experiments and reload them when :meth:`ExperimentRepository.version` changes. The
repository does not validate experiments (the service does, with
:func:`~matcher.experiments.model.validate_experiment`); it only keeps the phase history honest
(:mod:`service.storage.experiment_phases`). The records it returns and their row mapping are in
:mod:`service.storage.experiment_rows`.
"""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matcher.errors import Conflict, FieldViolation, InvalidInput, NotFound
from matcher.experiments.model import Experiment, ExperimentStatus
from service.storage.experiment_phases import load_phases, write_phase
from service.storage.experiment_rows import (
    CONFIG_COLUMNS,
    RECORD_COLUMNS,
    ExperimentRecord,
    PhaseRecord,
    arms_from_value,
    config_values,
    experiment_from_row,
    phase_values,
    record_from_row,
)
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

__all__ = ["ExperimentRepository"]

_E = experiment_table
_P = experiment_phase_table
_EXPERIMENT_VERSION = StateCounter(experiment_state_table, EXPERIMENT_STATE_ID, "experiment_version")
#: Statuses of the experiments :meth:`ExperimentRepository.active` returns.
ACTIVE_STATUSES = (ExperimentStatus.RUNNING, ExperimentStatus.PAUSED)
_PAGINATION = KeysetPagination("experiment", (_E.c.key,), (str,))


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
            **config_values(experiment),
            "description": description,
            "create_time": create_time,
            "update_time": create_time,
            "start_time": start_time,
            "stop_time": None,
        }
        try:
            with self._write() as connection:
                connection.execute(sa.insert(_E).values(**values))
                connection.execute(sa.insert(_P).values(**phase_values(experiment, create_time)))
                _EXPERIMENT_VERSION.bump(connection)
        except IntegrityError as error:
            if is_duplicate_key(error):
                raise Conflict(
                    f"experiment {experiment.key!r} already exists", reason="ALREADY_EXISTS"
                ) from None
            raise
        phase = PhaseRecord(
            experiment.phase,
            experiment.salt,
            arms_from_value(values["arms"]),
            values["coverage"],
            create_time,
        )
        return ExperimentRecord(
            experiment_from_row([values[c.name] for c in CONFIG_COLUMNS]),
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
        config = config_values(experiment)
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
            write_phase(connection, experiment, config, write_time, started=row.start_time is not None)
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
            saved = connection.execute(sa.select(*RECORD_COLUMNS).where(_E.c.key == experiment.key)).one()
            phases = load_phases(connection, [experiment.key])[experiment.key]
        return record_from_row(saved, phases)

    # -- reads

    def get(self, key: str) -> ExperimentRecord:
        """The stored experiment ``key``; ``NotFound("experiment", key)`` if there is none."""
        with self._read() as connection:
            row = connection.execute(sa.select(*RECORD_COLUMNS).where(_E.c.key == key)).first()
            if row is None:
                raise NotFound("experiment", key)
            phases = load_phases(connection, [key])[key]
        return record_from_row(row, phases)

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
        query = _PAGINATION.page_query(sa.select(*RECORD_COLUMNS), page_size, page_token)
        with self._read() as connection:
            rows, next_token = _PAGINATION.split(connection.execute(query).all(), page_size)
            phases = load_phases(connection, [row[0] for row in rows])
        return [record_from_row(row, phases[row[0]]) for row in rows], next_token

    def load_active(self) -> tuple[builtins.list[Experiment], int]:
        """The running and paused experiments (by key) and :meth:`version`, from one snapshot."""
        with self._read() as connection:
            version = _EXPERIMENT_VERSION.read(connection)
            rows = connection.execute(
                sa.select(*CONFIG_COLUMNS)
                .where(_E.c.status.in_([str(s) for s in ACTIVE_STATUSES]))
                .order_by(_E.c.key)
            ).all()
        return [experiment_from_row(row) for row in rows], version

    def active(self) -> builtins.list[Experiment]:
        """The running and paused experiments, ordered by key (for assignment and validation)."""
        return self.load_active()[0]

    def version(self) -> int:
        """The experiment version: 0 for a new database, +1 for every successful write."""
        with self._read() as connection:
            return _EXPERIMENT_VERSION.read(connection)
