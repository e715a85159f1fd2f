"""StrategyRepository on SQLite and PostgreSQL (``database_url`` runs each test on both)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
import sqlalchemy as sa

from matcher.attributes import FACTORS
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.strategy import BUILTIN_STRATEGIES, Algorithm, Strategy
from service.storage.database import make_engine
from service.storage.experiments import ExperimentRepository
from service.storage.page_tokens import encode_page_token
from service.storage.strategies import StrategyRecord, StrategyRepository


@pytest.fixture
def repo(engine: sa.Engine) -> StrategyRepository:
    return StrategyRepository(engine)


def weighted(name: str, concern: float = 0.5, version: int = 1, description: str = "") -> Strategy:
    weights = {"concern": concern, "approach": 0.1, "language": 0.2, "availability": 0.2}
    return Strategy(name, version, Algorithm.WEIGHTED, weights, description)


def keys(records: list[StrategyRecord]) -> list[str]:
    return [r.strategy.key for r in records]


# --------------------------------------------------------------------------- create / get


def test_create_numbers_versions_per_name_ignoring_the_given_version(repo: StrategyRepository) -> None:
    first = repo.create(weighted("concern-heavy", 0.7, version=42))
    second = repo.create(weighted("concern-heavy", 0.8, version=1))
    other = repo.create(weighted("other", version=7))

    assert [first.strategy.version, second.strategy.version, other.strategy.version] == [1, 2, 1]
    assert repo.get("concern-heavy").strategy == second.strategy  # latest
    assert repo.get("concern-heavy", 1).strategy.weights["concern"] == 0.7
    assert repo.get("concern-heavy", 2).strategy.weights["concern"] == 0.8
    assert [s.key for s in repo.all()] == ["concern-heavy@1", "concern-heavy@2", "other@1"]


def test_every_field_round_trips(repo: StrategyRepository) -> None:
    # Weights that do not survive float32 or decimal rounding; factors in a non-enum order.
    weights = {
        "availability": 0.1 + 0.2,
        "concern": 1 / 3,
        "language": 0.0,
        "approach": 1e-9,
    }
    given = Strategy("zoë.sorting_v2", 5, Algorithm.RANDOM_ELIGIBLE, weights, "Zufällig — ランダム")
    before = datetime.now(UTC)

    created = repo.create(given)
    stored = repo.get("zoë.sorting_v2", 1)

    expected = replace(given, version=1)
    assert stored.strategy == created.strategy == expected
    assert stored.strategy.weights["availability"] == 0.30000000000000004
    assert list(stored.strategy.weights) == [f for f in FACTORS if f in weights]  # read back in FACTORS order
    assert isinstance(stored.strategy.weights, MappingProxyType)  # read-only
    assert stored.strategy.algorithm is Algorithm.RANDOM_ELIGIBLE
    assert stored.builtin is created.builtin is False
    assert stored.create_time == created.create_time
    assert stored.create_time.tzinfo is not None
    assert before <= stored.create_time <= datetime.now(UTC) + timedelta(seconds=1)


def test_partial_weights_round_trip(repo: StrategyRepository) -> None:
    repo.create(Strategy("only-concern", 1, Algorithm.WEIGHTED, {"concern": 1.0}))
    assert dict(repo.get("only-concern").strategy.weights) == {"concern": 1.0}


def test_get_missing_is_not_found(repo: StrategyRepository) -> None:
    repo.create(weighted("present"))
    with pytest.raises(NotFound) as latest:
        repo.get("absent")
    assert (latest.value.kind, latest.value.name) == ("strategy", "absent")
    with pytest.raises(NotFound) as versioned:
        repo.get("present", 2)
    assert (versioned.value.kind, versioned.value.name) == ("strategy", "present@2")


def test_name_length_is_checked_before_writing(repo: StrategyRepository) -> None:
    longest = "n" * 100
    assert repo.create(weighted(longest)).strategy.key == f"{longest}@1"
    for bad in ("", "n" * 101):
        with pytest.raises(InvalidInput) as caught:
            repo.create(weighted(bad))
        assert [v.field for v in caught.value.violations] == ["name"]
    assert [s.name for s in repo.all()] == [longest]


def test_concurrent_creates_get_distinct_versions(database_url: str) -> None:
    threads_n, per_thread = 6, 4
    engine = make_engine(database_url)  # a pool of 5 + 10 overflow connections on PostgreSQL
    repo = StrategyRepository(engine)
    start = threading.Barrier(threads_n)
    versions: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(thread: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                record = repo.create(weighted("contested", concern=thread + i / 10))
                with lock:
                    versions.append(record.strategy.version)
        except BaseException as error:  # reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(versions) == list(range(1, threads_n * per_thread + 1))
        assert [s.version for s in repo.all()] == list(range(1, threads_n * per_thread + 1))
    finally:
        engine.dispose()


def test_strategy_writes_do_not_bump_the_experiment_version(
    repo: StrategyRepository, engine: sa.Engine
) -> None:
    repo.create(weighted("a"))
    repo.ensure_builtins(BUILTIN_STRATEGIES)
    assert ExperimentRepository(engine).version() == 0


# --------------------------------------------------------------------------- built-ins


def test_ensure_builtins_stores_them_once(repo: StrategyRepository) -> None:
    repo.ensure_builtins(BUILTIN_STRATEGIES)
    first = {r.strategy.key: r for r in repo.list(page_size=100)[0]}

    repo.ensure_builtins(BUILTIN_STRATEGIES)  # idempotent
    repo.ensure_builtins(BUILTIN_STRATEGIES[:2])

    again = {r.strategy.key: r for r in repo.list(page_size=100)[0]}
    assert sorted(again) == sorted(s.key for s in BUILTIN_STRATEGIES)
    assert again == first  # same create times: nothing rewritten
    for builtin in BUILTIN_STRATEGIES:
        record = again[builtin.key]
        assert record.builtin is True
        assert record.strategy == builtin


def test_ensure_builtins_then_create_gives_the_next_version(repo: StrategyRepository) -> None:
    repo.ensure_builtins(BUILTIN_STRATEGIES)
    record = repo.create(weighted("balanced-v1", 0.9))
    assert (record.strategy.key, record.builtin) == ("balanced-v1@2", False)
    assert repo.get("balanced-v1").strategy.key == "balanced-v1@2"
    repo.ensure_builtins(BUILTIN_STRATEGIES)  # still fine: balanced-v1@1 is unchanged
    assert repo.get("balanced-v1", 1).builtin is True


@pytest.mark.parametrize(
    "change",
    [
        {
            "weights": {
                "concern": 0.41,
                "approach": 0.15,
                "language": 0.2,
                "availability": 0.25,
            }
        },
        {"algorithm": Algorithm.RANDOM_ELIGIBLE},
    ],
    ids=["weights", "algorithm"],
)
def test_ensure_builtins_refuses_a_changed_strategy_and_writes_nothing(
    repo: StrategyRepository, change: dict[str, object]
) -> None:
    repo.ensure_builtins(BUILTIN_STRATEGIES[:1])
    changed = replace(BUILTIN_STRATEGIES[0], **change)  # type: ignore[arg-type]
    newcomer = weighted("new-builtin")

    with pytest.raises(Conflict) as caught:
        repo.ensure_builtins([newcomer, changed])

    assert caught.value.reason == "STRATEGY_IMMUTABLE"
    assert "balanced-v1@1" in str(caught.value)
    assert [s.key for s in repo.all()] == ["balanced-v1@1"]  # the newcomer was rolled back
    assert repo.get("balanced-v1", 1).strategy == BUILTIN_STRATEGIES[0]


def test_ensure_builtins_ignores_a_changed_description(repo: StrategyRepository) -> None:
    repo.ensure_builtins(BUILTIN_STRATEGIES[:1])
    repo.ensure_builtins([replace(BUILTIN_STRATEGIES[0], description="reworded")])
    assert repo.get("balanced-v1").strategy.description == BUILTIN_STRATEGIES[0].description


def test_ensure_builtins_conflicts_with_a_user_strategy_of_that_name_and_version(
    repo: StrategyRepository,
) -> None:
    repo.create(weighted("specialty-first", 0.99))
    with pytest.raises(Conflict) as caught:
        repo.ensure_builtins(BUILTIN_STRATEGIES)
    assert caught.value.reason == "STRATEGY_IMMUTABLE"
    assert [s.key for s in repo.all()] == ["specialty-first@1"]


def test_ensure_builtins_from_two_engines_at_once(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def boot(engine: sa.Engine) -> None:
        try:
            start.wait()
            for _ in range(5):
                StrategyRepository(engine).ensure_builtins(BUILTIN_STRATEGIES)
        except BaseException as error:  # reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=boot, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(s.key for s in StrategyRepository(engines[0]).all()) == sorted(
            s.key for s in BUILTIN_STRATEGIES
        )
    finally:
        for engine in engines:
            engine.dispose()


def test_ensure_builtins_with_nothing_does_nothing(repo: StrategyRepository) -> None:
    repo.ensure_builtins([])
    assert repo.all() == []


# --------------------------------------------------------------------------- list


def test_list_pages_by_name_then_version(repo: StrategyRepository) -> None:
    for name in ("beta", "alpha", "Zed", "beta", "alpha", "beta"):
        repo.create(weighted(name))
    walked: list[str] = []
    tokens: list[str] = []
    token = ""
    while True:
        page, token = repo.list(page_size=2, page_token=token)
        walked.extend(keys(page))
        tokens.append(token)
        if not token:
            break
    # Byte-wise order on both backends: upper case sorts before lower case.
    assert walked == ["Zed@1", "alpha@1", "alpha@2", "beta@1", "beta@2", "beta@3"]
    assert len(tokens) == 3 and tokens[-1] == "" and all(tokens[:-1])


def test_list_of_nothing_and_exact_pages(repo: StrategyRepository) -> None:
    assert repo.list(page_size=5) == ([], "")
    repo.create(weighted("a"))
    repo.create(weighted("b"))
    page, token = repo.list(page_size=2)
    assert (keys(page), token) == (["a@1", "b@1"], "")


@pytest.mark.parametrize("token", ["garbage!", "eyJ2IjoxfQ", "e30"])
def test_list_rejects_bad_tokens(repo: StrategyRepository, token: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        repo.list(page_size=1, page_token=token)
    assert [v.field for v in caught.value.violations] == ["page_token"]


def test_list_rejects_an_experiment_token_and_a_zero_page_size(repo: StrategyRepository) -> None:
    with pytest.raises(InvalidInput):
        repo.list(page_size=1, page_token=encode_page_token("experiment", ("x",)))
    with pytest.raises(InvalidInput) as caught:
        repo.list(page_size=0)
    assert [v.field for v in caught.value.violations] == ["page_size"]
