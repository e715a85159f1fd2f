"""Hand-checked rankings: exact orders, scores, factor contributions and exclusion counts.

Hours are placed in a January week (``JANUARY_WEEK``), when every zone here has its standard
UTC offset.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from matcher.engine.ranking import Ranking, rank
from matcher.engine.reference import rank_reference, reference_counts, score_profile
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import Availability, ConcernPreference, CounselorProfile, Intake, Specialty, WeeklyWindow
from matcher.strategy import BUILTIN_STRATEGIES, DEFAULT_STRATEGY, Algorithm, Strategy
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from tests.matcher.conftest import JANUARY_WEEK, random_intake, random_profiles

H = 60
P, S = Proficiency.PRIMARY, Proficiency.SECONDARY
VIDEO, PHONE = SessionFormat.VIDEO, SessionFormat.PHONE
RANDOM_ELIGIBLE = next(s for s in BUILTIN_STRATEGIES if s.algorithm == Algorithm.RANDOM_ELIGIBLE)
AVAILABILITY_FIRST = next(s for s in BUILTIN_STRATEGIES if s.name == "availability-first")


def utc(*windows: tuple[int, int, int]) -> Availability:
    return Availability("UTC", tuple(WeeklyWindow(*w) for w in windows))


def counselor(counselor_id: str, **kwargs: object) -> CounselorProfile:
    values: dict[str, object] = {
        "id": counselor_id,
        "display_name": counselor_id.title(),
        "session_types": (SessionType.INDIVIDUAL,),
        "formats": (VIDEO,),
        "caseload_current": 3,
        "caseload_max": 10,
        "jurisdictions": ("US-IL",),
        "age_groups": ("adult",),
    }
    values.update(kwargs)
    return CounselorProfile(**values)  # type: ignore[arg-type]


# The client: Chicago (UTC-6 standard), Tue and Thu 18:00-22:00 local = Wed and Fri 00:00-04:00 UTC,
# i.e. 16 half-hour slots (8 hours).
CLIENT = Intake(
    client_id="client-7",
    concerns=(ConcernPreference("anxiety", 3), ConcernPreference("grief", 1)),
    languages=("es", "en"),
    session_type=SessionType.INDIVIDUAL,
    formats=(VIDEO,),
    approaches=("cbt", "emdr"),
    availability=Availability(
        "America/Chicago", (WeeklyWindow(1, 18 * H, 22 * H), WeeklyWindow(3, 18 * H, 22 * H))
    ),
    jurisdiction="US-IL",
    age_group="adult",
)

# Ana, in Berlin (UTC+1): Wed 01:00-05:00 local = Wed 00:00-04:00 UTC = the client's Tuesday evening.
#   concern (3*1.0 + 1*0.5) / 4 = 0.875, approach 2/2 = 1, language (es, first) 1, availability 8/16 = 0.5
#   total 0.40*0.875 + 0.15*1 + 0.20*1 + 0.25*0.5 = 0.35 + 0.15 + 0.20 + 0.125 = 0.825
ANA = counselor(
    "ana",
    specialties=(Specialty("anxiety", P), Specialty("grief", S)),
    approaches=("cbt", "emdr"),
    languages=("es", "en"),
    availability=Availability("Europe/Berlin", (WeeklyWindow(2, 1 * H, 5 * H),)),
)
# Cho, in Chicago: Thu 20:00-22:00 local = Fri 02:00-04:00 UTC.
#   concern (3 + 1) / 4 = 1, approach 0/2 = 0, language 1, availability 4/16 = 0.25
#   total 0.40 + 0 + 0.20 + 0.0625 = 0.6625
CHO = counselor(
    "cho",
    specialties=(Specialty("anxiety", P), Specialty("grief", P)),
    languages=("es",),
    formats=(VIDEO, PHONE),
    availability=Availability("America/Chicago", (WeeklyWindow(3, 20 * H, 22 * H),)),
)
# Ben (and Abe, identical): all 16 slots in UTC.
#   concern 3*0.5 / 4 = 0.375, approach 1/2 = 0.5, language (en, second choice) 1/2, availability 1
#   total 0.40*0.375 + 0.15*0.5 + 0.20*0.5 + 0.25*1 = 0.15 + 0.075 + 0.10 + 0.25 = 0.575
BEN = counselor(
    "ben",
    specialties=(Specialty("anxiety", S),),
    approaches=("cbt",),
    languages=("en", "fr"),
    availability=utc((2, 0, 4 * H), (4, 0, 4 * H)),
)
ABE = dataclasses.replace(BEN, id="abe", display_name="Abe")
# Excluded: each like Ana but failing the filters named.
ZED = dataclasses.replace(ANA, id="zed", active=False)  # active
YAN = dataclasses.replace(ANA, id="yan", caseload_current=10, languages=("fr",))  # capacity, language
XIA = dataclasses.replace(ANA, id="xia", formats=(PHONE,))  # format
WES = dataclasses.replace(ANA, id="wes", session_types=(SessionType.COUPLES,))  # session type
VIC = dataclasses.replace(ANA, id="vic", availability=utc((0, 8 * H, 10 * H)))  # availability
UMA = dataclasses.replace(ANA, id="uma", active=False, accepting_new_clients=False)  # active, capacity

CATALOG = [ZED, BEN, XIA, ANA, UMA, VIC, CHO, WES, ABE, YAN]


@pytest.fixture(scope="module")
def snapshot() -> CatalogSnapshot:
    return CatalogSnapshot.build(CATALOG, version=42, week=JANUARY_WEEK)


def scores(ranking: Ranking) -> list[tuple[str, float]]:
    return [(r.counselor_id, r.score) for r in ranking.results]


def test_hand_checked_order_scores_and_factors(snapshot: CatalogSnapshot) -> None:
    ranking = rank(snapshot, CLIENT)
    assert [r.counselor_id for r in ranking.results] == ["ana", "cho", "abe", "ben"]  # abe/ben tie: id order
    assert [r.score for r in ranking.results] == pytest.approx([0.825, 0.6625, 0.575, 0.575], abs=1e-12)
    assert [r.rank for r in ranking.results] == [1, 2, 3, 4]
    assert ranking.results[0].display_name == "Ana"
    ana = ranking.results[0]
    assert [f.factor for f in ana.factors] == [
        "concern",
        "approach",
        "language",
        "availability",
    ]
    assert [f.score for f in ana.factors] == pytest.approx([0.875, 1.0, 1.0, 0.5])
    assert [f.weight for f in ana.factors] == pytest.approx([0.40, 0.15, 0.20, 0.25])
    assert [f.contribution for f in ana.factors] == pytest.approx([0.35, 0.15, 0.20, 0.125])
    cho = ranking.results[1]
    assert [f.score for f in cho.factors] == pytest.approx([1.0, 0.0, 1.0, 0.25])
    assert [f.contribution for f in cho.factors] == pytest.approx([0.40, 0.0, 0.20, 0.0625])
    ben = ranking.results[3]
    assert [f.score for f in ben.factors] == pytest.approx([0.375, 0.5, 0.5, 1.0])
    assert sum(f.contribution for f in ben.factors) == pytest.approx(ben.score)
    assert ana.reasons == (
        "treats anxiety (primary) and grief",
        "offers CBT and EMDR",
        "speaks Spanish",
        "offers video sessions",
        "free Tue evening: 4 of your 8 hours",
    )
    assert ben.reasons == (
        "treats anxiety",
        "no listed experience with grief",
        "offers CBT",
        "speaks English (your second choice)",
        "offers video sessions",
        "free at all 8 of your hours",
    )
    assert (
        ranking.catalog_version == 42 and ranking.catalog_size == 10 and ranking.strategy is DEFAULT_STRATEGY
    )


def test_exclusion_counts(snapshot: CatalogSnapshot) -> None:
    ranking = rank(snapshot, CLIENT)
    assert ranking.eligible_count == 4
    assert dict(ranking.exclusions) == {
        "active": 2,  # zed, uma
        "capacity": 2,  # yan, uma
        "licensure": 0,
        "licensure_missing": 0,
        "age_group": 0,
        "age_group_missing": 0,
        "concern": 0,  # only preferred: it tiers, it excludes nobody
        "approach": 0,
        "language": 1,  # yan
        "format": 1,  # xia
        "session_type": 1,  # wes
        "gender": 0,
        "identity": 0,
        "availability": 1,  # vic
    }


def test_top_k_cuts_ties_by_id(snapshot: CatalogSnapshot) -> None:
    assert [r.counselor_id for r in rank(snapshot, CLIENT, k=3).results] == ["ana", "cho", "abe"]
    assert [r.counselor_id for r in rank(snapshot, CLIENT, k=1).results] == ["ana"]
    with pytest.raises(ValueError, match="k must be at least 1"):
        rank(snapshot, CLIENT, k=0)


def test_filters_that_do_not_apply_count_zero_and_weights_are_renormalised(snapshot: CatalogSnapshot) -> None:
    # No formats, approaches or availability: only concern (0.40) and language (0.20) apply,
    # renormalised to 2/3 and 1/3. Ana: (0.40*0.875 + 0.20*1) / 0.60 = 0.55 / 0.6.
    broad = dataclasses.replace(CLIENT, formats=(), approaches=(), availability=None)
    ranking = rank(snapshot, broad)
    assert ranking.exclusions["format"] == 0 and ranking.exclusions["availability"] == 0
    assert ranking.eligible_count == 6  # xia and vic now qualify
    # cho: (0.40*1 + 0.20*1)/0.6 = 1; ana, vic, xia: 0.55/0.6;
    # abe, ben: (0.40*0.375 + 0.20*0.5)/0.6 = 0.25/0.6
    assert scores(ranking) == [
        ("cho", pytest.approx(1.0)),
        ("ana", pytest.approx(0.55 / 0.6)),
        ("vic", pytest.approx(0.55 / 0.6)),
        ("xia", pytest.approx(0.55 / 0.6)),
        ("abe", pytest.approx(0.25 / 0.6)),
        ("ben", pytest.approx(0.25 / 0.6)),
    ]
    ana = ranking.results[1]
    assert [(f.factor, f.weight) for f in ana.factors] == [
        ("concern", pytest.approx(2 / 3)),
        ("language", pytest.approx(1 / 3)),
    ]


def test_zero_weights_for_every_applicable_factor_fall_back_to_equal_weights(
    snapshot: CatalogSnapshot,
) -> None:
    approach_only = Strategy("approach-only", 1, Algorithm.WEIGHTED, {"approach": 1.0})
    broad = dataclasses.replace(CLIENT, formats=(), approaches=(), availability=None)
    ranking = rank(snapshot, broad, approach_only)
    # concern and language weigh 1/2 each:
    # cho 1, ana 0.5*0.875 + 0.5 = 0.9375, ben 0.5*0.375 + 0.5*0.5 = 0.4375
    assert scores(ranking)[:2] == [("cho", 1.0), ("ana", 0.9375)]
    assert scores(ranking)[-1] == ("ben", 0.4375)
    assert all(f.weight == 0.5 for r in ranking.results for f in r.factors)


def test_nobody_qualifies(snapshot: CatalogSnapshot) -> None:
    yiddish = dataclasses.replace(CLIENT, languages=("yi",))
    ranking = rank(snapshot, yiddish)
    assert ranking.results == () and ranking.eligible_count == 0
    assert ranking.exclusions["language"] == 10
    assert ranking.exclusions["active"] == 2
    assert rank(CatalogSnapshot.build([], 1), CLIENT).results == ()


def test_window_crossing_midnight_and_the_end_of_the_week() -> None:
    # Chicago Sun 17:00-21:00 local = Sun 23:00 - Mon 03:00 UTC: 8 slots across the week boundary.
    client = dataclasses.replace(
        CLIENT,
        approaches=(),
        availability=Availability("America/Chicago", (WeeklyWindow(6, 17 * H, 21 * H),)),
    )
    base = dataclasses.replace(ANA, availability=utc())
    catalog = [
        dataclasses.replace(base, id="mon-early", availability=utc((0, 0, 1 * H))),  # 2 slots
        # Berlin Mon 00:00-00:30 local = Sun 23:00-23:30 UTC: 1 slot
        dataclasses.replace(
            base, id="berlin", availability=Availability("Europe/Berlin", (WeeklyWindow(0, 0, 30),))
        ),
        dataclasses.replace(base, id="sun-evening", availability=utc((6, 21 * H, 23 * H))),  # 0 slots
        # Tokyo (UTC+9) Mon 11:00-12:00 local = Mon 02:00-03:00 UTC: 2 slots
        dataclasses.replace(
            base, id="tokyo", availability=Availability("Asia/Tokyo", (WeeklyWindow(0, 11 * H, 12 * H),))
        ),
    ]
    ranking = rank(CatalogSnapshot.build(catalog, 1, JANUARY_WEEK), client, AVAILABILITY_FIRST)
    assert [r.counselor_id for r in ranking.results] == ["mon-early", "tokyo", "berlin"]
    assert [r.factors[-1].score for r in ranking.results] == [0.25, 0.25, 0.125]
    assert ranking.exclusions["availability"] == 1
    # availability-first without approach: 0.25 + 0.15 + 0.50 renormalised over 0.90
    assert ranking.results[0].score == pytest.approx((0.25 * 0.875 + 0.15 * 1.0 + 0.50 * 0.25) / 0.90)
    assert ranking.results[0].reasons[-1] == "free Sun evening: 1 of your 4 hours"


def test_random_eligible_is_seeded_and_draws_only_eligible_counselors(snapshot: CatalogSnapshot) -> None:
    orders = set()
    for seed in range(20):
        ranking = rank(snapshot, CLIENT, RANDOM_ELIGIBLE, k=10, seed=seed)
        ids = [r.counselor_id for r in ranking.results]
        assert sorted(ids) == ["abe", "ana", "ben", "cho"]
        assert ids == [
            r.counselor_id for r in rank(snapshot, CLIENT, RANDOM_ELIGIBLE, k=10, seed=seed).results
        ]
        assert scores(ranking) == rank_reference(
            CATALOG, CLIENT, RANDOM_ELIGIBLE, 10, seed=seed, week=JANUARY_WEEK
        )
        orders.add(tuple(ids))
    assert len(orders) > 5
    # Scores are still computed with the strategy's (equal) weights: ana 0.25*(0.875 + 1 + 1 + 0.5)
    ana = next(r for r in rank(snapshot, CLIENT, RANDOM_ELIGIBLE).results if r.counselor_id == "ana")
    assert ana.score == pytest.approx(0.84375)
    assert len(rank(snapshot, CLIENT, RANDOM_ELIGIBLE, k=2, seed=3).results) == 2


def test_reference_agrees_on_the_hand_built_catalog(snapshot: CatalogSnapshot) -> None:
    expected = rank_reference(CATALOG, CLIENT, DEFAULT_STRATEGY, 10, week=JANUARY_WEEK)
    assert scores(rank(snapshot, CLIENT)) == expected
    failed = {p.id: score_profile(p, CLIENT, DEFAULT_STRATEGY, JANUARY_WEEK).failed for p in CATALOG}
    assert failed["uma"] == {"active", "capacity"}
    assert failed["yan"] == {"capacity", "language"}
    assert failed["ana"] == frozenset()


def test_fast_path_matches_the_reference_on_a_random_catalog() -> None:
    profiles = random_profiles(2000, seed=21)
    snapshot = CatalogSnapshot.build(profiles, 1)
    r = random.Random(8)
    for i in range(25):
        client = random_intake(r)
        strategy = BUILTIN_STRATEGIES[i % len(BUILTIN_STRATEGIES)]
        ranking = rank(snapshot, client, strategy, k=25, seed=i)
        assert scores(ranking) == rank_reference(profiles, client, strategy, 25, seed=i, week=snapshot.week)
        assert (ranking.eligible_count, dict(ranking.exclusions)) == reference_counts(
            profiles, client, strategy, snapshot.week
        )


def test_windows_without_any_slot_exclude_everybody(snapshot: CatalogSnapshot) -> None:
    # Not a valid intake (validate_intake rejects empty windows), but the engine stays consistent:
    # the client gave windows, so the availability filter applies, and nobody shares a slot.
    empty = dataclasses.replace(CLIENT, availability=Availability("UTC", (WeeklyWindow(0, 60, 60),)))
    ranking = rank(snapshot, empty)
    assert ranking.results == () and ranking.exclusions["availability"] == 10
    assert rank_reference(CATALOG, empty, DEFAULT_STRATEGY, 10, week=JANUARY_WEEK) == []
