"""Experiments that compare matching strategies: the configuration and its rules.

An :class:`Experiment` splits units (clients) between :class:`Arm` s, each serving one
strategy (``name@version``). Assignment itself lives in :mod:`matcher.experiments.assignment`.

Changing the arms or their weights while an experiment runs would mix two allocations in
one analysis, so it is done with :func:`new_phase`: the phase number goes up and the salt
changes, which re-randomises every unit. Changing ``coverage`` needs no new phase: the
coverage draw is separate from the arm draw, so raising it only adds units.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from enum import StrEnum

from matcher.errors import Conflict, FieldViolation, InvalidInput

__all__ = [
    "BUCKETS",
    "Arm",
    "Assignment",
    "Experiment",
    "ExperimentStatus",
    "arm_upper_bounds",
    "needs_new_phase",
    "new_phase",
    "phase_salt",
    "validate_experiment",
]

BUCKETS = 10_000
"""Number of hash buckets; weights, coverage and layer ranges are resolved to 1/10,000."""

_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_PHASE_SUFFIX = re.compile(r"/phase\d+$")


class ExperimentStatus(StrEnum):
    """Life cycle of an experiment; only ``RUNNING`` experiments assign units."""

    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Arm:
    """One branch of an experiment: ``strategy`` is ``name@version``, ``weight`` > 0 (relative)."""

    name: str
    strategy: str
    weight: float


@dataclass(frozen=True)
class Experiment:
    """A strategy experiment.

    ``coverage`` in (0, 1] is the share of units (of this experiment's layer range) that enter.
    Experiments sharing a non-empty ``layer`` are mutually exclusive: each owns the layer buckets
    ``layer_range = [lo, hi)``. ``control`` names the control arm; empty means the first arm.
    """

    key: str
    salt: str
    arms: tuple[Arm, ...]
    coverage: float
    status: ExperimentStatus
    phase: int = 1
    layer: str = ""
    layer_range: tuple[int, int] = (0, BUCKETS)
    control: str = ""

    @property
    def control_arm(self) -> str:
        """The name of the control arm."""
        return self.control or self.arms[0].name


@dataclass(frozen=True)
class Assignment:
    """Where one unit landed: ``bucket`` is its arm-draw bucket (0..9,999)."""

    experiment_key: str
    phase: int
    arm: str
    strategy: str
    bucket: int


def arm_upper_bounds(weights: tuple[float, ...]) -> tuple[int, ...]:
    """Cumulative upper bucket bounds of the arms: arm ``i`` owns ``[bounds[i-1], bounds[i])``.

    ``bounds[i] = round(BUCKETS * sum(weights[:i+1]) / sum(weights))``; the last is always
    ``BUCKETS``. An arm whose weight is under half a bucket gets an empty range, which
    :func:`validate_experiment` rejects.
    """
    total = math.fsum(weights)
    bounds: list[int] = []
    running = 0.0
    for w in weights:
        running += w
        bounds.append(round(BUCKETS * running / total))
    bounds[-1] = BUCKETS
    return tuple(bounds)


def _strategy_ref_ok(ref: str) -> bool:
    name, sep, version = ref.rpartition("@")
    return bool(sep) and bool(_NAME.match(name)) and version.isdigit() and int(version) >= 1


def validate_experiment(e: Experiment) -> None:
    """Raise :class:`InvalidInput` listing every field of ``e`` that breaks the rules."""
    out: list[FieldViolation] = []
    if not _NAME.match(e.key):
        out.append(FieldViolation("key", "required: 1-100 letters, digits, '-', '_' or '.'"))
    if not e.salt or len(e.salt) > 200 or not e.salt.isprintable():
        out.append(FieldViolation("salt", "required: 1-200 printable characters"))
    if not isinstance(e.status, ExperimentStatus):
        out.append(FieldViolation("status", f"allowed: {', '.join(s.value for s in ExperimentStatus)}"))
    if isinstance(e.phase, bool) or not isinstance(e.phase, int) or e.phase < 1:
        out.append(FieldViolation("phase", "must be an integer >= 1"))
    if not (isinstance(e.coverage, int | float) and math.isfinite(e.coverage) and 0 < e.coverage <= 1):
        out.append(FieldViolation("coverage", "must be a number in (0, 1]"))
    out.extend(_arm_violations(e.arms))
    names = [a.name for a in e.arms]
    if e.control and e.control not in names:
        out.append(FieldViolation("control", f"must name one of the arms: {', '.join(names)}"))
    out.extend(_layer_violations(e))
    if out:
        raise InvalidInput(out)


def _arm_violations(arms: tuple[Arm, ...]) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    if len(arms) < 2:
        out.append(FieldViolation("arms", "needs at least two arms: a control and a treatment"))
    seen: set[str] = set()
    weights_ok = True
    for i, arm in enumerate(arms):
        if not _NAME.match(arm.name):
            out.append(FieldViolation(f"arms[{i}].name", "required: 1-100 letters, digits, '-', '_' or '.'"))
        elif arm.name in seen:
            out.append(FieldViolation(f"arms[{i}].name", f"duplicate arm name {arm.name!r}"))
        seen.add(arm.name)
        if not _strategy_ref_ok(arm.strategy):
            out.append(FieldViolation(f"arms[{i}].strategy", "must be 'name@version' with version >= 1"))
        w = arm.weight
        if isinstance(w, bool) or not isinstance(w, int | float) or not (math.isfinite(w) and w > 0):
            out.append(FieldViolation(f"arms[{i}].weight", "must be a finite number > 0"))
            weights_ok = False
    if arms and weights_ok:
        bounds = arm_upper_bounds(tuple(float(a.weight) for a in arms))
        lows = (0, *bounds[:-1])
        for i, (lo, hi) in enumerate(zip(lows, bounds, strict=True)):
            if hi <= lo:
                out.append(
                    FieldViolation(f"arms[{i}].weight", "too small: the arm would get no bucket of 10,000")
                )
    return out


def _layer_violations(e: Experiment) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    if e.layer and not _NAME.match(e.layer):
        out.append(FieldViolation("layer", "1-100 letters, digits, '-', '_' or '.', or empty for no layer"))
    rng = e.layer_range
    if not (
        isinstance(rng, tuple)
        and len(rng) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in rng)
        and 0 <= rng[0] < rng[1] <= BUCKETS
    ):
        out.append(FieldViolation("layer_range", f"must be (lo, hi) integers with 0 <= lo < hi <= {BUCKETS}"))
    elif not e.layer and rng != (0, BUCKETS):
        out.append(FieldViolation("layer_range", f"needs a layer; without one leave it at (0, {BUCKETS})"))
    return out


def phase_salt(salt: str, phase: int) -> str:
    """The salt of ``phase``: the base salt (any ``/phaseN`` suffix removed) plus ``/phase{phase}``.

    Deterministic on purpose: every replica of the service, and every retry of the same
    request, derives the same salt, and tests can reproduce it. It is unpredictable as long
    as the experiment's first salt was random (the service should create it with
    ``secrets.token_hex``), and it never repeats an earlier phase's salt because phases only
    go up. A caller who wants a fresh random salt passes one to :func:`new_phase`.
    """
    return f"{_PHASE_SUFFIX.sub('', salt)}/phase{phase}"


def needs_new_phase(e: Experiment, arms: tuple[Arm, ...]) -> bool:
    """True when ``arms`` changes who gets what: other arm names, strategies or bucket split."""
    old = [(a.name, a.strategy) for a in e.arms]
    new = [(a.name, a.strategy) for a in arms]
    if old != new:
        return True
    return arm_upper_bounds(tuple(a.weight for a in e.arms)) != arm_upper_bounds(
        tuple(a.weight for a in arms)
    )


def new_phase(e: Experiment, arms: tuple[Arm, ...], *, salt: str | None = None) -> Experiment:
    """Return ``e`` with new ``arms``, ``phase + 1`` and a new salt, so every unit is re-drawn.

    The salt is :func:`phase_salt` of the current one unless ``salt`` is given. The result is
    validated; a stopped experiment cannot get a new phase (:class:`Conflict`), and a salt equal
    to the current one is refused because it would not re-randomise.
    """
    if e.status is ExperimentStatus.STOPPED:
        raise Conflict(f"experiment {e.key!r} is stopped; start a new experiment instead")
    next_phase = e.phase + 1
    new_salt = phase_salt(e.salt, next_phase) if salt is None else salt
    if new_salt == e.salt:
        raise InvalidInput([FieldViolation("salt", "a new phase needs a different salt")])
    out = replace(e, arms=tuple(arms), phase=next_phase, salt=new_salt)
    validate_experiment(out)
    return out
