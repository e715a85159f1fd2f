"""Writing exposures with a PostgreSQL ``COPY``: the statement and each exposure as a row of it.

``COPY`` costs the writer thread a fraction of the CPU (and of the GIL) of an ``INSERT`` per row,
so :meth:`~service.storage.exposures.ExposureRepository.insert_many` uses it on PostgreSQL; the
encoding here is what the writer thread does per exposure, so it writes the JSON directly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from service.storage.exposure_records import Exposure, Shown

__all__ = ["COPY_EXPOSURES", "copy_row", "shown_json"]

#: The columns a PostgreSQL ``COPY`` of exposures fills, in :func:`copy_row` order.
COPY_EXPOSURES = (
    "COPY exposure (ranking_id, client_id, experiment_key, phase, arm, strategy, catalog_version, "
    "shown, served_at, forced) FROM STDIN"
)


#: A JSON string literal, as ``json.dumps`` writes it (the C encoder).
_json_string = json.encoder.encode_basestring_ascii


def shown_json(shown: Sequence[Shown]) -> str:
    """``json.dumps(shown_value(shown))``, written directly: the writer thread does this per exposure.

    Positions are ints and scores finite floats, whose ``repr`` is what ``json.dumps`` writes.
    """
    return (
        "["
        + ", ".join([f"[{_json_string(s.counselor_id)}, {s.position!r}, {s.score!r}]" for s in shown])
        + "]"
    )


def copy_row(e: Exposure) -> tuple[Any, ...]:
    """``e`` as a row of :data:`COPY_EXPOSURES` (``shown`` as JSON text, as the JSON column stores it)."""
    return (
        e.ranking_id,
        e.client_id,
        e.experiment_key,
        e.phase,
        e.arm,
        e.strategy,
        e.catalog_version,
        shown_json(e.shown),
        e.served_at,
        e.forced,
    )
