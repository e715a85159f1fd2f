"""Synthetic clients with hidden preferences: what a client does with the ranking it is shown.

The behaviour model of ``attune simulate`` (:mod:`service.cli.simulate`, through the running
service) and of the statistical tests that run it in process
(:func:`matcher.experiments.simulation.simulate_journeys`). The value of a counselor to
a client is :data:`TRUE_WEIGHTS` applied to the factor scores of the ranking (what the
client would discover in a first session), never the strategy's own weights. The client
looks down the list (a cascade: position p is examined with probability
``EXAMINE_DECAY ** (p - 1)``; examining is a *view*), contacts the first counselor it
likes with probability ``contact_rate * value``, books after contact with probability
``book_rate``, attends with ``attend_rate``; after attending, a poor fit asks for a
rematch with probability ``rematch_rate * (1 - value)``, otherwise stays four sessions
with ``retain_rate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.experiments.outcomes import OutcomeEvent

__all__ = ["EXAMINE_DECAY", "TRUE_WEIGHTS", "Behaviour", "client_value", "journey"]

#: The clients' hidden valuation of the factors (no built-in strategy uses these weights).
TRUE_WEIGHTS: Mapping[str, float] = {
    "concern": 0.45,
    "availability": 0.35,
    "language": 0.15,
    "approach": 0.05,
}
EXAMINE_DECAY = 0.7


@dataclass(frozen=True)
class Behaviour:
    """The probabilities of each step of a client's journey (see the module docstring)."""

    contact_rate: float = 0.5
    book_rate: float = 0.7
    attend_rate: float = 0.8
    rematch_rate: float = 0.6
    retain_rate: float = 0.6


def client_value(factor_scores: Mapping[str, float]) -> float:
    """A counselor's value to a client in [0, 1]: the hidden weights over the factors that apply."""
    applicable = {k: w for k, w in TRUE_WEIGHTS.items() if k in factor_scores}
    total = sum(applicable.values())
    return sum(w * factor_scores[k] for k, w in applicable.items()) / total if total else 0.0


def journey(
    shown: Sequence[Mapping[str, float]], behaviour: Behaviour, rng: np.random.Generator
) -> list[tuple[int, OutcomeEvent]]:
    """What one client does with a ranking: ``(position, event)`` in the order they happen.

    ``shown`` holds the factor scores of each counselor shown, best first (position 0).
    """
    events: list[tuple[int, OutcomeEvent]] = []
    for position, scores in enumerate(shown):
        if rng.random() >= EXAMINE_DECAY**position:
            return events
        events.append((position, OutcomeEvent.VIEWED))
        value = client_value(scores)
        if rng.random() >= behaviour.contact_rate * value:
            continue
        events.append((position, OutcomeEvent.CONTACTED))
        if rng.random() >= behaviour.book_rate:
            return events
        events.append((position, OutcomeEvent.BOOKED))
        if rng.random() < behaviour.attend_rate:
            events.append((position, OutcomeEvent.ATTENDED_FIRST_SESSION))
            if rng.random() < behaviour.rematch_rate * (1 - value):
                events.append((position, OutcomeEvent.REMATCH_REQUESTED))
            elif rng.random() < behaviour.retain_rate:
                events.append((position, OutcomeEvent.RETAINED_FOUR_SESSIONS))
        return events
    return events
