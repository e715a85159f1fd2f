"""Properties of the ranking on random catalogs and intakes (hypothesis).

Catalogs draw from small slices of the vocabularies (five concerns, three
languages, a few time zones, three identity attributes) so that overlaps, ties and
exclusions are common. Intakes mark some of their preferences required or preferred,
with an importance.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.attributes import BY_NAME, FACTORS, FILTERS, PREFERENCES
from matcher.engine import kernel
from matcher.engine.ranking import MAX_RELAXATIONS, Ranking, rank
from matcher.engine.reference import rank_reference, reference_counts, reference_relaxations, score_profile
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import (
    Availability,
    ConcernPreference,
    CounselorProfile,
    Intake,
    Preference,
    Specialty,
    WeeklyWindow,
)
from matcher.preferences import client_value
from matcher.strategy import BUILTIN_STRATEGIES, Algorithm, Strategy
from matcher.vocabulary import CONCERNS, Proficiency, SessionFormat, SessionType
from tests.matcher.conftest import JANUARY_WEEK, WEEKS

CONCERN_CODES = ("anxiety", "depression", "grief", "trauma", "stress")
APPROACH_CODES = ("cbt", "dbt", "emdr", "act")
LANGUAGE_CODES = ("en", "es", "fr")
JURISDICTION_CODES = ("US-IL", "US-NY", "US-PR")
AGE_CODES = ("teen", "adult", "older_adult")
GENDER_CODES = ("woman", "man", "nonbinary")
IDENTITY_CODES = ("lgbtq_affirming", "faith_jewish", "lived_military")
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
        age_groups=subsets(AGE_CODES, max_size=2),
        genders=subsets(GENDER_CODES, min_size=1, max_size=1),
        identities=subsets(IDENTITY_CODES),
    )


catalogs = st.lists(st.text("abcdefg", min_size=1, max_size=4), unique=True, max_size=25).flatmap(
    lambda ids: st.tuples(*(profiles_for(i) for i in ids)).map(list)
)

plain_intakes = st.builds(
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
    age_group=st.sampled_from(AGE_CODES),
    genders=subsets(GENDER_CODES, max_size=2),
    identities=subsets(IDENTITY_CODES, max_size=2),
)


def given_preferences(intake: Intake) -> tuple[str, ...]:
    """The preferences whose value ``intake`` gives (only those may be required)."""
    return tuple(name for name in PREFERENCES if client_value(BY_NAME[name], intake))


@st.composite
def intakes_with_preferences(draw: st.DrawFn) -> Intake:
    intake = draw(plain_intakes)
    marks = draw(st.lists(st.sampled_from(given_preferences(intake)), unique=True, max_size=3))
    preferences = tuple(
        Preference(name, draw(st.sampled_from((True, False, None))), draw(st.integers(0, 5)))
        for name in marks
    )
    return dataclasses.replace(intake, preferences=preferences)


intakes = intakes_with_preferences()

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
        age_groups=AGE_CODES,
        genders=("nonbinary",),
        identities=IDENTITY_CODES,
    )


def _only_preferred(intake: Intake) -> Intake:
    """``intake`` with every preference it marks only preferred (the star passes its hard filters)."""
    return dataclasses.replace(
        intake, preferences=tuple(dataclasses.replace(p, required=False) for p in intake.preferences)
    )


def all_results(profiles: list[CounselorProfile], intake: Intake, strategy: Strategy) -> Ranking:
    return rank(CatalogSnapshot.build(profiles, 1, JANUARY_WEEK), intake, strategy, k=max(1, len(profiles)))


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
    intake = _only_preferred(intake)  # a required concern or gender would exclude the star
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
    intake = _only_preferred(intake)  # concerns only preferred never change eligibility; the star passes
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
@given(catalogs, intakes, strategies, st.integers(1, 30), st.integers(0, 2**32), st.sampled_from(WEEKS))
def test_fast_path_equals_the_reference(
    parallel: bool,
    profiles: list[CounselorProfile],
    intake: Intake,
    strategy: Strategy,
    k: int,
    seed: int,
    week: datetime,
) -> None:
    """``parallel``: even these small catalogs go through the chunked kernel (chunks of a few rows).

    In a January week, in July and in weeks of daylight-saving changes (``WEEKS``).
    """
    with patch.object(kernel, "PARALLEL_ABOVE", -1 if parallel else kernel.PARALLEL_ABOVE):
        ranking = rank(CatalogSnapshot.build(profiles, 1, week), intake, strategy, k=k, seed=seed)
    expected = rank_reference(profiles, intake, strategy, k, seed=seed, week=week)
    assert [r.counselor_id for r in ranking.results] == [i for i, _ in expected]
    for result, (_, score) in zip(ranking.results, expected, strict=True):
        assert abs(result.score - score) <= 1e-9
    counts = reference_counts(profiles, intake, strategy, week)
    assert (ranking.eligible_count, dict(ranking.exclusions)) == counts
    offered = sorted(
        reference_relaxations(profiles, intake, strategy, week).items(),
        key=lambda r: (-r[1], FILTERS.index(r[0])),
    )
    expected_relaxations = offered[:MAX_RELAXATIONS] if ranking.eligible_count < k else []
    assert [(r.attribute, r.added) for r in ranking.relaxations] == expected_relaxations
    for result in ranking.results:
        profile = next(p for p in profiles if p.id == result.counselor_id)
        reference = score_profile(profile, intake, strategy, week)
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


# --------------------------------------------------------------------------- required or preferred


def _marked(intake: Intake, name: str, required: bool) -> Intake:
    kept = tuple(p for p in intake.preferences if p.attribute != name)
    return dataclasses.replace(intake, preferences=(*kept, Preference(name, required)))


@SETTINGS
@given(catalogs, intakes, strategies, st.data())
def test_a_required_preference_never_admits_a_counselor_who_fails_it(
    profiles: list[CounselorProfile], intake: Intake, strategy: Strategy, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(given_preferences(intake)))
    required = _marked(intake, name, True)
    ranking = all_results(profiles, required, strategy)
    by_id = {p.id: p for p in profiles}
    for result in ranking.results:
        assert name not in score_profile(by_id[result.counselor_id], required, strategy, JANUARY_WEEK).failed
    assert ranking.exclusions[name] == sum(
        1 for p in profiles if name in score_profile(p, required, strategy, JANUARY_WEEK).failed
    )


@SETTINGS
@given(catalogs, intakes, strategies, st.data())
def test_relaxing_a_requirement_never_removes_anyone(
    profiles: list[CounselorProfile], intake: Intake, strategy: Strategy, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(given_preferences(intake)))
    strict = all_results(profiles, _marked(intake, name, True), strategy)
    relaxed = all_results(profiles, _marked(intake, name, False), strategy)
    assert {r.counselor_id for r in strict.results} <= {r.counselor_id for r in relaxed.results}
    assert relaxed.eligible_count >= strict.eligible_count


@SETTINGS
@given(
    catalogs,
    intakes,
    strategies,
    st.sampled_from(
        [("genders", GENDER_CODES), ("identities", IDENTITY_CODES), ("approaches", APPROACH_CODES)]
    ),
    st.data(),
)
def test_a_preferred_attribute_the_counselor_has_never_lowers_the_score(
    profiles: list[CounselorProfile],
    intake: Intake,
    strategy: Strategy,
    field: tuple[str, tuple[str, ...]],
    data: st.DataObject,
) -> None:
    name, codes = field
    before = dataclasses.replace(star(), **{name: ()})
    added = data.draw(subsets(codes, min_size=1))
    after = dataclasses.replace(before, **{name: added})
    intake = _only_preferred(intake)
    old = score_of(all_results([*profiles, before], intake, strategy), "star")
    new = score_of(all_results([*profiles, after], intake, strategy), "star")
    assert new >= old
