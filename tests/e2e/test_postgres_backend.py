"""The service on PostgreSQL, as in production: seed, match, import, restart, data kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import start_service

pytestmark = pytest.mark.postgres
MATCH = (
    "match",
    "--concern",
    "anxiety",
    "--language",
    "en",
    "--jurisdiction",
    "US-CA",
    "--age-group",
    "adult",
    "--json",
)


def test_service_on_postgres_keeps_its_catalog_across_restarts(postgres_url: str, tmp_path: Path) -> None:
    service = start_service(postgres_url)
    try:
        seeded = service.cli("seed", "--count", "120", "--seed", "3")
        assert seeded.returncode == 0, seeded.stderr
        assert "seeded 120" in seeded.stdout
        again = service.cli("seed", "--count", "120", "--seed", "3")
        assert again.returncode == 1 and "ALREADY_EXISTS" in again.stderr  # all or nothing: nothing added
        ranked = service.cli(*MATCH)
        assert ranked.returncode == 0, ranked.stderr
        before = json.loads(ranked.stdout)
        assert before["catalog_size"] == 120 and before["results"]
    finally:
        assert service.stop() == 0

    restarted = start_service(postgres_url)
    try:
        listed = restarted.cli("counselors", "list", "--page-size", "500", "--json")
        assert len(json.loads(listed.stdout)["counselors"]) == 120
        ranked = restarted.cli(*MATCH)
        after = json.loads(ranked.stdout)
        assert [r["counselor_id"] for r in after["results"]] == [r["counselor_id"] for r in before["results"]]
    finally:
        assert restarted.stop() == 0
