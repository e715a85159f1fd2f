"""Deterministic assignment of units to experiment arms.

Three independent draws, each ``bucket(salt, unit_id, purpose=...)`` in 0..9,999:

``layer`` (salt = the layer name)
    Experiments sharing a layer each own a range of layer buckets, so a unit can be in at
    most one of them.
``coverage`` (salt = the experiment salt)
    The unit enters iff ``coverage_bucket < coverage * 10,000``. Raising coverage therefore
    only adds units; nobody already in moves out or to another arm.
``arm`` (salt = the experiment salt)
    Arm ``i`` owns the buckets ``[bounds[i-1], bounds[i])`` of cumulative weights.

Using one draw for coverage and arm would send a 10% rollout only to the first arms'
buckets (the bug Unleash had to fix); separate purposes make the draws independent.
"""

from __future__ import annotations

import functools
import hashlib
from bisect import bisect_right
from collections.abc import Sequence

from matcher.errors import FieldViolation, InvalidInput
from matcher.experiments.model import (
    BUCKETS,
    Assignment,
    Experiment,
    ExperimentStatus,
    arm_upper_bounds,
)

__all__ = [
    "PURPOSE_ARM",
    "PURPOSE_COVERAGE",
    "PURPOSE_LAYER",
    "assign",
    "assign_in_layer",
    "bucket",
    "validate_layer",
]

PURPOSE_COVERAGE = "coverage"
PURPOSE_ARM = "arm"
PURPOSE_LAYER = "layer"


def bucket(salt: str, unit_id: str, *, purpose: str) -> int:
    """Hash ``(purpose, salt, unit_id)`` into a bucket in ``0..9_999``.

    The first 8 bytes of SHA-256 over the UTF-8 of ``f"{purpose}:{salt}:{unit_id}"``, read
    big-endian, modulo 10,000 (the modulo bias is below 1e-15). Stable across processes,
    Python versions and platforms, unlike the built-in ``hash``.
    """
    digest = hashlib.sha256(f"{purpose}:{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


@functools.lru_cache(maxsize=1024)
def _bounds(weights: tuple[float, ...]) -> tuple[int, ...]:
    return arm_upper_bounds(weights)


def _in_layer_range(e: Experiment, unit_id: str) -> bool:
    lo, hi = e.layer_range
    return lo <= bucket(e.layer, unit_id, purpose=PURPOSE_LAYER) < hi


def assign(experiment: Experiment, unit_id: str) -> Assignment | None:
    """The arm of ``unit_id`` in ``experiment``, or None if the unit is not in it.

    None when the experiment is not running, when the unit's layer bucket is outside
    ``layer_range`` (layered experiments only), or when its coverage bucket is not below
    ``coverage * 10,000`` (rounded to 1e-6 bucket so that e.g. 0.07 means exactly 700
    buckets). ``experiment`` must have passed ``validate_experiment``.
    """
    e = experiment
    if e.status is not ExperimentStatus.RUNNING:
        return None
    if e.layer and not _in_layer_range(e, unit_id):
        return None
    if bucket(e.salt, unit_id, purpose=PURPOSE_COVERAGE) >= round(e.coverage * BUCKETS, 6):
        return None
    b = bucket(e.salt, unit_id, purpose=PURPOSE_ARM)
    arm = e.arms[bisect_right(_bounds(tuple(a.weight for a in e.arms)), b)]
    return Assignment(e.key, e.phase, arm.name, arm.strategy, b)


def validate_layer(experiments: Sequence[Experiment]) -> None:
    """Raise :class:`InvalidInput` unless the experiments can share one layer.

    All must name the same non-empty layer, and the ranges of those running or paused (a
    paused experiment keeps its range) must not overlap.
    """
    out: list[FieldViolation] = []
    layers = {e.layer for e in experiments}
    for i, e in enumerate(experiments):
        if not e.layer:
            out.append(FieldViolation(f"experiments[{i}].layer", "required for layered assignment"))
    if len(layers - {""}) > 1:
        out.append(FieldViolation("experiments", f"all must share one layer; got {sorted(layers)}"))
    live = [
        (i, e)
        for i, e in enumerate(experiments)
        if e.status in (ExperimentStatus.RUNNING, ExperimentStatus.PAUSED)
    ]
    for n, (_, a) in enumerate(live):
        for j, b in live[n + 1 :]:
            same_layer = bool(a.layer) and a.layer == b.layer
            if same_layer and a.layer_range[0] < b.layer_range[1] and b.layer_range[0] < a.layer_range[1]:
                out.append(
                    FieldViolation(
                        f"experiments[{j}].layer_range",
                        f"{b.layer_range} overlaps {a.key!r} {a.layer_range} in layer {a.layer!r}",
                    )
                )
    if out:
        raise InvalidInput(out)


def assign_in_layer(experiments: Sequence[Experiment], unit_id: str) -> Assignment | None:
    """Assign ``unit_id`` to at most one of the running experiments of a layer.

    The layer draw picks the experiment whose ``layer_range`` holds the unit's layer bucket;
    that experiment's coverage and arm draws do the rest. None when no running experiment
    owns the bucket or the unit is outside that experiment's coverage.
    """
    validate_layer(experiments)
    if not experiments:
        return None
    b = bucket(experiments[0].layer, unit_id, purpose=PURPOSE_LAYER)
    for e in experiments:
        if e.status is ExperimentStatus.RUNNING and e.layer_range[0] <= b < e.layer_range[1]:
            return assign(e, unit_id)
    return None
