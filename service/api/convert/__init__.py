"""Proto <-> domain conversion: the one place where API messages meet domain objects."""

from service.api.convert.catalog import (
    UPDATABLE_FIELDS,
    availability_from_proto,
    counselor_from_proto,
    counselor_to_proto,
    intake_from_proto,
    intake_to_proto,
    merge_counselor,
    profile_to_proto,
    ranking_to_proto,
)
from service.api.convert.experiments import (
    experiment_changes,
    experiment_from_proto,
    experiment_to_proto,
    outcome_event_from_proto,
    report_to_proto,
    strategy_from_proto,
    strategy_to_proto,
)

__all__ = [
    "UPDATABLE_FIELDS",
    "availability_from_proto",
    "counselor_from_proto",
    "counselor_to_proto",
    "experiment_changes",
    "experiment_from_proto",
    "experiment_to_proto",
    "intake_from_proto",
    "intake_to_proto",
    "merge_counselor",
    "outcome_event_from_proto",
    "profile_to_proto",
    "ranking_to_proto",
    "report_to_proto",
    "strategy_from_proto",
    "strategy_to_proto",
]
