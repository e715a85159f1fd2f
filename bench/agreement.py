"""Checks that two rankings of the same intake agree, and fails loudly when they do not."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["SCORE_TOLERANCE", "RankingMismatch", "check_same"]

#: Scores may differ by at most this much.
SCORE_TOLERANCE = 1e-9

Ranked = Sequence[tuple[str, float]]


class RankingMismatch(AssertionError):
    """Two implementations returned different rankings for the same intake."""


def _describe(name: str, ranked: Ranked) -> str:
    return f"{name}: " + ", ".join(f"{cid}={score:.12f}" for cid, score in ranked)


def check_same(
    expected: Ranked, actual: Ranked, *, context: str, names: tuple[str, str] = ("expected", "actual")
) -> bool:
    """Raise :class:`RankingMismatch` unless ``actual`` ranks like ``expected``.

    The ids must be the same, in the same order, with scores within :data:`SCORE_TOLERANCE`.
    The only allowed difference is among scores within the tolerance of each other (near-ties
    whose last bits differ): there, the order may differ, and so may which of them made the cut
    at the k-th place. Returns True when the lists are identical, False when they agree only
    through that allowance.
    """
    problems: list[str] = []
    if len(expected) != len(actual):
        problems.append(f"{len(expected)} results against {len(actual)}")
    else:
        for place, ((_, a), (_, b)) in enumerate(zip(expected, actual, strict=True), start=1):
            if abs(a - b) > SCORE_TOLERANCE:
                problems.append(f"score at place {place}: {a!r} against {b!r}")
        if not problems and [c for c, _ in expected] != [c for c, _ in actual]:
            where_a = {cid: score for cid, score in expected}
            where_b = {cid: score for cid, score in actual}
            last = min(expected[-1][1], actual[-1][1]) if expected else 0.0
            for place, ((id_a, score_a), (id_b, _)) in enumerate(zip(expected, actual, strict=True), start=1):
                if id_a == id_b:
                    continue
                # A swap among near-ties, or a near-tie at the cut that only one side kept.
                other = where_b.get(id_a)
                if other is None and abs(score_a - last) > SCORE_TOLERANCE:
                    problems.append(f"{id_a} (place {place}) missing from {names[1]}")
                elif other is not None and abs(other - score_a) > SCORE_TOLERANCE:
                    problems.append(f"{id_a} scored {score_a!r} against {other!r}")
                if id_b not in where_a and abs(where_b[id_b] - last) > SCORE_TOLERANCE:
                    problems.append(f"{id_b} (place {place}) missing from {names[0]}")
            if not problems:
                return False
    if problems:
        raise RankingMismatch(
            f"{context}: {names[1]} disagrees with {names[0]}: {'; '.join(problems[:5])}\n"
            f"  {_describe(names[0], expected)}\n  {_describe(names[1], actual)}"
        )
    return True
