"""The snapshot's encoding checked against a plain per-profile one, whole and in batches."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import pytest

from matcher.attributes import Storage
from matcher.availability import SLOT_WORDS, availability_bits
from matcher.engine import snapshot
from matcher.engine.encoding import Columns, encode_profiles
from matcher.engine.layout import CODE_WORDS, FLAG_ATTRIBUTES, GRADE_SHIFT, LAYOUT
from matcher.engine.snapshot import ENCODE_BATCH, CatalogSnapshot
from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.synthetic import synthetic_counselors
from matcher.vocabulary import Proficiency
from tests.matcher.conftest import JANUARY_WEEK, TRANSITION_WEEKS, random_profiles

T = TypeVar("T")


def _bits(positions: dict[str, int] | Any, codes: Sequence[object]) -> int:
    return sum(1 << positions[c] for c in set(codes))


def reference_columns(profiles: Sequence[CounselorProfile], week: datetime = JANUARY_WEEK) -> Columns:
    """The columns of ``profiles`` computed one profile at a time, with no shortcut."""
    flags = np.zeros(len(profiles), dtype=np.uint8)
    codes = np.zeros((CODE_WORDS, len(profiles)), dtype=np.uint64)
    for row, p in enumerate(profiles):
        for a in FLAG_ATTRIBUTES:
            flags[row] |= LAYOUT[a.name].flag if getattr(p, a.counselor_field) else 0
        for place in LAYOUT.values():
            a = place.attribute
            if not a.has_codes:
                continue
            held = getattr(p, a.counselor_field)
            if a.storage == Storage.GRADED_CODES:
                primary = _bits(
                    place.positions, [s.concern for s in held if s.proficiency == Proficiency.PRIMARY]
                )
                value = primary | _bits(place.positions, [s.concern for s in held]) << GRADE_SHIFT
            else:
                value = _bits(place.positions, held)
            for w in range(place.words):
                codes[place.word + w, row] = value >> (64 * w) & (2**64 - 1)
    slots = [availability_bits(p.availability, week) for p in profiles]
    slot_words = np.array(slots, dtype=np.uint64).T if slots else np.zeros((SLOT_WORDS, 0), dtype=np.uint64)
    return Columns(flags=flags, codes=codes, slot_words=np.ascontiguousarray(slot_words))


def assert_same_columns(got: Columns, expected: Columns) -> None:
    for name, x, y in zip(got._fields, got.arrays(), expected.arrays(), strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y), name


def shared(profiles: Sequence[CounselorProfile]) -> list[CounselorProfile]:
    """Equal copies of ``profiles`` whose equal parts are one object, as the store's loader makes them."""
    pool: dict[object, Any] = {}

    def one(value: T) -> T:
        found: T = pool.setdefault(value, value)
        return found

    return [
        dataclasses.replace(
            p,
            specialties=tuple(one(s) for s in p.specialties),
            formats=one(p.formats),
            session_types=one(p.session_types),
            approaches=one(p.approaches),
            languages=one(p.languages),
            availability=Availability(
                p.availability.time_zone, tuple(one(w) for w in p.availability.windows)
            ),
        )
        for p in profiles
    ]


@pytest.mark.parametrize("week", [JANUARY_WEEK, *TRANSITION_WEEKS], ids=lambda w: w.isoformat()[:13])
@pytest.mark.parametrize("make", [shared, copy.deepcopy], ids=["shared parts", "copied parts"])
def test_encoding_equals_the_plain_per_profile_encoding(
    make: Callable[[list[CounselorProfile]], list[CounselorProfile]], week: datetime
) -> None:
    for profiles in (random_profiles(400, seed=21), synthetic_counselors(1000, seed=3)):
        given = make(profiles)
        assert_same_columns(encode_profiles(given, week), reference_columns(profiles, week))
    assert_same_columns(encode_profiles([], week), reference_columns([], week))


def test_a_concern_listed_both_ways_counts_as_primary_and_shared_windows_keep_their_zone() -> None:
    window = WeeklyWindow(0, 0, 60)  # Monday 00:00-01:00 local
    both = (Specialty("grief", Proficiency.SECONDARY), Specialty("grief", Proficiency.PRIMARY))
    profiles = [
        CounselorProfile("a", "A", specialties=both, availability=Availability("UTC", (window,))),
        CounselorProfile(
            "b", "B", specialties=both[:1], availability=Availability("Asia/Kolkata", (window,))
        ),
    ]
    columns = encode_profiles(profiles, JANUARY_WEEK)
    grief = 1 << LAYOUT["concern"].positions["grief"]
    concerns = columns.words_of("concern")[0]
    assert concerns.tolist() == [grief | grief << GRADE_SHIFT, grief << GRADE_SHIFT]
    # UTC: slots 0-1. Kolkata (UTC+5:30): Sunday 18:30-19:30 UTC = slots 325-326 = bits 5-6 of word 5.
    assert columns.slot_words[:, 0].tolist() == [0b11, 0, 0, 0, 0, 0]
    assert columns.slot_words[:, 1].tolist() == [0, 0, 0, 0, 0, 0b11 << 5]
    assert_same_columns(columns, reference_columns(profiles))


@pytest.mark.parametrize("batch", [1, 7, 100, ENCODE_BATCH])
def test_a_build_in_batches_of_any_size_and_order_gives_the_plain_encoding(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = shared(random_profiles(450, seed=8))
    in_order = sorted(profiles, key=lambda p: p.id)
    expected = reference_columns(in_order)
    monkeypatch.setattr(snapshot, "ENCODE_BATCH", batch)
    for given in (in_order, profiles, in_order[::-1], tuple(in_order)):
        built = CatalogSnapshot.build(given, 4, JANUARY_WEEK)
        assert built.version == 4 and built.ids == [p.id for p in in_order] and built.profiles == in_order
        assert_same_columns(built.columns, expected)
        for x in built.columns.arrays():
            assert x.flags.c_contiguous and not x.flags.writeable  # what the compiled kernels expect


def test_build_refuses_repeated_ids_in_or_out_of_order() -> None:
    a, b = sorted(random_profiles(2, seed=1), key=lambda p: p.id)
    for given in ([a, dataclasses.replace(a, display_name="again"), b], [b, a, a]):
        with pytest.raises(ValueError, match="appears twice"):
            CatalogSnapshot.build(given, 1)
    empty = CatalogSnapshot.build((), 3, JANUARY_WEEK)
    assert len(empty) == 0 and empty.slot_words.shape == (SLOT_WORDS, 0)
    assert_same_columns(empty.columns, reference_columns([]))
