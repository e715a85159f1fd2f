"""What the ranking keeps between results and between rankings cannot leak into another's output.

Reason phrases are kept per :class:`~matcher.explain.reasons.ReasonWriter` (one intake, one
ranking), keyed by the counselor's bits masked with that intake; FactorScore tuples
are shared by all rankings, keyed by factor, weight and score.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matcher.engine import ranking
from matcher.engine.chunked import CHUNK, Chunked
from matcher.engine.ranking import rank
from matcher.engine.snapshot import CatalogSnapshot
from matcher.explain.reasons import ReasonWriter
from matcher.model import Availability, ConcernPreference, CounselorProfile, Intake, Specialty, WeeklyWindow
from matcher.strategy import DEFAULT_STRATEGY, Strategy
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from tests.matcher.conftest import JANUARY_WEEK

H = 60
P, S = Proficiency.PRIMARY, Proficiency.SECONDARY


def counselor(counselor_id: str, **kwargs: object) -> CounselorProfile:
    values: dict[str, object] = {
        "id": counselor_id,
        "display_name": counselor_id.title(),
        "languages": ("en",),
        "session_types": (SessionType.INDIVIDUAL,),
        "formats": (SessionFormat.VIDEO,),
        "caseload_max": 10,
        "jurisdictions": ("US-NY",),
        "age_groups": ("adult",),
    }
    values.update(kwargs)
    return CounselorProfile(**values)  # type: ignore[arg-type]


def utc(*windows: tuple[int, int, int]) -> Availability:
    return Availability("UTC", tuple(WeeklyWindow(*w) for w in windows))


ANA = counselor(
    "ana",
    specialties=(Specialty("anxiety", P), Specialty("grief", S)),
    approaches=("cbt",),
    availability=utc((0, 18 * H, 20 * H)),
)
# Ben differs from Ana only in what the first client below does not ask about (ocd, a second
# language, another format, Monday afternoon hours): for that client both get the same reasons.
BEN = dataclasses.replace(
    ANA,
    id="ben",
    display_name="Ben",
    specialties=(*ANA.specialties, Specialty("ocd", P)),
    languages=("en", "fr"),
    formats=(SessionFormat.VIDEO, SessionFormat.IN_PERSON),
    availability=utc((0, 15 * H, 16 * H), (0, 18 * H, 20 * H)),
)
CLIENT_1 = Intake(
    "client-1",
    (ConcernPreference("anxiety", 2), ConcernPreference("grief", 1)),
    ("en",),
    approaches=("cbt",),
    availability=utc((0, 19 * H, 21 * H)),
    jurisdiction="US-NY",
    age_group="adult",
)
CLIENT_2 = Intake(
    "client-2",
    (ConcernPreference("ocd", 1), ConcernPreference("grief", 3)),
    ("fr", "en"),
    formats=(SessionFormat.IN_PERSON,),
    availability=Availability("America/Chicago", (WeeklyWindow(0, 9 * H, 11 * H),)),
    jurisdiction="US-NY",
    age_group="adult",
)
ANA_FOR_1 = (
    "treats anxiety (primary) and grief",
    "offers CBT",
    "speaks English",
    "free Mon evening: 1 of your 2 hours",
)


@pytest.fixture
def snapshot() -> CatalogSnapshot:
    return CatalogSnapshot.build([ANA, BEN], version=1, week=JANUARY_WEEK)  # Chicago at UTC-6


def test_masked_bits_share_phrases_within_one_intake_only(snapshot: CatalogSnapshot) -> None:
    rows = np.array([0, 1], dtype=np.int64)
    first = ReasonWriter(CLIENT_1, week=snapshot.week)
    second = ReasonWriter(CLIENT_2, week=snapshot.week)
    # Interleaved writers: each keeps its own phrases.
    assert first.for_rows(snapshot.columns, rows) == [ANA_FOR_1, ANA_FOR_1]
    assert second.for_rows(snapshot.columns, rows) == [
        (
            "treats grief",
            "no listed experience with OCD",
            "speaks English (your second choice)",
            "not free at any of your hours",
        ),
        (
            "treats grief and OCD (primary)",
            "speaks French",
            "offers in-person sessions",
            "free Mon morning: 1 of your 2 hours",  # Mon 15:00-16:00 UTC is 09:00-10:00 in Chicago
        ),
    ]
    assert first.for_rows(snapshot.columns, rows[::-1]) == [ANA_FOR_1, ANA_FOR_1]
    assert first.explain(BEN) == ANA_FOR_1


def test_a_new_profile_version_gets_new_reasons(snapshot: CatalogSnapshot) -> None:
    old = rank(snapshot, CLIENT_1)
    updated = dataclasses.replace(
        ANA, specialties=(Specialty("grief", P),), approaches=(), availability=utc((0, 20 * H + 30, 21 * H))
    )
    newer = snapshot.with_upsert(updated, version=2)
    ana_new = next(r for r in rank(newer, CLIENT_1).results if r.counselor_id == "ana")
    assert ana_new.reasons == (
        "treats grief (primary)",
        "no listed experience with anxiety",
        "speaks English",
        "free Mon evening: 0.5 of your 2 hours",
    )
    # The old snapshot, ranked again after the new one, still describes the old profile.
    assert rank(snapshot, CLIENT_1) == old
    assert next(r for r in old.results if r.counselor_id == "ana").reasons == ANA_FOR_1


def test_factor_scores_follow_each_strategys_weights(
    snapshot: CatalogSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "_factor_score_tables", {})
    monkeypatch.setattr(ranking, "_MAX_SCORES", 2)  # tables start again often
    other = Strategy(
        "other",
        1,
        weights={"concern": 1.0, "approach": 1.0, "language": 1.0, "availability": 1.0},
    )
    for strategy in (DEFAULT_STRATEGY, other, DEFAULT_STRATEGY):
        for client in (CLIENT_1, CLIENT_2, CLIENT_1):
            for result in rank(snapshot, client, strategy).results:
                names = [f.factor for f in result.factors]
                total = sum(strategy.weights[f] for f in names)
                for f in result.factors:
                    assert f.weight == pytest.approx(strategy.weights[f.factor] / total)
                    assert f.contribution == f.weight * f.score
                assert sum(f.contribution for f in result.factors) == pytest.approx(result.score)
    assert all(len(table) <= 2 for table in ranking._factor_score_tables.values())


def test_chunked_take_reads_like_indexing() -> None:
    seq = Chunked(range(3 * CHUNK)).insert(5, -1).delete(CHUNK + 7)  # chunks of unequal sizes
    rows = [0, 5, len(seq) - 1, CHUNK, CHUNK + 7, 2 * CHUNK, 5]
    assert (
        seq.take(rows)
        == [seq[i] for i in rows]
        == [0, -1, 3 * CHUNK - 1, CHUNK - 1, CHUNK + 7, 2 * CHUNK, -1]
    )
    assert seq.take([]) == []
    for bad in (-1, len(seq)):
        with pytest.raises(IndexError):
            seq.take([0, bad])
