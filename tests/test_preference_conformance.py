"""Every attribute the client may require or prefer reaches every layer that carries preferences.

The attributes come from the declarations (:data:`matcher.attributes.PREFERENCES`), their
defaults from ``required_by_default``: a new CLIENT attribute that the wire, GetVocabulary or
the CLI misses fails here. (The engine's side is walked in ``test_attribute_conformance``.)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from typer.testing import CliRunner

from attune.v1 import matching_pb2
from matcher.attributes import BY_NAME, PREFERENCES, Attribute
from matcher.errors import InvalidInput
from matcher.model import Intake, Preference, validate_intake
from service.api.convert.catalog import intake_from_proto, intake_to_proto
from service.cli import match as cli_match
from service.cli.main import app
from tests.test_attribute_conformance import CLIENT_SIDE, base_intake, cli_value

CHOSEN = [BY_NAME[name] for name in PREFERENCES]


def _every(required: bool | None, importance: int) -> Intake:
    """The base intake with a preference for every attribute the client chooses about."""
    preferences = tuple(Preference(a.name, required, importance) for a in CHOSEN)
    return dataclasses.replace(base_intake(), preferences=preferences)


@pytest.mark.parametrize("required", [True, False, None])
def test_the_api_carries_a_preference_for_every_attribute_both_ways(required: bool | None) -> None:
    intake = _every(required, 4)
    validate_intake(intake)  # the base intake gives a value of each: each may be required
    assert intake_from_proto(intake_to_proto(intake)) == intake


def test_get_vocabulary_lists_every_preference_with_its_default() -> None:
    from service.api.matching import MatchingServicer

    response = MatchingServicer.GetVocabulary(None, matching_pb2.GetVocabularyRequest(), None)  # type: ignore[arg-type]
    default = {True: matching_pb2.REQUIREMENT_REQUIRED, False: matching_pb2.REQUIREMENT_PREFERRED}
    assert [(p.attribute, p.default_requirement) for p in response.preferences] == [
        (a.name, default[a.required_by_default]) for a in CHOSEN
    ]


@pytest.mark.parametrize(("flag", "required"), [("--require", True), ("--prefer", False)])
def test_the_cli_requires_or_prefers_every_attribute(
    flag: str, required: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(cli_match, "call", lambda _a, _t, _m, request: sent.append(request) or None)
    monkeypatch.setattr(cli_match, "print_ranking", lambda *_: None)
    args = [arg for a in CLIENT_SIDE for arg in cli_value(a)]
    args += [arg for a in CHOSEN for arg in (flag, f"{a.name}=2")]
    result = CliRunner().invoke(app, ["match", *args, "--client-id", "client-1"])
    assert result.exit_code == 0, result.output
    assert intake_from_proto(sent[0].intake) == _every(required, 2)


@pytest.mark.parametrize("a", CHOSEN, ids=lambda a: a.name)
def test_requiring_what_the_intake_does_not_give_is_refused_naming_the_wire_field(a: Attribute) -> None:
    intake = dataclasses.replace(base_intake(), preferences=(Preference(a.name, True),))
    msg = intake_to_proto(dataclasses.replace(intake, **{str(a.intake_field): ()}))
    with pytest.raises(InvalidInput) as raised:
        intake_from_proto(msg)
    assert "intake.preferences[0].requirement" in [v.field for v in raised.value.violations]
