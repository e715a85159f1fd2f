"""Experiments through the running service: assignment, exposures, outcomes and an honest read-out."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import field_mask_pb2

from attune.v1 import experiment_pb2, matching_pb2
from matcher.synthetic import synthetic_intakes
from service.api.convert.catalog import intake_to_proto
from service.cli.client import AttuneClient
from service.cli.simulate import SimulationSettings, run_simulation
from tests.e2e.conftest import DEMO_COUNT, RunningService, start_service

TIMEOUT = 20


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    db = Path(tmp_path_factory.mktemp("exp")) / "attune.db"
    running = start_service(f"sqlite:///{db}", "--seed-demo-if-empty", "--demo-count", str(DEMO_COUNT))
    yield running
    assert running.stop() == 0


@pytest.fixture
def client(service: RunningService) -> Iterator[AttuneClient]:
    with AttuneClient(service.address, TIMEOUT) as c:
        yield c


def make_experiment(
    client: AttuneClient,
    key: str,
    arms: list[tuple[str, str, float]],
    *,
    coverage: float = 1.0,
    salt: str = "",
) -> experiment_pb2.Experiment:
    experiment = experiment_pb2.Experiment(
        key=key,
        coverage=coverage,
        salt=salt,
        arms=[experiment_pb2.Arm(name=n, strategy=s, weight=w) for n, s, w in arms],
    )
    client.call(
        client.experiments.CreateExperiment, experiment_pb2.CreateExperimentRequest(experiment=experiment)
    )
    started = client.call(client.experiments.StartExperiment, experiment_pb2.StartExperimentRequest(key=key))
    return started.experiment


def stop(client: AttuneClient, key: str) -> None:
    client.call(client.experiments.StopExperiment, experiment_pb2.StopExperimentRequest(key=key))


def rank(client: AttuneClient, client_id: str, strategy: str = "") -> matching_pb2.RankCounselorsResponse:
    intake = intake_to_proto(synthetic_intakes(1, seed=len(client_id))[0])
    intake.client_id = client_id
    return client.call(
        client.matching.RankCounselors, matching_pb2.RankCounselorsRequest(intake=intake, strategy=strategy)
    )


def test_builtin_strategies_are_listed(client: AttuneClient) -> None:
    names = {
        f"{s.name}@{s.version}"
        for s in client.call(
            client.strategies.ListStrategies, experiment_pb2.ListStrategiesRequest()
        ).strategies
    }
    assert {"balanced-v1@1", "availability-first@1", "specialty-first@1", "random-eligible@1"} <= names


def test_assignment_is_sticky_and_overrides_are_outside_the_experiment(client: AttuneClient) -> None:
    make_experiment(
        client, "sticky", [("control", "balanced-v1@1", 1), ("treatment", "specialty-first@1", 1)]
    )
    try:
        first = rank(client, "client-sticky-1")
        again = rank(client, "client-sticky-1")
        assert first.experiment_key == again.experiment_key == "sticky"
        assert first.experiment_arm == again.experiment_arm and first.experiment_phase == 1
        expected = "balanced-v1" if first.experiment_arm == "control" else "specialty-first"
        assert first.strategy_name == expected
        forced = rank(client, "client-sticky-1", strategy="availability-first")
        assert forced.experiment_key == "" and forced.strategy_name == "availability-first"
    finally:
        stop(client, "sticky")
    after = rank(client, "client-sticky-1")
    assert after.experiment_key == "" and after.strategy_name == "balanced-v1"


def test_record_outcome_is_idempotent_and_strict(client: AttuneClient) -> None:
    response = rank(client, "client-outcome-1")
    shown = response.results[0].counselor_id
    request = matching_pb2.RecordOutcomeRequest(
        ranking_id=response.ranking_id, counselor_id=shown, event=matching_pb2.OUTCOME_EVENT_BOOKED
    )
    assert client.call(client.matching.RecordOutcome, request).duplicate is False  # right after ranking
    assert client.call(client.matching.RecordOutcome, request).duplicate is True
    with pytest.raises(grpc.RpcError) as caught:
        client.call(
            client.matching.RecordOutcome,
            matching_pb2.RecordOutcomeRequest(
                ranking_id="0" * 32, counselor_id=shown, event=matching_pb2.OUTCOME_EVENT_BOOKED
            ),
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    not_shown = next(
        i
        for i in ("demo-0000001", "demo-0000002", "demo-0000003")
        if i not in {r.counselor_id for r in response.results}
    )
    for bad, field in (
        (
            matching_pb2.RecordOutcomeRequest(
                ranking_id=response.ranking_id,
                counselor_id=not_shown,
                event=matching_pb2.OUTCOME_EVENT_BOOKED,
            ),
            "counselor_id",
        ),
        (matching_pb2.RecordOutcomeRequest(ranking_id=response.ranking_id, counselor_id=shown), "event"),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            client.call(client.matching.RecordOutcome, bad)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in (caught.value.details() or "")


def test_raising_coverage_moves_nobody_and_new_weights_start_a_new_phase(client: AttuneClient) -> None:
    make_experiment(
        client,
        "coverage",
        [("a", "balanced-v1@1", 1), ("b", "availability-first@1", 1)],
        coverage=0.3,
        salt="coverage-test",
    )
    try:
        ids = [f"client-cov-{i}" for i in range(150)]
        before = {i: rank(client, i).experiment_arm for i in ids}
        enrolled = {i: arm for i, arm in before.items() if arm}
        assert 20 < len(enrolled) < 70  # about 30% of 150
        client.call(
            client.experiments.UpdateExperiment,
            experiment_pb2.UpdateExperimentRequest(
                experiment=experiment_pb2.Experiment(key="coverage", coverage=0.6),
                update_mask=field_mask_pb2.FieldMask(paths=["coverage"]),
            ),
        )
        after = {i: rank(client, i) for i in ids}
        assert all(
            after[i].experiment_arm == arm and after[i].experiment_phase == 1 for i, arm in enrolled.items()
        )
        assert sum(1 for r in after.values() if r.experiment_arm) > len(enrolled)

        updated = client.call(
            client.experiments.UpdateExperiment,
            experiment_pb2.UpdateExperimentRequest(
                experiment=experiment_pb2.Experiment(
                    key="coverage",
                    arms=[
                        experiment_pb2.Arm(name="a", strategy="balanced-v1@1", weight=1),
                        experiment_pb2.Arm(name="b", strategy="availability-first@1", weight=3),
                    ],
                ),
                update_mask=field_mask_pb2.FieldMask(paths=["arms"]),
            ),
        ).experiment
        assert updated.phase == 2 and updated.salt != "coverage-test" and len(updated.phases) == 2
        first, second = updated.phases
        assert first.end_time == second.start_time and not second.HasField("end_time")
        third = {i: rank(client, i) for i in ids}
        assert all(r.experiment_phase == 2 for r in third.values() if r.experiment_arm)
    finally:
        stop(client, "coverage")


def test_bad_experiments_are_invalid_argument(client: AttuneClient) -> None:
    bad = experiment_pb2.Experiment(
        key="bad one!", coverage=1.5, arms=[experiment_pb2.Arm(name="a", strategy="nope@1", weight=1)]
    )
    with pytest.raises(grpc.RpcError) as caught:
        client.call(
            client.experiments.CreateExperiment, experiment_pb2.CreateExperimentRequest(experiment=bad)
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as caught:
        client.call(client.experiments.StartExperiment, experiment_pb2.StartExperimentRequest(key="missing"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_planted_lift_is_detected_and_the_split_is_healthy(client: AttuneClient) -> None:
    make_experiment(
        client,
        "lift",
        [("control", "balanced-v1@1", 1), ("random", "random-eligible@1", 1)],
        salt="lift-test",
    )
    try:
        result = run_simulation(client, "lift", SimulationSettings(clients=1200, seed=11))
    finally:
        stop(client, "lift")
    report = result.report
    assert not report.sample_ratio.mismatch
    booked = next(o for o in report.outcomes if o.event == "booked")
    random_arm = next(a for a in booked.arms if a.arm == "random")
    assert random_arm.absolute_lift < 0 and random_arm.p_value < 0.05
    assert random_arm.absolute_lift_interval.high < 0
    assert sum(a.units for a in report.arms) == result.requested


def test_broken_split_raises_the_srm_alarm(client: AttuneClient) -> None:
    make_experiment(
        client,
        "broken",
        [("control", "balanced-v1@1", 1), ("treatment", "balanced-v1@1", 1)],
        salt="broken-test",
    )
    try:
        result = run_simulation(
            client, "broken", SimulationSettings(clients=1200, seed=5, attrition={"treatment": 0.2})
        )
    finally:
        stop(client, "broken")
    assert result.dropped > 0
    assert result.report.sample_ratio.mismatch and result.report.sample_ratio.p_value < 0.001
    assert any("ample ratio" in w for w in result.report.warnings)


def test_no_exposure_is_lost_on_a_clean_shutdown(tmp_path: Path) -> None:
    db = tmp_path / "shutdown.db"
    running = start_service(f"sqlite:///{db}", "--seed-demo-if-empty", "--demo-count", "50")
    ranking_ids = []
    try:
        with AttuneClient(running.address, TIMEOUT) as c:
            ranking_ids = [rank(c, f"client-shutdown-{i}").ranking_id for i in range(200)]
    finally:
        assert running.stop() == 0
    with sqlite3.connect(db) as connection:
        stored = {row[0] for row in connection.execute("SELECT ranking_id FROM exposure")}
        columns = {row[1] for row in connection.execute("PRAGMA table_info(exposure)")}
    assert set(ranking_ids) <= stored
    assert not any(word in " ".join(columns) for word in ("concern", "language", "intake", "approach"))
