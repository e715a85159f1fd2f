"""A/B testing of matching strategies: assignment, analysis and simulation (pure, no I/O)."""

from matcher.experiments.analysis import analyze, analyze_experiment
from matcher.experiments.assignment import assign, assign_in_layer, bucket, validate_layer
from matcher.experiments.exposures import UnitArms, dedupe_exposures, units_from_exposures
from matcher.experiments.model import (
    BUCKETS,
    Arm,
    Assignment,
    Experiment,
    ExperimentStatus,
    needs_new_phase,
    new_phase,
    phase_salt,
    validate_experiment,
)
from matcher.experiments.precedence import TrafficShare, assign_first, precedence, traffic_shares
from matcher.experiments.report import ArmCount, ArmOutcome, Interval, Report, SrmCheck
from matcher.experiments.simulation import SimulatedUnits, simulate, simulate_journeys, simulate_units

__all__ = [
    "BUCKETS",
    "Arm",
    "ArmCount",
    "ArmOutcome",
    "Assignment",
    "Experiment",
    "ExperimentStatus",
    "Interval",
    "Report",
    "SimulatedUnits",
    "SrmCheck",
    "TrafficShare",
    "UnitArms",
    "analyze",
    "analyze_experiment",
    "assign",
    "assign_first",
    "assign_in_layer",
    "bucket",
    "dedupe_exposures",
    "needs_new_phase",
    "new_phase",
    "phase_salt",
    "precedence",
    "simulate",
    "simulate_journeys",
    "simulate_units",
    "traffic_shares",
    "units_from_exposures",
    "validate_experiment",
    "validate_layer",
]
