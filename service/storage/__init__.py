"""Persistence of the counselor catalog, strategies, experiments and exposures
(SQLModel tables, Alembic migrations, repositories).

``sqlite:///path.db`` by default, PostgreSQL by URL; see :mod:`service.storage.database`.
"""

from service.storage.counselors import CounselorRecord, CounselorRepository
from service.storage.database import current_revision, is_up_to_date, make_engine, upgrade
from service.storage.experiment_rows import ExperimentRecord, PhaseRecord
from service.storage.experiments import ExperimentRepository
from service.storage.exposure_analysis import ExperimentData
from service.storage.exposures import ExposureRepository
from service.storage.strategies import StrategyRecord, StrategyRepository

__all__ = [
    "CounselorRecord",
    "CounselorRepository",
    "ExperimentData",
    "ExperimentRecord",
    "ExperimentRepository",
    "ExposureRepository",
    "PhaseRecord",
    "StrategyRecord",
    "StrategyRepository",
    "current_revision",
    "is_up_to_date",
    "make_engine",
    "upgrade",
]
