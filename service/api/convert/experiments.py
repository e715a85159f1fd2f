"""Proto <-> domain conversion for strategies, experiments, outcomes and reports."""

from __future__ import annotations

import math
from datetime import datetime

from google.protobuf import field_mask_pb2, timestamp_pb2

from attune.v1 import experiment_pb2, matching_pb2
from matcher.attributes import FACTORS
from matcher.errors import FieldViolation, InvalidInput
from matcher.experiments import Arm, Experiment, ExperimentStatus, Report
from matcher.experiments import Interval as DomainInterval
from matcher.experiments.outcomes import OutcomeEvent
from matcher.strategy import Algorithm, Strategy
from service.storage.experiment_rows import ExperimentRecord
from service.storage.strategies import StrategyRecord
from service.usecases.experimentation import ExperimentChanges

__all__ = [
    "experiment_changes",
    "experiment_from_proto",
    "experiment_to_proto",
    "outcome_event_from_proto",
    "outcome_event_to_proto",
    "report_to_proto",
    "strategy_from_proto",
    "strategy_to_proto",
]

_ALGORITHMS = {
    experiment_pb2.STRATEGY_ALGORITHM_WEIGHTED: Algorithm.WEIGHTED,
    experiment_pb2.STRATEGY_ALGORITHM_RANDOM_ELIGIBLE: Algorithm.RANDOM_ELIGIBLE,
}
_STATUSES = {
    ExperimentStatus.DRAFT: experiment_pb2.EXPERIMENT_STATUS_DRAFT,
    ExperimentStatus.RUNNING: experiment_pb2.EXPERIMENT_STATUS_RUNNING,
    ExperimentStatus.PAUSED: experiment_pb2.EXPERIMENT_STATUS_PAUSED,
    ExperimentStatus.STOPPED: experiment_pb2.EXPERIMENT_STATUS_STOPPED,
}
_EVENTS = {
    matching_pb2.OUTCOME_EVENT_VIEWED: OutcomeEvent.VIEWED,
    matching_pb2.OUTCOME_EVENT_CONTACTED: OutcomeEvent.CONTACTED,
    matching_pb2.OUTCOME_EVENT_BOOKED: OutcomeEvent.BOOKED,
    matching_pb2.OUTCOME_EVENT_ATTENDED_FIRST_SESSION: OutcomeEvent.ATTENDED_FIRST_SESSION,
    matching_pb2.OUTCOME_EVENT_RETAINED_FOUR_SESSIONS: OutcomeEvent.RETAINED_FOUR_SESSIONS,
    matching_pb2.OUTCOME_EVENT_REMATCH_REQUESTED: OutcomeEvent.REMATCH_REQUESTED,
}
UPDATABLE_EXPERIMENT_FIELDS = ("arms", "coverage", "description", "control_arm")


def _timestamp(moment: datetime | None) -> timestamp_pb2.Timestamp | None:
    if moment is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def outcome_event_from_proto(number: int) -> OutcomeEvent:
    """Decode an outcome event; InvalidInput on ``event`` listing the allowed values."""
    event: OutcomeEvent | None = _EVENTS.get(number)  # type: ignore[call-overload]
    if event is None:
        allowed = ", ".join(matching_pb2.OutcomeEvent.Name(n) for n in _EVENTS)
        raise InvalidInput(
            [FieldViolation("event", f"unknown or unspecified value {number}; allowed: {allowed}")]
        )
    return event


_EVENT_NUMBERS = {event: number for number, event in _EVENTS.items()}


def outcome_event_to_proto(event: OutcomeEvent) -> matching_pb2.OutcomeEvent.ValueType:
    """The proto enum value of an outcome event."""
    return _EVENT_NUMBERS[event]


def strategy_from_proto(msg: experiment_pb2.Strategy) -> Strategy:
    """Decode a strategy to create (its version is assigned by the store)."""
    out: list[FieldViolation] = []
    algorithm = _ALGORITHMS.get(msg.algorithm)
    if algorithm is None:
        allowed = ", ".join(experiment_pb2.StrategyAlgorithm.Name(n) for n in _ALGORITHMS)
        out.append(FieldViolation("strategy.algorithm", f"required; allowed: {allowed}"))
    weights: dict[str, float] = {}
    for i, w in enumerate(msg.weights):
        factor = w.factor
        if factor not in FACTORS:
            out.append(
                FieldViolation(
                    f"strategy.weights[{i}].factor",
                    f"unknown factor {w.factor!r}; allowed: {', '.join(FACTORS)}",
                )
            )
            continue
        if not (math.isfinite(w.weight) and w.weight >= 0):
            out.append(FieldViolation(f"strategy.weights[{i}].weight", "must be a finite number >= 0"))
        weights[factor] = w.weight
    if out:
        raise InvalidInput(out)
    full = {f: weights.get(f, 0.0) for f in FACTORS}
    return Strategy(msg.name, 1, algorithm or Algorithm.WEIGHTED, full, msg.description)


def strategy_to_proto(record: StrategyRecord) -> experiment_pb2.Strategy:
    """Encode a stored strategy."""
    s = record.strategy
    algorithm = next(n for n, a in _ALGORITHMS.items() if a is s.algorithm)
    return experiment_pb2.Strategy(
        name=s.name,
        version=s.version,
        algorithm=algorithm,
        weights=[experiment_pb2.FactorWeight(factor=f, weight=w) for f, w in s.weights.items()],
        description=s.description,
        builtin=record.builtin,
        create_time=_timestamp(record.create_time),
    )


def _arms(msg_arms: object) -> tuple[Arm, ...]:
    return tuple(Arm(a.name, a.strategy, a.weight) for a in msg_arms)  # type: ignore[attr-defined]


def experiment_from_proto(msg: experiment_pb2.Experiment) -> tuple[Experiment, str]:
    """Decode an experiment to create, and its description (status/salt/phase are the server's)."""
    start, end = msg.layer_bucket_start, msg.layer_bucket_end
    layer_range = (start, end) if (start, end) != (0, 0) else (0, 10_000)
    experiment = Experiment(
        key=msg.key,
        salt=msg.salt,
        arms=_arms(msg.arms),
        coverage=msg.coverage if msg.coverage else 1.0,
        status=ExperimentStatus.DRAFT,
        layer=msg.layer,
        layer_range=layer_range,
        control=msg.control_arm,
    )
    return experiment, msg.description


def experiment_changes(msg: experiment_pb2.Experiment, mask: field_mask_pb2.FieldMask) -> ExperimentChanges:
    """Which fields of ``msg`` an update applies (the mask must name them)."""
    paths = list(mask.paths)
    if not paths or any(p not in UPDATABLE_EXPERIMENT_FIELDS for p in paths):
        raise InvalidInput(
            [FieldViolation("update_mask", f"name one or more of: {', '.join(UPDATABLE_EXPERIMENT_FIELDS)}")]
        )
    return ExperimentChanges(
        arms=_arms(msg.arms) if "arms" in paths else None,
        coverage=msg.coverage if "coverage" in paths else None,
        description=msg.description if "description" in paths else None,
        control=msg.control_arm if "control_arm" in paths else None,
    )


def _arm_messages(arms: tuple[Arm, ...]) -> list[experiment_pb2.Arm]:
    return [experiment_pb2.Arm(name=a.name, strategy=a.strategy, weight=a.weight) for a in arms]


def experiment_to_proto(record: ExperimentRecord) -> experiment_pb2.Experiment:
    """Encode a stored experiment with its phase history."""
    e = record.experiment
    return experiment_pb2.Experiment(
        key=e.key,
        description=record.description,
        arms=_arm_messages(e.arms),
        coverage=e.coverage,
        status=_STATUSES[e.status],
        phase=e.phase,
        salt=e.salt,
        layer=e.layer,
        layer_bucket_start=e.layer_range[0],
        layer_bucket_end=e.layer_range[1],
        control_arm=e.control_arm,
        start_time=_timestamp(record.start_time),
        stop_time=_timestamp(record.stop_time),
        phases=[
            experiment_pb2.ExperimentPhase(
                phase=p.phase,
                salt=p.salt,
                arms=_arm_messages(p.arms),
                coverage=p.coverage,
                start_time=_timestamp(p.start_time),
                end_time=_timestamp(end),
            )
            for p, end in zip(record.phases, record.phase_end_times(), strict=True)
        ],
    )


def _interval(value: DomainInterval | None) -> experiment_pb2.Interval | None:
    return None if value is None else experiment_pb2.Interval(low=value.low, high=value.high)


def report_to_proto(
    record: ExperimentRecord, phase: int, report: Report
) -> experiment_pb2.GetExperimentReportResponse:
    """Encode a read-out."""
    arms_by_name = {p.phase: p for p in record.phases}[phase].arms
    strategies = {a.name: (a.strategy, a.weight) for a in arms_by_name}
    return experiment_pb2.GetExperimentReportResponse(
        key=record.experiment.key,
        phase=phase,
        control_arm=report.control,
        arms=[
            experiment_pb2.ArmSummary(
                arm=a.arm,
                strategy=strategies[a.arm][0],
                weight=strategies[a.arm][1],
                units=a.units,
                exposures=a.exposures,
                booked_mrr=report.mrr_booked.get(a.arm),
            )
            for a in report.arms
        ],
        outcomes=[
            experiment_pb2.OutcomeReport(
                event=event,
                arms=[
                    experiment_pb2.ArmOutcome(
                        arm=o.arm,
                        units=o.units,
                        conversions=o.conversions,
                        rate=o.rate,
                        rate_interval=_interval(o.rate_ci),
                        absolute_lift=o.abs_lift,
                        absolute_lift_interval=_interval(o.abs_lift_ci),
                        relative_lift=o.rel_lift,
                        relative_lift_interval=_interval(o.rel_lift_ci),
                        p_value=o.p_value,
                        p_value_holm=o.p_value_holm,
                        sequential_absolute_lift_interval=_interval(o.seq_abs_lift_ci),
                    )
                    for o in outcomes
                ],
            )
            for event, outcomes in report.outcomes.items()
        ],
        sample_ratio=experiment_pb2.SampleRatioCheck(
            chi_square=report.srm.chi2, p_value=report.srm.p_value, mismatch=report.srm.mismatch
        ),
        multi_arm_units_excluded=report.multi_arm_units_excluded,
        warnings=list(report.warnings),
    )
