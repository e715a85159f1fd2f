"""The experimentation use case: strategies and experiments as the server sees them, cached in
memory and changed through the store.

Ranking must not touch the database, so the strategies and the running experiments
are held in memory and reloaded after every write made here, and by :meth:`refresh`
(called from the server's background refresher) when another process changed them.

Assignment across experiments (:mod:`matcher.experiments.precedence`): experiments sharing
a layer are mutually exclusive (the layer draw picks at most one). Experiments in different
layers (or in none) are consulted in a fixed order -- by layer name, then key -- and the
first that enrols the client decides the strategy. Each experiment's own draws are
independent hashes, so the clients it enrols are still a random sample and its arms stay
comparable; but a later one gets only what the earlier ones leave. So no start or change
may leave a running experiment with no clients at all (``EXPERIMENT_STARVED``), and a
report says when experiments ahead take part of an experiment's clients.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from matcher.errors import Conflict, FieldViolation, InvalidInput
from matcher.experiments import (
    Arm,
    Assignment,
    Experiment,
    ExperimentStatus,
    Report,
    analyze_experiment,
    assign_first,
    needs_new_phase,
    new_phase,
    traffic_shares,
    units_from_exposures,
    validate_experiment,
    validate_layer,
)
from matcher.experiments.outcomes import OutcomeEvent
from matcher.strategy import BUILTIN_STRATEGIES, DEFAULT_STRATEGY, Strategy, validate_strategy
from service.storage.experiment_rows import ExperimentRecord
from service.storage.experiments import ExperimentRepository
from service.storage.exposures import ExposureRepository
from service.storage.strategies import StrategyRecord, StrategyRepository

__all__ = ["ExperimentChanges", "Experimentation"]


@dataclass(frozen=True)
class ExperimentChanges:
    """Fields an experiment update may change; None leaves a field as it is."""

    arms: tuple[Arm, ...] | None = None
    coverage: float | None = None
    description: str | None = None
    control: str | None = None


_TRANSITIONS = {
    ExperimentStatus.RUNNING: (ExperimentStatus.DRAFT, ExperimentStatus.PAUSED),
    ExperimentStatus.PAUSED: (ExperimentStatus.RUNNING,),
    ExperimentStatus.STOPPED: (ExperimentStatus.DRAFT, ExperimentStatus.RUNNING, ExperimentStatus.PAUSED),
}


class Experimentation:
    """Strategy registry, experiment life cycle, assignment and read-out."""

    def __init__(
        self,
        strategies: StrategyRepository,
        experiments: ExperimentRepository,
        exposures: ExposureRepository,
        flush_exposures: Callable[[], object] | None = None,
    ) -> None:
        self._strategy_repo = strategies
        # Exposures are written off the request path: a report flushes what is queued first, so
        # that every ranking served before it (an empty one too, which no outcome flushes) counts.
        self._flush_exposures = flush_exposures
        self._experiment_repo = experiments
        self._exposure_repo = exposures
        self._lock = threading.Lock()
        strategies.ensure_builtins(BUILTIN_STRATEGIES)
        self._strategies: dict[str, Strategy] = {}
        self._active: tuple[Experiment, ...] = ()
        self._experiments_version = -1
        self._reload_strategies()
        self.refresh()

    # ------------------------------------------------------------------ strategies

    def _reload_strategies(self) -> None:
        self._strategies = {s.key: s for s in self._strategy_repo.all()}

    def strategy(self, reference: str, field: str = "strategy") -> Strategy:
        """``name`` (latest version) or ``name@version``, from memory; InvalidInput naming ``field``."""
        name, _, version = reference.partition("@")
        found = [
            s
            for s in self._strategies.values()
            if s.name == name and (not version or str(s.version) == version)
        ]
        if not found:
            allowed = ", ".join(sorted(self._strategies))
            raise InvalidInput([FieldViolation(field, f"unknown strategy {reference!r}; allowed: {allowed}")])
        return max(found, key=lambda s: s.version)

    def create_strategy(self, strategy: Strategy) -> StrategyRecord:
        """Store a new version of ``strategy.name`` (versions are immutable)."""
        validate_strategy(replace(strategy, version=1))
        record = self._strategy_repo.create(strategy)
        with self._lock:
            self._reload_strategies()
        return record

    def list_strategies(self, page_size: int, page_token: str) -> tuple[list[StrategyRecord], str]:
        """One page of strategies by (name, version)."""
        return self._strategy_repo.list(page_size=page_size, page_token=page_token)

    # ------------------------------------------------------------------ assignment

    def refresh(self) -> None:
        """Reload the active experiments if the store's experiment version moved."""
        version = self._experiment_repo.version()
        if version != self._experiments_version:
            active = tuple(self._experiment_repo.active())
            with self._lock:
                self._active = active
                self._experiments_version = version
                self._reload_strategies()

    def assign(self, client_id: str) -> Assignment | None:
        """The experiment arm ``client_id`` is in, if any (no database access)."""
        return assign_first(self._active, client_id)

    def default_strategy(self) -> Strategy:
        """The strategy used outside experiments."""
        return self._strategies.get(DEFAULT_STRATEGY.key, DEFAULT_STRATEGY)

    # ------------------------------------------------------------------ experiments

    def _check_arms(self, arms: Iterable[Arm]) -> None:
        bad = [
            FieldViolation(
                f"experiment.arms[{i}].strategy",
                f"unknown strategy {a.strategy!r}; allowed: " + ", ".join(sorted(self._strategies)),
            )
            for i, a in enumerate(arms)
            if a.strategy not in self._strategies
        ]
        if bad:
            raise InvalidInput(bad)

    def _validated(self, experiment: Experiment) -> Experiment:
        try:
            validate_experiment(experiment)
        except InvalidInput as error:
            raise error.prefixed("experiment") from None
        self._check_arms(experiment.arms)
        return experiment

    def _check_layer(self, candidate: Experiment) -> None:
        if not candidate.layer:
            return
        peers = [
            e for e in self._experiment_repo.active() if e.layer == candidate.layer and e.key != candidate.key
        ]
        try:
            validate_layer([*peers, candidate])
        except InvalidInput as error:
            raise Conflict(f"layer {candidate.layer!r}: {error}", reason="LAYER_RANGE_OVERLAP") from None

    def _check_traffic(self, candidate: Experiment) -> None:
        """Refuse a start or change after which some running experiment would enrol nobody."""
        others = [e for e in self._experiment_repo.active() if e.key != candidate.key]
        shares = traffic_shares([*others, candidate])
        starved = sorted(key for key, share in shares.items() if share.nominal > 0 and share.effective == 0)
        if starved:
            raise Conflict(
                "; ".join(
                    f"experiment {key!r} would enrol nobody: every client it covers goes first to "
                    + ", ".join(repr(k) for k in shares[key].ahead)
                    + " (layers are consulted by name, then experiments without a layer by key)"
                    for key in starved
                ),
                reason="EXPERIMENT_STARVED",
            )

    def _saved(self, record: ExperimentRecord) -> ExperimentRecord:
        self.refresh()
        return record

    def create(self, experiment: Experiment, description: str) -> ExperimentRecord:
        """Create a DRAFT experiment; with no salt given, a fresh random one."""
        salt = experiment.salt or secrets.token_hex(8)
        draft = replace(experiment, status=ExperimentStatus.DRAFT, phase=1, salt=salt)
        return self._saved(self._experiment_repo.create(self._validated(draft), description))

    def get(self, key: str) -> ExperimentRecord:
        """One experiment; NotFound if absent."""
        return self._experiment_repo.get(key)

    def list(self, page_size: int, page_token: str) -> tuple[list[ExperimentRecord], str]:
        """One page of experiments by key."""
        return self._experiment_repo.list(page_size=page_size, page_token=page_token)

    def update(self, key: str, changes: ExperimentChanges) -> ExperimentRecord:
        """Change arms/coverage/description/control; new arms or weights after start open a new phase."""
        current = self._experiment_repo.get(key)
        e = current.experiment
        if e.status is ExperimentStatus.STOPPED:
            raise Conflict(
                f"experiment {key!r} is stopped; create a new experiment", reason="EXPERIMENT_STOPPED"
            )
        updated = e
        if changes.arms is not None and needs_new_phase(e, changes.arms):
            if e.status is ExperimentStatus.DRAFT:
                updated = replace(updated, arms=changes.arms)
            else:  # re-randomise: a changed allocation must not reuse the old draws
                self._check_arms(changes.arms)
                updated = new_phase(updated, changes.arms, salt=secrets.token_hex(8))
        elif changes.arms is not None:
            updated = replace(updated, arms=changes.arms)
        if changes.coverage is not None:
            updated = replace(updated, coverage=changes.coverage)
        if changes.control is not None:
            updated = replace(updated, control=changes.control)
        self._validated(updated)
        self._check_traffic(updated)
        return self._saved(self._experiment_repo.save(updated, description=changes.description))

    def set_status(self, key: str, status: ExperimentStatus) -> ExperimentRecord:
        """Start, pause or stop an experiment (allowed transitions only)."""
        current = self._experiment_repo.get(key)
        e = current.experiment
        if e.status not in _TRANSITIONS[status]:
            raise Conflict(
                f"experiment {key!r} is {e.status.value}; it cannot become {status.value}",
                reason="INVALID_STATUS_TRANSITION",
            )
        updated = replace(e, status=status)
        now = datetime.now(UTC)
        if status is ExperimentStatus.RUNNING:
            self._check_layer(updated)
            self._check_traffic(updated)
        return self._saved(
            self._experiment_repo.save(
                updated,
                start_time=now if status is ExperimentStatus.RUNNING and current.start_time is None else None,
                stop_time=now if status is ExperimentStatus.STOPPED else None,
            )
        )

    def report(self, key: str, phase: int = 0) -> tuple[ExperimentRecord, int, Report]:
        """Analyse one phase (0 = current) of an experiment from its exposures and outcomes."""
        record = self._experiment_repo.get(key)
        e = record.experiment
        phase = phase or e.phase
        phases = {p.phase: p for p in record.phases}
        if phase not in phases:
            raise InvalidInput([FieldViolation("phase", f"experiment {key!r} has phases 1 to {e.phase}")])
        arms = phases[phase].arms
        analysed = replace(e, arms=arms)
        if self._flush_exposures is not None:
            self._flush_exposures()
        data = self._exposure_repo.experiment_data(key, phase)
        units = units_from_exposures(data.exposures, [a.name for a in arms])
        kept = dict(zip(units.unit_ids, units.arm_index.tolist(), strict=True))
        converted: dict[str, set[str]] = {event.value: set() for event in OutcomeEvent}
        booking_arm: list[int] = []
        booking_position: list[int] = []
        for client_id, _arm, event, position in data.outcomes:
            if client_id not in kept:
                continue  # seen in several arms: excluded
            converted[event].add(client_id)
            if event == OutcomeEvent.BOOKED.value:
                booking_arm.append(kept[client_id])
                booking_position.append(position)
        report = analyze_experiment(
            analysed, units, converted, booking_arm=booking_arm, booking_position=booking_position
        )
        others = [x for x in self._active if x.key != key]
        share = traffic_shares([*others, e]).get(key) if phase == e.phase else None
        if share is not None and share.effective < share.nominal:
            report = replace(
                report,
                warnings=(
                    *report.warnings,
                    f"Experiments consulted first ({', '.join(repr(k) for k in share.ahead)}) take part of "
                    f"the clients this one covers: it enrols about {share.effective:.1%} of clients, not "
                    f"the {share.nominal:.1%} its layer range and coverage say. Its arms stay comparable; "
                    "its sample is smaller, and the clients it sees are those the others left.",
                ),
            )
        return record, phase, report
