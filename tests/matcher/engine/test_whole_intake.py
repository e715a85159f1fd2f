"""Hand-checked rankings for the whole intake: age groups, gender and identity, required or
preferred with an importance, and concerns that only tier.

Each catalog is small enough to see the answer at once; the comments give the arithmetic.
Every ranking is also checked against the plain reference (``rank_reference``).
"""

from __future__ import annotations

import dataclasses

import pytest

from matcher.engine.ranking import Ranking, rank
from matcher.engine.reference import rank_reference
from matcher.engine.snapshot import CatalogSnapshot
from matcher.model import ConcernPreference, CounselorProfile, Intake, Preference, Specialty, validate_intake
from matcher.strategy import BUILTIN_STRATEGIES, DEFAULT_STRATEGY
from matcher.vocabulary import Proficiency, SessionFormat, SessionType

P = Proficiency.PRIMARY
VIDEO, PHONE = SessionFormat.VIDEO, SessionFormat.PHONE


def counselor(counselor_id: str, **kwargs: object) -> CounselorProfile:
    values: dict[str, object] = {
        "id": counselor_id,
        "display_name": counselor_id.title(),
        "specialties": (Specialty("anxiety", P),),
        "languages": ("en",),
        "session_types": (SessionType.INDIVIDUAL,),
        "formats": (VIDEO,),
        "caseload_max": 10,
        "jurisdictions": ("US-IL",),
        "age_groups": ("adult",),
        "genders": ("man",),
    }
    values.update(kwargs)
    return CounselorProfile(**values)  # type: ignore[arg-type]


CLIENT = Intake(
    client_id="client-9",
    concerns=(ConcernPreference("anxiety", 1),),
    languages=("en",),
    jurisdiction="US-IL",
    age_group="adult",
)


def ranked(profiles: list[CounselorProfile], intake: Intake, k: int = 10) -> Ranking:
    validate_intake(intake)
    got = rank(CatalogSnapshot.build(profiles, 1), intake, DEFAULT_STRATEGY, k)
    expected = rank_reference(profiles, intake, DEFAULT_STRATEGY, k)
    assert [(r.counselor_id, r.score) for r in got.results] == expected
    return got


def ids(ranking: Ranking) -> list[str]:
    return [r.counselor_id for r in ranking.results]


def with_(intake: Intake, *preferences: Preference, **fields: object) -> Intake:
    return dataclasses.replace(intake, preferences=preferences, **fields)  # type: ignore[arg-type]


def test_the_age_group_is_always_required_and_missing_ones_are_counted_apart() -> None:
    catalog = [
        counselor("adults"),
        counselor("kids", age_groups=("child", "teen")),
        counselor("unknown", age_groups=()),
    ]
    teen = ranked(catalog, with_(CLIENT, age_group="teen"))
    assert ids(teen) == ["kids"]
    assert teen.exclusions["age_group"] == 1 and teen.exclusions["age_group_missing"] == 1
    assert ids(ranked(catalog, CLIENT)) == ["adults"]


def test_a_preferred_gender_lifts_and_a_required_one_filters() -> None:
    catalog = [counselor("adam"), counselor("beth", genders=("woman",))]
    # Without a gender, the two tie (concern 1, language 1): the smaller id first.
    assert ids(ranked(catalog, CLIENT)) == ["adam", "beth"]
    # Preferred: gender is a factor (default weight 0.10 beside 0.40 + 0.20): beth 1.0, adam
    # (0.40 + 0.20) / 0.70 = 0.857...
    preferred = ranked(catalog, with_(CLIENT, genders=("woman",)))
    assert ids(preferred) == ["beth", "adam"]
    assert preferred.results[0].score == 1.0
    assert abs(preferred.results[1].score - 0.6 / 0.7) < 1e-12
    assert preferred.exclusions["gender"] == 0
    # Required: only beth, adam counted under "gender"; a required gender does not score.
    required = ranked(catalog, with_(CLIENT, Preference("gender", required=True), genders=("woman",)))
    assert ids(required) == ["beth"] and required.exclusions["gender"] == 1
    assert [f.factor for f in required.results[0].factors] == ["concern", "language"]


def test_required_identities_need_every_one_preferred_ones_score_their_share() -> None:
    catalog = [
        counselor("both", identities=("lgbtq_affirming", "faith_jewish")),
        counselor("one", identities=("lgbtq_affirming",)),
        counselor("none"),
    ]
    wanted = ("lgbtq_affirming", "faith_jewish")
    required = ranked(catalog, with_(CLIENT, Preference("identity", required=True), identities=wanted))
    assert ids(required) == ["both"] and required.exclusions["identity"] == 2
    preferred = ranked(catalog, with_(CLIENT, identities=wanted))
    assert ids(preferred) == ["both", "one", "none"]
    assert [dict((f.factor, f.score) for f in r.factors)["identity"] for r in preferred.results] == [
        1,
        0.5,
        0,
    ]
    assert "LGBTQ+ affirming and faith-integrated (Jewish)" in preferred.results[0].reasons


def test_formats_are_required_by_default_and_may_be_only_preferred() -> None:
    catalog = [counselor("video"), counselor("phone", formats=(PHONE,))]
    intake = with_(CLIENT, formats=(VIDEO,))
    assert ids(ranked(catalog, intake)) == ["video"]
    preferred = ranked(catalog, with_(CLIENT, Preference("format", required=False), formats=(VIDEO,)))
    assert ids(preferred) == ["video", "phone"] and preferred.exclusions["format"] == 0


def test_importance_scales_a_preference_against_the_others() -> None:
    # cbt offers the client's approach but speaks only their second language (0.5); spanish
    # speaks their first language but offers no approach of theirs.
    catalog = [
        counselor("cbt", approaches=("cbt",), languages=("en",)),
        counselor("spanish", languages=("es", "en")),
    ]
    intake = dataclasses.replace(CLIENT, languages=("es", "en"), approaches=("cbt",))
    # Weights 0.40, 0.15, 0.20 (over 0.75): cbt 0.40 + 0.15 + 0.10 = 0.65, spanish 0.40 + 0.20 = 0.60.
    assert ids(ranked(catalog, intake)) == ["cbt", "spanish"]
    # Approach at importance 1 weighs 0.05 (over 0.65): cbt 0.40 + 0.05 + 0.10 = 0.55, spanish 0.60.
    low = ranked(catalog, with_(intake, Preference("approach", importance=1)))
    assert ids(low) == ["spanish", "cbt"]
    high = ranked(
        catalog, with_(intake, Preference("approach", importance=5), Preference("language", None, 1))
    )
    assert ids(high) == ["cbt", "spanish"]


def test_counselors_who_treat_no_concern_fill_the_list_only_when_too_few_treat_one() -> None:
    # "grief" treats none of the client's concerns but has everything else: alone, it would win
    # on approach; tiered, it comes after everyone who treats anxiety.
    catalog = [
        counselor("anx", specialties=(Specialty("anxiety", Proficiency.SECONDARY),)),
        counselor("grief", specialties=(Specialty("grief", P),), approaches=("cbt", "act")),
        counselor("other", specialties=(Specialty("ocd", P),)),
    ]
    intake = dataclasses.replace(CLIENT, approaches=("cbt", "act"))
    one = ranked(catalog, intake, k=1)
    assert ids(one) == ["anx"] and one.eligible_count == 3 and one.exclusions["concern"] == 0
    three = ranked(catalog, intake, k=3)
    assert ids(three) == ["anx", "grief", "other"]
    assert three.results[1].reasons[0].startswith("treats none of your concerns (anxiety)")
    required = ranked(catalog, with_(intake, Preference("concern", required=True)), k=3)
    assert ids(required) == ["anx"] and required.exclusions["concern"] == 2


def test_too_few_qualify_so_relaxations_say_whom_each_would_add() -> None:
    catalog = [
        counselor("vid-woman", genders=("woman",)),
        counselor("vid-man"),  # fails the gender only
        counselor("phone-woman", genders=("woman",), formats=(PHONE,)),  # fails the format only
        counselor("phone-woman-2", genders=("woman",), formats=(PHONE,)),  # fails the format only
        counselor("phone-man", formats=(PHONE,)),  # fails both: no single relaxation adds them
        counselor("teen-only", genders=("woman",), age_groups=("teen",)),  # the age group is not relaxed
    ]
    narrow = with_(CLIENT, Preference("gender", required=True), genders=("woman",), formats=(VIDEO,))
    ranking = ranked(catalog, narrow, k=3)
    assert ids(ranking) == ["vid-woman"]
    assert [(r.attribute, r.added, r.suggestion) for r in ranking.relaxations] == [
        ("format", 2, "any session format"),
        ("gender", 1, "any counselor gender"),
    ]
    assert ranked(catalog, narrow, k=1).relaxations == ()  # enough qualify: nothing to offer


RELATED = next(s for s in BUILTIN_STRATEGIES if s.name == "balanced-related")


def test_a_related_concern_earns_partial_credit_under_a_strategy_that_weighs_it() -> None:
    catalog = [
        counselor("exact"),  # anxiety, primary
        counselor("near", specialties=(Specialty("panic", P),)),  # panic attacks: near anxiety (0.75)
        counselor("far", specialties=(Specialty("grief", P),)),  # grief: not related to anxiety
    ]
    snapshot = CatalogSnapshot.build(catalog, 1)
    # balanced-v1 does not weigh near matches: near and far both treat none of the concerns and tie
    # (language only), so the smaller id comes first.
    plain = rank(snapshot, CLIENT, DEFAULT_STRATEGY, 3)
    assert ids(plain) == ["exact", "far", "near"]
    assert [f.factor for f in plain.results[0].factors] == ["concern", "language"]
    # balanced-related: weights 0.40, 0.15, 0.20 over 0.75; exact 1.0 (a concern treated counts in
    # full for near matches too), near (0.15 * 0.75 + 0.20) / 0.75, far 0.20 / 0.75.
    related = rank(snapshot, CLIENT, RELATED, 3)
    assert rank_reference(catalog, CLIENT, RELATED, 3) == [(r.counselor_id, r.score) for r in related.results]
    assert ids(related) == ["exact", "near", "far"]
    assert [r.score for r in related.results] == pytest.approx(
        [1.0, (0.15 * 0.75 + 0.20) / 0.75, 0.20 / 0.75]
    )
    assert "treats panic attacks, related to anxiety" in related.results[1].reasons


def test_near_matches_lift_a_counselor_among_those_who_treat_a_concern() -> None:
    intake = dataclasses.replace(
        CLIENT, concerns=(ConcernPreference("grief", 1), ConcernPreference("depression", 2))
    )
    catalog = [
        counselor("grief-only", specialties=(Specialty("grief", P),)),
        counselor("grief-perinatal", specialties=(Specialty("grief", P), Specialty("perinatal", P))),
    ]
    snapshot = CatalogSnapshot.build(catalog, 1)
    assert ids(rank(snapshot, intake, DEFAULT_STRATEGY, 2)) == ["grief-only", "grief-perinatal"]  # a tie
    related = rank(snapshot, intake, RELATED, 2)
    assert ids(related) == ["grief-perinatal", "grief-only"]  # perinatal is near depression (0.75)
    near = {f.factor: f.score for f in related.results[0].factors}["related_concern"]
    # grief 1 (treated) + depression 2 * 0.75 (via perinatal), over priorities 3 (grief also
    # counts depression at 0.5, but perinatal's 0.75 is the best).
    assert near == (1 * 1.0 + 2 * 0.75) / 3
    assert "treats perinatal mental health, related to depression" in related.results[0].reasons
