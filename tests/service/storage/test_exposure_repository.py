"""ExposureRepository on SQLite and PostgreSQL (``database_url`` runs each test on both)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import InvalidInput
from matcher.experiments.outcomes import OutcomeEvent
from service.storage.exposure_analysis import ExperimentData
from service.storage.exposure_copy import shown_json
from service.storage.exposure_records import Exposure, Shown, shown_value
from service.storage.exposures import ExposureRepository

T0 = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def repo(engine: sa.Engine) -> ExposureRepository:
    return ExposureRepository(engine)


def exposure(
    ranking_id: str,
    client_id: str = "client-1",
    shown: tuple[str, ...] = ("c-1", "c-2", "c-3"),
    *,
    served_at: datetime = T0,
    experiment: tuple[str, int, str] | None = ("exp", 1, "control"),
    forced: bool = False,
) -> Exposure:
    key, phase, arm = experiment if experiment is not None else (None, None, None)
    return Exposure(
        ranking_id=ranking_id,
        client_id=client_id,
        strategy="balanced-v1@1",
        catalog_version=7,
        shown=tuple(Shown(c, i, round(1 - i / 10, 2)) for i, c in enumerate(shown, start=1)),
        served_at=served_at,
        experiment_key=key,
        phase=phase,
        arm=arm,
        forced=forced,
    )


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


# --------------------------------------------------------------------------- insert_many / get


def test_every_field_round_trips(repo: ExposureRepository) -> None:
    in_experiment = Exposure(
        ranking_id="r" * 64,
        client_id="pseudonym-Ω-42",
        strategy="availability-first@3",
        catalog_version=2**40,
        shown=(
            Shown("c-zeta", 1, 0.9876543210123456),
            Shown("c-alpha", 2, 0.1 + 0.2),
            Shown("c-mid", 3, 0.0),
        ),
        served_at=datetime(2025, 11, 3, 4, 30, 0, 123456, tzinfo=timezone(timedelta(hours=-5))),
        experiment_key="exp-Ω",
        phase=3,
        arm="treatment",
        forced=False,
    )
    forced = Exposure("r-forced", "client-2", "specialty-first@1", 0, (), T0, forced=True)

    repo.insert_many([in_experiment, forced])

    stored = repo.get("r" * 64)
    assert stored == in_experiment
    assert stored is not None
    assert [s.counselor_id for s in stored.shown] == ["c-zeta", "c-alpha", "c-mid"]  # order kept
    assert stored.shown[1].score == 0.30000000000000004
    assert stored.served_at.utcoffset() == timedelta(0)  # read back in UTC
    assert stored.served_at == datetime(2025, 11, 3, 9, 30, 0, 123456, tzinfo=UTC)
    assert repo.get("r-forced") == forced
    assert (forced.experiment_key, forced.phase, forced.arm, forced.forced) == (None, None, None, True)
    assert repo.get("absent") is None


def test_insert_many_is_idempotent_on_ranking_id(repo: ExposureRepository, engine: sa.Engine) -> None:
    batch = [exposure(f"r-{i}", f"client-{i}") for i in range(20)]
    repo.insert_many(batch)
    repo.insert_many(batch)  # a retried batch: no error, no duplicates
    assert count(engine, "exposure") == 20

    # A retry that overlaps: the new rankings are stored, the stored ones are kept as first written.
    changed = exposure("r-3", "someone-else", experiment=None)
    repo.insert_many([changed, exposure("r-20"), exposure("r-20"), exposure("r-21")])
    assert count(engine, "exposure") == 22
    assert repo.get("r-3") == batch[3]
    assert repo.get("r-21") == exposure("r-21")


def test_insert_many_of_nothing(repo: ExposureRepository, engine: sa.Engine) -> None:
    repo.insert_many([])
    assert count(engine, "exposure") == 0


def test_insert_many_refuses_bad_rows_and_writes_nothing(repo: ExposureRepository, engine: sa.Engine) -> None:
    naive = exposure("r-naive", served_at=datetime(2025, 1, 1))
    long_key = exposure("r-key", experiment=("k" * 101, 1, "control"))
    with pytest.raises(InvalidInput) as caught:
        repo.insert_many([exposure("r-ok"), exposure("r" * 65), naive, exposure(""), long_key])
    assert [v.field for v in caught.value.violations] == [
        "exposures[1].ranking_id",
        "exposures[2].served_at",
        "exposures[3].ranking_id",
        "exposures[4].experiment_key",
    ]
    assert count(engine, "exposure") == 0
    repo.insert_many([exposure("r" * 64, experiment=("k" * 100, 1, "control"))])  # the longest allowed
    assert count(engine, "exposure") == 1


def test_insert_many_writes_a_batch_of_500_whole(repo: ExposureRepository, engine: sa.Engine) -> None:
    # Its speed is measured by `make bench` (the exposure section), not here.
    shown = tuple(f"counselor-{i:04d}" for i in range(10))
    for attempt in range(3):
        batch = [
            exposure(
                f"rank-{attempt}-{i:05d}-{'x' * 20}",
                f"client-{i}",
                shown,
                served_at=T0 + timedelta(seconds=i),
            )
            for i in range(500)
        ]
        repo.insert_many(batch)
        assert count(engine, "exposure") == 500 * (attempt + 1)
    stored = repo.get("rank-2-00499-" + "x" * 20)
    assert stored is not None
    assert [s.counselor_id for s in stored.shown] == list(shown)
    assert stored.client_id == "client-499"


# --------------------------------------------------------------------------- outcomes


def test_record_outcome_is_idempotent(repo: ExposureRepository, engine: sa.Engine) -> None:
    repo.insert_many([exposure("r-1")])
    assert repo.record_outcome("r-1", "c-2", OutcomeEvent.BOOKED, T0) is True
    assert repo.record_outcome("r-1", "c-2", OutcomeEvent.BOOKED, T0 + timedelta(hours=1)) is False
    assert repo.record_outcome("r-1", "c-2", OutcomeEvent.VIEWED, T0) is True
    assert repo.record_outcome("r-1", "c-3", OutcomeEvent.BOOKED, T0) is True
    assert count(engine, "outcome") == 3
    with engine.connect() as connection:
        at = connection.execute(
            sa.text("SELECT event_time FROM outcome WHERE counselor_id = 'c-2' AND event = 'booked'")
        ).scalar_one()
    assert str(at).startswith("2025-11-03 09:30:00")  # the first time is kept


@pytest.mark.parametrize(
    ("ranking_id", "counselor_id", "at", "field"),
    [
        ("r-1", "c-1", datetime(2025, 1, 1), "at"),
        ("r" * 65, "c-1", T0, "ranking_id"),
        ("", "c-1", T0, "ranking_id"),
        ("r-1", "c" * 65, T0, "counselor_id"),
    ],
)
def test_record_outcome_refuses_bad_values(
    repo: ExposureRepository, engine: sa.Engine, ranking_id: str, counselor_id: str, at: datetime, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        repo.record_outcome(ranking_id, counselor_id, OutcomeEvent.VIEWED, at)
    assert [v.field for v in caught.value.violations] == [field]
    assert count(engine, "outcome") == 0


def test_an_outcome_may_arrive_before_its_exposure_is_written(repo: ExposureRepository) -> None:
    assert repo.record_outcome("r-late", "c-1", OutcomeEvent.VIEWED, T0) is True
    assert repo.experiment_data("exp", 1) == ExperimentData([], [])
    repo.insert_many([exposure("r-late", "u-late")])
    assert repo.experiment_data("exp", 1) == ExperimentData(
        exposures=[("u-late", "control")], outcomes=[("u-late", "control", "viewed", 1)]
    )


# --------------------------------------------------------------------------- experiment_data


def test_experiment_data_of_one_phase(repo: ExposureRepository) -> None:
    minute = timedelta(minutes=1)
    repo.insert_many(
        [
            # In experiment "exp" phase 2 (served in this order: r-b, r-a, r-c).
            exposure(
                "r-a", "u-1", ("c-1", "c-2", "c-3"), served_at=T0 + minute, experiment=("exp", 2, "control")
            ),
            exposure("r-b", "u-2", ("c-9", "c-1"), served_at=T0, experiment=("exp", 2, "treatment")),
            exposure(
                "r-c", "u-1", ("c-3", "c-1"), served_at=T0 + 2 * minute, experiment=("exp", 2, "control")
            ),
            # Excluded: forced, other phase, other experiment, no experiment.
            exposure("r-forced", "u-3", ("c-1",), experiment=("exp", 2, "treatment"), forced=True),
            exposure("r-phase1", "u-4", ("c-1",), experiment=("exp", 1, "control")),
            exposure("r-other", "u-5", ("c-1",), experiment=("exp-2", 2, "control")),
            exposure("r-none", "u-6", ("c-1",), experiment=None),
        ]
    )
    at = [T0 + k * minute for k in range(10)]
    outcomes = [
        ("r-a", "c-2", OutcomeEvent.BOOKED, at[5]),  # position 2
        ("r-a", "c-2", OutcomeEvent.VIEWED, at[3]),  # position 2
        ("r-b", "c-1", OutcomeEvent.CONTACTED, at[4]),  # position 2 of r-b
        ("r-c", "c-3", OutcomeEvent.BOOKED, at[4]),  # position 1 of r-c (3 in r-a)
        ("r-b", "c-404", OutcomeEvent.REMATCH_REQUESTED, at[6]),  # not in the list: 0
        ("r-forced", "c-1", OutcomeEvent.BOOKED, at[1]),
        ("r-phase1", "c-1", OutcomeEvent.BOOKED, at[1]),
        ("r-other", "c-1", OutcomeEvent.BOOKED, at[1]),
        ("r-none", "c-1", OutcomeEvent.BOOKED, at[1]),
        ("r-unknown", "c-1", OutcomeEvent.BOOKED, at[1]),
    ]
    for ranking_id, counselor_id, event, when in outcomes:
        assert repo.record_outcome(ranking_id, counselor_id, event, when)

    data = repo.experiment_data("exp", 2)

    assert data.exposures == [("u-2", "treatment"), ("u-1", "control"), ("u-1", "control")]
    # Ordered by event time, then ranking id (r-b before r-c at at[4]).
    assert data.outcomes == [
        ("u-1", "control", "viewed", 2),
        ("u-2", "treatment", "contacted", 2),
        ("u-1", "control", "booked", 1),
        ("u-1", "control", "booked", 2),
        ("u-2", "treatment", "rematch_requested", 0),
    ]
    assert repo.experiment_data("exp", 1) == ExperimentData(
        exposures=[("u-4", "control")], outcomes=[("u-4", "control", "booked", 1)]
    )
    assert repo.experiment_data("exp", 3) == ExperimentData([], [])
    assert repo.experiment_data("absent", 2) == ExperimentData([], [])


@given(
    st.lists(
        st.tuples(st.text(max_size=12), st.integers(1, 100), st.floats(0.0, 1.0, allow_nan=False)),
        max_size=12,
    )
)
def test_the_shown_list_is_written_as_json_dumps_writes_it(items: list[tuple[str, int, float]]) -> None:
    shown = tuple(Shown(*item) for item in items)
    assert shown_json(shown) == json.dumps(shown_value(shown))
