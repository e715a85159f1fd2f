"""Rankings are those of the engine before the attributes were declared once (a stored record).

``tests/matcher/data/golden_rankings.json.gz`` holds 568 rankings made by the engine of
commit e1da1be (its four factors and six filters written by hand): two catalogs (a
synthetic one of 4,000 counselors and a random one of 1,500) times 71 intakes times the
four built-in strategies, with ids, scores (as hex floats), eligible counts and
exclusions. The schema-driven engine must give the same ids in the same order and the
same scores to the last bit, once every counselor is licensed where the client is and
sees the client's age group, and the intake names no gender, identity or preference (the
built-in strategies do not weigh the near-match factor of related concerns).

One deliberate change since: concerns are a tiering preference (counselors who treat none
of the client's concerns rank after every counselor who treats one). Where every stored
result treats one of the concerns, and for every random draw (the control has no tiers),
the ranking must be the stored one exactly; elsewhere the stored results that treat one
must open the new list in the same order with the same scores, and everyone who treats one
must come before anyone who does not.

The stored engine placed weekly hours with each zone's standard offset; the rankings are made
in ``STANDARD_WEEK`` (``tests/matcher/conftest.py``), a week in which the zones used here had
those offsets (two of them given as fixed zones of the same offset).
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
from matcher.model import Availability, CounselorProfile, Intake
from matcher.strategy import BUILTIN_STRATEGIES
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from matcher.vocabulary import AGE_GROUPS
from tests.matcher.conftest import STANDARD_WEEK, STANDARD_ZONES, random_intake, random_profiles

GOLDEN = Path(__file__).parents[1] / "data" / "golden_rankings.json.gz"
_EVERYWHERE = tuple(JURISDICTIONS)


_ALL_AGES = tuple(AGE_GROUPS)


def _standard(availability: Availability) -> Availability:
    """``availability`` in a zone that had its standard offset of today in STANDARD_WEEK.

    The stored engine placed hours with each zone's standard offset; the rankings are made in
    STANDARD_WEEK, when every zone used here had it but two (given as fixed zones).
    """
    zone = STANDARD_ZONES.get(availability.time_zone, availability.time_zone)
    return dataclasses.replace(availability, time_zone=zone)


def _as_before(profiles: list[CounselorProfile]) -> list[CounselorProfile]:
    """The attributes the stored engine did not know made neutral: licensed and seeing every age."""
    return [
        dataclasses.replace(
            p, jurisdictions=_EVERYWHERE, age_groups=_ALL_AGES, availability=_standard(p.availability)
        )
        for p in profiles
    ]


def _intakes(name: str) -> list[Intake]:
    if name == "synthetic-40-3":
        made = [*synthetic_intakes(40, 3), worst_case_intake(0)]
    else:
        r = random.Random(5)
        made = [random_intake(r) for _ in range(30)]
    return [
        dataclasses.replace(
            i,
            age_group="adult",
            genders=(),
            identities=(),
            preferences=(),
            availability=i.availability and _standard(i.availability),
        )
        for i in made
    ]


def _treats(profile: CounselorProfile, intake: Intake) -> bool:
    wanted = {c.concern for c in intake.concerns}
    return any(s.concern in wanted for s in profile.specialties)


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    with gzip.open(GOLDEN, "rt") as f:
        loaded: list[dict[str, Any]] = json.load(f)["cases"]
    return loaded


def test_rankings_are_those_of_the_hand_written_engine(cases: list[dict[str, Any]]) -> None:
    catalogs = {
        "synthetic-4000-7": CatalogSnapshot.build(
            _as_before(synthetic_counselors(4000, 7)), 1, STANDARD_WEEK
        ),
        "random-1500-11": CatalogSnapshot.build(_as_before(random_profiles(1500, 11)), 1, STANDARD_WEEK),
    }
    intakes = {name: _intakes(name) for name in ("synthetic-40-3", "random-30-5")}
    strategies = {s.key: s for s in BUILTIN_STRATEGIES}
    assert len(cases) == 568
    exact = 0
    for case in cases:
        catalog = catalogs[case["catalog"]]
        intake = intakes[case["intakes"]][case["intake"]]
        got = rank(catalog, intake, strategies[case["strategy"]], 10, seed=case["intake"])
        where = f"{case['catalog']} {case['intakes']}[{case['intake']}] {case['strategy']}"
        new_filters = ("licensure", "licensure_missing", "age_group", "age_group_missing", "concern")
        new_filters += ("approach", "gender", "identity")
        assert dict(got.exclusions) == {**case["exclusions"], **dict.fromkeys(new_filters, 0)}, where
        assert got.eligible_count == case["eligible"], where
        ids = [r.counselor_id for r in got.results]
        scores = [r.score.hex() for r in got.results]
        profiles = {i: catalog.profile(i) for i in ids + case["ids"]}
        if case["strategy"].startswith("random-eligible"):  # a control: no tiers, the same draw
            assert ids == case["ids"] and scores == case["scores"], where
            exact += 1
            continue
        kept = [
            (i, h) for i, h in zip(case["ids"], case["scores"], strict=True) if _treats(profiles[i], intake)
        ]
        if len(kept) == len(case["ids"]):  # every stored result treats a concern: nothing may differ
            assert ids == case["ids"] and scores == case["scores"], where
            exact += 1
            continue
        flags = [_treats(profiles[i], intake) for i in ids]
        assert flags == sorted(flags, reverse=True), where  # those who treat one come first
        assert list(zip(ids, scores, strict=True))[: len(kept)] == kept, where
    # Every random draw and the weighted rankings whose stored results all treat a concern are
    # reproduced exactly; the others are checked as above.
    assert exact >= 250, exact
