"""The snapshot's encoding checked against a plain per-profile one, whole and in batches."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pytest

from matcher.availability import SLOT_WORDS, availability_bits
from matcher.engine import snapshot
from matcher.engine.bitsets import (
    APPROACH_BITS,
    CONCERN_BITS,
    FORMAT_BITS,
    LANGUAGE_BITS,
    SESSION_TYPE_BITS,
    mask_of,
)
from matcher.engine.encoding import CONCERN_SHIFT, Columns, encode_profiles
from matcher.engine.snapshot import ENCODE_BATCH, FLAG_ACTIVE, FLAG_HAS_ROOM, CatalogSnapshot
from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.synthetic import synthetic_counselors
from matcher.vocabulary import Proficiency
from tests.matcher.conftest import random_profiles

T = TypeVar("T")


def reference_columns(profiles: Sequence[CounselorProfile]) -> Columns:
    """The columns of ``profiles`` computed one profile at a time, with no shortcut."""
    rows = []
    for p in profiles:
        primary = mask_of(
            [s.concern for s in p.specialties if s.proficiency == Proficiency.PRIMARY], CONCERN_BITS
        )
        treated = mask_of([s.concern for s in p.specialties], CONCERN_BITS)
        rows.append(
            (
                (FLAG_ACTIVE if p.active else 0) | (FLAG_HAS_ROOM if p.has_room else 0),
                mask_of(p.formats, FORMAT_BITS),
                mask_of(p.session_types, SESSION_TYPE_BITS),
                primary | treated << CONCERN_SHIFT,
                mask_of(p.approaches, APPROACH_BITS),
                mask_of(p.languages, LANGUAGE_BITS),
            )
        )
    flags, formats, session_types, concerns, approaches, languages = (
        zip(*rows, strict=True) if rows else [()] * 6
    )
    slots = [availability_bits(p.availability) for p in profiles]
    return Columns(
        flags=np.array(flags, dtype=np.uint8),
        formats=np.array(formats, dtype=np.uint8),
        session_types=np.array(session_types, dtype=np.uint8),
        concerns=np.array(concerns, dtype=np.uint64),
        approaches=np.array(approaches, dtype=np.uint64),
        languages=np.array(languages, dtype=np.uint64),
        slot_words=np.array(slots, dtype=np.uint64).reshape(-1, SLOT_WORDS).T,
    )


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


@pytest.mark.parametrize("make", [shared, copy.deepcopy], ids=["shared parts", "copied parts"])
def test_encoding_equals_the_plain_per_profile_encoding(
    make: Callable[[list[CounselorProfile]], list[CounselorProfile]],
) -> None:
    for profiles in (random_profiles(400, seed=21), synthetic_counselors(1000, seed=3)):
        given = make(profiles)
        assert_same_columns(encode_profiles(given), reference_columns(profiles))
    assert_same_columns(encode_profiles([]), reference_columns([]))


def test_a_concern_listed_both_ways_counts_as_primary_and_shared_windows_keep_their_zone() -> None:
    window = WeeklyWindow(0, 0, 60)  # Monday 00:00-01:00 local
    both = (Specialty("grief", Proficiency.SECONDARY), Specialty("grief", Proficiency.PRIMARY))
    profiles = [
        CounselorProfile("a", "A", specialties=both, availability=Availability("UTC", (window,))),
        CounselorProfile(
            "b", "B", specialties=both[:1], availability=Availability("Asia/Kolkata", (window,))
        ),
    ]
    columns = encode_profiles(profiles)
    grief = CONCERN_BITS["grief"]
    assert columns.concerns.tolist() == [grief | grief << CONCERN_SHIFT, grief << CONCERN_SHIFT]
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
        built = CatalogSnapshot.build(given, 4)
        assert built.version == 4 and built.ids == [p.id for p in in_order] and built.profiles == in_order
        assert_same_columns(built.columns, expected)
        for x in built.columns.arrays():
            assert x.flags.c_contiguous and not x.flags.writeable  # what the compiled kernels expect


def test_build_refuses_repeated_ids_in_or_out_of_order() -> None:
    a, b = sorted(random_profiles(2, seed=1), key=lambda p: p.id)
    for given in ([a, dataclasses.replace(a, display_name="again"), b], [b, a, a]):
        with pytest.raises(ValueError, match="appears twice"):
            CatalogSnapshot.build(given, 1)
    empty = CatalogSnapshot.build((), 3)
    assert len(empty) == 0 and empty.slot_words.shape == (SLOT_WORDS, 0)
    assert_same_columns(empty.columns, reference_columns([]))
