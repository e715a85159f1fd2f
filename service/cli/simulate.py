"""``attune simulate``'s driver (CLI layer, a gRPC client): a whole synthetic experiment driven
through the real, running service.

Synthetic clients (``matcher.synthetic``) ask for rankings over gRPC, and each does with
its ranking what :func:`matcher.experiments.clients.journey` says (hidden preferences, a
cascade down the list, contact, booking, attendance, rematch or retention; the same model
the statistical tests run in process). Every event goes back through ``RecordOutcome``;
the report comes from ``GetExperimentReport``.

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
from matcher.experiments.clients import Behaviour, journey
from matcher.experiments.outcomes import OutcomeEvent
from matcher.synthetic import synthetic_intakes
from service.api.convert.catalog import intake_to_proto
from service.api.convert.experiments import outcome_event_to_proto
from service.cli.client import AttuneClient

__all__ = ["SimulationResult", "SimulationSettings", "run_simulation"]


@dataclass(frozen=True)
class SimulationSettings:
    """How many clients, how they behave, and what breaks."""

    clients: int = 2000
    seed: int = 0
    behaviour: Behaviour = field(default_factory=Behaviour)
    top_k: int = 10
    attrition: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SimulationResult:
    """What was sent and what the service reported."""

    requested: int
    dropped: int
    bookings: int
    report: experiment_pb2.GetExperimentReportResponse


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
    """One client's journey down a ranking, each event recorded; returns 1 if it booked."""
    shown = [{f.factor: f.score for f in result.factors} for result in response.results]
    events = journey(shown, settings.behaviour, rng)
    for position, event in events:
        client.call(
            client.matching.RecordOutcome,
            matching_pb2.RecordOutcomeRequest(
                ranking_id=response.ranking_id,
                counselor_id=response.results[position].counselor_id,
                event=outcome_event_to_proto(event),
            ),
        )
    return int(any(event is OutcomeEvent.BOOKED for _, event in events))
