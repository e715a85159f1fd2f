"""Reading a large query in batches, overlapping the database's work with the caller's.

A full read of the catalog is a long query whose rows the caller turns into objects
(pure Python, the larger part of the time). On PostgreSQL, :func:`row_batches` streams
the result: the server sends rows in chunks without waiting to be asked, so it produces
the next rows (casting JSON to text is most of its work) while the caller handles the
current batch, and the socket's buffers hold what lies between. Compared with a
server-side cursor, which makes the server wait for each ``FETCH``, this hides most of the
server's time, with no thread (a worker thread would compete with the caller for the GIL
and for the CPU caches). Other backends (SQLite: no server) are read with a cursor.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import closing
from itertools import islice
from typing import Any, cast

import psycopg
import sqlalchemy as sa

__all__ = ["row_batches"]


def _streams(connection: sa.Connection) -> psycopg.Connection[Any] | None:
    """The psycopg 3 connection under ``connection`` if it can stream rows in chunks, else None."""
    driver = connection.connection.driver_connection
    if isinstance(driver, psycopg.Connection) and psycopg.capabilities.has_stream_chunked():
        return driver
    return None


def row_batches(
    connection: sa.Connection, query: sa.Select[Any], size: int
) -> Generator[Sequence[Any], None, None]:
    """The rows of ``query``, in order, in lists of at most ``size`` rows.

    Rows are indexable by position (plain tuples when streamed, SQLAlchemy rows
    otherwise), with the values SQLAlchemy would give for text, integer and boolean
    columns. Close the iterator (``contextlib.closing``) before the transaction ends if
    it may not be exhausted: on PostgreSQL that cancels the rest of the query.
    """
    driver = _streams(connection)
    if driver is None:
        with connection.execution_options(yield_per=size).execute(query) as result:
            yield from result.partitions()
        return
    compiled = query.compile(dialect=connection.dialect)
    with driver.cursor() as cursor:
        # Closed first, whatever happens: an unfinished stream is cancelled and drained, and
        # it holds the connection's lock until then.
        stream = cast(Generator[Any, None, None], cursor.stream(str(compiled), compiled.params, size=size))
        with closing(stream) as rows:
            while batch := list(islice(rows, size)):
                yield batch
