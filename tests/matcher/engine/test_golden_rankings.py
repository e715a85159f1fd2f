"""Rankings are those of the engine before the attributes were declared once (a stored record).

``tests/matcher/data/golden_rankings.json.gz`` holds 568 rankings made by the engine of
commit e1da1be (its four factors and six filters written by hand): two catalogs (a
synthetic one of 4,000 counselors and a random one of 1,500) times 71 intakes times the
four built-in strategies, with ids, scores (as hex floats), eligible counts and
exclusions. The schema-driven engine must give the same ids in the same order and the
same scores to the last bit, once every counselor is licensed where the client is.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest

from matcher.engine.ranking import rank
from matcher.engine.snapshot import CatalogSnapshot
from matcher.jurisdictions import JURISDICTIONS
from matcher.model import CounselorProfile, Intake
from matcher.strategy import BUILTIN_STRATEGIES
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from tests.matcher.conftest import random_intake, random_profiles

GOLDEN = Path(__file__).parents[1] / "data" / "golden_rankings.json.gz"
_EVERYWHERE = tuple(JURISDICTIONS)


def _licensed_everywhere(profiles: list[CounselorProfile]) -> list[CounselorProfile]:
    return [dataclasses.replace(p, jurisdictions=_EVERYWHERE) for p in profiles]


def _intakes(name: str) -> list[Intake]:
    if name == "synthetic-40-3":
        return [*synthetic_intakes(40, 3), worst_case_intake(0)]
    r = random.Random(5)
    return [random_intake(r) for _ in range(30)]


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    with gzip.open(GOLDEN, "rt") as f:
        loaded: list[dict[str, Any]] = json.load(f)["cases"]
    return loaded


def test_rankings_are_those_of_the_hand_written_engine(cases: list[dict[str, Any]]) -> None:
    catalogs = {
        "synthetic-4000-7": CatalogSnapshot.build(_licensed_everywhere(synthetic_counselors(4000, 7)), 1),
        "random-1500-11": CatalogSnapshot.build(_licensed_everywhere(random_profiles(1500, 11)), 1),
    }
    intakes = {name: _intakes(name) for name in ("synthetic-40-3", "random-30-5")}
    strategies = {s.key: s for s in BUILTIN_STRATEGIES}
    assert len(cases) == 568
    for case in cases:
        intake = intakes[case["intakes"]][case["intake"]]
        got = rank(catalogs[case["catalog"]], intake, strategies[case["strategy"]], 10, seed=case["intake"])
        where = f"{case['catalog']} {case['intakes']}[{case['intake']}] {case['strategy']}"
        assert [r.counselor_id for r in got.results] == case["ids"], where
        assert [r.score.hex() for r in got.results] == case["scores"], where
        assert got.eligible_count == case["eligible"], where
        assert dict(got.exclusions) == {**case["exclusions"], "licensure": 0, "licensure_missing": 0}, where
