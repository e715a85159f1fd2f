"""The columnar catalog snapshot: encoding, lookups, copy-on-write changes."""

from __future__ import annotations

import bisect
import dataclasses
import random

import numpy as np
import pytest

from matcher.availability import SLOT_WORDS, availability_bits
from matcher.engine.chunked import CHUNK, Chunked
from matcher.engine.layout import CODE_WORDS, INDEX_ROWS, LAYOUT
from matcher.engine.snapshot import CatalogSnapshot
from matcher.errors import NotFound
from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from tests.matcher.conftest import JANUARY_WEEK, random_profile, random_profiles

P, S = Proficiency.PRIMARY, Proficiency.SECONDARY


def ana() -> CounselorProfile:
    return CounselorProfile(
        id="ana",
        display_name="Ana",
        specialties=(
            Specialty("anxiety", P),
            Specialty("grief", S),
            Specialty("trauma", S),
            Specialty("trauma", P),
        ),
        approaches=("cbt", "emdr"),
        formats=(SessionFormat.VIDEO, SessionFormat.PHONE),
        session_types=(SessionType.COUPLES,),
        languages=("es", "en"),
        availability=Availability("Europe/Berlin", (WeeklyWindow(2, 60, 300),)),
        caseload_current=3,
        caseload_max=10,
        jurisdictions=("US-IL", "US-WI"),
        age_groups=("adult", "older_adult"),
    )


def assert_same_snapshot(a: CatalogSnapshot, b: CatalogSnapshot) -> None:
    assert a.ids == b.ids
    assert a.profiles == b.profiles
    for name, x, y in zip(a.columns._fields, a.columns.arrays(), b.columns.arrays(), strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y), name
        assert x.flags.c_contiguous and not x.flags.writeable, name  # what the compiled kernels expect
    assert a.index.shape == b.index.shape and np.array_equal(a.index, b.index)  # edited = rebuilt
    assert a.index.flags.c_contiguous and not a.index.flags.writeable


def test_columns_of_a_hand_built_profile() -> None:
    full = dataclasses.replace(ana(), id="bob", caseload_current=10, active=False)
    snap = CatalogSnapshot.build([full, ana()], version=7, week=JANUARY_WEEK)
    assert snap.version == 7 and len(snap) == snap.size == 2
    assert snap.ids == ("ana", "bob")  # rows sorted by id
    assert snap.columns.flags.tolist() == [0b11, 0]  # active, capacity
    assert snap.flag("active").tolist() == [True, False] and snap.flag("capacity").tolist() == [True, False]

    def bits(name: str, *codes: str) -> int:
        return sum(1 << LAYOUT[name].positions[c] for c in codes)

    # Trauma listed as secondary and primary counts as primary only.
    primary, secondary = snap.grades("concern")
    assert int(primary[0]) == bits("concern", "anxiety", "trauma")
    assert int(secondary[0]) == bits("concern", "grief")
    assert int(snap.codes("approach")[0]) == bits("approach", "cbt", "emdr")
    assert int(snap.codes("language")[0]) == bits("language", "es", "en")
    assert int(snap.codes("format")[0]) == bits("format", "video", "phone") == 0b011
    assert int(snap.codes("session_type")[0]) == bits("session_type", "couples") == 0b010
    assert int(snap.codes("licensure")[0]) == bits("licensure", "US-IL", "US-WI")
    # Berlin (UTC+1 in January) Wed 01:00-05:00 = Wed 00:00-04:00 UTC = slots 96..103 = bits 32..39 of word 1.
    assert snap.availability.shape == (2, SLOT_WORDS)
    assert snap.availability[0].tolist() == [0, 0xFF << 32, 0, 0, 0, 0]
    assert snap.profile("bob") is full


def test_lookups_and_errors() -> None:
    snap = CatalogSnapshot.build([ana()], 1)
    assert "ana" in snap and "zed" not in snap and snap.row_of("zed") is None
    with pytest.raises(NotFound):
        snap.profile("zed")
    with pytest.raises(NotFound):
        snap.with_delete("zed", 2)
    with pytest.raises(ValueError, match="appears twice"):
        CatalogSnapshot.build([ana(), ana()], 1)
    with pytest.raises(ValueError, match="klingon"):
        CatalogSnapshot.build([dataclasses.replace(ana(), languages=("klingon",))], 1)


def test_arrays_are_read_only() -> None:
    snap = CatalogSnapshot.build([ana()], 1)
    with pytest.raises(ValueError, match="read-only"):
        snap.columns.codes[0, 0] = 0
    with pytest.raises(ValueError, match="read-only"):
        snap.slot_words[0, 0] = 0


def test_empty_catalog() -> None:
    snap = CatalogSnapshot.build([], 1)
    assert len(snap) == 0 and snap.slot_words.shape == (SLOT_WORDS, 0) and snap.nbytes == 0
    grown = snap.with_upsert(ana(), 2)
    assert_same_snapshot(grown, CatalogSnapshot.build([ana()], 2))
    assert len(grown.with_delete("ana", 3)) == 0


def test_availability_agrees_with_the_profiles_and_memory_is_under_200_bytes_per_counselor() -> None:
    profiles = random_profiles(512, seed=11)
    snap = CatalogSnapshot.build(profiles, 1)
    # flags: 1 byte; a uint64 word per code attribute (CODE_WORDS of them); 6 uint64 slot words.
    assert snap.columns.nbytes == (1 + 8 * CODE_WORDS + 8 * SLOT_WORDS) * len(snap) == 121 * len(snap)
    # The bit index: a bitmap per flag, filtering or graded code, "on file" row and weekly slot.
    assert snap.nbytes == snap.columns.nbytes + INDEX_ROWS * len(snap) // 8
    assert snap.nbytes <= 200 * len(snap)
    for row, p in enumerate(snap.profiles):
        assert np.array_equal(snap.availability[row], availability_bits(p.availability, snap.week)), p.id


def test_upsert_and_delete_equal_a_rebuild() -> None:
    r = random.Random(3)
    profiles = {p.id: p for p in random_profiles(150, seed=5)}
    snap = CatalogSnapshot.build(list(profiles.values()), 1)
    for version in range(2, 120):
        action = r.random()
        if action < 0.4 and profiles:
            victim = r.choice(sorted(profiles))
            del profiles[victim]
            snap = snap.with_delete(victim, version)
        elif action < 0.7 and profiles:
            changed = random_profile(r, r.choice(sorted(profiles)))
            profiles[changed.id] = changed
            snap = snap.with_upsert(changed, version)
        else:
            # New ids land at the start, the middle, word boundaries and the end of the rows.
            new = random_profile(r, r.choice(["a", "c00000", "c0000063x", "c0000064x", "zz"]) + str(version))
            profiles[new.id] = new
            snap = snap.with_upsert(new, version)
        assert snap.version == version
    assert_same_snapshot(snap, CatalogSnapshot.build(list(profiles.values()), 0))


def test_with_changes_equals_a_rebuild_of_the_changed_catalog() -> None:
    r = random.Random(4)
    profiles = {p.id: p for p in random_profiles(120, seed=6)}
    snap = CatalogSnapshot.build(list(profiles.values()), 1)
    replaced = [random_profile(r, i) for i in ("c0000003", "c0000077")]
    added = [random_profile(r, i) for i in ("a-new", "c0000050x", "zz-new")]
    deleted = ["c0000010", "c0000119", "never-here"]  # the last: created and deleted elsewhere since
    changed = snap.with_changes([*replaced, *added], deleted, 9)
    for p in [*replaced, *added]:
        profiles[p.id] = p
    for counselor_id in deleted:
        profiles.pop(counselor_id, None)
    assert changed.version == 9
    assert_same_snapshot(changed, CatalogSnapshot.build(list(profiles.values()), 9))
    assert len(snap) == 120 and snap.version == 1  # the old snapshot is left as it was
    nothing = snap.with_changes([], ["never-here"], 10)  # only the version moves
    assert nothing.version == 10 and nothing.ids is snap.ids and nothing.columns is snap.columns


def test_changes_leave_the_old_snapshot_intact_and_share_unchanged_columns() -> None:
    profiles = random_profiles(200, seed=9)
    snap = CatalogSnapshot.build(profiles, 1)
    before = CatalogSnapshot.build(profiles, 1)
    target = next(p for p in list(snap.profiles)[57:] if p.has_room)
    full = dataclasses.replace(target, caseload_current=target.caseload_max)
    changed = snap.with_upsert(full, 2)
    assert changed.profile(target.id) is full and changed.ids is snap.ids
    assert changed.columns.codes is snap.columns.codes and changed.slot_words is snap.slot_words
    assert changed.columns.flags is not snap.columns.flags
    same = snap.with_upsert(target, 3)
    assert all(a is b for a, b in zip(same.columns.arrays(), snap.columns.arrays(), strict=True))
    snap.with_delete(target.id, 4)
    snap.with_upsert(dataclasses.replace(target, id="new"), 5)
    assert_same_snapshot(snap, before)


def test_chunked_sequence_behaves_like_a_list() -> None:
    r = random.Random(1)
    original = list(range(0, 2 * (2 * CHUNK + 500), 2))  # even numbers, sorted
    items: list[float] = list(original)
    seq: Chunked[float] = Chunked(items)
    assert seq == items and len(seq) == len(items) and seq[-1] == items[-1] and seq[10:13] == (20, 22, 24)
    first = seq
    for step in range(400):
        op = r.random()
        if op < 0.5:  # many inserts land in one chunk, so that it splits
            value = r.choice([2 * CHUNK + 1, r.randrange(-10, 2 * len(items) + 10)]) + step * 1e-6
            pos = seq.bisect_left(value)
            assert pos == bisect.bisect_left(items, value)
            items.insert(pos, value)
            seq = seq.insert(pos, value)
        elif op < 0.8:
            pos = r.randrange(len(items))
            del items[pos]
            seq = seq.delete(pos)
        else:
            pos = r.randrange(len(items))
            items[pos] = items[pos] + 1e-9
            seq = seq.replace(pos, items[pos])
        assert len(seq) == len(items)
    assert list(seq) == items and seq == items and seq[len(items) // 2] == items[len(items) // 2]
    assert first == original  # the original is untouched
    with pytest.raises(IndexError):
        seq[len(items)]
    assert Chunked[int]().insert(0, 5) == [5] and Chunked([1]).delete(0) == []
