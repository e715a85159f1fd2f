"""The strategy repository: immutable, versioned :class:`~matcher.strategy.Strategy` values.

A strategy is never updated or deleted: a change is a new version. :meth:`StrategyRepository.create`
numbers versions itself (the next one of that name); :meth:`StrategyRepository.ensure_builtins`
stores the built-in strategies at their fixed versions, at every server start. The repository
does not validate strategies (the service does, with :func:`~matcher.strategy.validate_strategy`);
it only checks what the schema would reject differently on each backend (the name length).
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matcher.attributes import FACTORS
from matcher.errors import Conflict, FieldViolation, InvalidInput, NotFound
from matcher.strategy import Algorithm, Strategy
from service.storage.experiment_tables import STRATEGY_NAME_LENGTH, strategy_table
from service.storage.pagination import KeysetPagination
from service.storage.sql_errors import is_duplicate_key
from service.storage.transactions import Transactions, now

__all__ = ["StrategyRecord", "StrategyRepository"]

_S = strategy_table
_COLUMNS = (_S.c.name, _S.c.version, _S.c.algorithm, _S.c.weights, _S.c.description)
_RECORD_COLUMNS = (*_COLUMNS, _S.c.builtin, _S.c.create_time)
#: Attempts of :meth:`StrategyRepository.create` when a concurrent write takes its version number.
CREATE_ATTEMPTS = 5
_PAGINATION = KeysetPagination("strategy", (_S.c.name, _S.c.version), (str, int))


@dataclass(frozen=True)
class StrategyRecord:
    """A stored strategy: ``builtin`` if :meth:`StrategyRepository.ensure_builtins` wrote it."""

    strategy: Strategy
    builtin: bool
    create_time: datetime


def _weights_value(weights: Mapping[str, float]) -> dict[str, float]:
    return {str(factor): float(weight) for factor, weight in weights.items()}


def _weights(value: Mapping[str, Any]) -> Mapping[str, float]:
    """Stored weights as a read-only mapping in ``FACTORS`` order."""
    return MappingProxyType({f: float(value[f]) for f in FACTORS if f in value})


def _strategy(row: Sequence[Any]) -> Strategy:
    return Strategy(row[0], row[1], Algorithm(row[2]), _weights(row[3]), row[4])


def _record(row: Sequence[Any]) -> StrategyRecord:
    return StrategyRecord(_strategy(row), bool(row[5]), row[6])


def _lock_key(name: str) -> int:
    """A 64-bit PostgreSQL advisory lock key for the versions of strategy ``name``."""
    digest = hashlib.blake2b(f"attune.strategy:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _check_name(name: str) -> None:
    if not name:
        raise InvalidInput([FieldViolation("name", "required: the strategy name")])
    if len(name) > STRATEGY_NAME_LENGTH:
        raise InvalidInput(
            [FieldViolation("name", f"at most {STRATEGY_NAME_LENGTH} characters (got {len(name)})")]
        )


class StrategyRepository(Transactions):
    """Strategies in a SQL database whose schema is at the newest migration. Thread-safe."""

    # -- writes

    def create(self, strategy: Strategy) -> StrategyRecord:
        """Store ``strategy`` as the next version of its name (``strategy.version`` is ignored).

        Concurrent creates of one name get distinct versions: on PostgreSQL they queue on an
        advisory lock per name, on SQLite on the database write lock; a clash with a concurrent
        :meth:`ensure_builtins` is retried.

        Returns
        -------
        StrategyRecord
            The stored strategy, with its version (1 for a new name, else the highest + 1).

        Raises
        ------
        InvalidInput
            On ``name`` if it is empty or longer than 100 characters.
        Conflict
            ``reason="ABORTED"`` if concurrent writes took the version number
            :data:`CREATE_ATTEMPTS` times in a row (nothing was stored; safe to retry).
        """
        _check_name(strategy.name)
        algorithm = Algorithm(strategy.algorithm)
        weights = _weights_value(strategy.weights)
        values = {
            "name": strategy.name,
            "algorithm": str(algorithm),
            "weights": weights,
            "description": strategy.description,
            "builtin": False,
        }
        for _ in range(CREATE_ATTEMPTS):
            create_time = now()
            try:
                with self._write() as connection:
                    if self.is_postgresql:
                        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(strategy.name))))
                    highest = connection.execute(
                        sa.select(sa.func.max(_S.c.version)).where(_S.c.name == strategy.name)
                    ).scalar_one()
                    version = int(highest or 0) + 1
                    connection.execute(
                        sa.insert(_S).values(**values, version=version, create_time=create_time)
                    )
            except IntegrityError as error:
                if is_duplicate_key(error):
                    continue
                raise
            stored = Strategy(strategy.name, version, algorithm, _weights(weights), strategy.description)
            return StrategyRecord(stored, False, create_time)
        raise Conflict(
            f"concurrent writes kept taking the next version of strategy {strategy.name!r}; try again",
            reason="ABORTED",
        )

    def ensure_builtins(self, strategies: Sequence[Strategy]) -> None:
        """Store every strategy of ``strategies`` not stored yet, at its own version, as built-in.

        Idempotent, and safe when several processes call it at once. All or nothing.

        Raises
        ------
        Conflict
            ``reason="STRATEGY_IMMUTABLE"`` if a ``name@version`` is already stored with another
            algorithm or other weights (nothing is written).
        InvalidInput
            On ``strategies[i].name`` if a name is empty or too long.
        """
        if not strategies:
            return
        for i, strategy in enumerate(strategies):
            try:
                _check_name(strategy.name)
            except InvalidInput as error:
                raise error.prefixed(f"strategies[{i}]") from None
        wanted = {(s.name, s.version): s for s in strategies}
        create_time = now()
        rows = [
            {
                "name": s.name,
                "version": s.version,
                "algorithm": str(s.algorithm),
                "weights": _weights_value(s.weights),
                "description": s.description,
                "builtin": True,
                "create_time": create_time,
            }
            for _, s in sorted(wanted.items())  # one order for every process: no deadlocks
        ]
        with self._write() as connection:
            connection.execute(self._insert_ignoring_duplicates(_S), rows)
            stored = connection.execute(
                sa.select(_S.c.name, _S.c.version, _S.c.algorithm, _S.c.weights).where(
                    sa.tuple_(_S.c.name, _S.c.version).in_(list(wanted))
                )
            ).all()
            changed = sorted(
                f"{name}@{version}"
                for name, version, algorithm, weights in stored
                if algorithm != str(wanted[(name, version)].algorithm)
                or weights != _weights_value(wanted[(name, version)].weights)
            )
            if changed:
                raise Conflict(
                    f"built-in strategies differ from the stored versions, which cannot change: "
                    f"{', '.join(changed)}; give a changed strategy a new version",
                    reason="STRATEGY_IMMUTABLE",
                )

    # -- reads

    def get(self, name: str, version: int | None = None) -> StrategyRecord:
        """Strategy ``name@version``, or the latest version of ``name`` if ``version`` is None.

        Raises
        ------
        NotFound
            ``NotFound("strategy", "name@version")`` (or ``"name"``) if there is none.
        """
        query = sa.select(*_RECORD_COLUMNS).where(_S.c.name == name)
        if version is None:
            query = query.order_by(_S.c.version.desc()).limit(1)
        else:
            query = query.where(_S.c.version == version)
        with self._read() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFound("strategy", name if version is None else f"{name}@{version}")
        return _record(row)

    def list(self, *, page_size: int, page_token: str = "") -> tuple[builtins.list[StrategyRecord], str]:
        """One page of strategies ordered by (name, version).

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
            rows = connection.execute(query).all()
        page, next_token = _PAGINATION.split(rows, page_size)
        return [_record(row) for row in page], next_token

    def all(self) -> builtins.list[Strategy]:
        """Every stored strategy, ordered by (name, version)."""
        with self._read() as connection:
            rows = connection.execute(sa.select(*_COLUMNS).order_by(_S.c.name, _S.c.version)).all()
        return [_strategy(row) for row in rows]
