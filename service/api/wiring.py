"""The composition root (gRPC adapter layer): what a server process is made of, built from a Config.

The one place that knows every concrete class: :func:`build_use_cases` builds the database engine,
the repositories on it and the use cases (:mod:`service.usecases`) on those;
:func:`add_servicers` puts a servicer for each use case on a gRPC server. :mod:`service.api.server`
runs what this builds (threads, health, shutdown) and builds nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import sqlalchemy as sa
from google.protobuf.descriptor import ServiceDescriptor

from attune.v1 import (
    counselor_pb2,
    counselor_pb2_grpc,
    experiment_pb2,
    experiment_pb2_grpc,
    matching_pb2,
    matching_pb2_grpc,
)
from matcher.engine.ranking import warm_up
from service.api.counselors import CounselorServicer
from service.api.experiments import ExperimentServicer, StrategyServicer
from service.api.matching import MatchingServicer
from service.config import Config
from service.storage.counselors import CounselorRepository
from service.storage.database import SchemaOutOfDate, is_up_to_date, make_engine
from service.storage.experiments import ExperimentRepository
from service.storage.exposures import ExposureRepository
from service.storage.strategies import StrategyRepository
from service.usecases.catalog import Catalog
from service.usecases.experimentation import Experimentation
from service.usecases.exposures import ExposureLog
from service.usecases.matching import Matching

__all__ = ["SERVICE_NAMES", "UseCases", "add_servicers", "build_use_cases"]

#: The gRPC services :func:`add_servicers` adds (health and reflection aside).
SERVICE_NAMES = (
    counselor_pb2.DESCRIPTOR.services_by_name["CounselorService"].full_name,
    matching_pb2.DESCRIPTOR.services_by_name["MatchingService"].full_name,
    experiment_pb2.DESCRIPTOR.services_by_name["StrategyService"].full_name,
    experiment_pb2.DESCRIPTOR.services_by_name["ExperimentService"].full_name,
)


@dataclass(frozen=True)
class UseCases:
    """The use cases of one server process, on one database engine."""

    database: sa.Engine
    catalog: Catalog
    experimentation: Experimentation
    exposure_log: ExposureLog
    matching: Matching

    def close(self) -> None:
        """Write the exposures still queued, then close the database's connections."""
        self.exposure_log.close()
        self.database.dispose()


def build_use_cases(config: Config) -> UseCases:
    """The database engine, the repositories and the use cases for ``config``; loads the catalog.

    Raises :class:`SchemaOutOfDate` if the database is not migrated to this code's schema.
    """
    database = make_engine(config.database_url)
    if not is_up_to_date(config.database_url):
        database.dispose()
        raise SchemaOutOfDate(
            "the database schema is not up to date; run `attune db upgrade` "
            f"(database: {database.url.render_as_string(hide_password=True)})"
        )
    warm_up()  # compile the ranking kernel now, not on the first request
    catalog = Catalog(CounselorRepository(database))
    exposures = ExposureRepository(database)
    exposure_log = ExposureLog(exposures.insert_many)
    experimentation = Experimentation(
        StrategyRepository(database), ExperimentRepository(database), exposures, exposure_log.flush
    )
    matching = Matching(catalog, experimentation, exposure_log, exposures)
    return UseCases(database, catalog, experimentation, exposure_log, matching)


def add_servicers(
    server: grpc.aio.Server,
    use_cases: UseCases,
    wrap: Callable[[object, ServiceDescriptor], Any],
) -> None:
    """Add a servicer for each of :data:`SERVICE_NAMES` to ``server``, each as ``wrap(servicer, service)``.

    The server passes the wrapper that maps domain errors to gRPC statuses
    (:func:`service.api.errors.error_mapped`) and picks the thread each method runs on.
    """

    def wrapped(servicer: object, file: Any, name: str) -> Any:
        return wrap(servicer, file.DESCRIPTOR.services_by_name[name])

    counselor_pb2_grpc.add_CounselorServiceServicer_to_server(
        wrapped(CounselorServicer(use_cases.catalog), counselor_pb2, "CounselorService"), server
    )
    matching_pb2_grpc.add_MatchingServiceServicer_to_server(
        wrapped(MatchingServicer(use_cases.matching), matching_pb2, "MatchingService"), server
    )
    experiment_pb2_grpc.add_StrategyServiceServicer_to_server(
        wrapped(StrategyServicer(use_cases.experimentation), experiment_pb2, "StrategyService"), server
    )
    experiment_pb2_grpc.add_ExperimentServiceServicer_to_server(
        wrapped(ExperimentServicer(use_cases.experimentation), experiment_pb2, "ExperimentService"), server
    )
