"""``attune match``'s intake flags: parsed into the intake sent, or refused before any call.

The service is never reached here: ``call`` is replaced by a recorder, and flag mistakes must
be refused (exit 2, the flag named) before it would be called.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import service.cli.match as match_module
from attune.v1 import matching_pb2
from matcher.model import ConcernPreference, Preference
from matcher.vocabulary import SessionFormat
from service.api.convert.catalog import intake_from_proto
from service.cli.intake_flags import parse_preferences, split_codes
from service.cli.main import app

BASE = [
    "match",
    "--concern",
    "anxiety",
    "--language",
    "en",
    "--jurisdiction",
    "us-il",
    "--age-group",
    "Adult",
]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[matching_pb2.RankCounselorsRequest]:
    """The requests ``attune match`` would send; each is answered with an empty ranking."""
    requests: list[matching_pb2.RankCounselorsRequest] = []

    def call(address: str, timeout: float, method: Any, request: Any) -> Any:
        requests.append(request)
        return matching_pb2.RankCounselorsResponse()

    monkeypatch.setattr(match_module, "call", call)
    return requests


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_the_new_flags_reach_the_intake(sent: list[matching_pb2.RankCounselorsRequest]) -> None:
    result = run(
        *BASE,
        "--language",
        "es,fr",
        "--format",
        "video,phone",
        "--gender",
        "woman,nonbinary",
        "--gender",
        "transgender",
        "--identity",
        "lgbtq_affirming",
        "--require",
        "gender",
        "--prefer",
        "identity=5",
        "--prefer",
        "Language",
        "--concern",
        "grief:4,ptsd",
    )
    assert result.exit_code == 0, result.output
    (request,) = sent
    intake = intake_from_proto(request.intake)
    assert intake.jurisdiction == "US-IL" and intake.age_group == "adult"
    assert intake.languages == ("en", "es", "fr")
    assert intake.formats == (SessionFormat.VIDEO, SessionFormat.PHONE)
    assert intake.genders == ("woman", "nonbinary", "transgender")
    assert intake.identities == ("lgbtq_affirming",)
    assert intake.concerns == (
        ConcernPreference("anxiety", 1),
        ConcernPreference("grief", 4),
        ConcernPreference("ptsd", 1),
    )
    assert intake.preferences == (
        Preference("gender", True, 0),
        Preference("identity", False, 5),
        Preference("language", False, 0),
    )


def test_the_age_group_is_required_like_the_jurisdiction(
    sent: list[matching_pb2.RankCounselorsRequest],
) -> None:
    result = run(*BASE[:-2])
    assert result.exit_code == 2 and "--age-group" in result.output and not sent


@pytest.mark.parametrize(
    ("flags", "mentions"),
    [
        (["--require", "colour"], ["--require", "unknown attribute 'colour'", "concern, approach, language"]),
        (["--prefer", "gender=9"], ["--prefer", "from 1 (slight) to 5"]),
        (["--prefer", "gender=high"], ["--prefer", "from 1 (slight) to 5"]),
        (["--require", "gender"], ["--require", "gender is required but no --gender is given"]),
        (["--require", "language", "--prefer", "language"], ["'language' is named twice"]),
        (["--gender", "woman", "--prefer", "gender", "--prefer", "gender=2"], ["'gender' is named twice"]),
    ],
)
def test_preference_mistakes_are_refused_before_calling_the_service(
    sent: list[matching_pb2.RankCounselorsRequest], flags: list[str], mentions: list[str]
) -> None:
    result = run(*BASE, *flags)
    assert result.exit_code == 2, result.output
    assert all(m in result.output for m in mentions), result.output
    assert "Traceback" not in result.output and not sent


def test_help_shows_an_example_with_the_new_flags() -> None:
    result = run("match", "--help")
    assert result.exit_code == 0
    for flag in ("--age-group", "--gender", "--identity", "--require", "--prefer"):
        assert flag in result.output
    example = result.output[result.output.index("attune match --concern") :]
    assert (
        "--age-group adult" in example and "--require identity" in example and "--prefer gender=4" in example
    )


def test_split_codes_takes_repeats_and_commas() -> None:
    assert split_codes(["es, en", "fr", ",", ""]) == ("es", "en", "fr")
    assert split_codes(None) == ()


def test_parse_preferences_defaults_and_checks() -> None:
    assert parse_preferences(["language=4"], ["concern", "gender=1"], given=["language", "concern"]) == (
        Preference("language", True, 4),
        Preference("concern", False, 0),
        Preference("gender", False, 1),
    )
    with pytest.raises(typer.BadParameter, match="nothing to require"):
        parse_preferences(["identity"], None, given=["language"])


def test_vocabulary_lists_the_preferences_with_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    import service.cli.staff as staff
    from service.api.matching import MatchingServicer

    answer = MatchingServicer.GetVocabulary(None, matching_pb2.GetVocabularyRequest(), None)  # type: ignore[arg-type]
    monkeypatch.setattr(staff, "call", lambda *_: answer)
    result = run("vocabulary")
    assert result.exit_code == 0, result.output
    assert "age_group (age group codes): child (children (under 13))" in result.output
    assert "language (required), format (required), gender (preferred), identity (preferred)" in result.output
