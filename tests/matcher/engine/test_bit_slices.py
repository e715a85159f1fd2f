"""Bit-sliced counters against plain per-counselor counts (numpy)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.engine.bit_slices import MAX_PLANES, add_rows, at_least, planes_for

_WORDS = 3


def _bits(index: np.ndarray, rows: list[int], m: int) -> np.ndarray:
    """How many of ``rows`` have each bit of words 0..m-1 set: int (m, 64)."""
    out = np.zeros((m, 64), dtype=np.int64)
    for r in rows:
        for j in range(m):
            word = int(index[r, j])
            out[j] += [(word >> b) & 1 for b in range(64)]
    return out


def count_of(planes: np.ndarray, j: int, bits: int, b: int) -> int:
    """Counselor ``b`` of word ``j``'s count, read bit by bit from the planes."""
    return sum(((int(planes[p, j]) >> b) & 1) << p for p in range(bits))


@st.composite
def _bitmaps(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    n_rows = draw(st.integers(1, 40))
    words = draw(
        st.lists(
            st.integers(0, 2**64 - 1) | st.sampled_from([0, 2**64 - 1]),
            min_size=n_rows * _WORDS,
            max_size=n_rows * _WORDS,
        )
    )
    index = np.array(words, dtype=np.uint64).reshape(n_rows, _WORDS)
    rows = draw(st.lists(st.integers(0, n_rows - 1), max_size=300))  # a row may be added many times
    return index, rows


@settings(max_examples=200, deadline=None)
@given(_bitmaps(), st.integers(1, _WORDS))
def test_counters_count_every_bitmap_and_compare_like_integers(
    drawn: tuple[np.ndarray, list[int]], m: int
) -> None:
    index, rows = drawn
    expected = _bits(index, rows, m)
    planes = np.zeros((MAX_PLANES, _WORDS), dtype=np.uint64)
    add_rows(index, np.array(rows, dtype=np.int64), 0, m, planes, len(rows))
    bits = planes_for(len(rows))
    for j in range(m):
        assert [count_of(planes, j, bits, b) for b in range(64)] == expected[j].tolist()
        for value in {0, 1, len(rows) // 2, len(rows), len(rows) + 1, 1 << bits}:
            mask = int(at_least(planes, j, bits, value))
            assert [(mask >> b) & 1 for b in range(64)] == (expected[j] >= value).astype(int).tolist()


def test_counters_added_at_an_offset_weigh_their_rows() -> None:
    """Rows added to ``planes[b:]`` count ``2 ** b`` each, as the concern numerator needs."""
    index = np.array([[0b0110], [0b0011]], dtype=np.uint64)
    planes = np.zeros((MAX_PLANES + 2, 1), dtype=np.uint64)
    add_rows(index, np.array([0], dtype=np.int64), 0, 1, planes, 1)  # weight 1
    add_rows(index, np.array([1, 1], dtype=np.int64), 0, 1, planes[1:], 3)  # weight 2, twice
    assert [count_of(planes, 0, 4, b) for b in range(4)] == [4, 5, 1, 0]


def test_planes_for_is_the_bit_length() -> None:
    assert [planes_for(x) for x in (0, 1, 2, 3, 7, 8, 336, 511)] == [
        x.bit_length() for x in (0, 1, 2, 3, 7, 8, 336, 511)
    ]
