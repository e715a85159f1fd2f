"""Every declared attribute reaches every layer: a new declaration that a layer misses fails here.

The matching schema (:data:`matcher.attributes.ATTRIBUTES`) derives validation, the
snapshot's layout, the compiled query, the kernels' filters and factors, the reasons
and the baselines. The layers that stay hand-written (typed proto fields, table
columns, import columns, conversions, the CLI) are walked here, attribute by attribute:
each must carry a value of the attribute there and back, or name it.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from typer.testing import CliRunner

from attune.v1 import counselor_pb2, matching_pb2
from bench import sql_ranking
from matcher.attributes import ATTRIBUTES, FACTORS, FILTERS, Attribute, Scoring, Storage
from matcher.engine.ranking import rank
from matcher.engine.reference import score_profile
from matcher.engine.snapshot import CatalogSnapshot
from matcher.errors import InvalidInput
from matcher.model import (
    Availability,
    ConcernPreference,
    CounselorProfile,
    Intake,
    Preference,
    Specialty,
    WeeklyWindow,
    validate_counselor,
    validate_intake,
)
from matcher.strategy import DEFAULT_STRATEGY
from matcher.synthetic import synthetic_counselors, synthetic_intakes
from matcher.vocabulary import Proficiency
from service.api.convert.catalog import (
    counselor_from_proto,
    intake_from_proto,
    intake_to_proto,
    profile_to_proto,
)
from service.catalog_io import COLUMNS, parse_csv, parse_json, write_csv, write_json
from service.cli import match as cli_match
from service.cli.main import app
from service.storage.counselors import CounselorRepository
from service.storage.database import make_engine
from service.storage.tables import counselor_table
from service.text_formats import format_window

WITH_VALUES = [a for a in ATTRIBUTES if a.storage != Storage.FLAG]
CLIENT_SIDE = [a for a in ATTRIBUTES if a.intake_field is not None]
IDS = [a.name for a in ATTRIBUTES]


def counselor_value(a: Attribute) -> Any:
    """A value of ``a`` for a counselor that is not the default: two codes, a specialty, hours."""
    if a.storage == Storage.WEEKLY_SLOTS:
        return Availability("America/Chicago", (WeeklyWindow(1, 600, 720),))
    codes = list(a.vocabulary)[-2:]
    if a.storage == Storage.GRADED_CODES:
        return tuple(Specialty(c, Proficiency.SECONDARY) for c in codes)
    return tuple(codes)


def client_value(a: Attribute) -> Any:
    """A value of ``a`` for a client that the counselor value above matches."""
    if a.storage == Storage.WEEKLY_SLOTS:
        return Availability("America/Chicago", (WeeklyWindow(1, 660, 780),))
    code = list(a.vocabulary)[-1]
    if a.storage == Storage.GRADED_CODES:
        return (ConcernPreference(code, 3),)
    return code if a.one_code else (code,)


def base_profile(counselor_id: str = "c1") -> CounselorProfile:
    """A counselor matching :func:`base_intake` on every attribute, with room."""
    values = {a.counselor_field: counselor_value(a) for a in WITH_VALUES}
    return CounselorProfile(counselor_id, "Conformance", caseload_max=5, **values)


def base_intake() -> Intake:
    values = {a.intake_field: client_value(a) for a in CLIENT_SIDE if a.intake_field}
    return Intake(client_id="client-1", **values)


def test_every_attribute_is_on_the_profile_and_the_intake_and_the_base_values_are_valid() -> None:
    fields = {f.name for f in dataclasses.fields(CounselorProfile)}
    for a in ATTRIBUTES:
        assert a.counselor_field in fields or isinstance(
            getattr(CounselorProfile, a.counselor_field), property
        )
        if a.intake_field is not None:
            assert a.intake_field in {f.name for f in dataclasses.fields(Intake)}, a.name
    validate_counselor(base_profile())
    validate_intake(base_intake())


@pytest.mark.parametrize("a", [a for a in WITH_VALUES if a.has_codes], ids=lambda a: a.name)
def test_validation_refuses_an_unknown_code_on_either_side(a: Attribute) -> None:
    bad_counselor = dataclasses.replace(
        base_profile(), **{a.counselor_field: _with_unknown(a, counselor_value(a))}
    )
    with pytest.raises(InvalidInput) as raised:
        validate_counselor(bad_counselor)
    assert [v.field.split("[")[0] for v in raised.value.violations] == [a.counselor_field]
    assert a.intake_field is not None
    bad_intake = dataclasses.replace(base_intake(), **{a.intake_field: _with_unknown(a, client_value(a))})
    with pytest.raises(InvalidInput) as raised:
        validate_intake(bad_intake)
    assert [v.field.split("[")[0] for v in raised.value.violations] == [a.intake_field]
    assert all(f"unknown {a.noun}" in v.description for v in raised.value.violations)


def _with_unknown(a: Attribute, value: Any) -> Any:
    if a.storage == Storage.GRADED_CODES:
        item = value[0]
        return (dataclasses.replace(item, **{a.item_code: "no-such-code"}),)
    return "no-such-code" if isinstance(value, str) else ("no-such-code",)


@pytest.mark.parametrize("a", WITH_VALUES, ids=lambda a: a.name)
def test_the_api_carries_every_attribute_both_ways(a: Attribute) -> None:
    assert a.counselor_field in counselor_pb2.Counselor.DESCRIPTOR.fields_by_name
    assert a.intake_field in matching_pb2.Intake.DESCRIPTOR.fields_by_name
    profile = base_profile()
    assert getattr(counselor_from_proto(profile_to_proto(profile)), a.counselor_field) == counselor_value(a)
    intake = base_intake()
    assert getattr(intake_from_proto(intake_to_proto(intake)), str(a.intake_field)) == client_value(a)


def test_the_store_keeps_every_attribute(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        repository = CounselorRepository(engine)
        repository.create(base_profile())
        (stored,), _ = repository.load_all()
        by_id = repository.get("c1").profile
    finally:
        engine.dispose()
    columns = set(counselor_table.c.keys())
    for a in WITH_VALUES:
        expected = (
            {"time_zone", "availability_windows"}
            if a.storage == Storage.WEEKLY_SLOTS
            else {a.counselor_field}
        )
        assert expected <= columns, a.name
        assert getattr(stored, a.counselor_field) == getattr(by_id, a.counselor_field) == counselor_value(a)


@pytest.mark.parametrize(("write", "parse"), [(write_csv, parse_csv), (write_json, parse_json)])
def test_import_files_carry_every_attribute(write: Any, parse: Any) -> None:
    out = io.StringIO()
    write([base_profile()], out)
    (read,) = parse(out.getvalue())
    for a in WITH_VALUES:
        column = "availability" if a.storage == Storage.WEEKLY_SLOTS else a.counselor_field
        assert column in COLUMNS, a.name
        assert getattr(read, a.counselor_field) == counselor_value(a), a.name


def cli_value(a: Attribute) -> list[str]:
    """The ``attune match`` arguments giving :func:`client_value` of ``a``."""
    value = client_value(a)
    if a.storage == Storage.WEEKLY_SLOTS:
        return [a.cli_flag, *map(format_window, value.windows), "--tz", value.time_zone]
    if a.storage == Storage.GRADED_CODES:
        return [a.cli_flag, ",".join(f"{getattr(c, a.item_code)}:{c.priority}" for c in value)]
    return [a.cli_flag, value if a.one_code else ",".join(map(str, value))]


def test_the_cli_gives_every_attribute_of_the_intake(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(cli_match, "call", lambda _a, _t, _m, request: sent.append(request) or None)
    monkeypatch.setattr(cli_match, "print_ranking", lambda *_: None)
    args = [arg for a in CLIENT_SIDE for arg in cli_value(a)]
    result = CliRunner().invoke(app, ["match", *args, "--client-id", "client-1"])
    assert result.exit_code == 0, result.output
    assert intake_from_proto(sent[0].intake) == base_intake()


def test_get_vocabulary_lists_every_vocabulary_and_the_names_of_filters_and_factors() -> None:
    from service.api.matching import MatchingServicer

    response = MatchingServicer.GetVocabulary(None, matching_pb2.GetVocabularyRequest(), None)  # type: ignore[arg-type]
    served = {v.attribute: [t.code for t in v.terms] for v in response.vocabularies}
    assert served == {a.name: [str(c) for c in a.vocabulary] for a in ATTRIBUTES if a.vocabulary}
    assert list(response.filters) == list(FILTERS) and list(response.factors) == list(FACTORS)


@pytest.mark.parametrize("a", [a for a in ATTRIBUTES if a.is_filter], ids=lambda a: a.name)
def test_every_filter_excludes_in_the_engine_and_the_reference(a: Attribute) -> None:
    passing = base_profile("a-pass")
    failing = dataclasses.replace(base_profile("b-fail"), **_not_matching(a))
    intake = _with_preference(base_intake(), a, required=True)
    assert score_profile(failing, intake, DEFAULT_STRATEGY).failed == {a.name}
    ranking = rank(CatalogSnapshot.build([passing, failing], 1), intake)
    assert [r.counselor_id for r in ranking.results] == ["a-pass"]
    assert {f: n for f, n in ranking.exclusions.items() if n} == {a.name: 1}
    if a.missing is not None:  # nothing on file: counted apart
        missing = dataclasses.replace(base_profile("c-none"), **{a.counselor_field: ()})
        assert score_profile(missing, intake, DEFAULT_STRATEGY).failed == {a.missing}
        ranking = rank(CatalogSnapshot.build([passing, missing], 1), intake)
        assert {f: n for f, n in ranking.exclusions.items() if n} == {a.missing: 1}


def _with_preference(intake: Intake, a: Attribute, required: bool) -> Intake:
    """``intake`` with the client's value of ``a`` required or only preferred (if the client chooses)."""
    if not a.client_chooses:
        return intake
    return dataclasses.replace(intake, preferences=(Preference(a.name, required),))


def _not_matching(a: Attribute) -> dict[str, Any]:
    """Profile changes that fail the base intake on ``a`` only: another code, other hours, no flag."""
    if a.storage == Storage.FLAG:  # a flag the profile derives (has_room) is unset through its inputs
        derived = isinstance(getattr(CounselorProfile, a.counselor_field), property)
        return {"accepting_new_clients": False} if derived else {a.counselor_field: False}
    if a.storage == Storage.WEEKLY_SLOTS:
        return {a.counselor_field: Availability("America/Chicago", (WeeklyWindow(4, 600, 720),))}
    if a.storage == Storage.GRADED_CODES:
        return {a.counselor_field: (Specialty(next(iter(a.vocabulary))),)}
    return {a.counselor_field: (next(iter(a.vocabulary)),)}


@pytest.mark.parametrize("a", [a for a in ATTRIBUTES if a.is_factor], ids=lambda a: a.name)
def test_every_factor_scores_in_the_engine_like_the_reference(a: Attribute) -> None:
    weaker, wanted = _weaker(a)
    better = base_profile("b-better")
    worse = dataclasses.replace(base_profile("a-worse"), **{a.counselor_field: weaker})
    intake = dataclasses.replace(base_intake(), **{str(a.intake_field): wanted or client_value(a)})
    intake = _with_preference(intake, a, required=False)  # a required format, say, does not score
    ranking = rank(CatalogSnapshot.build([better, worse], 1), intake)
    assert [r.counselor_id for r in ranking.results] == ["b-better", "a-worse"]  # ids alone would say a first
    for result, profile in zip(ranking.results, (better, worse), strict=True):
        reference = score_profile(profile, intake, DEFAULT_STRATEGY)
        assert result.score == reference.total
        assert {f.factor: f.score for f in result.factors} == reference.factors
    assert a.name in reference.factors


def _weaker(a: Attribute) -> tuple[Any, Any]:
    """A counselor value of ``a`` that scores lower on it but passes its filter, and the intake's value."""
    codes = list(a.vocabulary)
    if a.scoring == Scoring.SHARED_SLOTS:  # half an hour of the client's two (the base shares one)
        return Availability("America/Chicago", (WeeklyWindow(1, 660, 690),)), None
    if a.scoring == Scoring.GRADED:  # a concern the client did not name, even as primary
        return (Specialty(codes[0], Proficiency.PRIMARY),), None
    if a.scoring == Scoring.FIRST_CHOICE:  # only the client's second choice
        return (codes[0],), (codes[-1], codes[0])
    return (codes[0],), None


def test_synthetic_catalogs_and_intakes_give_every_attribute_values() -> None:
    profiles = synthetic_counselors(300, seed=1)
    intakes = synthetic_intakes(300, seed=1)
    for a in WITH_VALUES:
        assert any(getattr(p, a.counselor_field) for p in profiles), a.name
        assert any(getattr(i, str(a.intake_field)) for i in intakes), a.name


def test_the_sql_baseline_has_a_column_for_every_attribute() -> None:
    for a in ATTRIBUTES:
        assert f'"{a.name}' in sql_ranking.SCHEMA, a.name
