"""Both baselines rank exactly like ``rank()`` with the whole intake: every filter mode and weight.

Age groups always filter (counselors with none on file counted apart); gender and identity filter
only when the client requires them (identity then needs every code, ``match_all``), and score
otherwise (gender ``ANY``, identity ``SHARE``); concerns only tier when preferred (those who treat
none fill the list only when fewer than k treat one) and filter when required; languages and formats
score without filtering when only preferred; importances scale the weights. Each intake below is
made to exercise one of these, and every ranking, exclusion count and eligible count is compared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import psycopg
import pytest

from bench.postgres import benchmark_database, libpq
from bench.sql_ranking import build_count_query, build_query, count_filters, fill_table, rank_sql
from bench.straightforward import rank_straightforward
from matcher.attributes import BY_NAME
from matcher.engine.ranking import Ranking, rank
from matcher.engine.reference import rank_reference
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import ConcernPreference, CounselorProfile, Intake, Preference, validate_intake
from matcher.preferences import FilterMode, filter_mode
from matcher.strategy import BUILTIN_STRATEGIES, DEFAULT_STRATEGY, Algorithm
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from matcher.vocabulary import SessionFormat
from tests.matcher.conftest import random_intake, random_profiles

WEIGHTED = [s for s in BUILTIN_STRATEGIES if s.algorithm == Algorithm.WEIGHTED]
K = 10


def _variants(base: Intake, n: int) -> list[Intake]:
    """``base`` with each attribute of the whole intake required, preferred or weighed."""
    rare = (ConcernPreference("infertility", 5), ConcernPreference("perinatal", 2))

    def made(name: str, **changes: object) -> Intake:
        return replace(base, client_id=f"{base.client_id}-{n}-{name}", **changes)  # type: ignore[arg-type]

    return [
        made("man-required", genders=("man",), preferences=(Preference("gender", True),)),
        made("gender-weighed", genders=("nonbinary", "woman"), preferences=(Preference("gender", None, 5),)),
        made(
            "identities-required",
            identities=("lgbtq_affirming", "culture_latino"),
            preferences=(Preference("identity", True),),
        ),
        made(
            "identities-weighed",
            identities=("faith_christian", "lived_military"),
            preferences=(Preference("identity", False, 1),),
        ),
        made("concern-required", preferences=(Preference("concern", True, 4),)),
        made("rare-concerns", concerns=rare, formats=(), availability=None),
        made("rare-concerns-required", concerns=rare, preferences=(Preference("concern", True),)),
        made("language-preferred", languages=("vi", "en"), preferences=(Preference("language", False),)),
        made(
            "format-preferred",
            formats=(base.formats or (SessionFormat.PHONE,))[::-1],
            preferences=(Preference("format", False, 2),),
        ),
        made("child", age_group="child"),
        made(
            "older",
            age_group="older_adult",
            approaches=("cbt",),
            preferences=(Preference("approach", None, 5),),
        ),
    ]


@dataclass(frozen=True)
class Case:
    profiles: list[CounselorProfile]
    snapshot: CatalogSnapshot
    intakes: list[Intake]
    rankings: dict[str, Ranking]  # the top K, by client id (default strategy)


@pytest.fixture(scope="module")
def case() -> Case:
    profiles = [
        *synthetic_counselors(300, seed=41),
        *(replace(p, id=f"r{p.id}") for p in random_profiles(200, seed=42)),
    ]
    r = random.Random(44)
    bases = [*synthetic_intakes(3, seed=43), replace(random_intake(r), client_id="random")]
    intakes = [
        *synthetic_intakes(40, seed=45),
        worst_case_intake(2),
        *(v for n, base in enumerate(bases) for v in _variants(base, n)),
    ]
    for intake in intakes:
        validate_intake(intake)
    snapshot = CatalogSnapshot.build(profiles, version=1)
    rankings = {i.client_id: rank(snapshot, i, DEFAULT_STRATEGY, K) for i in intakes}
    return Case(profiles, snapshot, intakes, rankings)


def _top(ranking: Ranking) -> list[tuple[str, float]]:
    return [(r.counselor_id, r.score) for r in ranking.results]


def _treats(profile: CounselorProfile, intake: Intake) -> bool:
    return bool({s.concern for s in profile.specialties} & {c.concern for c in intake.concerns})


def test_the_intakes_exercise_every_mode(case: Case) -> None:
    by_id = {p.id: p for p in case.profiles}
    filled = excluded_by_gender = excluded_by_identity = 0
    for intake in case.intakes:
        ranking = case.rankings[intake.client_id]
        assert ranking.exclusions["age_group_missing"] > 0
        treat = [_treats(by_id[r.counselor_id], intake) for r in ranking.results]
        assert treat == sorted(treat, reverse=True)  # those who treat a concern first
        filled += (not all(treat)) and any(treat)
        excluded_by_gender += ranking.exclusions["gender"] > 0
        excluded_by_identity += ranking.exclusions["identity"] > 0
        if filter_mode(BY_NAME["concern"], intake) == FilterMode.TIER:
            assert ranking.exclusions["concern"] == 0
    assert filled >= 3 and excluded_by_gender >= 4 and excluded_by_identity >= 4
    assert sum(case.rankings[i.client_id].exclusions["age_group"] > 0 for i in case.intakes) == len(
        case.intakes
    )


def test_the_straightforward_loop_ranks_exactly_like_rank(case: Case) -> None:
    everyone = len(case.profiles)
    for intake in case.intakes:
        expected = _top(rank(case.snapshot, intake, DEFAULT_STRATEGY, everyone))
        assert rank_straightforward(case.profiles, intake, DEFAULT_STRATEGY, everyone) == expected
        for strategy in WEIGHTED:
            top = _top(rank(case.snapshot, intake, strategy, K))
            assert rank_straightforward(case.profiles, intake, strategy, K) == top, (
                intake.client_id,
                strategy.key,
            )
            assert rank_reference(case.profiles, intake, strategy, K) == top, (intake.client_id, strategy.key)


@pytest.mark.postgres
def test_the_sql_query_ranks_and_counts_exactly_like_rank(case: Case) -> None:
    everyone = len(case.profiles)
    with benchmark_database() as url, psycopg.connect(libpq(url)) as conn:
        fill_table(conn, case.profiles)
        for intake in case.intakes:
            ranking = rank(case.snapshot, intake, DEFAULT_STRATEGY, everyone)
            assert rank_sql(conn, build_query(intake, DEFAULT_STRATEGY, everyone)) == _top(ranking)
            counts = count_filters(conn, build_count_query(intake))
            assert counts.exclusions == dict(ranking.exclusions), intake.client_id
            assert counts.eligible == ranking.eligible_count, intake.client_id
            for strategy in WEIGHTED:
                expected = _top(rank(case.snapshot, intake, strategy, K))
                assert rank_sql(conn, build_query(intake, strategy, K)) == expected, (
                    intake.client_id,
                    strategy.key,
                )
