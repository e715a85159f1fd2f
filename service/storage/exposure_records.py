"""Exposure records: a served ranking (:class:`Exposure`) and the counselors it showed (:class:`Shown`).

These are what :class:`service.usecases.exposures.ExposureLog` queues and
:class:`~service.storage.exposures.ExposureRepository` stores; :func:`exposure_values` is an exposure
as an ``exposure`` row (``shown`` as a JSON array of ``[counselor_id, position, score]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

__all__ = ["Exposure", "Shown", "exposure_values", "shown_value"]


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


def shown_value(shown: Sequence[Shown]) -> list[list[Any]]:
    """``shown`` as the JSON value of ``exposure.shown``: one ``[counselor_id, position, score]`` each."""
    return [[s.counselor_id, s.position, s.score] for s in shown]


def exposure_values(e: Exposure) -> dict[str, Any]:
    """``e`` as the column values of an ``exposure`` row, by column name."""
    return {
        "ranking_id": e.ranking_id,
        "client_id": e.client_id,
        "experiment_key": e.experiment_key,
        "phase": e.phase,
        "arm": e.arm,
        "strategy": e.strategy,
        "catalog_version": e.catalog_version,
        "shown": shown_value(e.shown),
        "served_at": e.served_at,
        "forced": e.forced,
    }
