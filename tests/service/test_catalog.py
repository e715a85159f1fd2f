"""Catalog rebuilds: the snapshot is the store encoded, and a failed rebuild changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from matcher.model import CounselorProfile
from matcher.snapshot import CatalogSnapshot
from service.catalog import Catalog
from service.storage import batches, counselors
from service.storage.counselors import CounselorRepository
from tests.matcher.conftest import random_profiles


@pytest.fixture
def repository(database_engine: sa.Engine) -> CounselorRepository:
    return CounselorRepository(database_engine)


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
    catalog = Catalog(repository)
    assert_same(catalog.snapshot, CatalogSnapshot.build(profiles, 1))


def test_a_failed_rebuild_keeps_serving_the_previous_snapshot(
    repository: CounselorRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counselors, "LOAD_BATCH", 16)
    repository.create_many(random_profiles(100, seed=5))
    catalog = Catalog(repository)
    before = catalog.snapshot
    repository.create(CounselorProfile("zz-new", "New"))  # a write the catalog did not make
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
    assert_same(catalog.snapshot, CatalogSnapshot.build(repository.load_all()[0], 2))
