"""ExperimentRepository on SQLite and PostgreSQL (``database_url`` runs each test on both)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.experiments.model import Arm, Experiment, ExperimentStatus, new_phase
from service.storage.experiment_rows import ExperimentRecord, PhaseRecord
from service.storage.experiments import ExperimentRepository

ARMS = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "availability-first@1", 1.0))
T0 = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def repo(engine: sa.Engine) -> ExperimentRepository:
    return ExperimentRepository(engine)


def experiment(
    key: str = "exp-1", status: ExperimentStatus = ExperimentStatus.DRAFT, **changes: object
) -> Experiment:
    made = Experiment(key=key, salt=f"salt-{key}", arms=ARMS, coverage=0.5, status=status)
    return replace(made, **changes)  # type: ignore[arg-type]


def phase_rows(record: ExperimentRecord) -> list[tuple[int, str, tuple[Arm, ...], float]]:
    return [(p.phase, p.salt, p.arms, p.coverage) for p in record.phases]


# --------------------------------------------------------------------------- create / get


def test_every_field_round_trips(repo: ExperimentRepository) -> None:
    given = Experiment(
        key="Zoë-ranking.v2_test",
        salt="a1b2c3d4e5f60718",
        arms=(
            Arm("ctl", "balanced-v1@1", 0.1 + 0.2),
            Arm("avail", "availability-first@3", 2.0),
            Arm("spec", "specialty-first@1", 1 / 3),
        ),
        coverage=0.123456789,
        status=ExperimentStatus.PAUSED,
        phase=1,
        layer="ranking-layer",
        layer_range=(2500, 7500),
        control="avail",
    )
    before = datetime.now(UTC)

    created = repo.create(given, "Pourquoi pas — 実験", start_time=T0)
    stored = repo.get(given.key)

    assert stored == created
    assert stored.experiment == given
    assert stored.experiment.arms[0].weight == 0.30000000000000004
    assert stored.description == "Pourquoi pas — 実験"
    assert stored.start_time == T0 and stored.stop_time is None
    assert stored.create_time == stored.update_time
    assert before <= stored.create_time <= datetime.now(UTC) + timedelta(seconds=1)
    assert stored.phases == (PhaseRecord(1, given.salt, given.arms, given.coverage, stored.create_time),)


def test_a_draft_has_no_start_time(repo: ExperimentRepository) -> None:
    record = repo.create(experiment(), "")
    assert (record.start_time, record.stop_time) == (None, None)
    assert repo.get("exp-1").experiment.layer_range == (0, 10_000)


def test_duplicate_key_is_conflict_and_changes_nothing(repo: ExperimentRepository) -> None:
    repo.create(experiment(coverage=0.5), "first")
    with pytest.raises(Conflict) as caught:
        repo.create(experiment(coverage=0.9, salt="other"), "second")
    assert caught.value.reason == "ALREADY_EXISTS"
    stored = repo.get("exp-1")
    assert (stored.description, stored.experiment.coverage, len(stored.phases)) == ("first", 0.5, 1)
    assert repo.version() == 1


def test_get_missing_is_not_found(repo: ExperimentRepository) -> None:
    with pytest.raises(NotFound) as caught:
        repo.get("absent")
    assert (caught.value.kind, caught.value.name) == ("experiment", "absent")


def test_key_length_is_checked_before_writing(repo: ExperimentRepository) -> None:
    repo.create(experiment("k" * 100), "")
    for bad in ("", "k" * 101):
        with pytest.raises(InvalidInput) as caught:
            repo.create(experiment(bad), "")
        assert [v.field for v in caught.value.violations] == ["key"]
    assert repo.version() == 1


def test_naive_times_are_invalid(repo: ExperimentRepository) -> None:
    with pytest.raises(InvalidInput) as caught:
        repo.create(experiment(), "", start_time=datetime(2025, 1, 1))
    assert [v.field for v in caught.value.violations] == ["start_time"]
    repo.create(experiment(), "")
    with pytest.raises(InvalidInput) as caught:
        repo.save(experiment(), stop_time=datetime(2025, 1, 1))
    assert [v.field for v in caught.value.violations] == ["stop_time"]


def test_times_in_other_zones_come_back_in_utc(repo: ExperimentRepository) -> None:
    local = datetime(2025, 11, 3, 4, 30, tzinfo=timezone(timedelta(hours=-5)))
    repo.create(experiment(), "", start_time=local)
    start_time = repo.get("exp-1").start_time
    assert start_time == T0 and start_time is not None and start_time.utcoffset() == timedelta(0)


# --------------------------------------------------------------------------- list


def test_list_pages_by_key_with_phases(repo: ExperimentRepository) -> None:
    for key in ("delta", "alpha", "Echo", "charlie", "bravo"):
        repo.create(experiment(key), f"about {key}")
    repo.save(new_phase(experiment("charlie"), tuple(reversed(ARMS))))
    walked: list[ExperimentRecord] = []
    token = ""
    pages = 0
    while True:
        page, token = repo.list(page_size=2, page_token=token)
        walked.extend(page)
        pages += 1
        if not token:
            break
    assert [r.experiment.key for r in walked] == ["Echo", "alpha", "bravo", "charlie", "delta"]
    assert pages == 3
    assert [len(r.phases) for r in walked] == [1, 1, 1, 2, 1]
    assert walked == [repo.get(r.experiment.key) for r in walked]


def test_list_edge_cases(repo: ExperimentRepository) -> None:
    assert repo.list(page_size=3) == ([], "")
    repo.create(experiment("a"), "")
    page, token = repo.list(page_size=1)
    assert ([r.experiment.key for r in page], token) == (["a"], "")
    with pytest.raises(InvalidInput):
        repo.list(page_size=0)
    with pytest.raises(InvalidInput):
        repo.list(page_size=1, page_token="not-a-token")


# --------------------------------------------------------------------------- save and phases


def test_new_phases_are_recorded_in_order(repo: ExperimentRepository) -> None:
    created = repo.create(experiment(), "v1")
    running = repo.save(experiment(status=ExperimentStatus.RUNNING), start_time=T0)
    second = new_phase(
        running.experiment,
        (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "availability-first@1", 3.0)),
    )
    saved2 = repo.save(second)
    third = new_phase(saved2.experiment, (ARMS[0], Arm("specialty", "specialty-first@1", 1.0)), salt="fresh")
    saved3 = repo.save(third, description="v3")

    stored = repo.get("exp-1")
    assert stored == saved3
    assert stored.experiment == third
    assert stored.description == "v3" and stored.start_time == T0
    assert phase_rows(stored) == [
        (1, "salt-exp-1", ARMS, 0.5),
        (2, "salt-exp-1/phase2", second.arms, 0.5),
        (3, "fresh", third.arms, 0.5),
    ]
    starts = [p.start_time for p in stored.phases]
    assert starts[0] == created.create_time
    assert starts == sorted(starts) and starts[1] >= running.update_time
    assert stored.phase_end_times() == [starts[1], starts[2], None]  # the last one still runs
    assert repo.version() == 4
    stopped = repo.save(replace(third, status=ExperimentStatus.STOPPED), stop_time=T0 + timedelta(days=9))
    assert stopped.phase_end_times() == [starts[1], starts[2], T0 + timedelta(days=9)]


def test_coverage_change_updates_the_current_phase_row(repo: ExperimentRepository) -> None:
    repo.create(experiment(), "")
    running = repo.save(experiment(status=ExperimentStatus.RUNNING), start_time=T0)
    repo.save(new_phase(running.experiment, tuple(reversed(ARMS))))
    widened = repo.save(replace(repo.get("exp-1").experiment, coverage=0.8))

    assert widened.experiment.coverage == 0.8
    assert [(p.phase, p.coverage) for p in widened.phases] == [(1, 0.5), (2, 0.8)]
    assert repo.get("exp-1").phases == widened.phases


def test_weights_with_the_same_bucket_split_stay_in_the_phase(repo: ExperimentRepository) -> None:
    repo.create(experiment(), "")
    repo.save(experiment(status=ExperimentStatus.RUNNING), start_time=T0)
    doubled = tuple(replace(a, weight=2.0) for a in ARMS)  # 50/50 either way
    saved = repo.save(experiment(status=ExperimentStatus.RUNNING, arms=doubled))
    assert phase_rows(saved) == [(1, "salt-exp-1", doubled, 0.5)]


def test_a_draft_may_change_arms_and_salt_in_place(repo: ExperimentRepository) -> None:
    repo.create(experiment(), "")
    arms = (
        Arm("a", "balanced-v1@1", 1.0),
        Arm("b", "specialty-first@1", 1.0),
        Arm("c", "random-eligible@1", 2.0),
    )
    saved = repo.save(experiment(arms=arms, salt="resalted"))
    assert phase_rows(saved) == [(1, "resalted", arms, 0.5)]


@pytest.mark.parametrize(
    "change",
    [{"arms": tuple(reversed(ARMS))}, {"arms": (ARMS[0], replace(ARMS[1], weight=3.0))}, {"salt": "other"}],
    ids=["arm-order", "weights", "salt"],
)
def test_a_started_experiment_needs_a_new_phase_to_reallocate(
    repo: ExperimentRepository, change: dict[str, object]
) -> None:
    repo.create(experiment(), "")
    before = repo.save(experiment(status=ExperimentStatus.PAUSED), start_time=T0)

    with pytest.raises(Conflict) as caught:
        repo.save(replace(before.experiment, **change))  # type: ignore[arg-type]

    assert caught.value.reason == "NEEDS_NEW_PHASE"
    assert repo.get("exp-1") == before
    assert repo.version() == 2


def test_a_stale_phase_is_refused(repo: ExperimentRepository) -> None:
    repo.create(experiment(), "")
    old = repo.save(experiment(status=ExperimentStatus.RUNNING), start_time=T0).experiment
    newer = repo.save(new_phase(old, tuple(reversed(ARMS))))
    with pytest.raises(Conflict) as caught:
        repo.save(replace(old, coverage=0.9))
    assert caught.value.reason == "STALE_PHASE"
    assert repo.get("exp-1") == newer


def test_save_keeps_unset_fields_and_moves_update_time(repo: ExperimentRepository) -> None:
    created = repo.create(experiment(), "kept")
    started = repo.save(experiment(status=ExperimentStatus.RUNNING), start_time=T0)
    stop = T0 + timedelta(days=14)
    stopped = repo.save(experiment(status=ExperimentStatus.STOPPED), stop_time=stop)

    assert stopped.description == "kept"
    assert (stopped.start_time, stopped.stop_time) == (T0, stop)
    assert stopped.create_time == created.create_time
    assert created.update_time < started.update_time < stopped.update_time
    assert stopped.experiment.status is ExperimentStatus.STOPPED


def test_save_missing_is_not_found_and_changes_nothing(repo: ExperimentRepository) -> None:
    with pytest.raises(NotFound) as caught:
        repo.save(experiment("absent"))
    assert (caught.value.kind, caught.value.name) == ("experiment", "absent")
    assert repo.version() == 0
    assert repo.list(page_size=10) == ([], "")


# --------------------------------------------------------------------------- active and version


def test_active_returns_running_and_paused_by_key(repo: ExperimentRepository) -> None:
    assert repo.active() == [] and repo.version() == 0
    statuses = {
        "d-draft": ExperimentStatus.DRAFT,
        "c-running": ExperimentStatus.RUNNING,
        "b-stopped": ExperimentStatus.STOPPED,
        "a-paused": ExperimentStatus.PAUSED,
        "e-running": ExperimentStatus.RUNNING,
    }
    for key, status in statuses.items():
        repo.create(experiment(key, status), "")

    assert [(e.key, e.status) for e in repo.active()] == [
        ("a-paused", ExperimentStatus.PAUSED),
        ("c-running", ExperimentStatus.RUNNING),
        ("e-running", ExperimentStatus.RUNNING),
    ]
    assert repo.active()[1] == experiment("c-running", ExperimentStatus.RUNNING)
    assert repo.load_active() == (repo.active(), 5)

    repo.save(experiment("c-running", ExperimentStatus.STOPPED))
    assert [e.key for e in repo.active()] == ["a-paused", "e-running"]
    assert repo.version() == 6


def test_version_counts_successful_writes_only(repo: ExperimentRepository) -> None:
    repo.create(experiment("a"), "")
    repo.create(experiment("b"), "")
    repo.save(experiment("a", coverage=0.7))
    with pytest.raises(Conflict):
        repo.create(experiment("a"), "")
    with pytest.raises(NotFound):
        repo.save(experiment("z"))
    assert repo.version() == 3
