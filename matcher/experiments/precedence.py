"""Which running experiment decides a unit's strategy, and what share of the units each one gets.

A ranking uses one strategy, so at most one experiment can decide it. Running experiments
are consulted in a fixed order: the layers by name (within a layer the layer draw picks at
most one experiment, :func:`~matcher.experiments.assignment.assign_in_layer`), then the
experiments without a layer by key; the first that enrols the unit decides.

An experiment later in that order only sees the units the earlier ones left. Its draws are
independent of theirs (other salts), so the units it enrols are still a random sample and
its arms stay comparable, but it enrols fewer of them than its coverage says, and none at
all when the experiments ahead of it take every unit. :func:`traffic_shares` computes
those shares exactly from the configuration, so the service can refuse a configuration
that starves an experiment and say in a report how much traffic was taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from matcher.experiments.assignment import assign, assign_in_layer
from matcher.experiments.model import BUCKETS, Assignment, Experiment, ExperimentStatus

__all__ = ["TrafficShare", "assign_first", "precedence", "traffic_shares"]


@dataclass(frozen=True)
class TrafficShare:
    """The share of all units an experiment enrols.

    Attributes
    ----------
    nominal : its layer range times its coverage: what it would enrol alone
    effective : what it enrols once the experiments consulted before it have taken theirs
    ahead : keys of the running experiments consulted before it that take some units
    """

    nominal: float
    effective: float
    ahead: tuple[str, ...]


def precedence(experiments: Sequence[Experiment]) -> list[list[Experiment]]:
    """The running experiments in the order they are consulted, one group per draw.

    Each layer is one group (its experiments by key), in layer-name order, followed by
    one group per experiment without a layer, by key.
    """
    running = sorted((e for e in experiments if e.status is ExperimentStatus.RUNNING), key=lambda e: e.key)
    layers: dict[str, list[Experiment]] = {}
    for e in running:
        if e.layer:
            layers.setdefault(e.layer, []).append(e)
    return [layers[name] for name in sorted(layers)] + [[e] for e in running if not e.layer]


def assign_first(experiments: Sequence[Experiment], unit_id: str) -> Assignment | None:
    """The arm of ``unit_id`` in the first running experiment, in :func:`precedence` order, that enrols it."""
    for group in precedence(experiments):
        hit = assign_in_layer(group, unit_id) if group[0].layer else assign(group[0], unit_id)
        if hit is not None:
            return hit
    return None


def _nominal(e: Experiment) -> Fraction:
    """The share of all units ``e`` enrols on its own (the buckets :func:`assign` accepts), exactly."""
    lo, hi = e.layer_range
    coverage_buckets = min(BUCKETS, int(-(-round(e.coverage * BUCKETS, 6) // 1)))  # buckets b < coverage
    return Fraction((hi - lo) * coverage_buckets, BUCKETS * BUCKETS)


def traffic_shares(experiments: Sequence[Experiment]) -> dict[str, TrafficShare]:
    """The :class:`TrafficShare` of every running experiment of ``experiments``, by key.

    The draws of different groups are independent hashes, so a group leaves a unit to the
    next with probability one minus the shares its experiments take (the experiments of a
    layer own disjoint ranges, so theirs add up). Computed in exact fractions of buckets,
    so that an experiment the others starve has an effective share of exactly 0.
    """
    out: dict[str, TrafficShare] = {}
    left = Fraction(1)  # the probability that no earlier group enrolled a unit
    ahead: list[str] = []
    for group in precedence(experiments):
        nominal = {e.key: _nominal(e) for e in group}
        for e in group:
            out[e.key] = TrafficShare(float(nominal[e.key]), float(left * nominal[e.key]), tuple(ahead))
        left *= 1 - sum(nominal.values())
        ahead.extend(e.key for e in group if nominal[e.key] > 0)
    return out
