"""The catalog use case: counselor writes go to the store, then into the in-memory snapshot.

The ranking hot path reads :attr:`Catalog.snapshot`, an immutable columnar
snapshot swapped atomically (one reference assignment) after every write. A write
of this process patches the snapshot for the one counselor it changed; a change
made elsewhere (another process, a migration) is noticed by :meth:`refresh`, which
compares the store's catalog version with the snapshot's and patches in the
counselors the change log names, or rebuilds when it cannot.

Weekly hours are compared in the coming week (:mod:`matcher.week`), read from an
injectable clock. On the same poll :meth:`Catalog.keep_week` moves the snapshot to the
coming week whenever the clock enters a new hour: only its week changes when every zone
of the catalog keeps one offset over both weeks, otherwise the slot words and the slot
rows of the bit index are derived again (around a daylight-saving change).
"""

from __future__ import annotations

import gc
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from matcher.engine.encoding import gc_paused
from matcher.engine.snapshot import CatalogSnapshot
from matcher.errors import FieldViolation, InvalidInput
from matcher.model import CounselorProfile, validate_counselor
from matcher.week import Clock, current_week
from service.storage.counselors import CounselorRecord, CounselorRepository

__all__ = ["PATCH_LIMIT", "Catalog", "load_snapshot", "new_counselor_id"]

#: Most counselors changed elsewhere that :meth:`Catalog.refresh` patches in one by one; beyond,
#: loading everything again is cheaper (a patch copies the changed columns: ~1 ms at 100k).
PATCH_LIMIT = 200

log = logging.getLogger(__name__)
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_counselor_id() -> str:
    """A fresh opaque counselor id."""
    return "c-" + secrets.token_hex(6)


def _check_id(counselor_id: str, field: str) -> None:
    if not _ID_PATTERN.match(counselor_id):
        raise InvalidInput([FieldViolation(field, "letters, digits, '-' and '_' only, 1 to 64 characters")])


def load_snapshot(repository: CounselorRepository, week: datetime | None = None) -> CatalogSnapshot:
    """Every counselor of ``repository`` in a new snapshot: the full rebuild a server does.

    Weekly hours are placed in the week starting at ``week`` (None: the current week). The
    collector is paused while the catalog loads (~40% faster), then the long-lived
    profiles are frozen out of its reach (halves the cost of building results at 100k).
    """
    with gc_paused():
        profiles, version = repository.load_all()
        snapshot = CatalogSnapshot.build(profiles, version, week)
    gc.freeze()
    return snapshot


class Catalog:
    """Counselor CRUD that keeps the ranking snapshot in step with the store and the calendar.

    ``clock`` returns the current time (aware); the snapshot's week starts at its hour.
    """

    def __init__(self, repository: CounselorRepository, clock: Clock | None = None) -> None:
        self._repository = repository
        self._clock = clock
        self._write_lock = threading.Lock()
        self._snapshot = load_snapshot(repository, current_week(clock))

    @property
    def snapshot(self) -> CatalogSnapshot:
        """The current snapshot (immutable; safe to use without locks)."""
        return self._snapshot

    @property
    def repository(self) -> CounselorRepository:
        """The store behind the catalog."""
        return self._repository

    def keep_week(self) -> bool:
        """Move the snapshot to the coming week; return whether its slot words were derived again.

        One clock read while the hour is the snapshot's. In a new hour, a pass over the profiles
        for their zones and a cached lookup of each zone's offsets (a few ms at 100k), and,
        if some zone's offset changes in either week, the slot words derived again
        (:meth:`CatalogSnapshot.at_week`).
        """
        week = current_week(self._clock)
        if week == self._snapshot.week:
            return False
        with self._write_lock:
            current = self._snapshot
            started = time.perf_counter()
            self._snapshot = moved = current.at_week(week)
        derived = moved.columns is not current.columns
        if derived:
            log.info(
                "catalog slot words derived again for the week of " + week.isoformat(),
                extra={"counselors": len(moved), "ms": round(1000 * (time.perf_counter() - started), 1)},
            )
        return derived

    def refresh(self) -> bool:
        """Catch up with writes made behind our back (another process); return whether anything changed.

        The snapshot is first kept in the coming week (:meth:`keep_week`); that alone does not
        count as a change.
        """
        self.keep_week()
        if self._repository.catalog_version() == self._snapshot.version:
            return False
        with self._write_lock:
            current = self._snapshot
            snapshot, how = self._caught_up(current)
            if snapshot.version == current.version:
                return False
            self._snapshot = snapshot
        log.info("catalog snapshot " + how, extra={"counselors": len(snapshot), "version": snapshot.version})
        return True

    def _caught_up(self, current: CatalogSnapshot) -> tuple[CatalogSnapshot, str]:
        """``current`` brought up to the store's version, and how (for the log).

        The counselors written since ``current.version`` are patched in
        (:meth:`CounselorRepository.changes_since`); the whole catalog is loaded again only
        when the change log cannot say what changed (a bulk import) or more than
        :data:`PATCH_LIMIT` counselors did.
        """
        changes = self._repository.changes_since(current.version, PATCH_LIMIT)
        if changes is None:
            return load_snapshot(self._repository, current.week), "rebuilt"
        patched = current.with_changes(changes.upserted, changes.deleted, changes.version)
        return patched, f"patched ({len(changes.upserted)} upserted, {len(changes.deleted)} deleted)"

    def _apply(
        self,
        write: Callable[[], CounselorRecord | None],
        patch: Callable[[CatalogSnapshot, int], CatalogSnapshot],
    ) -> CounselorRecord | None:
        with self._write_lock:
            before = self._snapshot.version
            record = write()
            version = self._repository.catalog_version()
            if version == before + 1:
                self._snapshot = patch(self._snapshot, version)
            else:  # someone else wrote in between: catch up with theirs and ours
                self._snapshot = self._caught_up(self._snapshot)[0]
            return record

    def create(self, profile: CounselorProfile, counselor_id: str = "") -> CounselorRecord:
        """Validate and store a new counselor (``counselor_id`` or a fresh id)."""
        if counselor_id:
            _check_id(counselor_id, "counselor_id")
        stored = CounselorProfile(**{**profile.__dict__, "id": counselor_id or new_counselor_id()})
        validate_counselor(stored)
        record = self._apply(
            lambda: self._repository.create(stored), lambda snap, v: snap.with_upsert(stored, v)
        )
        assert record is not None
        return record

    def create_many(self, profiles: Sequence[CounselorProfile]) -> list[CounselorRecord]:
        """Store all of ``profiles`` or none of them (ids assigned where empty)."""
        stored = [CounselorProfile(**{**p.__dict__, "id": p.id or new_counselor_id()}) for p in profiles]
        violations: list[FieldViolation] = []
        for i, p in enumerate(stored):
            try:
                _check_id(p.id, "counselor_id")
                validate_counselor(p)
            except InvalidInput as error:
                violations.extend(error.prefixed(f"requests[{i}]").violations)
        if violations:
            raise InvalidInput(violations)
        with self._write_lock:
            records = self._repository.create_many(stored)
            self._snapshot = load_snapshot(self._repository, self._snapshot.week)
        return records

    def get(self, counselor_id: str) -> CounselorRecord:
        """One counselor; NotFound if absent."""
        return self._repository.get(counselor_id)

    def replace(self, profile: CounselorProfile) -> CounselorRecord:
        """Validate and store the new version of an existing counselor."""
        validate_counselor(profile)
        record = self._apply(
            lambda: self._repository.replace(profile), lambda snap, v: snap.with_upsert(profile, v)
        )
        assert record is not None
        return record

    def delete(self, counselor_id: str) -> None:
        """Remove a counselor; NotFound if absent."""

        def write() -> None:
            self._repository.delete(counselor_id)

        self._apply(write, lambda snap, v: snap.with_delete(counselor_id, v))
