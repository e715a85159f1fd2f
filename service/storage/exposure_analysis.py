"""Reading exposures and outcomes back for the analysis of one experiment phase.

:func:`phase_queries` builds the statements that
:meth:`~service.storage.exposures.ExposureRepository.experiment_data` runs in one snapshot, and
:func:`experiment_data` makes their rows into :class:`ExperimentData`: the arms the clients saw and
the outcomes reported for them, with the position of each counselor in its ranking.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from service.storage.experiment_tables import exposure_table, outcome_table

__all__ = ["NOT_SHOWN", "ExperimentData", "experiment_data", "phase_queries"]

_X = exposure_table
_O = outcome_table
#: ``exposure.shown`` as JSON text, parsed in Python (the same on both backends).
_SHOWN_TEXT = sa.cast(_X.c.shown, sa.Text)
#: Position reported for an outcome whose counselor is not in the ranking's list.
NOT_SHOWN = 0


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


def _position(shown_text: str, counselor_id: str) -> int:
    for shown_id, position, _score in json.loads(shown_text):
        if shown_id == counselor_id:
            return int(position)
    return NOT_SHOWN


def phase_queries(key: str, phase: int) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The two statements an analysis of experiment ``key`` phase ``phase`` runs, in one snapshot.

    Returns
    -------
    (exposures, outcomes)
        The ``(client_id, arm)`` of each non-forced exposure of the phase, and the
        ``(client_id, arm, event, counselor_id, shown)`` of each outcome joined to its exposure
        (``shown`` as JSON text), in the orders :class:`ExperimentData` lists them.
    """
    in_phase = (_X.c.experiment_key == key, _X.c.phase == phase, _X.c.forced == sa.false())
    exposures = sa.select(_X.c.client_id, _X.c.arm).where(*in_phase).order_by(_X.c.served_at, _X.c.ranking_id)
    outcomes = (
        sa.select(_X.c.client_id, _X.c.arm, _O.c.event, _O.c.counselor_id, _SHOWN_TEXT)
        .select_from(_O.join(_X, _X.c.ranking_id == _O.c.ranking_id))
        .where(*in_phase)
        .order_by(_O.c.event_time, _O.c.ranking_id, _O.c.counselor_id, _O.c.event)
    )
    return exposures, outcomes


def experiment_data(exposures: Sequence[Sequence[Any]], outcomes: Sequence[Sequence[Any]]) -> ExperimentData:
    """The :class:`ExperimentData` of the rows read with :func:`phase_queries`.

    Each counselor's position is looked up in the exposure's ``shown`` list here, in Python.
    """
    return ExperimentData(
        exposures=[(client_id, arm) for client_id, arm in exposures],
        outcomes=[
            (client_id, arm, event, _position(shown, counselor_id))
            for client_id, arm, event, counselor_id, shown in outcomes
        ],
    )
