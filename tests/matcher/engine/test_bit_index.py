"""The bit index against bitmaps packed by numpy, and its edits against a rebuild."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.attributes import Storage
from matcher.availability import SLOT_WORDS, SLOTS_PER_WEEK
from matcher.engine import bit_index
from matcher.engine.encoding import Columns, encode_profiles
from matcher.engine.layout import GRADE_SHIFT, LAYOUT, SLOT_ROW
from matcher.synthetic import synthetic_counselors

_POOL = encode_profiles(synthetic_counselors(400, seed=3))


def _packed(cols: Columns) -> npt.NDArray[np.uint64]:
    """The index built the slow way: one ``np.packbits`` per bit of every column."""
    n = cols.flags.shape[0]
    words = bit_index.words_for(n)
    out = np.zeros((bit_index.INDEX_ROWS, words), dtype=np.uint64)

    def put(values: npt.NDArray[np.generic], offset: int, bits: int) -> None:
        for b in range(bits):
            column = ((values.astype(np.uint64) >> np.uint64(b)) & np.uint64(1)).astype(np.uint8)
            padded = np.concatenate([column, np.zeros(words * 64 - n, dtype=np.uint8)])
            out[offset + b] = np.packbits(padded, bitorder="little").view(np.uint64)

    for p in LAYOUT.values():
        if p.flag:
            put(cols.flags >> np.uint8(p.flag.bit_length() - 1), p.index_row, 1)
        if p.words and p.index_row >= 0:
            span = (
                max(p.positions.values())
                + 1
                + (GRADE_SHIFT if p.attribute.storage == Storage.GRADED_CODES else 0)
            )
            for w in range(p.words):
                put(cols.codes[p.word + w], p.index_row + 64 * w, min(64, span - 64 * w))
        if p.on_file_row >= 0:
            put((cols.codes[p.word : p.word + p.words] != 0).any(axis=0), p.on_file_row, 1)
    for w in range(SLOT_WORDS):
        put(cols.slot_words[w], SLOT_ROW + 64 * w, min(64, SLOTS_PER_WEEK - 64 * w))
    return out


def _rows(start: int, stop: int) -> Columns:
    return Columns._make(a[..., start:stop] for a in _POOL.arrays())


def _joined(*parts: Columns) -> Columns:
    return Columns._make(np.concatenate(arrays, axis=-1) for arrays in zip(*parts, strict=True))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 300), data=st.data())
def test_build_insert_delete_and_replace_equal_numpy_packing(n: int, data: st.DataObject) -> None:
    cols = _rows(0, n)
    index = bit_index.build_index(cols)
    assert index.shape == (bit_index.INDEX_ROWS, bit_index.words_for(n)) and not index.flags.writeable
    assert np.array_equal(index, _packed(cols))
    new = _rows(350, 351)  # a counselor from further in the pool
    at = data.draw(st.integers(0, n), label="insert at")
    grown = _joined(_rows(0, at), new, _rows(at, n))
    assert np.array_equal(bit_index.inserted(index, n, at, new), _packed(grown))
    if n:
        pos = data.draw(st.integers(0, n - 1), label="delete or replace at")
        shrunk = _joined(_rows(0, pos), _rows(pos + 1, n))
        assert np.array_equal(bit_index.deleted(index, n, pos), _packed(shrunk))
        swapped = _joined(_rows(0, pos), new, _rows(pos + 1, n))
        assert np.array_equal(bit_index.replaced(index, pos, new), _packed(swapped))
