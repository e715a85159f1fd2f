"""An immutable, columnar, in-memory snapshot of the counselor catalog.

The ranking reads only numpy arrays; the original profiles are kept beside them
for the few results that need reasons. Rows are kept sorted by counselor id, so
the row index *is* the deterministic tie-break rank (no separate rank column):
among equal scores the lower row (the smaller id) wins, and the rows of any mask
come out in id order.

The columns (flags, each attribute's code words, weekly UTC slots; 97 bytes per
counselor with today's attributes) are encoded by :mod:`matcher.engine.encoding`,
attribute by attribute as :mod:`matcher.engine.layout` places them. Beside them the
snapshot keeps their bit index (:mod:`matcher.engine.bit_index`, 62 bytes per
counselor): a bitmap over the counselors per flag, filtering code, graded code and
weekly slot, from which the ranking kernel (:mod:`matcher.engine.kernel`) decides the
hard filters of 64 counselors at a time, reading the columns only for the candidates it
scores.

Availability is stored word-major (each of the ``SLOT_WORDS`` words of every
counselor contiguous), so that the kernel reads only the words in which the client
has slots, each as one sequential stream;
:attr:`CatalogSnapshot.availability` is the ``(n, SLOT_WORDS)`` view of it.

A change to one counselor (:meth:`CatalogSnapshot.with_upsert`,
:meth:`CatalogSnapshot.with_delete`) encodes only that counselor and copies the
arrays (a memory copy, no re-encoding); arrays the change leaves equal are shared
between the two snapshots. The index is edited, not rebuilt: one bit per bitmap
rewritten, or the bits after the row shifted by one. Every array is read-only.

Weekly hours are placed in the snapshot's :attr:`CatalogSnapshot.week` (the start of the
coming week, :mod:`matcher.week`); a ranking places the client's hours in the same week.
:meth:`CatalogSnapshot.at_week` moves a snapshot to a later week: the same arrays when
every zone of the catalog keeps one and the same offset over both weeks, else the slot
words and the slot rows of the index derived again.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice, pairwise
from operator import attrgetter, lt
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.engine.bit_index import build_index, deleted, inserted, replaced, with_slot_rows
from matcher.engine.chunked import Chunked
from matcher.engine.encoding import Columns, encode_profiles, encode_slots, gc_paused, split_grades
from matcher.engine.layout import LAYOUT
from matcher.errors import NotFound
from matcher.model import CounselorProfile
from matcher.week import current_week, zone_week

__all__ = ["ENCODE_BATCH", "CatalogSnapshot"]

_U64 = npt.NDArray[np.uint64]
_U8 = npt.NDArray[np.uint8]
#: Profiles encoded at a time by :meth:`CatalogSnapshot.build` (a batch stays in the CPU caches).
ENCODE_BATCH = 4096


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True, eq=False, repr=False)
class CatalogSnapshot:
    """An immutable columnar view of the catalog at one version.

    Build with :meth:`build`; derive the next version with :meth:`with_upsert` or
    :meth:`with_delete`, the next week with :meth:`at_week`. ``ids`` and ``profiles`` are
    sorted by id and aligned with the numeric columns (row ``i`` of every column describes
    ``profiles[i]``); they are :class:`~matcher.engine.chunked.Chunked` sequences, so a
    change copies one chunk of them rather than all of them.
    """

    version: int
    ids: Chunked[str]
    profiles: Chunked[CounselorProfile]
    columns: Columns
    index: _U64  # the bit index of ``columns`` (matcher.engine.bit_index), uint64 (INDEX_ROWS, ceil(n / 64))
    week: datetime  # the week start the slot words are placed in (matcher.week)

    # ------------------------------------------------------------------ construction

    @classmethod
    def build(
        cls, profiles: Sequence[CounselorProfile], version: int, week: datetime | None = None
    ) -> CatalogSnapshot:
        """Encode ``profiles`` (any order, unique ids) into a snapshot at ``version``.

        Weekly hours are placed in the week starting at ``week`` (None: the current week).
        Profiles are encoded :data:`ENCODE_BATCH` at a time, so that the encoder's
        several passes over a batch find its objects in the CPU caches. Profiles already
        in id order (as the store returns them) are not sorted again.

        Raises
        ------
        ValueError
            If two profiles share an id or a profile uses a code outside the vocabulary.
        """
        week = current_week() if week is None else week
        with gc_paused():
            ordered = tuple(profiles)
            ids = tuple(map(attrgetter("id"), ordered))
            if not all(map(lt, ids, islice(ids, 1, None))):  # not already strictly in id order
                ordered = tuple(sorted(ordered, key=attrgetter("id")))
                ids = tuple(map(attrgetter("id"), ordered))
                for a, b in pairwise(ids):
                    if a == b:
                        raise ValueError(f"counselor id {a!r} appears twice")
            parts = [
                encode_profiles(ordered[i : i + ENCODE_BATCH], week)
                for i in range(0, len(ordered), ENCODE_BATCH)
            ]
            columns = (Columns.concatenate(parts) if parts else encode_profiles([], week)).read_only()
            return cls(version, Chunked(ids), Chunked(ordered), columns, build_index(columns), week)

    def with_upsert(self, profile: CounselorProfile, version: int) -> CatalogSnapshot:
        """Return a snapshot at ``version`` where ``profile`` is added or replaces its id.

        Only ``profile`` is encoded. Replacing copies only the arrays whose value
        for that counselor changes (a capacity change copies the flags column);
        adding copies every array with the new row inserted.
        """
        row = encode_profiles([profile], self.week)
        pos = self.ids.bisect_left(profile.id)
        if pos < len(self.ids) and self.ids[pos] == profile.id:
            columns = Columns._make(
                _replaced(old, new, pos) for old, new in zip(self.columns.arrays(), row.arrays(), strict=True)
            )
            unchanged = all(map(operator.is_, columns, self.columns))
            index = self.index if unchanged else replaced(self.index, pos, row)
            return CatalogSnapshot(
                version, self.ids, self.profiles.replace(pos, profile), columns.read_only(), index, self.week
            )
        columns = Columns._make(
            _inserted(old, new, pos) for old, new in zip(self.columns.arrays(), row.arrays(), strict=True)
        )
        return CatalogSnapshot(
            version,
            self.ids.insert(pos, profile.id),
            self.profiles.insert(pos, profile),
            columns.read_only(),
            inserted(self.index, len(self), pos, row),
            self.week,
        )

    def with_delete(self, counselor_id: str, version: int) -> CatalogSnapshot:
        """Return a snapshot at ``version`` without ``counselor_id``.

        Raises
        ------
        NotFound
            If the snapshot has no counselor with that id.
        """
        pos = self._row(counselor_id)
        columns = Columns._make(np.delete(old, pos, axis=old.ndim - 1) for old in self.columns.arrays())
        return CatalogSnapshot(
            version,
            self.ids.delete(pos),
            self.profiles.delete(pos),
            columns.read_only(),
            deleted(self.index, len(self), pos),
            self.week,
        )

    def with_changes(
        self, upserted: Sequence[CounselorProfile], deleted: Sequence[str], version: int
    ) -> CatalogSnapshot:
        """Return a snapshot at ``version`` with ``upserted`` added or replaced and ``deleted`` removed.

        What another process changed, applied one counselor at a time
        (:meth:`with_upsert`, :meth:`with_delete`); ids in ``deleted`` that this snapshot
        does not hold are skipped (created and deleted again since it was made).
        """
        snapshot = self
        for profile in upserted:
            snapshot = snapshot.with_upsert(profile, version)
        for counselor_id in deleted:
            if counselor_id in snapshot:
                snapshot = snapshot.with_delete(counselor_id, version)
        return snapshot if snapshot.version == version else replace(snapshot, version=version)

    def zones(self) -> frozenset[str]:
        """The time zones of the counselors who gave weekly hours (a pass over the profiles)."""
        return frozenset(p.availability.time_zone for p in self.profiles if p.availability.windows)

    def keeps_offsets(self, week: datetime) -> bool:
        """Every zone of :meth:`zones` has one and the same offset over this snapshot's week and ``week``
        (then the slot words of either week are equal; an offset that changes in either is not kept)."""
        return all(zone_week(z, self.week).same_offsets(zone_week(z, week)) for z in self.zones())

    def at_week(self, week: datetime) -> CatalogSnapshot:
        """This snapshot with its weekly hours placed in the week starting at ``week``.

        The same arrays, only the week changed, when :meth:`keeps_offsets`; otherwise the slot
        words of every counselor derived again and the index's slot rows rebuilt from them
        (the other columns and rows shared). The version is kept.
        """
        if week == self.week:
            return self
        if self.keeps_offsets(week):
            return replace(self, week=week)
        with gc_paused():
            slots = encode_slots(self.profiles, week)
        columns = self.columns._replace(slot_words=slots).read_only()
        return replace(self, columns=columns, index=with_slot_rows(self.index, columns), week=week)

    # ------------------------------------------------------------------ lookups

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def size(self) -> int:
        """Number of counselors."""
        return len(self.ids)

    def __contains__(self, counselor_id: object) -> bool:
        return isinstance(counselor_id, str) and self.row_of(counselor_id) is not None

    def __repr__(self) -> str:
        return f"CatalogSnapshot(version={self.version}, size={self.size}, week={self.week.isoformat()})"

    def row_of(self, counselor_id: str) -> int | None:
        """Return the row of ``counselor_id``, or None if it is not in the snapshot."""
        pos = self.ids.bisect_left(counselor_id)
        if pos < len(self.ids) and self.ids[pos] == counselor_id:
            return pos
        return None

    def profile(self, counselor_id: str) -> CounselorProfile:
        """Return the profile of ``counselor_id``.

        Raises
        ------
        NotFound
            If the snapshot has no counselor with that id.
        """
        return self.profiles[self._row(counselor_id)]

    def _row(self, counselor_id: str) -> int:
        """The row of ``counselor_id``; :class:`NotFound` if the snapshot has none."""
        pos = self.row_of(counselor_id)
        if pos is None:
            raise NotFound("counselor", counselor_id)
        return pos

    # ------------------------------------------------------------------ columns

    @property
    def nbytes(self) -> int:
        """Bytes of the numeric columns and the bit index."""
        return self.columns.nbytes + int(self.index.nbytes)

    def flag(self, name: str) -> npt.NDArray[np.bool_]:
        """bool (n,): flag attribute ``name`` is set (``active``, ``capacity``), a new array."""
        return np.asarray((self.columns.flags & LAYOUT[name].flag) != 0, dtype=np.bool_)

    def codes(self, name: str) -> _U64:
        """uint64 (n,): the codes of attribute ``name`` that lie in its first word (a view).

        Code ``i`` of the attribute's vocabulary is bit ``i``; see :mod:`matcher.engine.layout`.
        """
        words: _U64 = self.columns.codes[LAYOUT[name].word]
        return words

    def grades(self, name: str) -> tuple[_U64, _U64]:
        """uint64 (n,) each: the codes of graded attribute ``name`` held as primary, and as secondary only."""
        return split_grades(self.codes(name))

    @property
    def slot_words(self) -> _U64:
        """uint64 (SLOT_WORDS, n): weekly UTC availability, word-major."""
        return self.columns.slot_words

    @property
    def availability(self) -> _U64:
        """uint64 (n, SLOT_WORDS): weekly UTC availability per counselor (a view)."""
        return self.columns.slot_words.T


def _replaced(old: npt.NDArray[Any], new: npt.NDArray[Any], pos: int) -> npt.NDArray[Any]:
    """Return ``old`` with element (or column) ``pos`` set to ``new``; ``old`` itself if already equal.

    ``old`` has shape (n,) or (W, n); ``new`` has shape (1,) or (W, 1).
    """
    if np.array_equal(old[..., pos], new[..., 0]):
        return old
    out = old.copy()
    out[..., pos] = new[..., 0]
    return out


def _inserted(old: npt.NDArray[Any], new: npt.NDArray[Any], pos: int) -> npt.NDArray[Any]:
    """Return ``old`` (shape (n,) or (W, n)) with ``new`` (shape (1,) or (W, 1)) inserted at ``pos``."""
    return np.concatenate([old[..., :pos], new, old[..., pos:]], axis=old.ndim - 1)
