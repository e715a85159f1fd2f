"""The staircase of :func:`~matcher.engine.score_bounds.corners` never leaves out a counselor who may win."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.engine.score_bounds import MAX_CORNERS, corners


def _bound(terms: np.ndarray, best: np.ndarray, slot_terms: np.ndarray, c: int, s: int) -> float:
    total: float = 0.0
    for term in (terms[0, c], best[1], best[2], slot_terms[s]):
        total += term
    return total


@st.composite
def _tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    concern_most = draw(st.integers(1, 40))
    slot_most = draw(st.integers(0, 40))
    weights = draw(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4))
    size = max(concern_most, slot_most) + 1
    terms = np.zeros((4, size))
    terms[0, : concern_most + 1] = weights[0] * np.arange(concern_most + 1) / concern_most
    terms[3, : slot_most + 1] = weights[3] * np.arange(slot_most + 1) / max(slot_most, 1)
    best = np.array([terms[0].max(), weights[1], weights[2] * 0.5, terms[3].max()])
    slot_terms = terms[3, : slot_most + 1] if draw(st.booleans()) else best[3:]
    kth = draw(st.floats(0.0, 1.5))
    return terms, best, slot_terms, kth, concern_most


@settings(max_examples=300, deadline=None)
@given(_tables())
def test_every_pair_whose_bound_beats_kth_is_past_a_corner(
    tables: tuple[np.ndarray, np.ndarray, np.ndarray, float, int],
) -> None:
    terms, best, slot_terms, kth, concern_most = tables
    out = np.empty((concern_most + 1, 2), dtype=np.int64)
    found = corners(terms, best, 0, 3, slot_terms, kth, out)
    assert found <= MAX_CORNERS
    past = {
        (c, s)
        for c in range(concern_most + 1)
        for s in range(slot_terms.shape[0])
        if any(c >= out[g, 0] and s >= out[g, 1] for g in range(found))
    }
    beats = {
        (c, s)
        for c in range(concern_most + 1)
        for s in range(slot_terms.shape[0])
        if _bound(terms, best, slot_terms, c, s) > kth
    }
    assert beats <= past  # nobody who may still win is pruned
    if found < MAX_CORNERS:  # no corners were merged: the staircase is exact
        assert past == beats
