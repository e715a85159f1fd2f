"""Required or preferred: the rules of :mod:`matcher.preferences` and their validation."""

from __future__ import annotations

import dataclasses
import random

import pytest

from matcher.attributes import ATTRIBUTES, BY_NAME, PREFERENCES
from matcher.errors import InvalidInput
from matcher.model import ConcernPreference, Intake, Preference, validate_intake
from matcher.preferences import (
    FilterMode,
    client_value,
    factor_applies,
    factor_weights,
    filter_mode,
    plan_intake,
)
from matcher.strategy import DEFAULT_STRATEGY
from tests.matcher.conftest import random_intake

BASE = Intake(
    client_id="c",
    concerns=(ConcernPreference("anxiety", 2),),
    languages=("en",),
    jurisdiction="US-IL",
    age_group="adult",
)


def test_the_unrolled_plan_agrees_with_the_rules() -> None:
    r = random.Random(3)
    for _ in range(400):
        intake = random_intake(r)
        assert plan_intake(intake) == [
            (client_value(a, intake), filter_mode(a, intake), factor_applies(a, intake)) for a in ATTRIBUTES
        ]


def test_defaults_languages_and_formats_required_the_rest_preferred() -> None:
    intake = dataclasses.replace(BASE, formats=("video",), approaches=("cbt",), genders=("woman",))
    modes = {name: filter_mode(BY_NAME[name], intake) for name in PREFERENCES}
    assert modes == {
        "concern": FilterMode.TIER,
        "approach": FilterMode.OFF,
        "language": FilterMode.HARD,
        "format": FilterMode.HARD,
        "gender": FilterMode.OFF,
        "identity": FilterMode.OFF,  # no value given
    }
    assert not factor_applies(BY_NAME["format"], intake)  # a required format does not score
    assert factor_applies(BY_NAME["language"], intake)  # a required language still prefers the first
    assert factor_applies(BY_NAME["gender"], intake)


def test_importance_scales_the_weight_and_three_leaves_it_as_it_is() -> None:
    factors = ("concern", "approach")
    plain = factor_weights(DEFAULT_STRATEGY.weights, factors)
    assert factor_weights(DEFAULT_STRATEGY.weights, factors, (Preference("approach", None, 3),)) == plain
    high = factor_weights(DEFAULT_STRATEGY.weights, factors, (Preference("approach", None, 5),))
    # 0.40 and 0.15 * 5/3 = 0.25, over 0.65
    assert high["approach"] == pytest.approx(0.25 / 0.65) and high["concern"] == pytest.approx(0.40 / 0.65)
    # A factor the strategy does not weigh takes its declared default weight (gender: 0.10).
    assert factor_weights(DEFAULT_STRATEGY.weights, ("concern", "gender"))["gender"] == pytest.approx(
        0.1 / 0.5
    )


@pytest.mark.parametrize(
    ("preferences", "path", "words"),
    [
        ((Preference("budget"),), "preferences[0].attribute", "unknown preference 'budget'"),
        ((Preference("licensure", True),), "preferences[0].attribute", "unknown preference"),
        ((Preference("approach"), Preference("approach")), "preferences[1].attribute", "listed twice"),
        ((Preference("approach", None, 6),), "preferences[0].importance", "between 1 and 5"),
        ((Preference("approach", None, -1),), "preferences[0].importance", "between 1 and 5"),
        ((Preference("gender", True),), "preferences[0].requirement", "gives no gender"),
    ],
)
def test_bad_preferences_are_named(preferences: tuple[Preference, ...], path: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_intake(dataclasses.replace(BASE, preferences=preferences))
    assert [(v.field, words in v.description) for v in caught.value.violations] == [(path, True)]


def test_the_age_group_is_required_and_checked() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_intake(dataclasses.replace(BASE, age_group=""))
    assert [v.field for v in caught.value.violations] == ["age_group"]
    with pytest.raises(InvalidInput) as caught:
        validate_intake(dataclasses.replace(BASE, age_group="adults", genders=("female",)))
    messages = {v.field: v.description for v in caught.value.violations}
    assert "did you mean 'adult'" in messages["age_group"]
    assert messages.keys() == {"age_group", "genders[0]"}
