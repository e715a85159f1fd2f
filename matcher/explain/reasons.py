"""Short, human match reasons for one counselor and one intake.

Written only for the results a ranking returns (a loop over ``k`` profiles), from
the intake and the counselor's profile, e.g.::

    treats anxiety (primary) and grief
    no listed experience with trauma
    offers CBT and EMDR
    speaks English (your second choice)
    offers video or phone sessions
    free Tue and Thu evenings: 6 of your 8 hours

The last one, the hours the counselor shares with the client in the client's local
time, is written by :mod:`matcher.explain.hours_phrase`.

The concerns (graded codes) and the hours have writers of their own; every other reason
is an attribute's template (:attr:`~matcher.attributes.Attribute.reason`, e.g.
``offers {all}``) filled with the codes the counselor shares with the client, in the
client's order. A :class:`ReasonWriter` reads the intake once; a counselor is then
described by its bits in the snapshot's columns (:meth:`ReasonWriter.for_rows`), and each
kind of reason is written once per writer for the bits it depends on (masked by the
intake). Nothing is kept from one writer to the next (the caches of
:mod:`matcher.explain.hours_phrase` hold pure functions of their arguments).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import repeat
from operator import and_

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOT_WORDS
from matcher.engine.encoding import Columns
from matcher.engine.layout import GRADE_SHIFT
from matcher.explain.hours_phrase import (
    cached_slot_words,
    join_words,
    shared_hours_phrase,
    words_to_int,
    zone_shifts,
)
from matcher.explain.reason_terms import (
    GRADED,
    GRADED_TERMS,
    NEAR_TERMS,
    PRIORITY,
    SLOT_BYTES,
    TEMPLATED,
    TEMPLATES,
    TERMS,
    Memo,
    or_bits,
    ordinal,
    profile_bits,
)
from matcher.model import CounselorProfile, Intake
from matcher.preferences import client_value
from matcher.week import current_week

__all__ = ["ReasonWriter", "explain"]


class ReasonWriter:
    """Writes the reasons of many counselors for one intake (the intake is read once).

    Parameters
    ----------
    intake : the client's validated intake
    client_slot_words : uint64 array of shape (SLOT_WORDS,), optional
        The intake's UTC slot bits, when the caller already has them; otherwise they are
        computed from ``intake.availability``.
    week : datetime, optional
        The week start the slot bits are placed in (a ranking: its snapshot's week); None:
        the current week.
    near : whether the ranking scores near matches (related concerns): then a concern not
        treated but near one the counselor treats reads "treats panic attacks, related to anxiety"
    """

    def __init__(
        self,
        intake: Intake,
        client_slot_words: npt.NDArray[np.uint64] | None = None,
        week: datetime | None = None,
        near: bool = False,
    ) -> None:
        graded = GRADED.attribute
        # Concerns by priority, highest first (sorting is stable, even reversed: ties keep the order).
        items = sorted(client_value(graded, intake), key=PRIORITY, reverse=True)
        self._concerns = [GRADED_TERMS[getattr(c, graded.item_code)] for c in items]
        #: Each templated attribute's terms (bit, label), in the client's order.
        self._terms = [
            [terms[code] for code in client_value(p.attribute, intake)]  # type: ignore[index]
            for p, terms in zip(TEMPLATED, TERMS, strict=True)
        ]
        self._concern_mask = or_bits(self._concerns)
        #: Per client concern with related ones: its bit, its label, and (bit treated, label) of
        #: each related concern, nearest first.
        self._near = [
            (bit, label, NEAR_TERMS[code])
            for c in items
            for code in (getattr(c, graded.item_code),)
            for bit, label, _ in (GRADED_TERMS[code],)
            if near and NEAR_TERMS.get(code)
        ]
        near_mask = 0
        for _, _, related in self._near:
            near_mask |= or_bits(related)
        #: Masks of the counselor's bits that the reasons depend on.
        self._graded_mask = self._concern_mask | self._concern_mask << GRADE_SHIFT | near_mask
        self._masks = tuple(map(or_bits, self._terms))
        availability = intake.availability
        self._week = current_week() if week is None else week
        if client_slot_words is None and availability is not None and availability.windows:
            client_slot_words = cached_slot_words(availability, self._week)
        self._client_slots = 0 if client_slot_words is None else words_to_int(client_slot_words)
        self._total = self._client_slots.bit_count()
        self._client_words = client_slot_words if self._total else None  # None: the client gave no hours
        self._shifts = zone_shifts(availability.time_zone, self._week) if self._total and availability else ()
        # Results often share their concern coverage, offers or shared hours: each phrase is
        # written once per writer (one ranking), keyed by the bits it depends on.
        self._concern_phrases: Memo[int] = Memo(self._write_concerns)
        self._offer_phrases: Memo[tuple[int, ...]] = Memo(self._write_offers)
        self._hour_phrases: Memo[bytes] = Memo(self._write_hours)

    def _write_concerns(self, key: int) -> tuple[str, ...]:
        """Reasons for the client's concerns; ``key`` packs the counselor's as the snapshot does."""
        primary, treated = key & self._concern_mask, key >> GRADE_SHIFT & self._concern_mask
        near = {  # client concern not treated -> the nearest related one treated
            bit: next(other for other_bit, other in related if other_bit & key)
            for bit, _, related in self._near
            if not bit & treated and any(other_bit & key for other_bit, _ in related)
        }
        out = []
        if treated == primary:  # every treated concern is primary
            labels = [label for bit, label, _ in self._concerns if bit & treated]
            if len(labels) > 1:
                out.append(f"treats {join_words(labels)} ({'both' if len(labels) == 2 else 'all'} primary)")
            elif labels:
                out.append(f"treats {labels[0]} (primary)")
        elif treated:
            marked = [
                marked if bit & primary else label for bit, label, marked in self._concerns if bit & treated
            ]
            out.append(f"treats {join_words(marked)}")
        if not treated and self._concerns:  # only where too few treat any (a tiering preference)
            labels = [label for _, label, _ in self._concerns]
            out.append(
                f"treats none of your concerns ({join_words(labels, 'or')}): shown because too few "
                "counselors who treat them fit the rest of your needs"
            )
        elif treated != self._concern_mask:
            missing = [label for bit, label, _ in self._concerns if not bit & treated and bit not in near]
            if missing:
                out.append(f"no listed experience with {join_words(missing, 'or')}")
        for bit, label, _ in self._concerns:
            if bit in near:
                out.append(f"treats {near[bit]}, related to {label}")
        return tuple(out)

    def _write_offers(self, key: tuple[int, ...]) -> tuple[str, ...]:
        """Each template filled with the codes the counselor shares (``key``: their bits, per attribute)."""
        out = []
        for (before, placeholder, after), terms, held in zip(TEMPLATES, self._terms, key, strict=True):
            if not held:
                continue
            if placeholder == "first":  # the client's first code the counselor has, and its place
                place, label = next((j, label) for j, (bit, label) in enumerate(terms) if bit & held)
                filled = f"{label} (your {ordinal(place)} choice)" if place else label
            else:
                labels = [label for bit, label in terms if bit & held]
                filled = join_words(labels, "and" if placeholder == "all" else "or")
            out.append(before + filled + after)
        return tuple(out)

    def _write_hours(self, shared: bytes) -> tuple[str, ...]:
        return (shared_hours_phrase(self._total, int.from_bytes(shared, "little"), self._shifts),)

    def _reasons(self, rows: Iterable[tuple[int, tuple[int, ...], bytes]]) -> list[tuple[str, ...]]:
        """The reasons for each counselor of ``rows``.

        A row is ``(graded, held, shared)``: the counselor's graded word and each templated
        attribute's word as the snapshot's columns hold them (see :func:`profile_bits`), and
        the slots shared with the client as ``SLOT_WORDS`` little-endian words (ignored if
        the client gave no hours).
        """
        concern_phrases, offer_phrases = self._concern_phrases, self._offer_phrases
        hour_phrases = None if self._client_words is None else self._hour_phrases
        graded_mask, masks = self._graded_mask, self._masks
        out = []
        for graded, held, shared in rows:
            key = tuple(map(and_, held, masks))
            reasons = concern_phrases[graded & graded_mask] + offer_phrases[key]
            if hour_phrases is not None:
                reasons += hour_phrases[shared]
            out.append(reasons)
        return out

    def for_rows(self, columns: Columns, rows: npt.NDArray[np.int64]) -> list[tuple[str, ...]]:
        """Return the reasons of the counselors at ``rows`` (shape (m,)) of a snapshot's ``columns``.

        Everything is read from the columns in bulk; the profiles are not read.
        """
        shared: Iterable[bytes] = repeat(b"")
        if self._client_words is not None:  # each row's shared slots, (m, SLOT_WORDS) words as m bytes
            words = columns.slot_words.take(rows, axis=1) & self._client_words[:, np.newaxis]
            shared = np.ascontiguousarray(words.T, dtype="<u8").view(SLOT_BYTES).ravel().tolist()
        # an attribute the client named nothing of is not read: its reason is never written
        held = [
            columns.codes[p.word].take(rows).tolist() if mask else repeat(0)
            for p, mask in zip(TEMPLATED, self._masks, strict=True)
        ]
        graded = columns.codes[GRADED.word].take(rows).tolist()
        return self._reasons(zip(graded, zip(*held), shared))  # noqa: B905 (repeat() is endless)

    def explain(self, profile: CounselorProfile, counselor_slots: int | None = None) -> tuple[str, ...]:
        """Return the reasons to show the client for ``profile``.

        ``counselor_slots`` is the counselor's UTC slot bitset as an int (bit j = slot j),
        when the caller already has it; otherwise it is computed from the profile.
        """
        shared = b""
        if self._client_words is not None:
            if counselor_slots is None:
                counselor_slots = words_to_int(cached_slot_words(profile.availability, self._week))
            shared = (self._client_slots & counselor_slots).to_bytes(8 * SLOT_WORDS, "little")
        return self._reasons([(*profile_bits(profile), shared)])[0]


def explain(
    profile: CounselorProfile,
    intake: Intake,
    counselor_slot_words: npt.NDArray[np.uint64] | None = None,
    week: datetime | None = None,
) -> tuple[str, ...]:
    """Return the reasons to show the client for ``profile`` (see :class:`ReasonWriter`).

    Parameters
    ----------
    profile : the counselor
    intake : the client's validated intake
    counselor_slot_words : uint64 array of shape (SLOT_WORDS,), optional
        The counselor's UTC slot bits when the caller already has them.
    week : datetime, optional
        The week start the hours are placed in (see :mod:`matcher.week`); None: the current week.
    """
    slots = None if counselor_slot_words is None else words_to_int(counselor_slot_words)
    return ReasonWriter(intake, week=week).explain(profile, slots)
