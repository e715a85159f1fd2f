"""The synthetic catalog: deterministic, valid, unique ids and realistic distributions."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import matcher.synthetic.counselors as counselors_module
import matcher.synthetic.sampling as sampling
from matcher.attributes import PREFERENCES
from matcher.model import CounselorProfile, Intake, validate_counselor, validate_intake
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from matcher.vocabulary import (
    AGE_GROUPS,
    APPROACHES,
    CONCERNS,
    GENDERS,
    IDENTITIES,
    LANGUAGES,
    Proficiency,
    SessionFormat,
    SessionType,
)

ROOT = Path(__file__).resolve().parents[2]
N = 20_000


@pytest.fixture(scope="module")
def counselors() -> list[CounselorProfile]:
    return synthetic_counselors(N, seed=11)


@pytest.fixture(scope="module")
def intakes() -> list[Intake]:
    return synthetic_intakes(N, seed=11)


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_catalog_and_different_seed_differs() -> None:
    first = synthetic_counselors(300, seed=5)
    assert synthetic_counselors(300, seed=5) == first
    other = synthetic_counselors(300, seed=6)
    assert [p.id for p in other] == [p.id for p in first]  # ids depend on the position only
    assert sum(a != b for a, b in zip(first, other, strict=True)) > 290


def test_intakes_and_worst_case_are_deterministic() -> None:
    assert synthetic_intakes(300, seed=5) == synthetic_intakes(300, seed=5)
    assert synthetic_intakes(300, seed=5) != synthetic_intakes(300, seed=6)
    assert worst_case_intake(3) == worst_case_intake(3)
    assert worst_case_intake(3) != worst_case_intake(4)


def _digest(objects: object) -> str:
    return hashlib.sha256(repr(objects).encode()).hexdigest()


def test_same_output_in_another_process() -> None:
    code = (
        "import hashlib; from matcher.synthetic import synthetic_counselors, synthetic_intakes;"
        "catalog = (synthetic_counselors(200, 9), synthetic_intakes(200, 9));"
        "print(hashlib.sha256(repr(catalog).encode()).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert result.stdout.strip() == _digest((synthetic_counselors(200, 9), synthetic_intakes(200, 9)))


def test_counselors_and_intakes_use_independent_streams() -> None:
    # drawing intakes does not disturb the counselor stream (each call seeds its own generator)
    a = synthetic_counselors(50, seed=2)
    synthetic_intakes(50, seed=2)
    assert synthetic_counselors(50, seed=2) == a


def _plain_counselor(p: CounselorProfile) -> list[Any]:
    """The fields a counselor had before the whole intake (age groups, genders...), as plain values."""
    hours = [
        p.availability.time_zone,
        [[w.day, w.start_minute, w.end_minute] for w in p.availability.windows],
    ]
    specialties = [[s.concern, str(s.proficiency)] for s in p.specialties]
    return [
        p.id, p.display_name, list(p.credentials), specialties, list(p.approaches),
        [str(f) for f in p.formats], [str(t) for t in p.session_types], list(p.languages), hours,
        p.accepting_new_clients, p.caseload_current, p.caseload_max, p.active, list(p.jurisdictions),
    ]  # fmt: skip


def _plain_intake(i: Intake) -> list[Any]:
    """The fields an intake had before the whole intake, as plain values."""
    a = i.availability
    hours = None if a is None else [a.time_zone, [[w.day, w.start_minute, w.end_minute] for w in a.windows]]
    concerns = [[c.concern, c.priority] for c in i.concerns]
    return [
        i.client_id, concerns, list(i.languages), str(i.session_type), [str(f) for f in i.formats],
        list(i.approaches), hours, i.jurisdiction,
    ]  # fmt: skip


def _sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


#: Digests of seed 21 (500 counselors and intakes; the worst case) as they were before the
#: attributes of the whole intake were added (numpy 2.4): the new draws come from generators of
#: their own and leave every other field as it was (the golden rankings of
#: ``tests/matcher/engine`` rely on it). A numpy release that changes its streams changes them.
_BEFORE = {
    "counselors": "b7dec95120c39b7af94a78919cc4f9bdbb16bdb81fcee2d79612a9696947d22c",
    "intakes": "4b0a5d401dc88a4e6e64bd267035fb31948d206442d2d19bd51c158be9f425d2",
    "worst case": "f308a50f8164f2e89ebb4ed6132b0264812df70e5629c5397224e20a1de6913d",
}


def test_the_whole_intake_leaves_the_other_fields_of_a_seed_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profiles = synthetic_counselors(500, seed=21)
    assert _sha([_plain_counselor(p) for p in profiles]) == _BEFORE["counselors"]
    assert _sha([_plain_intake(i) for i in synthetic_intakes(500, seed=21)]) == _BEFORE["intakes"]
    assert _sha(_plain_intake(worst_case_intake(21))) == _BEFORE["worst case"]
    # and whatever the new generators draw
    monkeypatch.setattr(counselors_module, "counselor_whole", _nothing_drawn)
    drawn = synthetic_counselors(500, seed=21)
    assert [replace(p, age_groups=(), genders=(), identities=()) for p in profiles] == drawn


def _nothing_drawn(rng: object, d: dict[str, Any]) -> dict[str, list[Any]]:
    """``counselor_whole`` drawing nothing and giving nothing."""
    return {f: [()] * len(d["session_types"]) for f in ("age_groups", "genders", "identities")}


def test_many_chunks_keep_ids_unique_and_profiles_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sampling, "CHUNK", 64)
    profiles = synthetic_counselors(300, seed=1, id_prefix="x-")
    assert [p.id for p in profiles] == [f"x-{i:07d}" for i in range(300)]
    for p in profiles:
        validate_counselor(p)
    clients = synthetic_intakes(200, seed=1)
    assert [i.client_id for i in clients] == [f"client-{i:06d}" for i in range(200)]


def test_empty_and_negative_counts() -> None:
    assert synthetic_counselors(0) == []
    assert synthetic_intakes(0) == []
    with pytest.raises(ValueError, match="count"):
        synthetic_counselors(-1)
    with pytest.raises(ValueError, match="count"):
        synthetic_intakes(-1)


# ----------------------------------------------------------------------------- validity


def test_every_profile_and_intake_is_valid() -> None:
    for p in synthetic_counselors(3000, seed=4):
        validate_counselor(p)
    for intake in synthetic_intakes(3000, seed=4):
        validate_intake(intake)
    validate_intake(worst_case_intake(0))


def test_ids_are_unique_and_stable(counselors: list[CounselorProfile]) -> None:
    assert [p.id for p in counselors] == [f"c{i:07d}" for i in range(N)]
    assert synthetic_counselors(3, seed=99, id_prefix="demo-")[2].id == "demo-0000002"


# ----------------------------------------------------------------------------- counselor distributions


def test_specialties(counselors: list[CounselorProfile]) -> None:
    for p in counselors:
        assert 2 <= len(p.specialties) <= 6
        levels = [s.proficiency for s in p.specialties]
        primaries = levels.count(Proficiency.PRIMARY)
        assert 1 <= primaries <= 3
        assert levels == sorted(levels, key=lambda x: x is Proficiency.SECONDARY)  # primaries first
        assert len({s.concern for s in p.specialties}) == len(p.specialties)
    counts = Counter(s.concern for p in counselors for s in p.specialties)
    assert set(counts) <= set(CONCERNS)
    top5 = {c for c, _ in counts.most_common(5)}
    assert top5 == {"anxiety", "depression", "relationship", "trauma", "stress"}
    assert counts.most_common(1)[0][0] == "anxiety"
    for rare in ("infertility", "perinatal"):
        assert 0 < counts[rare] / N < 0.05


def test_approaches(counselors: list[CounselorProfile]) -> None:
    assert all(
        1 <= len(p.approaches) <= 4 and len(set(p.approaches)) == len(p.approaches) for p in counselors
    )
    counts = Counter(a for p in counselors for a in p.approaches)
    assert set(counts) <= set(APPROACHES)
    (most, _), (_, n_second) = counts.most_common(2)
    assert most == "cbt"
    assert counts["cbt"] > 1.5 * n_second


def test_formats_and_session_types(counselors: list[CounselorProfile]) -> None:
    assert all(p.formats and p.session_types for p in counselors)
    # video 85%, plus the rows with no format drawn (15% x 50% x 55%) that fall back to video
    assert share([SessionFormat.VIDEO in p.formats for p in counselors]) == pytest.approx(0.89125, abs=0.01)
    assert share([SessionFormat.PHONE in p.formats for p in counselors]) == pytest.approx(0.50, abs=0.015)
    assert share([SessionFormat.IN_PERSON in p.formats for p in counselors]) == pytest.approx(0.45, abs=0.015)
    # individual 97%, plus the 3% x 70% x 80% that drew no type and fall back to individual
    assert share([SessionType.INDIVIDUAL in p.session_types for p in counselors]) == pytest.approx(
        0.9868, abs=0.005
    )
    assert share([SessionType.COUPLES in p.session_types for p in counselors]) == pytest.approx(
        0.30, abs=0.015
    )
    assert share([SessionType.FAMILY in p.session_types for p in counselors]) == pytest.approx(
        0.20, abs=0.015
    )


def test_languages(counselors: list[CounselorProfile]) -> None:
    for p in counselors:
        assert 1 <= len(p.languages) <= 3
        assert len(set(p.languages)) == len(p.languages)
        assert set(p.languages) <= set(LANGUAGES)
    assert share(["en" in p.languages for p in counselors]) == pytest.approx(0.92, abs=0.01)
    assert share(["es" in p.languages for p in counselors]) == pytest.approx(0.18, abs=0.012)
    tail = Counter(code for p in counselors for code in p.languages if code not in ("en", "es"))
    assert len(tail) >= 15  # a long tail
    assert tail.most_common(1)[0][0] == "zh"
    assert share([p.languages[0] == "en" for p in counselors]) > 0.85


def test_time_zones(counselors: list[CounselorProfile]) -> None:
    zones = Counter(p.availability.time_zone for p in counselors)
    assert zones.most_common(1)[0][0] == "America/New_York"
    us = sum(
        n
        for z, n in zones.items()
        if z.startswith(("America/", "Pacific/Honolulu")) and z != "America/Toronto"
    )
    assert 0.9 < us / N < 0.99
    assert zones["Europe/Madrid"] > 0


def test_weekly_availability(counselors: list[CounselorProfile]) -> None:
    saturdays = 0
    for p in counselors:
        windows = p.availability.windows
        assert 2 <= len(windows) <= 5
        assert len({w.day for w in windows}) == len(windows)  # one window per day
        assert list(windows) == sorted(windows, key=lambda w: (w.day, w.start_minute))
        for w in windows:
            assert 0 <= w.day <= 5  # Monday to Saturday
            assert w.start_minute % 30 == 0 and w.end_minute % 30 == 0
            assert 120 <= w.end_minute - w.start_minute <= 240
            assert w.start_minute >= 8 * 60 and w.end_minute <= 23 * 60
        saturdays += any(w.day == 5 for w in windows)
    assert 0.1 < saturdays / N < 0.5
    evening = share([any(w.start_minute >= 16 * 60 + 30 for w in p.availability.windows) for p in counselors])
    assert 0.4 < evening < 0.9


def test_caseload_status_and_names(counselors: list[CounselorProfile]) -> None:
    assert all(15 <= p.caseload_max <= 35 and 0 <= p.caseload_current <= p.caseload_max for p in counselors)
    assert share([p.caseload_current == p.caseload_max for p in counselors]) == pytest.approx(0.10, abs=0.01)
    assert share([p.accepting_new_clients for p in counselors]) == pytest.approx(0.85, abs=0.01)
    assert share([p.active for p in counselors]) == pytest.approx(0.95, abs=0.008)
    assert all(1 <= len(p.credentials) <= 2 for p in counselors)
    assert {c for p in counselors for c in p.credentials} == {"LCSW", "LPC", "LMFT", "PsyD", "PhD", "LMHC"}
    assert all(len(p.display_name.split()) == 2 for p in counselors)
    assert len({p.display_name for p in counselors}) > 2000


def test_age_groups(counselors: list[CounselorProfile]) -> None:
    order = list(AGE_GROUPS)
    assert all(list(p.age_groups) == sorted(p.age_groups, key=order.index) for p in counselors)
    assert share([not p.age_groups for p in counselors]) == pytest.approx(0.01, abs=0.003)
    assert share(["adult" in p.age_groups for p in counselors]) == pytest.approx(0.96, abs=0.006)
    assert share(["teen" in p.age_groups for p in counselors]) == pytest.approx(0.16, abs=0.015)
    assert share(["child" in p.age_groups for p in counselors]) == pytest.approx(0.08, abs=0.01)
    assert share(["older_adult" in p.age_groups for p in counselors]) == pytest.approx(0.15, abs=0.012)
    youth = share([p.age_groups == ("child", "teen") for p in counselors])
    assert youth == pytest.approx(0.03, abs=0.005)  # child and adolescent specialists
    family = [p for p in counselors if SessionType.FAMILY in p.session_types]
    others = [p for p in counselors if SessionType.FAMILY not in p.session_types]
    assert share(["teen" in p.age_groups for p in family]) > 3 * share(
        ["teen" in p.age_groups for p in others]
    )


def test_genders(counselors: list[CounselorProfile]) -> None:
    order = list(GENDERS)
    for p in counselors:
        assert len(set(p.genders) & {"woman", "man", "nonbinary"}) == 1
        assert list(p.genders) == sorted(p.genders, key=order.index)
    assert share(["woman" in p.genders for p in counselors]) == pytest.approx(0.70, abs=0.012)
    assert share(["man" in p.genders for p in counselors]) == pytest.approx(0.27, abs=0.012)
    assert share(["nonbinary" in p.genders for p in counselors]) == pytest.approx(0.03, abs=0.005)
    assert 0.01 < share(["transgender" in p.genders for p in counselors]) < 0.04


def test_identities(counselors: list[CounselorProfile]) -> None:
    order = list(IDENTITIES)
    counts = Counter(code for p in counselors for code in p.identities)
    assert set(counts) == set(IDENTITIES)
    assert all(list(p.identities) == sorted(p.identities, key=order.index) for p in counselors)
    assert counts["lgbtq_affirming"] / N == pytest.approx(0.35, abs=0.012)
    assert all(sum(c.startswith("faith_") for c in p.identities) <= 1 for p in counselors)  # one tradition
    assert share([any(c.startswith("faith_") for c in p.identities) for p in counselors]) == pytest.approx(
        0.10, abs=0.01
    )
    for code in ("culture_black", "culture_latino", "culture_asian"):
        assert 0.06 < counts[code] / N < 0.16, code
    for code in ("lived_military", "lived_recovery", "lived_disability", "culture_indigenous"):
        assert 0.003 < counts[code] / N < 0.06, code
    spanish = [p for p in counselors if "es" in p.languages]
    others = [p for p in counselors if "es" not in p.languages]
    latino = share(["culture_latino" in p.identities for p in spanish])
    assert latino > 5 * share(["culture_latino" in p.identities for p in others])


# ----------------------------------------------------------------------------- intakes


def test_intake_shapes_and_distributions(intakes: list[Intake]) -> None:
    assert intakes[123].client_id == "client-000123"
    for intake in intakes:
        assert 1 <= len(intake.concerns) <= 3
        assert len({c.concern for c in intake.concerns}) == len(intake.concerns)
        assert all(1 <= c.priority <= 5 for c in intake.concerns)
        assert 1 <= len(intake.languages) <= 2
        assert len(intake.approaches) <= 2
        if intake.availability is not None:
            assert 1 <= len(intake.availability.windows) <= 4
    assert share([i.languages[0] == "en" for i in intakes]) == pytest.approx(0.83, abs=0.01)
    assert share([i.languages[0] == "es" for i in intakes]) == pytest.approx(0.09, abs=0.01)
    assert share([i.session_type is SessionType.INDIVIDUAL for i in intakes]) == pytest.approx(0.85, abs=0.01)
    assert share([bool(i.approaches) for i in intakes]) == pytest.approx(0.40, abs=0.015)
    assert share([i.availability is not None for i in intakes]) == pytest.approx(0.80, abs=0.012)
    assert share([not i.formats for i in intakes]) == pytest.approx(0.35, abs=0.015)
    concerns = Counter(c.concern for i in intakes for c in i.concerns)
    assert concerns.most_common(1)[0][0] == "anxiety"


def test_intake_age_groups_genders_and_identities(intakes: list[Intake]) -> None:
    assert share([i.age_group == "adult" for i in intakes]) == pytest.approx(0.78, abs=0.015)
    for age in ("teen", "child", "older_adult"):
        assert 0.03 < share([i.age_group == age for i in intakes]) < 0.12, age
    couples = [i for i in intakes if i.session_type is SessionType.COUPLES]
    assert {i.age_group for i in couples} == {"adult", "older_adult"}
    family = [i for i in intakes if i.session_type is SessionType.FAMILY]
    assert 0.3 < share([i.age_group in ("teen", "child") for i in family]) < 0.5
    assert share([bool(i.genders) for i in intakes]) == pytest.approx(0.25, abs=0.012)
    genders = Counter(g for i in intakes for g in i.genders)
    assert genders.most_common(1)[0][0] == "woman" and set(genders) == set(GENDERS)
    assert share([bool(i.identities) for i in intakes]) == pytest.approx(0.20, abs=0.012)
    assert all(len(i.identities) <= 2 for i in intakes)
    identities = Counter(code for i in intakes for code in i.identities)
    assert identities.most_common(1)[0][0] == "lgbtq_affirming" and set(identities) == set(IDENTITIES)


def test_intake_preferences(intakes: list[Intake]) -> None:
    marked = Counter((p.attribute, p.required) for i in intakes for p in i.preferences)
    assert {name for name, _ in marked} == set(PREFERENCES)
    with_gender = [i for i in intakes if i.genders]
    required = share(
        [any(p.attribute == "gender" and p.required for p in i.preferences) for i in with_gender]
    )
    assert required == pytest.approx(0.35, abs=0.03)
    with_identity = [i for i in intakes if i.identities]
    required = share(
        [any(p.attribute == "identity" and p.required for p in i.preferences) for i in with_identity]
    )
    assert required == pytest.approx(0.20, abs=0.03)
    assert 0.2 < share([bool(i.preferences) for i in intakes]) < 0.5
    for i in intakes:
        assert all(1 <= p.importance <= 5 or p.importance == 0 for p in i.preferences)
        assert all(p.required is not None or p.importance for p in i.preferences)  # nothing said for nothing


def test_worst_case_intake_is_heavy_and_valid() -> None:
    intake = worst_case_intake(7)
    validate_intake(intake)
    assert len(intake.concerns) >= 8
    assert len(intake.languages) >= 3
    assert len(intake.approaches) >= 3
    assert set(intake.formats) == set(SessionFormat)
    assert intake.availability is not None
    assert len(intake.availability.windows) >= 14
    assert {w.day for w in intake.availability.windows} == set(range(7))
    assert intake.age_group == "adult" and intake.genders and len(intake.identities) >= 2
    # every preference it gives only preferred, so that it still has results
    assert {p.attribute for p in intake.preferences} >= {"gender", "identity"}
    assert all(p.required is False for p in intake.preferences)
