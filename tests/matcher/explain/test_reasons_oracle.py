"""The fast reason writer against a plain, slot-by-slot reference written from the spec.

The reference reads the profile's tuples and walks the shared slots one by one; the
writer reads the snapshot's bit columns, masks them with the intake and keeps each
phrase per writer. They must agree on every text. The reference places hours with
``utc_slots`` (plain ``datetime`` arithmetic) and reads each shared UTC slot back in the
client's zone at its occurrence in the week, in January and in weeks of daylight-saving
changes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.availability import SLOTS_PER_WEEK
from matcher.engine.reference import utc_slots
from matcher.engine.snapshot import CatalogSnapshot
from matcher.explain.hours_phrase import describe_shared_hours
from matcher.explain.reasons import ReasonWriter
from matcher.model import Availability, CounselorProfile, Intake
from matcher.vocabulary import (
    APPROACHES,
    CONCERNS,
    GENDERS,
    IDENTITIES,
    LANGUAGES,
    Proficiency,
    SessionFormat,
)
from tests.matcher.conftest import TIME_ZONES, WEEKS, random_intake, random_profiles

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PARTS = ("morning", "afternoon", "evening")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
FORMATS = {SessionFormat.VIDEO: "video", SessionFormat.PHONE: "phone", SessionFormat.IN_PERSON: "in-person"}


def listed(items: list[str], conjunction: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {conjunction} {items[-1]}"


def hours(slots: int) -> str:
    return format(slots / 2, "g")


def slot_set(availability: Availability | None, week: datetime) -> set[int]:
    return set() if availability is None else utc_slots(availability, week)


def local_slot(slot: int, zone: str, week: datetime) -> tuple[int, int]:
    """(weekday, minute of the day) in ``zone`` of UTC slot ``slot`` in the week starting at ``week``."""
    week_minute = week.weekday() * 24 * 60 + week.hour * 60 + week.minute
    moment = (week + timedelta(minutes=(slot * 30 - week_minute) % (7 * 24 * 60))).astimezone(ZoneInfo(zone))
    return moment.weekday(), moment.hour * 60 + moment.minute


def reference_hours(client: set[int], counselor: set[int], zone: str, week: datetime) -> str:
    shared = client & counselor
    if not shared:
        return "not free at any of your hours"
    if shared == client:
        if len(client) == 1:
            return "free at your half hour"
        return (
            "free at your one hour" if len(client) == 2 else f"free at all {hours(len(client))} of your hours"
        )
    days: dict[int, set[int]] = {0: set(), 1: set(), 2: set()}
    for slot in shared:
        day, minute = local_slot(slot, zone, week)
        days[0 if minute < 12 * 60 else 1 if minute < 17 * 60 else 2].add(day)
    groups = []
    for part, chosen in days.items():
        if not chosen:
            continue
        name = PARTS[part]
        if len(chosen) == 7:
            phrase = f"every {name}"
        elif chosen == {0, 1, 2, 3, 4}:
            phrase = f"weekday {name}s"
        elif chosen == {5, 6}:
            phrase = f"weekend {name}s"
        else:
            names = [DAYS[d] for d in sorted(chosen)]
            phrase = f"{listed(names)} {name}s" if len(names) > 1 else f"{names[0]} {name}"
        groups.append((min(chosen), part, phrase))
    when = listed([phrase for _, _, phrase in sorted(groups)])
    return f"free {when}: {hours(len(shared))} of your {hours(len(client))} hours"


def reference_reasons(profile: CounselorProfile, intake: Intake, week: datetime) -> tuple[str, ...]:
    treated = {s.concern for s in profile.specialties}
    primary = {s.concern for s in profile.specialties if s.proficiency == Proficiency.PRIMARY}
    by_priority = [c.concern for c in sorted(intake.concerns, key=lambda c: -c.priority)]
    hits = [c for c in by_priority if c in treated]
    missing = [CONCERNS[c] for c in by_priority if c not in treated]
    out = []
    if len(hits) > 1 and all(c in primary for c in hits):
        out.append(
            f"treats {listed([CONCERNS[c] for c in hits])} ({'both' if len(hits) == 2 else 'all'} primary)"
        )
    elif hits:
        out.append("treats " + listed([CONCERNS[c] + (" (primary)" if c in primary else "") for c in hits]))
    if not hits:
        out.append(
            f"treats none of your concerns ({listed(missing, 'or')}): shown because too few counselors "
            "who treat them fit the rest of your needs"
        )
    elif missing:
        out.append(f"no listed experience with {listed(missing, 'or')}")
    offered = [APPROACHES[a] for a in intake.approaches if a in profile.approaches]
    if offered:
        out.append(f"offers {listed(offered)}")
    spoken = [j for j, code in enumerate(intake.languages) if code in profile.languages]
    if spoken:
        j = spoken[0]
        out.append(
            f"speaks {LANGUAGES[intake.languages[j]]}" + (f" (your {ORDINALS[j]} choice)" if j else "")
        )
    formats = [FORMATS[f] for f in intake.formats if f in profile.formats]
    if formats:
        out.append(f"offers {listed(formats, 'or')} sessions")
    genders = [GENDERS[g] for g in intake.genders if g in profile.genders]
    if genders:
        out.append(f"is {listed(genders, 'or')}")
    identities = [IDENTITIES[i] for i in intake.identities if i in profile.identities]
    if identities:
        out.append(listed(identities))
    client = slot_set(intake.availability, week)
    if client:
        assert intake.availability is not None
        zone = intake.availability.time_zone
        out.append(reference_hours(client, slot_set(profile.availability, week), zone, week))
    return tuple(out)


def test_writer_agrees_with_the_reference_on_random_catalogs_and_intakes() -> None:
    r = random.Random(5)
    checked = 0
    for week in WEEKS:
        snap = CatalogSnapshot.build(random_profiles(400, seed=3), 1, week)
        for _ in range(80 // len(WEEKS) + 1):
            checked += _agree(snap, random_intake(r), r)
    assert checked > 3000


def _agree(snap: CatalogSnapshot, client: Intake, r: random.Random) -> int:
    """Check the writer on 15 random rows of ``snap``; return how many reasons it wrote."""
    rows = np.array(r.sample(range(len(snap)), 15), dtype=np.int64)
    writer = ReasonWriter(client, week=snap.week)
    got = writer.for_rows(snap.columns, rows)
    profiles = [snap.profiles[i] for i in rows.tolist()]
    assert got == [reference_reasons(p, client, snap.week) for p in profiles]
    assert got == [writer.explain(p) for p in profiles]  # the profile path, on the same (warm) writer
    return sum(map(len, got))


def runs(spans: list[tuple[int, int]]) -> int:
    """The slot bits of runs of ``(first slot, length)``, wrapping around the week."""
    bits = 0
    for first, length in spans:
        for j in range(first, first + length):
            bits |= 1 << (j % SLOTS_PER_WEEK)
    return bits


# Dense random weeks, and a few runs of slots (as real windows are).
slot_sets = st.integers(0, (1 << SLOTS_PER_WEEK) - 1) | st.lists(
    st.tuples(st.integers(0, SLOTS_PER_WEEK - 1), st.integers(1, 30)), max_size=6
).map(runs)


@settings(max_examples=400, deadline=None)
@given(slot_sets, slot_sets, st.sampled_from(TIME_ZONES), st.sampled_from(WEEKS))
def test_shared_hours_agree_with_the_slot_by_slot_reference(
    client: int, counselor: int, zone: str, week: datetime
) -> None:
    expected = None
    if client:
        ones = {j for j in range(SLOTS_PER_WEEK) if client >> j & 1}
        expected = reference_hours(ones, {j for j in range(SLOTS_PER_WEEK) if counselor >> j & 1}, zone, week)
    assert describe_shared_hours(client, counselor, zone, week) == expected
