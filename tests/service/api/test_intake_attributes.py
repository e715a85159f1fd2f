"""The whole intake on the wire: age group, genders, identities and preferences, both ways.

Every bad value is an :class:`InvalidInput` (INVALID_ARGUMENT on the wire) whose field paths
name the request's fields, as the client wrote them (``intake.preferences[0].requirement``).
"""

from __future__ import annotations

import dataclasses

import pytest

from attune.v1 import common_pb2, matching_pb2
from matcher.attributes import BY_NAME, PREFERENCES
from matcher.errors import InvalidInput
from matcher.model import ConcernPreference, CounselorProfile, Intake, Preference
from matcher.vocabulary import SessionType
from service.api.convert.catalog import (
    counselor_from_proto,
    intake_from_proto,
    intake_to_proto,
    profile_to_proto,
)
from service.api.matching import MatchingServicer

INTAKE = Intake(
    client_id="client-1",
    concerns=(ConcernPreference("anxiety", 2),),
    languages=("es", "en"),
    jurisdiction="US-IL",
    age_group="teen",
    genders=("woman", "nonbinary"),
    identities=("lgbtq_affirming", "culture_latino"),
    preferences=(
        Preference("gender", required=True),
        Preference("identity", required=False, importance=5),
        Preference("language"),  # the default, with the default importance
        Preference("concern", importance=1),
    ),
)
COUNSELOR = CounselorProfile(
    "c1",
    "Ana",
    languages=("es",),
    session_types=(SessionType.INDIVIDUAL,),
    caseload_max=3,
    jurisdictions=("US-IL",),
    age_groups=("teen", "adult"),
    genders=("woman", "transgender"),
    identities=("lgbtq_affirming",),
)


def violations(decode: object) -> list[tuple[str, str]]:
    assert callable(decode)
    with pytest.raises(InvalidInput) as raised:
        decode()
    return [(v.field, v.description) for v in raised.value.violations]


def test_the_new_intake_fields_and_the_preferences_go_both_ways() -> None:
    msg = intake_to_proto(INTAKE)
    assert msg.age_group == "teen"
    assert list(msg.genders) == ["woman", "nonbinary"]
    assert list(msg.identities) == ["lgbtq_affirming", "culture_latino"]
    assert [(p.attribute, p.requirement, p.importance) for p in msg.preferences] == [
        ("gender", matching_pb2.REQUIREMENT_REQUIRED, 0),
        ("identity", matching_pb2.REQUIREMENT_PREFERRED, 5),
        ("language", matching_pb2.REQUIREMENT_UNSPECIFIED, 0),
        ("concern", matching_pb2.REQUIREMENT_UNSPECIFIED, 1),
    ]
    assert intake_from_proto(msg) == INTAKE


def test_the_new_counselor_fields_go_both_ways() -> None:
    msg = profile_to_proto(COUNSELOR)
    assert (list(msg.age_groups), list(msg.genders), list(msg.identities)) == (
        ["teen", "adult"],
        ["woman", "transgender"],
        ["lgbtq_affirming"],
    )
    assert counselor_from_proto(msg) == COUNSELOR


def _with(**changes: object) -> matching_pb2.Intake:
    return intake_to_proto(dataclasses.replace(INTAKE, **changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        (
            _with(age_group=""),
            [("intake.age_group", "required: one age group code; allowed: child, teen, adult, older_adult")],
        ),
        (
            _with(age_group="adults"),
            [
                (
                    "intake.age_group",
                    "unknown age group 'adults'; did you mean 'adult'? "
                    "allowed: child, teen, adult, older_adult",
                )
            ],
        ),
        (
            _with(genders=("woman", "female"), preferences=()),
            [("intake.genders[1]", "unknown gender 'female'; allowed: woman, man, nonbinary, transgender")],
        ),
        (
            _with(identities=("lgbtq_affirming", "lgbtq_affirming"), preferences=()),
            [("intake.identities[1]", "identity attribute 'lgbtq_affirming' is listed twice")],
        ),
    ],
    ids=["age-group-missing", "age-group-unknown", "gender-unknown", "identity-twice"],
)
def test_bad_codes_name_the_field(msg: matching_pb2.Intake, expected: list[tuple[str, str]]) -> None:
    assert violations(lambda: intake_from_proto(msg)) == expected


def _preferences(*preferences: matching_pb2.Preference, **changes: object) -> matching_pb2.Intake:
    msg = _with(**changes)
    del msg.preferences[:]
    msg.preferences.extend(preferences)
    return msg


def test_bad_preferences_name_the_item_and_the_field() -> None:
    pref = matching_pb2.Preference
    msg = _preferences(
        pref(attribute="gender", importance=6),
        pref(attribute="colour"),
        pref(attribute="gender", requirement=matching_pb2.REQUIREMENT_PREFERRED),
        pref(attribute="approach", requirement=matching_pb2.REQUIREMENT_REQUIRED),  # the intake gives none
        pref(attribute="format", requirement=7),  # e.g. from a newer client
        pref(attribute="identity", importance=-1),
    )
    found = violations(lambda: intake_from_proto(msg))
    assert [field for field, _ in found] == [
        "intake.preferences[4].requirement",
        "intake.preferences[0].importance",
        "intake.preferences[1].attribute",
        "intake.preferences[2].attribute",
        "intake.preferences[3].requirement",
        "intake.preferences[5].importance",
    ]
    described = dict(found)
    assert described["intake.preferences[4].requirement"] == (
        "unknown value 7; allowed: REQUIREMENT_UNSPECIFIED, REQUIREMENT_REQUIRED, REQUIREMENT_PREFERRED"
    )
    assert described["intake.preferences[0].importance"] == "must be between 1 and 5 (0 means 3)"
    assert described["intake.preferences[1].attribute"].startswith("unknown preference 'colour'; allowed: ")
    assert described["intake.preferences[2].attribute"] == "'gender' is listed twice"
    assert described["intake.preferences[3].requirement"] == (
        "approach is required but the intake gives no approach: nothing to require"
    )


def test_bad_counselor_codes_name_the_field() -> None:
    msg = profile_to_proto(COUNSELOR)
    del msg.genders[:]
    msg.genders.extend(["woman", "femme"])
    msg.age_groups.append("toddler")
    msg.identities[0] = "LGBTQ+ affirming"
    assert violations(lambda: counselor_from_proto(msg)) == [
        (
            "counselor.age_groups[2]",
            "unknown age group 'toddler'; allowed: child, teen, adult, older_adult",
        ),
        ("counselor.genders[1]", "unknown gender 'femme'; allowed: woman, man, nonbinary, transgender"),
        (
            "counselor.identities[0]",
            "unknown identity attribute 'LGBTQ+ affirming'; did you mean 'lgbtq_affirming'? "
            "GetVocabulary (`attune vocabulary`) lists the identity attribute codes",
        ),
    ]


def test_get_vocabulary_lists_the_preference_attributes_with_their_defaults() -> None:
    response = MatchingServicer.GetVocabulary(None, matching_pb2.GetVocabularyRequest(), None)  # type: ignore[arg-type]
    required = matching_pb2.REQUIREMENT_REQUIRED
    assert [(p.attribute, p.default_requirement == required) for p in response.preferences] == [
        (name, BY_NAME[name].required_by_default) for name in PREFERENCES
    ]
    assert {p.attribute for p in response.preferences if p.default_requirement == required} == {
        "language",
        "format",
    }
    assert all(p.default_requirement != matching_pb2.REQUIREMENT_UNSPECIFIED for p in response.preferences)
    served = {v.attribute for v in response.vocabularies}
    assert {"age_group", "gender", "identity"} <= served


def test_preferring_what_the_intake_gives_none_of_is_fine_requiring_it_needs_a_value() -> None:
    msg = _preferences(
        matching_pb2.Preference(
            attribute="format", requirement=matching_pb2.REQUIREMENT_PREFERRED, importance=2
        )
    )
    assert intake_from_proto(msg).preferences == (Preference("format", False, 2),)
    msg.preferences[0].requirement = matching_pb2.REQUIREMENT_REQUIRED
    assert violations(lambda: intake_from_proto(msg)) == [
        (
            "intake.preferences[0].requirement",
            "format is required but the intake gives no format: nothing to require",
        )
    ]
    msg.formats.append(common_pb2.SESSION_FORMAT_VIDEO)
    assert intake_from_proto(msg).preferences == (Preference("format", True, 2),)
