"""bench.agreement: rankings must match id for id, with slack only among near-ties."""

from __future__ import annotations

import pytest

from bench.agreement import RankingMismatch, check_same


def test_identical_rankings_are_identical() -> None:
    ranked = [("a", 0.9), ("b", 0.8), ("c", 0.8)]
    assert check_same(ranked, list(ranked), context="t") is True


def test_a_different_order_of_different_scores_fails() -> None:
    with pytest.raises(RankingMismatch, match="score at place 1"):
        check_same([("a", 0.9), ("b", 0.8)], [("b", 0.8), ("a", 0.9)], context="t")


def test_swapped_ids_with_their_scores_swapped_fail() -> None:
    # Positional scores agree, but each id carries a different score in the two lists.
    with pytest.raises(RankingMismatch, match="scored"):
        check_same([("a", 0.9), ("b", 0.8)], [("b", 0.9), ("a", 0.8)], context="t")


def test_near_ties_may_swap() -> None:
    tiny = 1e-12
    assert check_same([("a", 0.5 + tiny), ("b", 0.5)], [("b", 0.5), ("a", 0.5 + tiny)], context="t") is False


def test_a_near_tie_at_the_cut_may_differ() -> None:
    assert check_same([("a", 0.9), ("b", 0.5)], [("a", 0.9), ("z", 0.5 + 1e-12)], context="t") is False


def test_a_missing_counselor_above_the_cut_fails() -> None:
    with pytest.raises(RankingMismatch, match="missing"):
        check_same([("a", 0.9), ("b", 0.5)], [("z", 0.9), ("b", 0.5)], context="t")


def test_lengths_must_match() -> None:
    with pytest.raises(RankingMismatch, match="2 results against 1"):
        check_same([("a", 0.9), ("b", 0.5)], [("a", 0.9)], context="t")


def test_scores_beyond_the_tolerance_fail() -> None:
    with pytest.raises(RankingMismatch, match="intake x"):
        check_same([("a", 0.5)], [("a", 0.5 + 2e-9)], context="intake x")
