"""The bit index of a snapshot: one bitmap over the counselors per bit the filters and pruning read.

Bitmap ``r`` has bit ``i % 64`` of word ``i // 64`` set when counselor ``i`` has the bit
that :mod:`matcher.engine.layout` places at index row ``r``: a flag, a code of an
attribute that filters or prunes (a graded code's primary and treated bits apart), "some
code on file" for an attribute that counts missing values apart, or a weekly UTC slot.

With it the ranking scan (:mod:`matcher.engine.scan`) decides the hard filters of 64
counselors with a few word operations (an OR over the bitmaps of the codes the client
gave), instead of reading every counselor's columns. The index is ``INDEX_ROWS`` x 64 bits
(:data:`~matcher.engine.layout.INDEX_ROWS` / 8 bytes) per counselor.

A change to one counselor edits the index in place of a rebuild: :func:`replaced`
rewrites one bit of every bitmap; :func:`inserted` and :func:`deleted` shift the bits
after the row by one (a pass over the index, no decoding).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.availability import SLOT_WORDS
from matcher.engine.encoding import Columns
from matcher.engine.kernel_steps import jit, popcount
from matcher.engine.layout import INDEX_ROWS, LAYOUT, SLOT_ROW

__all__ = ["INDEX_ROWS", "build_index", "deleted", "inserted", "replaced", "with_slot_rows", "words_for"]

_U64 = npt.NDArray[np.uint64]
_I64 = npt.NDArray[np.int64]

#: What :func:`_build` slices into the index, one row per source: (kind, source row, words, index row).
_FLAGS, _CODES, _SLOTS, _ON_FILE = range(4)


def _plan() -> _I64:
    steps = (
        [(_FLAGS, 0, 0, min(p.index_row for p in LAYOUT.values() if p.flag))]
        if any(p.flag for p in LAYOUT.values())
        else []
    )
    for p in LAYOUT.values():
        if p.words and p.index_row >= 0:
            steps += [(_CODES, p.word + w, 0, p.index_row + 64 * w) for w in range(p.words)]
        if p.on_file_row >= 0:
            steps.append((_ON_FILE, p.word, p.words, p.on_file_row))
    steps += [(_SLOTS, w, 0, SLOT_ROW + 64 * w) for w in range(SLOT_WORDS)]
    return np.array(steps, dtype=np.int64).reshape(-1, 4)


_PLAN = _plan()
#: The steps of the weekly slots alone (their bitmaps are the last rows of the index).
_SLOT_PLAN = np.ascontiguousarray(_PLAN[_PLAN[:, 0] == _SLOTS])

_ONE = np.uint64(1)
_ZERO = np.uint64(0)


def words_for(n: int) -> int:
    """Number of uint64 words of a bitmap over ``n`` counselors."""
    return (n + 63) // 64


@jit()
def _slice_into(values: npt.NDArray[np.generic], offset: int, out: _U64) -> None:
    """Set bit ``i`` of bitmap ``offset + b`` of ``out`` (rows, W) for each bit ``b`` of ``values[i]``.

    ``values`` has shape (n,).
    """
    for i in range(values.shape[0]):
        v = np.uint64(values[i])
        w = i >> 6
        bit = _ONE << np.uint64(i & 63)
        while v != _ZERO:
            low = v & (~v + _ONE)  # the lowest set bit
            out[offset + popcount(low - _ONE), w] |= bit
            v ^= low


@jit()
def _build(cols: Columns, plan: _I64) -> _U64:
    n = cols.flags.shape[0]
    out = np.zeros((INDEX_ROWS, (n + 63) // 64), dtype=np.uint64)
    for step in range(plan.shape[0]):
        kind, source, words, row = plan[step, 0], plan[step, 1], plan[step, 2], plan[step, 3]
        if kind == _FLAGS:
            _slice_into(cols.flags, row, out)
        elif kind == _CODES:
            _slice_into(cols.codes[source], row, out)
        elif kind == _SLOTS:
            _slice_into(cols.slot_words[source], row, out)
        else:  # some code on file: any of the attribute's words is not 0
            for i in range(n):
                for w in range(source, source + words):
                    if cols.codes[w, i] != _ZERO:
                        out[row, i >> 6] |= _ONE << np.uint64(i & 63)
                        break
    return out


def build_index(cols: Columns) -> _U64:
    """The bit index of ``cols`` (n counselors): uint64 (INDEX_ROWS, ceil(n / 64)), read-only.

    Bits past row ``n - 1`` of the last word are 0.
    """
    index = _build(cols, _PLAN)
    index.flags.writeable = False
    return index


def with_slot_rows(index: _U64, cols: Columns) -> _U64:
    """``index`` with its weekly-slot bitmaps rebuilt from ``cols.slot_words`` (the other rows kept).

    For slot words derived again for another week (same counselors, same rows); a new array.
    """
    slots = _build(cols, _SLOT_PLAN)
    out = index.copy()
    out[SLOT_ROW:] = slots[SLOT_ROW:]
    return _read_only(out)


def _row_bits(row: Columns) -> _U64:
    """The bits of one encoded counselor (``row`` has n = 1), one per bitmap: uint64 (INDEX_ROWS,), 0 or 1."""
    return np.ascontiguousarray(_build(row, _PLAN)[:, 0])


@jit()
def _replace(index: _U64, pos: int, bits: _U64) -> _U64:
    out = index.copy()
    w = pos >> 6
    shift = np.uint64(pos & 63)
    keep = ~(_ONE << shift)
    for r in range(index.shape[0]):
        out[r, w] = (index[r, w] & keep) | (bits[r] << shift)
    return out


@jit()
def _insert(index: _U64, pos: int, bits: _U64, words: int) -> _U64:
    rows, old_words = index.shape
    out = np.empty((rows, words), dtype=np.uint64)
    wp = pos >> 6
    shift = np.uint64(pos & 63)
    low_mask = (_ONE << shift) - _ONE
    for r in range(rows):
        out[r, :wp] = index[r, :wp]
        carry = _ZERO
        for w in range(wp, words):
            word = index[r, w] if w < old_words else _ZERO
            if w == wp:
                low = word & low_mask
                high = word ^ low
                out[r, w] = low | (high << _ONE) | (bits[r] << shift)
            else:
                out[r, w] = (word << _ONE) | carry
            carry = word >> np.uint64(63)
    return out


@jit()
def _delete(index: _U64, pos: int, words: int) -> _U64:
    rows, old_words = index.shape
    out = np.empty((rows, words), dtype=np.uint64)
    wp = pos >> 6
    shift = pos & 63
    low_mask = (_ONE << np.uint64(shift)) - _ONE
    for r in range(rows):
        out[r, :wp] = index[r, :wp]
        for w in range(wp, words):
            word = index[r, w]
            following = index[r, w + 1] if w + 1 < old_words else _ZERO
            if w == wp:
                # the bits above ``pos`` move down one place; bit 63 comes from the next word
                high = _ZERO if shift == 63 else (word >> np.uint64(shift + 1)) << np.uint64(shift)
                out[r, w] = (word & low_mask) | high | (following << np.uint64(63))
            else:
                out[r, w] = (word >> _ONE) | (following << np.uint64(63))
    return out


def _read_only(index: _U64) -> _U64:
    index.flags.writeable = False
    return index


def replaced(index: _U64, pos: int, row: Columns) -> _U64:
    """``index`` with counselor ``pos``'s bits set from ``row`` (one encoded counselor); a new array."""
    return _read_only(_replace(index, pos, _row_bits(row)))


def inserted(index: _U64, n: int, pos: int, row: Columns) -> _U64:
    """The index of ``n + 1`` counselors: ``index`` (of ``n``) with ``row`` inserted at ``pos``."""
    return _read_only(_insert(index, pos, _row_bits(row), words_for(n + 1)))


def deleted(index: _U64, n: int, pos: int) -> _U64:
    """The index of ``n - 1`` counselors: ``index`` (of ``n``) without counselor ``pos``."""
    return _read_only(_delete(index, pos, words_for(n - 1)))
