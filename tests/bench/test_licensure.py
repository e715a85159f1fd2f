"""Both baselines rank exactly like ``rank()`` where licensure excludes counselors.

Licensure is the hard filter every intake has: a counselor must hold the client's jurisdiction,
and one with none on file is counted apart (``licensure_missing``). The catalogs mix the synthetic
counselors with random ones (varied formats, session types, hours, some with no licence on file),
plus clones of each intake's best counselor that differ only in their licences, so that the filter
excludes counselors who would otherwise lead the ranking.
"""

from __future__ import annotations

import ast
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

import bench.sql_ranking
import bench.sql_schema
from bench.postgres import benchmark_database, libpq
from bench.sql_ranking import build_count_query, build_query, count_filters, fill_table, rank_sql
from bench.straightforward import rank_straightforward
from matcher.attributes import ATTRIBUTES
from matcher.engine.ranking import Ranking, rank
from matcher.engine.reference import rank_reference
from matcher.engine.snapshot import CatalogSnapshot
from matcher.jurisdictions import JURISDICTIONS
from matcher.model import CounselorProfile, Intake
from matcher.strategy import BUILTIN_STRATEGIES, DEFAULT_STRATEGY, Algorithm
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from tests.matcher.conftest import random_intake, random_profiles

WEIGHTED = [s for s in BUILTIN_STRATEGIES if s.algorithm == Algorithm.WEIGHTED]


@dataclass(frozen=True)
class Case:
    profiles: list[CounselorProfile]
    intakes: list[Intake]
    rankings: dict[str, Ranking]  # every eligible counselor, by client id (default strategy)
    cloned: int  # intakes whose best counselor was cloned (those with someone eligible)


def _clones(best: CounselorProfile, intake: Intake, n: int) -> list[CounselorProfile]:
    """``best`` licensed elsewhere, with none on file (active or not), and licensed in several states."""
    elsewhere = next(code for code in JURISDICTIONS if code != intake.jurisdiction)
    return [
        replace(best, id=f"{best.id}-{n}-elsewhere", jurisdictions=(elsewhere,)),
        replace(best, id=f"{best.id}-{n}-none", jurisdictions=()),
        replace(best, id=f"{best.id}-{n}-inactive-none", active=False, jurisdictions=()),
        replace(best, id=f"{best.id}-{n}-several", jurisdictions=(elsewhere, intake.jurisdiction)),
    ]


@pytest.fixture(scope="module")
def case() -> Case:
    r = random.Random(34)
    profiles = [
        *synthetic_counselors(250, seed=31),
        *(replace(p, id=f"r{p.id}") for p in random_profiles(250, seed=32)),
    ]
    intakes = [
        *synthetic_intakes(12, seed=33),
        worst_case_intake(3),
        *(replace(random_intake(r), client_id=f"random-{i}") for i in range(12)),
    ]
    clones: list[CounselorProfile] = []
    cloned = 0
    for n, intake in enumerate(intakes):
        best = rank_reference(profiles, intake, DEFAULT_STRATEGY, 1)
        if best:
            cloned += 1
            clones += _clones(next(p for p in profiles if p.id == best[0][0]), intake, n)
    profiles += clones
    snapshot = CatalogSnapshot.build(profiles, version=1)
    rankings = {i.client_id: rank(snapshot, i, DEFAULT_STRATEGY, len(profiles)) for i in intakes}
    return Case(profiles, intakes, rankings, cloned)


def _top(ranking: Ranking, k: int | None = None) -> list[tuple[str, float]]:
    return [(r.counselor_id, r.score) for r in ranking.results[:k]]


def test_licensure_excludes_counselors_in_every_intake(case: Case) -> None:
    with_clones = 0
    for intake in case.intakes:
        ranking = case.rankings[intake.client_id]
        ids = {r.counselor_id for r in ranking.results}
        assert ranking.exclusions["licensure"] > 0 and ranking.exclusions["licensure_missing"] > 0
        assert not any(cid.endswith(("-elsewhere", "-none")) for cid in ids)
        with_clones += any(cid.endswith("-several") for cid in ids)
    assert with_clones == case.cloned >= len(case.intakes) - 5


def test_the_straightforward_loop_ranks_exactly_like_rank(case: Case) -> None:
    for intake in case.intakes:
        expected = _top(case.rankings[intake.client_id])
        assert rank_straightforward(case.profiles, intake, DEFAULT_STRATEGY, len(case.profiles)) == expected


@pytest.mark.postgres
def test_the_sql_query_ranks_and_counts_exclusions_exactly_like_rank(case: Case) -> None:
    snapshot = CatalogSnapshot.build(case.profiles, version=1)
    with benchmark_database() as url, psycopg.connect(libpq(url)) as conn:
        fill_table(conn, case.profiles)
        for intake in case.intakes:
            ranking = case.rankings[intake.client_id]
            everyone = rank_sql(conn, build_query(intake, DEFAULT_STRATEGY, len(case.profiles)))
            assert everyone == _top(ranking), intake.client_id
            counts = count_filters(conn, build_count_query(intake))
            assert counts.exclusions == dict(ranking.exclusions), intake.client_id
            assert counts.eligible == ranking.eligible_count, intake.client_id
            for strategy in WEIGHTED:
                expected = _top(rank(snapshot, intake, strategy, 10))
                assert rank_sql(conn, build_query(intake, strategy, 10)) == expected, strategy.key


@pytest.mark.parametrize("module", [bench.sql_schema, bench.sql_ranking], ids=lambda m: m.__name__)
def test_the_sql_baseline_names_no_attribute(module: ModuleType) -> None:
    """The schema and the query come from the declarations: no attribute or field is named in code."""
    names = {n for a in ATTRIBUTES for n in (a.name, a.missing, a.counselor_field, a.intake_field) if n}
    tree = ast.parse(Path(str(module.__file__)).read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            used.update(re.findall(r"[A-Za-z_]\w*", node.value))
    assert names.isdisjoint(used), sorted(names & used)
