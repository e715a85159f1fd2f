"""The exposure repository: served rankings, the outcomes reported for them, and the data an
experiment analysis reads back.

Exposures (:class:`~service.storage.exposure_records.Exposure`) arrive in batches from
:class:`service.usecases.exposures.ExposureLog`; a batch is written in one transaction and is
idempotent on ``ranking_id``, so retrying a batch that partly failed (or that was written before the
error reached the writer) is harmless. Outcomes are idempotent on ``(ranking_id, counselor_id,
event)``. Neither table holds intake contents. The ``COPY`` encoding is in
:mod:`service.storage.exposure_copy`, the analysis read in :mod:`service.storage.exposure_analysis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg
import sqlalchemy as sa

from matcher.errors import FieldViolation, InvalidInput
from matcher.experiments.outcomes import OutcomeEvent
from service.storage.experiment_tables import (
    EXPERIMENT_KEY_LENGTH,
    RANKING_ID_LENGTH,
    exposure_table,
    outcome_table,
)
from service.storage.exposure_analysis import ExperimentData, experiment_data, phase_queries
from service.storage.exposure_copy import COPY_EXPOSURES, copy_row
from service.storage.exposure_records import Exposure, Shown, exposure_values
from service.storage.tables import COUNSELOR_ID_LENGTH
from service.storage.transactions import Transactions, require_aware

__all__ = ["ExposureRepository"]

_X = exposure_table
_O = outcome_table
_EXPOSURE_COLUMNS = (
    _X.c.ranking_id,
    _X.c.client_id,
    _X.c.strategy,
    _X.c.catalog_version,
    _X.c.shown,
    _X.c.served_at,
    _X.c.experiment_key,
    _X.c.phase,
    _X.c.arm,
    _X.c.forced,
)


def _length_violations(field: str, value: str, limit: int) -> list[FieldViolation]:
    if value and len(value) <= limit:
        return []
    return [FieldViolation(field, f"required: 1-{limit} characters (got {len(value)})")]


class ExposureRepository(Transactions):
    """Exposures and outcomes in a SQL database whose schema is at the newest migration. Thread-safe."""

    def insert_many(self, exposures: Sequence[Exposure]) -> None:
        """Store ``exposures`` in one transaction; ranking ids already stored are skipped.

        Raises
        ------
        InvalidInput
            On ``exposures[i].ranking_id`` for each empty or too long id, ``exposures[i].experiment_key``
            for each too long key, and ``exposures[i].served_at`` for each naive time (at most 20 listed;
            nothing is written).
        """
        violations: list[FieldViolation] = []
        for i, e in enumerate(exposures):
            violations.extend(
                _length_violations(f"exposures[{i}].ranking_id", e.ranking_id, RANKING_ID_LENGTH)
            )
            if e.experiment_key is not None:
                violations.extend(
                    _length_violations(
                        f"exposures[{i}].experiment_key", e.experiment_key, EXPERIMENT_KEY_LENGTH
                    )
                )
            if e.served_at.utcoffset() is None:
                violations.append(
                    FieldViolation(f"exposures[{i}].served_at", "must be a timezone-aware time")
                )
        if violations:
            raise InvalidInput(violations[:20])
        if not exposures:
            return
        if self.is_postgresql and self._copy(exposures):
            return
        rows = [exposure_values(e) for e in exposures]
        with self._write() as connection:
            connection.execute(self._insert_ignoring_duplicates(_X), rows)

    def _copy(self, exposures: Sequence[Exposure]) -> bool:
        """Write ``exposures`` with one PostgreSQL ``COPY``; False if a ranking id is already stored.

        ``COPY`` costs the writer thread a fraction of the CPU (and of the GIL) of an ``INSERT``
        per row. It cannot skip duplicates: a batch that clashes (a retry of a batch already
        written, or one ranking id twice) is rolled back whole, and the caller inserts it
        row by row, skipping what is stored.
        """
        try:
            with self._write() as connection:
                driver = connection.connection.driver_connection
                assert isinstance(driver, psycopg.Connection)
                with driver.cursor() as cursor, cursor.copy(COPY_EXPOSURES) as copy:
                    for e in exposures:
                        copy.write_row(copy_row(e))
        except psycopg.errors.UniqueViolation:
            return False
        return True

    def get(self, ranking_id: str) -> Exposure | None:
        """The stored exposure of ``ranking_id``, or None."""
        with self._read() as connection:
            row = connection.execute(
                sa.select(*_EXPOSURE_COLUMNS).where(_X.c.ranking_id == ranking_id)
            ).first()
        if row is None:
            return None
        return Exposure(
            ranking_id=row[0],
            client_id=row[1],
            strategy=row[2],
            catalog_version=row[3],
            shown=tuple(Shown(c, int(p), float(s)) for c, p, s in row[4]),
            served_at=row[5],
            experiment_key=row[6],
            phase=row[7],
            arm=row[8],
            forced=bool(row[9]),
        )

    def record_outcome(self, ranking_id: str, counselor_id: str, event: OutcomeEvent, at: datetime) -> bool:
        """Record that ``event`` happened for ``counselor_id`` of ranking ``ranking_id`` at ``at``.

        The caller checks that the ranking and counselor exist (the exposure may still be queued
        for writing, so there is no foreign key).

        Returns
        -------
        bool
            True if recorded now; False if this (ranking, counselor, event) was recorded before
            (nothing changes, the first time is kept).

        Raises
        ------
        InvalidInput
            On ``ranking_id`` / ``counselor_id`` if empty or too long (64), on ``at`` if naive.
        """
        violations = [
            *_length_violations("ranking_id", ranking_id, RANKING_ID_LENGTH),
            *_length_violations("counselor_id", counselor_id, COUNSELOR_ID_LENGTH),
        ]
        if violations:
            raise InvalidInput(violations)
        require_aware("at", at)
        # RETURNING gives a row only if the row was inserted (psycopg reports no rowcount for
        # SQLAlchemy 2.1 inserts).
        statement = (
            self._insert_ignoring_duplicates(_O)
            .values(ranking_id=ranking_id, counselor_id=counselor_id, event=str(event), event_time=at)
            .returning(_O.c.event)
        )
        with self._write() as connection:
            inserted = connection.execute(statement).first()
        return inserted is not None

    def experiment_data(self, key: str, phase: int) -> ExperimentData:
        """The non-forced exposures of experiment ``key`` phase ``phase``, and their outcomes.

        Two statements in one snapshot: the exposures, and the outcomes joined to their exposures
        (each counselor's position is then looked up in the exposure's ``shown`` list in Python).
        """
        exposures_query, outcomes_query = phase_queries(key, phase)
        with self._read() as connection:
            exposures = connection.execute(exposures_query).all()
            outcomes = connection.execute(outcomes_query).all()
        return experiment_data(exposures, outcomes)
