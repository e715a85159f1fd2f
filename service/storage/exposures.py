"""The exposure repository: served rankings, the outcomes reported for them, and the data an
experiment analysis reads back.

Exposures (:class:`Exposure`) arrive in batches from :class:`service.usecases.exposures.ExposureLog`;
a batch is written in one transaction and is idempotent on ``ranking_id``, so retrying a batch that
partly failed (or that was written before the error reached the writer) is harmless. Outcomes are
idempotent on ``(ranking_id, counselor_id, event)``. Neither table holds intake contents.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

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
from service.storage.tables import COUNSELOR_ID_LENGTH
from service.storage.transactions import Transactions, require_aware

__all__ = ["ExperimentData", "Exposure", "ExposureRepository", "Shown"]

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
#: ``exposure.shown`` as JSON text, parsed in Python (the same on both backends).
_SHOWN_TEXT = sa.cast(_X.c.shown, sa.Text)
#: Position reported for an outcome whose counselor is not in the ranking's list.
NOT_SHOWN = 0


class Shown(NamedTuple):
    """One counselor in a served ranking (a named tuple: every ranking creates ``k`` of them)."""

    counselor_id: str
    position: int  # 1-based
    score: float


@dataclass(frozen=True, slots=True)
class Exposure:
    """One served ranking, as logged: what analysis needs and nothing more.

    The pseudonymous client id, the experiment, phase and arm, the strategy, the catalog version
    and the counselors shown with their positions and scores. No concerns, no free text.
    """

    ranking_id: str
    client_id: str
    strategy: str  # name@version
    catalog_version: int
    shown: tuple[Shown, ...]
    served_at: datetime
    experiment_key: str | None = None
    phase: int | None = None
    arm: str | None = None
    forced: bool = False  # a staff override: outside any experiment


@dataclass(frozen=True)
class ExperimentData:
    """What the analysis of one experiment phase reads (non-forced exposures only).

    Attributes
    ----------
    exposures : list of (client_id, arm)
        One pair per exposure, ordered by (served_at, ranking_id).
    outcomes : list of (client_id, arm, event, position)
        One tuple per recorded outcome of those exposures, ordered by (event_time, ranking_id,
        counselor_id, event); ``position`` is the 1-based position of the counselor in that
        ranking, or 0 if the counselor was not in it.
    """

    exposures: list[tuple[str, str]]
    outcomes: list[tuple[str, str, str, int]]


def _shown_value(shown: Sequence[Shown]) -> list[list[Any]]:
    return [[s.counselor_id, s.position, s.score] for s in shown]


def _exposure_values(e: Exposure) -> dict[str, Any]:
    return {
        "ranking_id": e.ranking_id,
        "client_id": e.client_id,
        "experiment_key": e.experiment_key,
        "phase": e.phase,
        "arm": e.arm,
        "strategy": e.strategy,
        "catalog_version": e.catalog_version,
        "shown": _shown_value(e.shown),
        "served_at": e.served_at,
        "forced": e.forced,
    }


#: The columns a PostgreSQL ``COPY`` of exposures fills, in :func:`_copy_row` order.
_COPY_EXPOSURES = (
    "COPY exposure (ranking_id, client_id, experiment_key, phase, arm, strategy, catalog_version, "
    "shown, served_at, forced) FROM STDIN"
)


#: A JSON string literal, as ``json.dumps`` writes it (the C encoder).
_json_string = json.encoder.encode_basestring_ascii


def _shown_json(shown: Sequence[Shown]) -> str:
    """``json.dumps(_shown_value(shown))``, written directly: the writer thread does this per exposure.

    Positions are ints and scores finite floats, whose ``repr`` is what ``json.dumps`` writes.
    """
    return (
        "["
        + ", ".join([f"[{_json_string(s.counselor_id)}, {s.position!r}, {s.score!r}]" for s in shown])
        + "]"
    )


def _copy_row(e: Exposure) -> tuple[Any, ...]:
    """``e`` as a row of :data:`_COPY_EXPOSURES` (``shown`` as JSON text, as the JSON column stores it)."""
    return (
        e.ranking_id,
        e.client_id,
        e.experiment_key,
        e.phase,
        e.arm,
        e.strategy,
        e.catalog_version,
        _shown_json(e.shown),
        e.served_at,
        e.forced,
    )


def _length_violations(field: str, value: str, limit: int) -> list[FieldViolation]:
    if value and len(value) <= limit:
        return []
    return [FieldViolation(field, f"required: 1-{limit} characters (got {len(value)})")]


def _position(shown_text: str, counselor_id: str) -> int:
    for shown_id, position, _score in json.loads(shown_text):
        if shown_id == counselor_id:
            return int(position)
    return NOT_SHOWN


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
        rows = [_exposure_values(e) for e in exposures]
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
                with driver.cursor() as cursor, cursor.copy(_COPY_EXPOSURES) as copy:
                    for e in exposures:
                        copy.write_row(_copy_row(e))
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
        in_phase = (_X.c.experiment_key == key, _X.c.phase == phase, _X.c.forced == sa.false())
        with self._read() as connection:
            exposures = connection.execute(
                sa.select(_X.c.client_id, _X.c.arm).where(*in_phase).order_by(_X.c.served_at, _X.c.ranking_id)
            ).all()
            outcomes = connection.execute(
                sa.select(_X.c.client_id, _X.c.arm, _O.c.event, _O.c.counselor_id, _SHOWN_TEXT)
                .select_from(_O.join(_X, _X.c.ranking_id == _O.c.ranking_id))
                .where(*in_phase)
                .order_by(_O.c.event_time, _O.c.ranking_id, _O.c.counselor_id, _O.c.event)
            ).all()
        return ExperimentData(
            exposures=[(client_id, arm) for client_id, arm in exposures],
            outcomes=[
                (client_id, arm, event, _position(shown, counselor_id))
                for client_id, arm, event, counselor_id, shown in outcomes
            ],
        )
