"""The synthetic catalog: deterministic, valid, unique ids and realistic distributions."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import matcher.synthetic.sampling as sampling
from matcher.model import CounselorProfile, Intake, validate_counselor, validate_intake
from matcher.synthetic import synthetic_counselors, synthetic_intakes, worst_case_intake
from matcher.vocabulary import APPROACHES, CONCERNS, LANGUAGES, Proficiency, SessionFormat, SessionType

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
