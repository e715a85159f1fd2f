"""Catalog rebuilds: the snapshot is the store encoded, and a failed rebuild changes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import CounselorProfile
from service.storage import batches, counselors
from service.storage.counselors import CounselorRepository
from service.usecases import catalog as catalog_module
from service.usecases.catalog import Catalog
from tests.matcher.conftest import JANUARY_WEEK, random_profiles


@pytest.fixture
def repository(database_engine: sa.Engine) -> CounselorRepository:
    return CounselorRepository(database_engine)


def january() -> datetime:
    """The clock of these tests (hours compared in a January week)."""
    return JANUARY_WEEK


def assert_same(a: CatalogSnapshot, b: CatalogSnapshot) -> None:
    assert a.version == b.version and a.ids == b.ids and a.profiles == b.profiles
    for name, x, y in zip(a.columns._fields, a.columns.arrays(), b.columns.arrays(), strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y), name
        assert x.flags.c_contiguous and not x.flags.writeable, name


def test_the_catalog_snapshot_is_the_store_encoded(
    repository: CounselorRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counselors, "LOAD_BATCH", 64)  # several batches of rows
    profiles = random_profiles(300, seed=4)
    repository.create_many(profiles)
    catalog = Catalog(repository, january)
    assert_same(catalog.snapshot, CatalogSnapshot.build(profiles, 1, JANUARY_WEEK))


def test_a_failed_rebuild_keeps_serving_the_previous_snapshot(
    repository: CounselorRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counselors, "LOAD_BATCH", 16)
    repository.create_many(random_profiles(100, seed=5))
    catalog = Catalog(repository, january)
    before = catalog.snapshot
    # A write the catalog did not make, in bulk: not in the change log, so only a rebuild catches up.
    repository.create_many([CounselorProfile("zz-new", "New")])
    real_batches = batches.row_batches
    read: list[int] = []

    def failing(*args: Any) -> Iterator[Any]:
        source = real_batches(*args)
        try:
            for batch in source:
                read.append(len(batch))
                if len(read) == 3:
                    raise sa.exc.OperationalError("FETCH", {}, Exception("connection lost"))
                yield batch
        finally:
            source.close()

    monkeypatch.setattr(counselors, "row_batches", failing)
    with pytest.raises(sa.exc.OperationalError):
        catalog.refresh()
    assert read == [16, 16, 16]  # the rebuild had started
    assert catalog.snapshot is before

    monkeypatch.setattr(counselors, "row_batches", real_batches)
    assert catalog.refresh() is True
    assert len(catalog.snapshot) == 101 and "zz-new" in catalog.snapshot
    assert_same(catalog.snapshot, CatalogSnapshot.build(repository.load_all()[0], 2, JANUARY_WEEK))


# --------------------------------------------------------------------------- another process's writes


def stored(repository: CounselorRepository) -> CatalogSnapshot:
    profiles, version = repository.load_all()
    return CatalogSnapshot.build(profiles, version, JANUARY_WEEK)


def test_writes_of_another_process_are_patched_in_without_a_reload(
    repository: CounselorRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = random_profiles(200, seed=6)
    repository.create_many(profiles)
    # two server processes on one store
    here, there = Catalog(repository, january), Catalog(repository, january)
    reloads: list[int] = []
    real = catalog_module.load_snapshot
    monkeypatch.setattr(catalog_module, "load_snapshot", lambda *args: reloads.append(1) or real(*args))
    changed = random_profiles(205, seed=7)  # same ids c0000000.., other values; 5 new ones
    by_id = {p.id: p for p in changed}
    there.replace(by_id["c0000003"])
    there.replace(by_id["c0000004"])
    there.replace(CounselorProfile(**{**by_id["c0000004"].__dict__, "caseload_current": 0}))  # twice
    there.delete("c0000010")
    there.create(by_id["c0000200"], "c0000200")
    there.create(by_id["c0000201"], "c0000201")
    there.delete("c0000201")  # created and deleted again: nothing to patch for it
    assert here.snapshot.version == 1

    assert here.refresh() is True

    assert reloads == []
    assert_same(here.snapshot, stored(repository))
    assert_same(here.snapshot, there.snapshot)
    assert here.refresh() is False  # nothing new


def test_an_own_write_after_another_process_wrote_catches_up_with_both(
    repository: CounselorRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository.create_many(random_profiles(50, seed=8))
    here, there = Catalog(repository, january), Catalog(repository, january)
    reloads: list[int] = []
    real = catalog_module.load_snapshot
    monkeypatch.setattr(catalog_module, "load_snapshot", lambda *args: reloads.append(1) or real(*args))
    there.delete("c0000001")
    here.create(CounselorProfile("zz-here", "Here"), "zz-here")  # version jumps by 2: theirs and ours
    assert reloads == []
    assert "c0000001" not in here.snapshot and "zz-here" in here.snapshot
    assert_same(here.snapshot, stored(repository))


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk import", "over the patch limit"])
def test_what_the_change_log_cannot_patch_is_reloaded(
    repository: CounselorRepository, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    repository.create_many(random_profiles(40, seed=9))
    here, there = Catalog(repository, january), Catalog(repository, january)
    monkeypatch.setattr(catalog_module, "PATCH_LIMIT", 2)
    reloads: list[int] = []
    real = catalog_module.load_snapshot
    monkeypatch.setattr(catalog_module, "load_snapshot", lambda *args: reloads.append(1) or real(*args))
    if bulk:
        there.create_many([CounselorProfile("zz-1", "One")])
        reloads.clear()  # `there` reloads after its own bulk write
    else:
        for counselor_id in ("c0000001", "c0000002", "c0000003"):
            there.delete(counselor_id)

    assert here.refresh() is True

    assert reloads == [1]
    assert_same(here.snapshot, stored(repository))


# --------------------------------------------------------------------------- the coming week


class MovingClock:
    """A clock the test sets."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_snapshot_follows_the_clock_into_a_week_after_a_daylight_saving_change(
    repository: CounselorRepository,
) -> None:
    repository.create_many(random_profiles(120, seed=12))
    clock = MovingClock(datetime(2026, 2, 23, 9, 41, tzinfo=UTC))
    catalog = Catalog(repository, clock)
    first = catalog.snapshot
    assert first.week == datetime(2026, 2, 23, 9, tzinfo=UTC)

    clock.now = datetime(2026, 2, 23, 10, 2, tzinfo=UTC)  # a new hour; no zone changes its offset
    assert catalog.refresh() is False  # the catalog did not change
    assert catalog.snapshot.week == datetime(2026, 2, 23, 10, tzinfo=UTC)
    assert catalog.snapshot.columns is first.columns and catalog.snapshot.index is first.index

    clock.now = datetime(2026, 3, 16, 9, 15, tzinfo=UTC)  # the US has switched to summer time
    assert catalog.refresh() is False
    moved = catalog.snapshot
    assert moved.week == datetime(2026, 3, 16, 9, tzinfo=UTC) and moved.version == first.version
    assert not np.array_equal(moved.slot_words, first.slot_words)
    expected = CatalogSnapshot.build(repository.load_all()[0], 1, moved.week)
    assert_same(moved, expected)
    assert np.array_equal(moved.index, expected.index)
    assert catalog.keep_week() is False and catalog.snapshot is moved  # the same hour: nothing to do

    # A write of this process is encoded in the snapshot's week.
    changed = dataclasses.replace(repository.get("c0000005").profile, display_name="Moved")
    catalog.replace(changed)
    assert_same(catalog.snapshot, CatalogSnapshot.build(repository.load_all()[0], 2, moved.week))
