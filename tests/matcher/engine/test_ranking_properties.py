"""Properties of the ranking on random catalogs and intakes (hypothesis).

Catalogs draw from small slices of the vocabularies (five concerns, three
languages, a few time zones) so that overlaps, ties and exclusions are common.
"""

from __future__ import annotations

import dataclasses
import random
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.attributes import FACTORS, FILTERS
from matcher.engine import kernel
from matcher.engine.ranking import Ranking, rank
from matcher.engine.reference import rank_reference, score_profile
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import (
    Availability,
    ConcernPreference,
    CounselorProfile,
    Intake,
    Specialty,
    WeeklyWindow,
)
from matcher.strategy import BUILTIN_STRATEGIES, Algorithm, Strategy
from matcher.vocabulary import CONCERNS, Proficiency, SessionFormat, SessionType

CONCERN_CODES = ("anxiety", "depression", "grief", "trauma", "stress")
APPROACH_CODES = ("cbt", "dbt", "emdr", "act")
LANGUAGE_CODES = ("en", "es", "fr")
JURISDICTION_CODES = ("US-IL", "US-NY", "US-PR")
ZONES = ("UTC", "America/Chicago", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland")
PROFICIENCIES = (Proficiency.PRIMARY, Proficiency.SECONDARY)

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def windows(draw: st.DrawFn) -> WeeklyWindow:
    start = draw(st.integers(0, 47))
    end = min(48, start + draw(st.integers(1, 16)))
    return WeeklyWindow(draw(st.integers(0, 6)), start * 30, end * 30)


def availability(min_windows: int = 0) -> st.SearchStrategy[Availability]:
    return st.builds(
        Availability,
        st.sampled_from(ZONES),
        st.lists(windows(), min_size=min_windows, max_size=3).map(tuple),
    )


def subsets(
    values: tuple[str, ...], min_size: int = 0, max_size: int = 3
) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), unique=True, min_size=min_size, max_size=max_size).map(tuple)


specialties = st.dictionaries(st.sampled_from(CONCERN_CODES), st.sampled_from(PROFICIENCIES), max_size=4).map(
    lambda d: tuple(Specialty(c, p) for c, p in d.items())
)


def profiles_for(counselor_id: str) -> st.SearchStrategy[CounselorProfile]:
    return st.builds(
        CounselorProfile,
        id=st.just(counselor_id),
        display_name=st.just(counselor_id.upper()),
        specialties=specialties,
        approaches=subsets(APPROACH_CODES),
        formats=st.lists(st.sampled_from(list(SessionFormat)), unique=True, min_size=1).map(tuple),
        session_types=st.lists(st.sampled_from(list(SessionType)), unique=True, min_size=1).map(tuple),
        languages=subsets(LANGUAGE_CODES, min_size=1, max_size=2),
        availability=availability(),
        accepting_new_clients=st.sampled_from([True, True, True, False]),
        caseload_current=st.integers(0, 2),
        caseload_max=st.integers(0, 3),
        active=st.sampled_from([True, True, True, False]),
        jurisdictions=subsets(JURISDICTION_CODES, max_size=2),
    )


catalogs = st.lists(st.text("abcdefg", min_size=1, max_size=4), unique=True, max_size=25).flatmap(
    lambda ids: st.tuples(*(profiles_for(i) for i in ids)).map(list)
)

intakes = st.builds(
    Intake,
    client_id=st.just("client"),
    concerns=st.dictionaries(st.sampled_from(CONCERN_CODES), st.integers(1, 5), min_size=1, max_size=4).map(
        lambda d: tuple(ConcernPreference(c, p) for c, p in d.items())
    ),
    languages=subsets(LANGUAGE_CODES, min_size=1, max_size=3),
    session_type=st.sampled_from(list(SessionType)),
    formats=st.lists(st.sampled_from(list(SessionFormat)), unique=True, max_size=2).map(tuple),
    approaches=subsets(APPROACH_CODES),
    availability=st.none() | availability(min_windows=1),
    jurisdiction=st.sampled_from(JURISDICTION_CODES),
)

weights = st.sampled_from([0.0, 0.1, 0.25, 1.0, 3.0])
strategies = st.sampled_from(BUILTIN_STRATEGIES) | st.builds(
    Strategy,
    name=st.just("custom"),
    version=st.just(1),
    algorithm=st.just(Algorithm.WEIGHTED),
    weights=st.fixed_dictionaries({f: weights for f in FACTORS}),
)


def star(concern: str = "anxiety") -> CounselorProfile:
    """A counselor who passes every hard filter of every intake drawn here."""
    return CounselorProfile(
        id="star",
        display_name="Star",
        specialties=(Specialty(concern, Proficiency.PRIMARY), Specialty("grief", Proficiency.SECONDARY)),
        approaches=("cbt",),
        formats=tuple(SessionFormat),
        session_types=tuple(SessionType),
        languages=LANGUAGE_CODES,
        availability=Availability("UTC", tuple(WeeklyWindow(d, 0, 24 * 60) for d in range(7))),
        caseload_max=5,
        jurisdictions=JURISDICTION_CODES,
    )


def all_results(profiles: list[CounselorProfile], intake: Intake, strategy: Strategy) -> Ranking:
    return rank(CatalogSnapshot.build(profiles, 1), intake, strategy, k=max(1, len(profiles)))


def score_of(ranking: Ranking, counselor_id: str) -> float:
    return next(r.score for r in ranking.results if r.counselor_id == counselor_id)


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(catalogs, intakes, strategies)
def test_scores_and_factors_lie_in_the_unit_interval(
    profiles: list[CounselorProfile], intake: Intake, strategy: Strategy
) -> None:
    ranking = all_results(profiles, intake, strategy)
    for result in ranking.results:
        assert 0.0 <= result.score <= 1.0
        assert all(0.0 <= f.score <= 1.0 and 0.0 <= f.weight <= 1.0 for f in result.factors)
        assert (
            sum(f.weight for f in result.factors) == 1.0
            or abs(sum(f.weight for f in result.factors) - 1) < 1e-12
        )
        assert abs(sum(f.contribution for f in result.factors) - result.score) < 1e-12
    assert [r.rank for r in ranking.results] == list(range(1, len(ranking.results) + 1))
    assert len(ranking.results) == ranking.eligible_count


@SETTINGS
@given(catalogs, intakes, strategies, st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_catalog_order(
    profiles: list[CounselorProfile], intake: Intake, strategy: Strategy, rnd: random.Random
) -> None:
    shuffled = list(profiles)
    rnd.shuffle(shuffled)
    a = rank(CatalogSnapshot.build(profiles, 1), intake, strategy, k=7, seed=3)
    b = rank(CatalogSnapshot.build(shuffled, 1), intake, strategy, k=7, seed=3)
    assert a == b


@SETTINGS
@given(catalogs, intakes, strategies, st.sampled_from(tuple(CONCERNS)), st.sampled_from(PROFICIENCIES))
def test_a_new_or_upgraded_specialty_never_lowers_the_score(
    profiles: list[CounselorProfile],
    intake: Intake,
    strategy: Strategy,
    concern: str,
    proficiency: Proficiency,
) -> None:
    before = star()
    treated = {s.concern: s for s in before.specialties}
    if concern in treated:  # upgrade (or keep) instead of adding
        changed = tuple(
            Specialty(s.concern, Proficiency.PRIMARY) if s.concern == concern else s
            for s in before.specialties
        )
    else:
        changed = (*before.specialties, Specialty(concern, proficiency))
    after = dataclasses.replace(before, specialties=changed)
    old = score_of(all_results([*profiles, before], intake, strategy), "star")
    new = score_of(all_results([*profiles, after], intake, strategy), "star")
    assert new >= old


@SETTINGS
@given(catalogs, intakes, strategies, st.sampled_from(CONCERN_CODES), st.integers(1, 5))
def test_adding_a_concern_treated_as_primary_never_lowers_the_concern_factor(
    profiles: list[CounselorProfile], intake: Intake, strategy: Strategy, concern: str, priority: int
) -> None:
    if any(c.concern == concern for c in intake.concerns):
        intake = dataclasses.replace(
            intake, concerns=tuple(c for c in intake.concerns if c.concern != concern)
        )
        if not intake.concerns:
            intake = dataclasses.replace(intake, concerns=(ConcernPreference("ocd", 2),))
    more = dataclasses.replace(intake, concerns=(*intake.concerns, ConcernPreference(concern, priority)))
    catalog = [*profiles, star(concern)]
    before = {r.counselor_id: r for r in all_results(catalog, intake, strategy).results}
    after = {r.counselor_id: r for r in all_results(catalog, more, strategy).results}
    assert before.keys() == after.keys() and "star" in after  # concerns never change eligibility
    by_id = {p.id: p for p in catalog}
    checked = 0
    for counselor_id, result in after.items():
        if any(
            s.concern == concern and s.proficiency == Proficiency.PRIMARY
            for s in by_id[counselor_id].specialties
        ):
            assert result.factors[0].score >= before[counselor_id].factors[0].score
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("parallel", [False, True])
@settings(max_examples=120, deadline=None)
@given(catalogs, intakes, strategies, st.integers(1, 30), st.integers(0, 2**32))
def test_fast_path_equals_the_reference(
    parallel: bool, profiles: list[CounselorProfile], intake: Intake, strategy: Strategy, k: int, seed: int
) -> None:
    """``parallel``: even these small catalogs go through the chunked kernel (chunks of a few rows)."""
    with patch.object(kernel, "PARALLEL_ABOVE", -1 if parallel else kernel.PARALLEL_ABOVE):
        ranking = rank(CatalogSnapshot.build(profiles, 1), intake, strategy, k=k, seed=seed)
    expected = rank_reference(profiles, intake, strategy, k, seed=seed)
    assert [r.counselor_id for r in ranking.results] == [i for i, _ in expected]
    for result, (_, score) in zip(ranking.results, expected, strict=True):
        assert abs(result.score - score) <= 1e-9
    failed = [score_profile(p, intake, strategy).failed for p in profiles]
    assert ranking.eligible_count == sum(1 for f in failed if not f)
    assert dict(ranking.exclusions) == {h: sum(1 for f in failed if h in f) for h in FILTERS}
    for result in ranking.results:
        reference = score_profile(next(p for p in profiles if p.id == result.counselor_id), intake, strategy)
        assert {f.factor: f.score for f in result.factors} == reference.factors


@st.composite
def edit_scripts(draw: st.DrawFn) -> tuple[list[CounselorProfile], list[tuple[str, CounselorProfile | str]]]:
    start = draw(catalogs)
    ids = [p.id for p in start]
    script: list[tuple[str, CounselorProfile | str]] = []
    for _ in range(draw(st.integers(0, 12))):
        if ids and draw(st.booleans()):
            victim = draw(st.sampled_from(ids))
            ids.remove(victim)
            script.append(("delete", victim))
        else:
            if ids and draw(st.booleans()):
                new_id = draw(st.sampled_from(ids))  # replace
            else:
                new_id = draw(st.text("abcdefgh", min_size=1, max_size=4))  # usually a new id
            if new_id not in ids:
                ids.append(new_id)
            script.append(("upsert", draw(profiles_for(new_id))))
    return start, script


@SETTINGS
@given(edit_scripts(), intakes, strategies)
def test_upserts_and_deletes_rank_like_a_rebuild(
    script: tuple[list[CounselorProfile], list[tuple[str, CounselorProfile | str]]],
    intake: Intake,
    strategy: Strategy,
) -> None:
    start, edits = script
    snapshot = CatalogSnapshot.build(start, 1)
    current = {p.id: p for p in start}
    for version, (action, item) in enumerate(edits, start=2):
        if action == "delete":
            assert isinstance(item, str)
            del current[item]
            snapshot = snapshot.with_delete(item, version)
        else:
            assert isinstance(item, CounselorProfile)
            current[item.id] = item
            snapshot = snapshot.with_upsert(item, version)
    rebuilt = CatalogSnapshot.build(list(current.values()), snapshot.version)
    assert snapshot.ids == rebuilt.ids
    assert all(
        np.array_equal(a, b) for a, b in zip(snapshot.columns.arrays(), rebuilt.columns.arrays(), strict=True)
    )
    assert rank(snapshot, intake, strategy, k=10, seed=1) == rank(rebuilt, intake, strategy, k=10, seed=1)
