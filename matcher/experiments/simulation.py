"""Pure simulation of strategy experiments at the level of unit outcomes.

Units get synthetic ids and are assigned with the real :func:`~matcher.experiments.assignment.assign`
(so hashing, coverage and weights are exercised); the result is analysed with the real
:func:`~matcher.experiments.analysis.analyze`, which lets tests check false-positive rates,
power and the sample-ratio alarm against their theoretical values. Two ways to convert:

* :func:`simulate_units`: known per-arm probabilities (power against a planted lift of
  known size);
* :func:`simulate_journeys`: the synthetic clients of ``attune simulate``
  (:mod:`matcher.experiments.clients`) going down the rankings their arm's strategy shows
  them, as the service would rank them, minus the transport and the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from matcher.experiments.analysis import analyze
from matcher.experiments.assignment import assign
from matcher.experiments.clients import Behaviour, journey
from matcher.experiments.model import Arm, Experiment, ExperimentStatus, validate_experiment
from matcher.experiments.outcomes import OutcomeEvent
from matcher.experiments.report import Report

__all__ = ["SimulatedUnits", "simulate", "simulate_journeys", "simulate_units"]


@dataclass(frozen=True, eq=False)
class SimulatedUnits:
    """Simulated units in arrival order (a prefix is an interim look).

    Attributes
    ----------
    experiment : Experiment
        The synthetic experiment used for assignment (its salt is drawn from the generator).
    arm_index : ndarray of int64, shape (n,)
        Arm of each covered unit.
    outcomes : mapping of str to ndarray of int8, each shape (n,)
        0/1 outcome of each covered unit.
    """

    experiment: Experiment
    arm_index: npt.NDArray[np.int64]
    outcomes: Mapping[str, npt.NDArray[np.int8]]

    def analyze(
        self, upto: int | None = None, *, alpha: float = 0.05, planned_units: int | None = None
    ) -> Report:
        """Analyse the first ``upto`` units (all by default)."""
        arms = self.experiment.arms
        return analyze(
            [a.name for a in arms],
            [a.weight for a in arms],
            self.arm_index[:upto],
            {k: v[:upto] for k, v in self.outcomes.items()},
            control=self.experiment.control_arm,
            alpha=alpha,
            planned_units=planned_units,
        )


def simulate_units(
    arms: Sequence[Arm],
    rates: Mapping[str, Sequence[float]],
    n_units: int,
    rng: np.random.Generator,
    *,
    coverage: float = 1.0,
) -> SimulatedUnits:
    """Assign ``n_units`` synthetic units and draw their outcomes.

    Parameters
    ----------
    arms : sequence of Arm, length k
        The arms and weights; the first is the control.
    rates : mapping of str to sequence of float, each length k
        For each outcome, the true conversion probability of each arm.
    n_units : int
        Synthetic units offered to the experiment; with ``coverage < 1`` fewer enter.
    rng : numpy.random.Generator
        Source of the experiment salt and the outcomes; a fixed seed gives a fixed result.
    coverage : float
        The experiment's coverage.
    """
    experiment = _experiment(arms, coverage, rng)
    index = {a.name: i for i, a in enumerate(experiment.arms)}
    drawn = []
    for u in range(n_units):
        got = assign(experiment, f"unit-{u}")
        if got is not None:
            drawn.append(index[got.arm])
    arm_index = np.asarray(drawn, dtype=np.int64)
    outcomes: dict[str, npt.NDArray[np.int8]] = {}
    for name, per_arm in rates.items():
        p = np.asarray(per_arm, dtype=np.float64)
        if p.shape != (len(experiment.arms),) or not np.all((p >= 0) & (p <= 1)):
            raise ValueError(f"rates[{name!r}] needs one probability in [0, 1] per arm")
        outcomes[name] = (rng.random(arm_index.shape[0]) < p[arm_index]).astype(np.int8)
    return SimulatedUnits(experiment, arm_index, MappingProxyType(outcomes))


def _experiment(arms: Sequence[Arm], coverage: float, rng: np.random.Generator) -> Experiment:
    """A running synthetic experiment whose salt is drawn from ``rng``."""
    experiment = Experiment(
        key="simulated",
        salt=f"sim-{int(rng.integers(0, 2**62)):016x}",
        arms=tuple(arms),
        coverage=coverage,
        status=ExperimentStatus.RUNNING,
    )
    validate_experiment(experiment)
    return experiment


def simulate_journeys(
    arms: Sequence[Arm],
    shown: Mapping[str, Sequence[Sequence[Mapping[str, float]]]],
    n_units: int,
    rng: np.random.Generator,
    *,
    behaviour: Behaviour = Behaviour(),  # noqa: B008 (immutable)
    attrition: Mapping[str, float] | None = None,
) -> SimulatedUnits:
    """Synthetic clients through an experiment whose arms rank with real strategies.

    Parameters
    ----------
    arms : sequence of Arm
        The arms and weights; each arm's ``strategy`` is a key of ``shown``.
    shown : mapping of str to sequence (C,) of sequences of mappings
        ``shown[strategy][c]``: the factor scores (by factor name) of the counselors the
        strategy ranks for client ``c``, best first. A ranking does not depend on the
        experiment, so the caller ranks each client once per strategy; unit ``u`` is
        client ``u % C``.
    n_units : int
        Synthetic units offered to the experiment.
    rng : numpy.random.Generator
        Source of the salt, the attrition and every step of the journeys.
    behaviour : Behaviour
        The clients' journey probabilities (:func:`~matcher.experiments.clients.journey`).
    attrition : mapping of str to float, optional
        The share of an arm's units that leave before their ranking (a broken split, as
        ``attune simulate --attrition``): they are never exposed.

    Returns
    -------
    SimulatedUnits
        One 0/1 outcome array per :class:`~matcher.experiments.outcomes.OutcomeEvent`:
        whether the unit did that at least once.
    """
    experiment = _experiment(arms, 1.0, rng)
    index = {a.name: i for i, a in enumerate(experiment.arms)}
    strategies = {a.name: a.strategy for a in experiment.arms}
    losses = attrition or {}
    drawn: list[int] = []
    did: dict[str, list[int]] = {event.value: [] for event in OutcomeEvent}
    for u in range(n_units):
        got = assign(experiment, f"unit-{u}")
        if got is None or rng.random() < losses.get(got.arm, 0.0):
            continue
        clients = shown[strategies[got.arm]]
        events = {event.value for _, event in journey(clients[u % len(clients)], behaviour, rng)}
        drawn.append(index[got.arm])
        for name, flags in did.items():
            flags.append(name in events)
    outcomes = {name: np.asarray(flags, dtype=np.int8) for name, flags in did.items()}
    return SimulatedUnits(experiment, np.asarray(drawn, dtype=np.int64), MappingProxyType(outcomes))


def simulate(
    arms: Sequence[Arm],
    rates: Mapping[str, Sequence[float]],
    n_units: int,
    rng: np.random.Generator,
    *,
    coverage: float = 1.0,
    alpha: float = 0.05,
    planned_units: int | None = None,
) -> Report:
    """:func:`simulate_units` then :func:`~matcher.experiments.analysis.analyze` on all units."""
    return simulate_units(arms, rates, n_units, rng, coverage=coverage).analyze(
        alpha=alpha, planned_units=planned_units
    )
