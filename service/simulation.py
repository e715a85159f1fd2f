"""``attune simulate``: a whole synthetic experiment driven through the real service.

Synthetic clients (``matcher.synthetic``) ask for rankings over gRPC. Each has hidden
true preferences that no strategy knows exactly: the value of a counselor to a client
is ``TRUE_WEIGHTS`` applied to the factor scores the service returns (what the client
would discover in a first session), never the strategy's own weights. The client
looks down the list (a cascade: position p is examined with probability
``EXAMINE_DECAY ** (p - 1)``; examining is a *view*), contacts the first counselor it
likes with probability ``contact_rate * value``, books after contact with probability
``book_rate``, attends with ``attend_rate``; after attending, a poor fit asks for a
rematch with probability ``rematch_rate * (1 - value)``, otherwise stays four sessions
with ``retain_rate``. Every event goes back through ``RecordOutcome``; the report
comes from ``GetExperimentReport``.

``attrition`` simulates a broken experiment: that share of an arm's clients leave
before their ranking is requested (as if that arm's page failed to load), which is
exactly what a sample-ratio-mismatch check must catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from attune.v1 import experiment_pb2, matching_pb2
from matcher.experiments import Arm, Experiment, ExperimentStatus, assign
from matcher.synthetic import synthetic_intakes
from service.api.convert.catalog import intake_to_proto
from service.cli.client import AttuneClient

__all__ = ["SimulationResult", "SimulationSettings", "run_simulation"]

#: The clients' hidden valuation of the factors (no built-in strategy uses these weights).
TRUE_WEIGHTS: Mapping[str, float] = {
    "concern": 0.45,
    "availability": 0.35,
    "language": 0.15,
    "approach": 0.05,
}
EXAMINE_DECAY = 0.7


@dataclass(frozen=True)
class SimulationSettings:
    """How many clients, how they behave, and what breaks."""

    clients: int = 2000
    seed: int = 0
    contact_rate: float = 0.5
    book_rate: float = 0.7
    attend_rate: float = 0.8
    rematch_rate: float = 0.6
    retain_rate: float = 0.6
    top_k: int = 10
    attrition: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SimulationResult:
    """What was sent and what the service reported."""

    requested: int
    dropped: int
    bookings: int
    report: experiment_pb2.GetExperimentReportResponse


def _value(result: matching_pb2.RankedCounselor) -> float:
    scores = {f.factor: f.score for f in result.factors}
    applicable = {k: w for k, w in TRUE_WEIGHTS.items() if k in scores}
    total = sum(applicable.values())
    return sum(w * scores[k] for k, w in applicable.items()) / total if total else 0.0


def _experiment(message: experiment_pb2.Experiment) -> Experiment:
    return Experiment(
        key=message.key,
        salt=message.salt,
        arms=tuple(Arm(a.name, a.strategy, a.weight) for a in message.arms),
        coverage=message.coverage,
        status=ExperimentStatus.RUNNING,
        phase=message.phase,
        layer=message.layer,
        layer_range=(message.layer_bucket_start, message.layer_bucket_end),
    )


def run_simulation(
    client: AttuneClient, experiment_key: str, settings: SimulationSettings
) -> SimulationResult:
    """Drive ``settings.clients`` synthetic clients through a running experiment; return the report."""
    rng = np.random.default_rng(settings.seed)
    current = client.call(
        client.experiments.GetExperiment, experiment_pb2.GetExperimentRequest(key=experiment_key)
    ).experiment
    local = _experiment(current)
    requested = dropped = bookings = 0
    for i, intake in enumerate(synthetic_intakes(settings.clients, settings.seed)):
        intake = replace(intake, client_id=f"sim{settings.seed}-{i:06d}")
        planned = assign(local, intake.client_id)
        if planned is not None and rng.random() < settings.attrition.get(planned.arm, 0.0):
            dropped += 1
            continue
        response = client.call(
            client.matching.RankCounselors,
            matching_pb2.RankCounselorsRequest(intake=intake_to_proto(intake), page_size=settings.top_k),
        )
        requested += 1
        bookings += _behave(client, response, settings, rng)
    report = client.call(
        client.experiments.GetExperimentReport, experiment_pb2.GetExperimentReportRequest(key=experiment_key)
    )
    return SimulationResult(requested, dropped, bookings, report)


def _behave(
    client: AttuneClient,
    response: matching_pb2.RankCounselorsResponse,
    settings: SimulationSettings,
    rng: np.random.Generator,
) -> int:
    """One client's journey down a ranking; returns 1 if it booked."""
    for result in response.results:
        if rng.random() >= EXAMINE_DECAY ** (result.rank - 1):
            return 0

        def record(event: int, counselor_id: str = result.counselor_id) -> None:
            _record(client, response.ranking_id, counselor_id, event)

        record(matching_pb2.OUTCOME_EVENT_VIEWED)
        value = _value(result)
        if rng.random() >= settings.contact_rate * value:
            continue
        record(matching_pb2.OUTCOME_EVENT_CONTACTED)
        if rng.random() >= settings.book_rate:
            return 0
        record(matching_pb2.OUTCOME_EVENT_BOOKED)
        if rng.random() < settings.attend_rate:
            record(matching_pb2.OUTCOME_EVENT_ATTENDED_FIRST_SESSION)
            if rng.random() < settings.rematch_rate * (1 - value):
                record(matching_pb2.OUTCOME_EVENT_REMATCH_REQUESTED)
            elif rng.random() < settings.retain_rate:
                record(matching_pb2.OUTCOME_EVENT_RETAINED_FOUR_SESSIONS)
        return 1
    return 0


def _record(client: AttuneClient, ranking_id: str, counselor_id: str, event: int) -> None:
    client.call(
        client.matching.RecordOutcome,
        matching_pb2.RecordOutcomeRequest(ranking_id=ranking_id, counselor_id=counselor_id, event=event),  # type: ignore[arg-type]
    )
