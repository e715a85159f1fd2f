"""The bit index of a snapshot: one bitmap over the counselors per bit of the columns filters read.

Bitmap ``b`` has bit ``i % 64`` of word ``i // 64`` set when bit ``b - offset`` of
counselor ``i``'s column is set, for the column whose rows start at ``offset``:

=====================  ========================  =====================================
index rows             column                    a bitmap per
=====================  ========================  =====================================
``FLAG_ROWS`` + 0..7   ``flags``                 flag (active, has room)
``FORMAT_ROWS`` + ..   ``formats``               session format
``SESSION_TYPE_ROWS``  ``session_types``         session type
``CONCERN_ROWS``       ``concerns``              concern treated as primary (0-31),
                                                 concern treated at all (32-63)
``LANGUAGE_ROWS``      ``languages``             language
``SLOT_ROWS``          ``slot_words``            weekly UTC slot (``SLOT_WORDS`` x 64)
=====================  ========================  =====================================

With it the ranking kernel (:mod:`matcher.engine.kernel`) decides the hard filters of 64
counselors with a few word operations (an OR over the bitmaps of the client's
languages, formats and slots), instead of reading every counselor's columns: about
3 bytes read per counselor for a typical intake instead of about 40. The index is
``INDEX_ROWS`` x 64 bits = 67 bytes per counselor.

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

__all__ = [
    "CONCERN_ROWS",
    "FLAG_ROWS",
    "FORMAT_ROWS",
    "INDEX_ROWS",
    "LANGUAGE_ROWS",
    "SESSION_TYPE_ROWS",
    "SLOT_ROWS",
    "build_index",
    "deleted",
    "inserted",
    "replaced",
    "words_for",
]

_U64 = npt.NDArray[np.uint64]

#: First index row of each column's bitmaps (uint8 columns have 8, uint64 columns 64 per word).
FLAG_ROWS = 0
FORMAT_ROWS = 8
SESSION_TYPE_ROWS = 16
CONCERN_ROWS = 24
LANGUAGE_ROWS = 88
SLOT_ROWS = 152
#: Number of bitmaps in the index.
INDEX_ROWS = SLOT_ROWS + 64 * SLOT_WORDS

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
def _build(cols: Columns) -> _U64:
    out = np.zeros((INDEX_ROWS, (cols.flags.shape[0] + 63) // 64), dtype=np.uint64)
    _slice_into(cols.flags, FLAG_ROWS, out)
    _slice_into(cols.formats, FORMAT_ROWS, out)
    _slice_into(cols.session_types, SESSION_TYPE_ROWS, out)
    _slice_into(cols.concerns, CONCERN_ROWS, out)
    _slice_into(cols.languages, LANGUAGE_ROWS, out)
    for word in range(SLOT_WORDS):
        _slice_into(cols.slot_words[word], SLOT_ROWS + 64 * word, out)
    return out


def build_index(cols: Columns) -> _U64:
    """The bit index of ``cols`` (n counselors): uint64 (INDEX_ROWS, ceil(n / 64)), read-only.

    Bits past row ``n - 1`` of the last word are 0.
    """
    index = _build(cols)
    index.flags.writeable = False
    return index


def _row_bits(row: Columns) -> _U64:
    """The bits of one encoded counselor (``row`` has n = 1), one per bitmap: uint64 (INDEX_ROWS,), 0 or 1."""
    return np.ascontiguousarray(_build(row)[:, 0])


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
