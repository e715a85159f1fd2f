"""CounselorRepository on SQLite and PostgreSQL (``database_url`` runs each test on both)."""

from __future__ import annotations

import base64
import json
import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from service.storage import batches, catalog_changes, counselors
from service.storage.counselors import CounselorRecord, CounselorRepository
from service.storage.database import make_engine
from service.storage.tables import catalog_change_table, counselor_table


@pytest.fixture
def repo(engine: sa.Engine) -> CounselorRepository:
    return CounselorRepository(engine)


def full_profile(counselor_id: str = "c-full", name: str = "Dr. Zoë Ångström-李") -> CounselorProfile:
    """A profile with every field set away from its default, lists in non-sorted order."""
    return CounselorProfile(
        id=counselor_id,
        display_name=name,
        credentials=("PsyD", "LMFT"),
        specialties=(
            Specialty("trauma", Proficiency.PRIMARY),
            Specialty("anxiety", Proficiency.SECONDARY),
            Specialty("grief", Proficiency.PRIMARY),
        ),
        approaches=("emdr", "cbt", "ifs"),
        formats=(SessionFormat.IN_PERSON, SessionFormat.VIDEO),
        session_types=(SessionType.FAMILY, SessionType.INDIVIDUAL),
        languages=("es", "en", "fr"),
        availability=Availability(
            "America/Chicago",
            (WeeklyWindow(4, 1020, 1260), WeeklyWindow(0, 540, 720), WeeklyWindow(0, 780, 1020)),
        ),
        accepting_new_clients=False,
        caseload_current=7,
        caseload_max=12,
        active=False,
    )


def simple(counselor_id: str, **changes: object) -> CounselorProfile:
    fields: dict[str, object] = {
        "id": counselor_id,
        "display_name": f"Counselor {counselor_id}",
        "languages": ("en",),
        "caseload_max": 10,
    }
    fields.update(changes)
    return CounselorProfile(**fields)  # type: ignore[arg-type]


def ids(records: list[CounselorRecord]) -> list[str]:
    return [r.profile.id for r in records]


# --------------------------------------------------------------------------- create / get


def test_full_profile_round_trips(repo: CounselorRepository) -> None:
    profile = full_profile()
    before = datetime.now(UTC)

    created = repo.create(profile)
    got = repo.get("c-full")

    assert got == created
    assert got.profile == profile
    assert got.profile.languages == ("es", "en", "fr")  # order kept, not sorted
    assert got.profile.availability.windows[0] == WeeklyWindow(4, 1020, 1260)
    assert all(isinstance(s.proficiency, Proficiency) for s in got.profile.specialties)
    assert all(isinstance(f, SessionFormat) for f in got.profile.formats)
    assert all(isinstance(t, SessionType) for t in got.profile.session_types)
    assert got.profile.accepting_new_clients is False and got.profile.active is False
    assert got.create_time == got.update_time
    assert got.create_time.tzinfo is not None and got.create_time.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= got.create_time <= datetime.now(UTC) + timedelta(seconds=1)


def test_defaults_and_empty_lists_round_trip(repo: CounselorRepository) -> None:
    profile = CounselorProfile(id="bare", display_name="Bare")
    repo.create(profile)
    assert repo.get("bare").profile == profile


def test_longest_id_is_stored_and_longer_is_invalid(repo: CounselorRepository) -> None:
    longest = "x" * 64
    repo.create(simple(longest))
    assert repo.get(longest).profile.id == longest

    with pytest.raises(InvalidInput) as error:
        repo.create(simple("y" * 65))
    assert [v.field for v in error.value.violations] == ["id"]
    with pytest.raises(InvalidInput) as error:
        repo.create_many([simple("ok"), simple("")])
    assert [v.field for v in error.value.violations] == ["profiles[1].id"]
    assert repo.count() == 1


def test_duplicate_create_is_conflict_and_changes_nothing(repo: CounselorRepository) -> None:
    original = repo.create(simple("c-1", display_name="Original"))
    version = repo.catalog_version()

    with pytest.raises(Conflict) as error:
        repo.create(simple("c-1", display_name="Impostor"))

    assert error.value.reason == "ALREADY_EXISTS"
    assert "c-1" in str(error.value)
    assert repo.get("c-1") == original
    assert repo.count() == 1
    assert repo.catalog_version() == version


def test_get_missing_is_not_found(repo: CounselorRepository) -> None:
    with pytest.raises(NotFound) as error:
        repo.get("nobody")
    assert (error.value.kind, error.value.name) == ("counselor", "nobody")


# --------------------------------------------------------------------------- create_many


def test_create_many_stores_all_in_one_write(repo: CounselorRepository) -> None:
    profiles = [simple(f"c-{i:02d}") for i in (3, 1, 2)]
    records = repo.create_many(profiles)

    assert [r.profile for r in records] == profiles
    assert len({r.create_time for r in records}) == 1
    assert repo.count() == 3
    assert repo.catalog_version() == 1  # one transaction, one bump
    assert [repo.get(p.id).profile for p in profiles] == profiles
    assert repo.create_many([]) == []
    assert repo.catalog_version() == 1


def test_create_many_with_one_taken_id_inserts_nothing(repo: CounselorRepository) -> None:
    repo.create(simple("c-05", display_name="Existing"))
    version = repo.catalog_version()
    batch = [simple(f"c-{i:02d}") for i in range(10)]  # c-05 is taken

    with pytest.raises(Conflict) as error:
        repo.create_many(batch)

    assert error.value.reason == "ALREADY_EXISTS"
    assert "'c-05'" in str(error.value)
    assert repo.count() == 1
    assert repo.catalog_version() == version
    assert repo.get("c-05").profile.display_name == "Existing"
    with pytest.raises(NotFound):
        repo.get("c-00")


def test_create_many_with_an_id_twice_inserts_nothing(repo: CounselorRepository) -> None:
    with pytest.raises(Conflict) as error:
        repo.create_many([simple("a"), simple("b"), simple("a")])
    assert error.value.reason == "ALREADY_EXISTS"
    assert "'a'" in str(error.value)
    assert repo.count() == 0
    assert repo.catalog_version() == 0


# --------------------------------------------------------------------------- replace / delete


def test_replace_changes_every_field_and_moves_update_time(repo: CounselorRepository) -> None:
    created = repo.create(simple("c-full"))
    replacement = full_profile("c-full")

    replaced = repo.replace(replacement)
    got = repo.get("c-full")

    assert got == replaced
    assert got.profile == replacement
    assert got.create_time == created.create_time
    assert got.update_time > created.update_time


def test_replace_missing_is_not_found_and_changes_nothing(repo: CounselorRepository) -> None:
    repo.create(simple("c-1"))
    with pytest.raises(NotFound) as error:
        repo.replace(simple("c-2"))
    assert (error.value.kind, error.value.name) == ("counselor", "c-2")
    assert repo.catalog_version() == 1
    assert repo.count() == 1


def test_delete(repo: CounselorRepository) -> None:
    repo.create_many([simple("c-1"), simple("c-2")])
    repo.delete("c-1")
    assert ids(repo.list(page_size=10)[0]) == ["c-2"]
    with pytest.raises(NotFound):
        repo.get("c-1")
    with pytest.raises(NotFound) as error:
        repo.delete("c-1")
    assert (error.value.kind, error.value.name) == ("counselor", "c-1")
    assert repo.catalog_version() == 2


# --------------------------------------------------------------------------- catalog version


def test_catalog_version_counts_successful_writes_only(repo: CounselorRepository) -> None:
    assert repo.catalog_version() == 0
    repo.create(simple("a"))
    assert repo.catalog_version() == 1
    repo.create_many([simple("b"), simple("c")])
    assert repo.catalog_version() == 2
    repo.replace(simple("a", display_name="A2"))
    assert repo.catalog_version() == 3
    repo.delete("c")
    assert repo.catalog_version() == 4

    failures: list[Callable[[], object]] = [
        lambda: repo.create(simple("a")),
        lambda: repo.create_many([simple("d"), simple("b")]),
        lambda: repo.replace(simple("zz")),
        lambda: repo.delete("zz"),
    ]
    for failing in failures:
        with pytest.raises((Conflict, NotFound)):
            failing()
    assert repo.catalog_version() == 4
    assert repo.count() == 2


# --------------------------------------------------------------------------- list


def test_list_pages_through_25_in_id_order(repo: CounselorRepository) -> None:
    all_ids = [f"c-{i:03d}" for i in range(25)]
    shuffled = list(all_ids)
    random.Random(7).shuffle(shuffled)
    for counselor_id in shuffled:
        repo.create(simple(counselor_id))

    first, token1, total1 = repo.list(page_size=10)
    second, token2, total2 = repo.list(page_size=10, page_token=token1)
    third, token3, total3 = repo.list(page_size=10, page_token=token2)

    assert ids(first) == all_ids[:10]
    assert ids(second) == all_ids[10:20]
    assert ids(third) == all_ids[20:]
    assert token1 and token2 and token3 == ""
    assert (total1, total2, total3) == (25, 25, 25)
    assert third[0] == repo.get("c-020")


def test_list_exact_multiple_has_no_empty_last_page(repo: CounselorRepository) -> None:
    repo.create_many([simple(f"c-{i:02d}") for i in range(20)])
    first, token, _ = repo.list(page_size=10)
    second, last_token, total = repo.list(page_size=10, page_token=token)
    assert (len(first), len(second), last_token, total) == (10, 10, "", 20)


def test_list_empty_catalog(repo: CounselorRepository) -> None:
    assert repo.list(page_size=5) == ([], "", 0)


def test_list_sees_writes_between_pages_without_gaps(repo: CounselorRepository) -> None:
    repo.create_many([simple(f"c-{i}") for i in (1, 2, 3, 4)])
    first, token, _ = repo.list(page_size=2)
    repo.create(simple("c-0"))  # before the cursor: not repeated
    repo.create(simple("c-5"))  # after the cursor: included
    rest, last, total = repo.list(page_size=10, page_token=token)
    assert (ids(first), ids(rest), last, total) == (["c-1", "c-2"], ["c-3", "c-4", "c-5"], "", 6)


@pytest.fixture
def mixed(repo: CounselorRepository) -> CounselorRepository:
    repo.create_many(
        [
            simple("a1"),  # active, accepting, room
            simple("a2", caseload_current=10, caseload_max=10),  # active, full
            simple("a3", accepting_new_clients=False),  # active, not accepting
            simple("a4", caseload_current=3, caseload_max=4),  # active, room
            simple("i1", active=False),  # inactive, accepting, room
            simple("i2", active=False, accepting_new_clients=False),
            simple("i3", active=False, caseload_current=0, caseload_max=0),  # no room at all
        ]
    )
    return repo


def _walk(repo: CounselorRepository, page_size: int, **filters: bool | None) -> tuple[list[str], set[int]]:
    seen: list[str] = []
    totals: set[int] = set()
    token = ""
    while True:
        page, token, total = repo.list(page_size=page_size, page_token=token, **filters)  # type: ignore[arg-type]
        seen += ids(page)
        totals.add(total)
        if not token:
            return seen, totals


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["a1", "a2", "a3", "a4", "i1", "i2", "i3"]),
        ({"active": True}, ["a1", "a2", "a3", "a4"]),
        ({"active": False}, ["i1", "i2", "i3"]),
        ({"accepting_only": True}, ["a1", "a4", "i1"]),
        ({"active": True, "accepting_only": True}, ["a1", "a4"]),
        ({"active": False, "accepting_only": True}, ["i1"]),
    ],
)
def test_list_filters(mixed: CounselorRepository, filters: dict[str, bool], expected: list[str]) -> None:
    seen, totals = _walk(mixed, 2, **filters)
    assert seen == expected
    assert totals == {len(expected)}


@pytest.mark.parametrize(
    "token",
    [
        "not a token!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(json.dumps([1, 2]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps({"v": 1, "after": 3, "filter": "x"}).encode()).decode(),
        "%%%",
    ],
)
def test_list_bad_token_is_invalid_page_token(mixed: CounselorRepository, token: str) -> None:
    with pytest.raises(InvalidInput) as error:
        mixed.list(page_size=2, page_token=token)
    assert [v.field for v in error.value.violations] == ["page_token"]


def test_list_token_with_other_filters_is_invalid(mixed: CounselorRepository) -> None:
    _, token, _ = mixed.list(page_size=2, active=True)
    assert mixed.list(page_size=2, page_token=token, active=True)[0]  # same filters: fine
    for other in ({"active": False}, {"active": None}, {"active": True, "accepting_only": True}):
        with pytest.raises(InvalidInput) as error:
            mixed.list(page_size=2, page_token=token, **other)
        assert [v.field for v in error.value.violations] == ["page_token"]
        assert "different filters" in error.value.violations[0].description


def test_list_page_size_must_be_positive(repo: CounselorRepository) -> None:
    with pytest.raises(InvalidInput) as error:
        repo.list(page_size=0)
    assert [v.field for v in error.value.violations] == ["page_size"]


# --------------------------------------------------------------------------- load_all


def test_load_all_orders_by_id_bytewise_with_version(repo: CounselorRepository) -> None:
    # Mixed case and punctuation: the order must be Python's (code point) order on every backend.
    given = ["b", "B", "a-2", "a_1", "A", "z9", "Z_0", "0", "_x", "-y", "aa"]
    profiles = {i: simple(i, display_name=f"name {i}") for i in given}
    for counselor_id in given:
        repo.create(profiles[counselor_id])
    repo.replace(simple("z9", display_name="renamed"))

    loaded, version = repo.load_all()

    assert [p.id for p in loaded] == sorted(given)
    assert version == repo.catalog_version() == len(given) + 1
    assert loaded[sorted(given).index("z9")].display_name == "renamed"
    assert ids(repo.list(page_size=100)[0]) == sorted(given)


def test_load_all_returns_full_profiles(repo: CounselorRepository) -> None:
    profiles = [full_profile("p-2"), simple("p-1"), full_profile("p-3", name="Other")]
    repo.create_many(profiles)
    loaded, version = repo.load_all()
    assert loaded == sorted(profiles, key=lambda p: p.id)
    assert version == 1


def test_load_all_empty(repo: CounselorRepository) -> None:
    assert repo.load_all() == ([], 0)


def test_load_all_reads_in_batches(repo: CounselorRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counselors, "LOAD_BATCH", 4)
    profiles = [full_profile(f"c{i:02d}") if i % 3 else simple(f"c{i:02d}") for i in range(10)]
    repo.create_many(profiles[::-1])
    sizes: list[int] = []
    real_batches = batches.row_batches

    def counted(*args: Any) -> Iterator[Any]:
        for batch in real_batches(*args):
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr(counselors, "row_batches", counted)
    assert repo.load_all() == (profiles, 1)
    assert sizes == [4, 4, 2]


def test_a_row_that_cannot_be_read_ends_the_load_and_leaves_the_store_usable(
    repo: CounselorRepository, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counselors, "LOAD_BATCH", 2)
    repo.create_many([simple(f"c{i}") for i in range(9)])
    with engine.begin() as connection:  # written behind the repository's back
        connection.execute(
            sa.update(counselor_table).where(counselor_table.c.id == "c4").values(formats=["fax"])
        )
    with pytest.raises(ValueError, match="fax"):
        repo.load_all()
    repo.delete("c4")  # the connection went back to the pool in a usable state
    assert [p.id for p in repo.load_all()[0]] == ["c0", "c1", "c2", "c3", "c5", "c6", "c7", "c8"]


def test_a_database_error_while_reading_reaches_the_caller(
    repo: CounselorRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counselors, "LOAD_BATCH", 2)
    repo.create_many([simple(f"c{i}") for i in range(9)])
    real_batches = batches.row_batches

    def failing(*args: Any) -> Iterator[Any]:
        source = real_batches(*args)
        try:
            yield next(source)
            yield next(source)
            raise sa.exc.OperationalError("FETCH", {}, Exception("server closed the connection"))
        finally:
            source.close()

    monkeypatch.setattr(counselors, "row_batches", failing)
    with pytest.raises(sa.exc.OperationalError, match="server closed"):
        repo.load_all()
    monkeypatch.setattr(counselors, "row_batches", real_batches)
    assert len(repo.load_all()[0]) == 9


# --------------------------------------------------------------------------- change log


def test_changes_since_names_what_each_single_write_changed(repo: CounselorRepository) -> None:
    repo.create_many([simple("a"), simple("b"), simple("c")])  # version 1, a bulk write
    repo.replace(simple("a", display_name="A again"))  # 2
    repo.delete("b")  # 3
    repo.create(simple("d"))  # 4
    repo.create(simple("e"))  # 5
    repo.delete("e")  # 6
    repo.replace(simple("a", display_name="A a third time"))  # 7

    changes = repo.changes_since(1, limit=10)
    assert changes is not None
    assert changes.version == repo.catalog_version() == 7
    assert changes.upserted == [repo.get("a").profile, repo.get("d").profile]
    assert changes.upserted[0].display_name == "A a third time"
    assert changes.deleted == ["b", "e"]

    later = repo.changes_since(5, limit=10)
    assert later is not None and (later.upserted, later.deleted) == ([repo.get("a").profile], ["e"])
    assert repo.changes_since(7, limit=10) == catalog_changes.CatalogChanges(7, [], [])


def test_changes_since_is_none_when_only_a_full_load_can_catch_up(repo: CounselorRepository) -> None:
    repo.create(simple("a"))  # 1
    repo.create_many([simple("b"), simple("c")])  # 2: a bulk write is not in the log
    repo.create(simple("d"))  # 3
    repo.create(simple("e"))  # 4
    assert repo.changes_since(0, limit=10) is None  # spans the bulk write
    assert repo.changes_since(1, limit=10) is None
    changes = repo.changes_since(2, limit=2)
    assert changes is not None and [p.id for p in changes.upserted] == ["d", "e"]
    assert repo.changes_since(2, limit=1) is None  # more counselors changed than the limit
    assert repo.changes_since(9, limit=10) is None  # a version the store never had (it was reset)


def test_the_change_log_keeps_the_last_versions_only(
    repo: CounselorRepository, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_changes, "LOG_KEEP", 3)
    for i in range(6):
        repo.create(simple(f"c{i}"))  # versions 1..6
    with engine.connect() as connection:
        kept = connection.execute(sa.select(catalog_change_table.c.version)).scalars().all()
    assert sorted(kept) == [4, 5, 6]
    assert repo.changes_since(2, limit=10) is None  # version 3 is gone: a full reload
    changes = repo.changes_since(3, limit=10)
    assert changes is not None and [p.id for p in changes.upserted] == ["c3", "c4", "c5"]


def test_a_failed_write_logs_no_change(repo: CounselorRepository, engine: sa.Engine) -> None:
    repo.create(simple("a"))
    with pytest.raises(Conflict):
        repo.create(simple("a"))
    with pytest.raises(NotFound):
        repo.delete("zz")
    with engine.connect() as connection:
        logged = connection.execute(sa.select(catalog_change_table)).all()
    assert [tuple(row) for row in logged] == [(1, "a")]
    assert repo.catalog_version() == 1


# --------------------------------------------------------------------------- threads


def test_concurrent_writers_from_threads(engine: sa.Engine) -> None:
    repo = CounselorRepository(engine)
    threads_n, per_thread = 6, 8
    errors: list[BaseException] = []
    start = threading.Barrier(threads_n)

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                repo.create(simple(f"t{t}-{i}"))
                repo.replace(simple(f"t{t}-{i}", display_name="again"))
                repo.load_all()
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    assert repo.count() == threads_n * per_thread
    assert repo.catalog_version() == 2 * threads_n * per_thread
    with engine.connect() as connection:  # every write logged under the version it made
        versions = connection.execute(sa.select(catalog_change_table.c.version)).scalars().all()
    assert sorted(versions) == list(range(1, 2 * threads_n * per_thread + 1))


def test_stored_json_shapes_are_as_documented(repo: CounselorRepository, engine: sa.Engine) -> None:
    repo.create(full_profile())
    columns = "credentials, specialties, approaches, formats, session_types, languages, availability_windows"
    with engine.connect() as connection:
        row = connection.execute(sa.text(f"SELECT {columns} FROM counselor")).one()
    decoded = [json.loads(v) if isinstance(v, str) else v for v in row]  # SQLite: text; PostgreSQL: decoded
    assert decoded == [
        ["PsyD", "LMFT"],
        [["trauma", "primary"], ["anxiety", "secondary"], ["grief", "primary"]],
        ["emdr", "cbt", "ifs"],
        ["in_person", "video"],
        ["family", "individual"],
        ["es", "en", "fr"],
        [[4, 1020, 1260], [0, 540, 720], [0, 780, 1020]],
    ]


@pytest.mark.postgres
def test_postgres_jsonb_containment_finds_a_specialty(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        repo = CounselorRepository(engine)
        repo.create_many([full_profile("with-trauma"), simple("without")])
        query = sa.text("""SELECT id FROM counselor WHERE specialties @> '[["trauma"]]'""")
        with engine.connect() as connection:
            assert connection.execute(query).scalars().all() == ["with-trauma"]
    finally:
        engine.dispose()
