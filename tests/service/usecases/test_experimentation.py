"""Experimentation with a real store (SQLite and PostgreSQL): starts that would starve an experiment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from matcher.errors import Conflict
from matcher.experiments import Arm, Experiment, ExperimentStatus
from service.storage.experiments import ExperimentRepository
from service.storage.exposures import ExposureRepository
from service.storage.strategies import StrategyRepository
from service.usecases.experimentation import Experimentation, ExperimentChanges

ARMS = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "availability-first@1", 1.0))


@pytest.fixture
def experimentation(database_engine: sa.Engine) -> Experimentation:
    return Experimentation(
        StrategyRepository(database_engine),
        ExperimentRepository(database_engine),
        ExposureRepository(database_engine),
    )


def draft(key: str, coverage: float = 1.0, layer: str = "", lo: int = 0, hi: int = 10_000) -> Experiment:
    return Experiment(key, "", ARMS, coverage, ExperimentStatus.DRAFT, layer=layer, layer_range=(lo, hi))


def started(x: Experimentation, key: str, **changes: object) -> None:
    x.create(draft(key, **changes), description="")  # type: ignore[arg-type]
    x.set_status(key, ExperimentStatus.RUNNING)


def test_starting_an_experiment_that_would_enrol_nobody_is_refused(experimentation: Experimentation) -> None:
    started(experimentation, "a-first")
    experimentation.create(draft("b-second"), description="")
    with pytest.raises(Conflict) as refused:
        experimentation.set_status("b-second", ExperimentStatus.RUNNING)
    assert refused.value.reason == "EXPERIMENT_STARVED"
    assert "'b-second' would enrol nobody" in str(refused.value) and "'a-first'" in str(refused.value)
    assert experimentation.get("b-second").experiment.status is ExperimentStatus.DRAFT  # nothing changed
    assert all(experimentation.assign(f"client-{i}").experiment_key == "a-first" for i in range(50))  # type: ignore[union-attr]


def test_a_full_layer_ahead_starves_an_experiment_without_one(experimentation: Experimentation) -> None:
    started(experimentation, "later")
    started(experimentation, "x", layer="lay", lo=0, hi=5000)
    with pytest.raises(Conflict) as refused:
        started(experimentation, "y", layer="lay", lo=5000, hi=10_000)
    assert "'later' would enrol nobody" in str(refused.value)


def test_raising_coverage_may_not_starve_a_running_experiment(experimentation: Experimentation) -> None:
    started(experimentation, "a-first", coverage=0.5)
    started(experimentation, "b-second")
    with pytest.raises(Conflict):
        experimentation.update("a-first", ExperimentChanges(coverage=1.0))
    assert experimentation.get("a-first").experiment.coverage == 0.5
    experimentation.update("a-first", ExperimentChanges(coverage=0.8))  # still leaves some


def test_a_report_says_when_experiments_ahead_take_part_of_the_clients(
    experimentation: Experimentation,
) -> None:
    started(experimentation, "a-first", coverage=0.4)
    started(experimentation, "b-second")
    _, _, second = experimentation.report("b-second")
    assert any("'a-first'" in w and "about 60.0% of clients, not the 100.0%" in w for w in second.warnings)
    _, _, first = experimentation.report("a-first")
    assert not any("consulted first" in w for w in first.warnings)
