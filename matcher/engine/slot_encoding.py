"""Encoding the weekly windows of many counselors as UTC slot words of the coming week, at once.

:func:`encode_slot_words` gives, for every counselor, the bits
:func:`matcher.availability.availability_bits` gives for one, with a few vectorized passes
over all windows: each window's next occurrence in the week (a local minute), the zone's
offset there and at its end (the ``fold=0`` rule of :mod:`matcher.week`; zones whose offset
changes within the week are the only ones looked at apart), then the runs of slots of all
windows set word by word. Windows shared between profiles (as the store's loader shares
them) are read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import chain, compress
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from matcher.availability import MINUTES_PER_DAY, SLOT_MINUTES, SLOT_WORDS, SLOTS_PER_WEEK, WeeklyWindow
from matcher.engine.distinct import distinct, rows_of
from matcher.week import MINUTES_PER_WEEK, ZoneWeek, zone_week

__all__ = ["encode_slot_words"]

_U64 = npt.NDArray[np.uint64]
_I64 = npt.NDArray[np.int64]
_ALL_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


def _offsets(local: _I64, zone_of: _I64, weeks: Sequence[ZoneWeek]) -> _I64:
    """The offset of each local minute ``local[i]`` in zone ``weeks[zone_of[i]]`` (the ``fold=0`` rule)."""
    base = np.array([zw.offsets[0] for zw in weeks], dtype=np.int64)
    out = base[zone_of]
    for z, zw in enumerate(weeks):
        if zw.steady:
            continue
        mine = zone_of == z
        for brk, offset in zip(zw.breaks, zw.offsets[1:], strict=True):
            out[mine & (local >= brk)] = offset
    return out


def _set_runs(out: _U64, rows: npt.NDArray[np.intp], first: _I64, length: _I64) -> None:
    """Set slots ``first[i] .. first[i] + length[i] - 1`` (wrapping around the week) of row ``rows[i]``."""
    keep = length > 0
    rows, first, end = rows[keep], first[keep], first[keep] + length[keep]
    # A run past the end of the week wraps to its start: split it in two.
    wraps = end > SLOTS_PER_WEEK
    rows = np.concatenate([rows, rows[wraps]])
    lo_all = np.concatenate([first, np.zeros(int(wraps.sum()), dtype=np.int64)])
    hi_all = np.concatenate([np.minimum(end, SLOTS_PER_WEEK), end[wraps] - SLOTS_PER_WEEK])
    for word in range(SLOT_WORDS):
        base = 64 * word
        lo = np.clip(lo_all, base, base + 64)
        width = np.clip(hi_all, base, base + 64) - lo
        sel = width > 0
        if not sel.any():
            continue
        width_u = width[sel].astype(np.uint64)
        ones = np.where(width_u >= 64, _ALL_ONES, (np.uint64(1) << width_u) - np.uint64(1))
        bits = ones << (lo[sel] - base).astype(np.uint64)
        np.bitwise_or.at(out[word], rows[sel], bits)


def encode_slot_words(
    per_profile: Sequence[tuple[WeeklyWindow, ...]], zones: Sequence[str], week: datetime
) -> _U64:
    """Encode weekly availabilities (windows and time zone of each) as UTC slot bits of ``week``.

    Parameters
    ----------
    per_profile : each counselor's windows
    zones : each counselor's IANA zone (read only for counselors with windows, which must be valid)
    week : the week start (:func:`matcher.week.week_of`)

    Returns
    -------
    numpy.ndarray of uint64, shape (SLOT_WORDS, len(per_profile))
    """
    n = len(per_profile)
    out = np.zeros((SLOT_WORDS, n), dtype=np.uint64)
    rows = rows_of(per_profile)
    if rows.size == 0:
        return out
    # Only the zones of counselors with windows matter (and must be valid).
    names = sorted(set(compress(zones, per_profile)))
    weeks = [zone_week(name, week) for name in names]
    number = {name: z for z, name in enumerate(names)}
    zone_rows = np.fromiter(map(number.get, zones, [0] * n), dtype=np.int64, count=n)
    windows, inverse = distinct(list(chain.from_iterable(per_profile)))
    fields = np.fromiter(
        chain.from_iterable(map(attrgetter("day", "start_minute", "end_minute"), windows)),
        dtype=np.int64,
        count=3 * len(windows),
    ).reshape(-1, 3)[inverse]
    day, start_minute, end_minute = fields[:, 0], fields[:, 1], fields[:, 2]
    zone_of = zone_rows[rows]
    local_start = np.array([zw.local_start for zw in weeks], dtype=np.int64)[zone_of]
    # The next occurrence of each window in the week (a local minute), and where it ends.
    local = local_start + (day * MINUTES_PER_DAY + start_minute - local_start) % MINUTES_PER_WEEK
    local_end = local + end_minute - start_minute
    first = local - _offsets(local, zone_of, weeks)
    end = local_end - _offsets(local_end, zone_of, weeks)
    length = np.clip((end - first) // SLOT_MINUTES, 0, SLOTS_PER_WEEK)
    _set_runs(out, rows, (first % MINUTES_PER_WEEK) // SLOT_MINUTES, length)
    return out
