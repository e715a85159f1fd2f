"""The demo catalog ``make run`` starts with (use case): synthetic counselors, seeded only into an
empty store."""

from __future__ import annotations

import logging

from matcher.synthetic import synthetic_counselors
from service.storage.counselors import CounselorRepository
from service.storage.database import SchemaOutOfDate, is_up_to_date, make_engine
from service.usecases.catalog import Catalog

__all__ = ["DEMO_SEED", "seed_demo_if_empty"]

log = logging.getLogger(__name__)
DEMO_SEED = 7


def seed_demo_if_empty(database_url: str, count: int) -> int:
    """Seed ``count`` deterministic synthetic counselors if the catalog is empty; return how many."""
    if not is_up_to_date(database_url):
        raise SchemaOutOfDate("the database schema is not up to date; run `attune db upgrade`")
    engine = make_engine(database_url)
    try:
        repository = CounselorRepository(engine)
        if repository.count():
            return 0
        Catalog(repository).create_many(synthetic_counselors(count, DEMO_SEED, id_prefix="demo-"))
        log.info("seeded the demo catalog", extra={"counselors": count, "seed": DEMO_SEED})
        return count
    finally:
        engine.dispose()
