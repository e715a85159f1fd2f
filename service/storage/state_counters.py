"""Version counters kept in the single row of a state table (``catalog_state``, ``experiment_state``).

A repository bumps its counter in the same transaction as each of its writes, so a reader can
cache what it loaded until the counter changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

__all__ = ["StateCounter"]


@dataclass(frozen=True)
class StateCounter:
    """Column ``column`` of the row ``id = row_id`` of ``table``."""

    table: sa.Table
    row_id: int
    column: str

    def bump(self, connection: sa.Connection) -> int:
        """Add 1 to the counter, in the transaction of ``connection``; return the new value.

        The write locks the row until the transaction ends, so the value read back is this
        transaction's own.
        """
        table = self.table
        result = connection.execute(
            sa.update(table).where(table.c.id == self.row_id).values({self.column: table.c[self.column] + 1})
        )
        if result.rowcount == 0:  # a schema made without the migration's seed row
            connection.execute(sa.insert(table).values({"id": self.row_id, self.column: 1}))
        return self.read(connection)

    def read(self, connection: sa.Connection) -> int:
        """The counter: 0 if nothing was ever counted."""
        table = self.table
        value = connection.execute(
            sa.select(table.c[self.column]).where(table.c.id == self.row_id)
        ).scalar_one_or_none()
        return int(value or 0)
