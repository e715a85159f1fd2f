"""``attune.v1.StrategyService`` and ``attune.v1.ExperimentService`` (gRPC adapter): thin, convert and
delegate to the experimentation use case."""

from __future__ import annotations

import grpc

from attune.v1 import experiment_pb2, experiment_pb2_grpc
from matcher.errors import FieldViolation, InvalidInput
from matcher.experiments import ExperimentStatus
from service.api.convert.experiments import (
    experiment_changes,
    experiment_from_proto,
    experiment_to_proto,
    report_to_proto,
    strategy_from_proto,
    strategy_to_proto,
)
from service.api.paging import page_size, required
from service.usecases.experimentation import Experimentation

__all__ = ["ExperimentServicer", "StrategyServicer"]


def _key(key: str, field: str = "key") -> str:
    return required(key, field, "the experiment's key")


class StrategyServicer(experiment_pb2_grpc.StrategyServiceServicer):
    """Strategy registry."""

    def __init__(self, experimentation: Experimentation) -> None:
        self._experimentation = experimentation

    def CreateStrategy(
        self, request: experiment_pb2.CreateStrategyRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.CreateStrategyResponse:
        record = self._experimentation.create_strategy(strategy_from_proto(request.strategy))
        return experiment_pb2.CreateStrategyResponse(strategy=strategy_to_proto(record))

    def ListStrategies(
        self, request: experiment_pb2.ListStrategiesRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.ListStrategiesResponse:
        records, token = self._experimentation.list_strategies(
            page_size(request.page_size), request.page_token
        )
        return experiment_pb2.ListStrategiesResponse(
            strategies=[strategy_to_proto(r) for r in records], next_page_token=token
        )


class ExperimentServicer(experiment_pb2_grpc.ExperimentServiceServicer):
    """Experiment life cycle and read-out."""

    def __init__(self, experimentation: Experimentation) -> None:
        self._experimentation = experimentation

    def CreateExperiment(
        self, request: experiment_pb2.CreateExperimentRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.CreateExperimentResponse:
        experiment, description = experiment_from_proto(request.experiment)
        record = self._experimentation.create(experiment, description)
        return experiment_pb2.CreateExperimentResponse(experiment=experiment_to_proto(record))

    def GetExperiment(
        self, request: experiment_pb2.GetExperimentRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.GetExperimentResponse:
        record = self._experimentation.get(_key(request.key))
        return experiment_pb2.GetExperimentResponse(experiment=experiment_to_proto(record))

    def ListExperiments(
        self, request: experiment_pb2.ListExperimentsRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.ListExperimentsResponse:
        records, token = self._experimentation.list(page_size(request.page_size), request.page_token)
        return experiment_pb2.ListExperimentsResponse(
            experiments=[experiment_to_proto(r) for r in records], next_page_token=token
        )

    def UpdateExperiment(
        self, request: experiment_pb2.UpdateExperimentRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.UpdateExperimentResponse:
        changes = experiment_changes(request.experiment, request.update_mask)
        record = self._experimentation.update(_key(request.experiment.key, "experiment.key"), changes)
        return experiment_pb2.UpdateExperimentResponse(experiment=experiment_to_proto(record))

    def StartExperiment(
        self, request: experiment_pb2.StartExperimentRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.StartExperimentResponse:
        record = self._experimentation.set_status(_key(request.key), ExperimentStatus.RUNNING)
        return experiment_pb2.StartExperimentResponse(experiment=experiment_to_proto(record))

    def PauseExperiment(
        self, request: experiment_pb2.PauseExperimentRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.PauseExperimentResponse:
        record = self._experimentation.set_status(_key(request.key), ExperimentStatus.PAUSED)
        return experiment_pb2.PauseExperimentResponse(experiment=experiment_to_proto(record))

    def StopExperiment(
        self, request: experiment_pb2.StopExperimentRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.StopExperimentResponse:
        record = self._experimentation.set_status(_key(request.key), ExperimentStatus.STOPPED)
        return experiment_pb2.StopExperimentResponse(experiment=experiment_to_proto(record))

    def GetExperimentReport(
        self, request: experiment_pb2.GetExperimentReportRequest, context: grpc.ServicerContext
    ) -> experiment_pb2.GetExperimentReportResponse:
        if request.phase < 0:
            raise InvalidInput([FieldViolation("phase", "must be 0 (current phase) or a phase number")])
        record, phase, report = self._experimentation.report(_key(request.key), request.phase)
        return report_to_proto(record, phase, report)
