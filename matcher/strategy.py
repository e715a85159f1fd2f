"""Matching strategies: a named, versioned, immutable recipe for ranking.

A strategy names its algorithm (``weighted`` or ``random-eligible``) and, for the
weighted algorithm, the weight of each soft factor, by the factor's name
(:data:`~matcher.attributes.FACTORS`). A factor a strategy does not weigh takes its
declared ``default_weight`` (0 for the four factors every built-in strategy weighs; the
factors declared since, such as gender, have one), so that a new attribute scores under
the existing strategies without changing what they do for intakes that do not use it. Once a ranking has been
served with ``name@version`` that pair never changes meaning; a change is a new
version.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from matcher.attributes import FACTORS
from matcher.errors import FieldViolation, InvalidInput

__all__ = [
    "BUILTIN_STRATEGIES",
    "DEFAULT_STRATEGY",
    "Algorithm",
    "Strategy",
    "validate_strategy",
]


class Algorithm(StrEnum):
    """How a strategy orders the counselors who pass the hard filters."""

    WEIGHTED = "weighted"
    RANDOM_ELIGIBLE = "random-eligible"


@dataclass(frozen=True)
class Strategy:
    """A ranking recipe; ``weights`` maps factor names (``FACTORS``) to weights >= 0."""

    name: str
    version: int
    algorithm: Algorithm = Algorithm.WEIGHTED
    weights: Mapping[str, float] = field(default_factory=dict)
    description: str = ""

    @property
    def key(self) -> str:
        """``name@version``, the identity logged with every ranking."""
        return f"{self.name}@{self.version}"


def _weights(
    concern: float, approach: float, language: float, availability: float, **more: float
) -> Mapping[str, float]:
    return MappingProxyType(
        {"concern": concern, "approach": approach, "language": language, "availability": availability, **more}
    )


BUILTIN_STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "balanced-v1",
        1,
        Algorithm.WEIGHTED,
        _weights(0.40, 0.15, 0.20, 0.25),
        "The default: concerns first, then availability, language and approach.",
    ),
    Strategy(
        "availability-first",
        1,
        Algorithm.WEIGHTED,
        _weights(0.25, 0.10, 0.15, 0.50),
        "Puts who can meet soonest at the client's hours first: for clients who drop out "
        "when the first session is far away.",
    ),
    Strategy(
        "specialty-first",
        1,
        Algorithm.WEIGHTED,
        _weights(0.60, 0.20, 0.10, 0.10),
        "Puts depth in the client's concerns first: for complex or high-priority concerns "
        "where expertise matters more than convenience.",
    ),
    Strategy(
        "balanced-related",
        1,
        Algorithm.WEIGHTED,
        _weights(0.40, 0.15, 0.20, 0.25, related_concern=0.15),
        "balanced-v1 with partial credit for related concerns (panic attacks near anxiety, "
        "perinatal mental health near depression: matcher/concern_taxonomy.py): to A/B-test "
        "against balanced-v1 before it becomes the default.",
    ),
    Strategy(
        "random-eligible",
        1,
        Algorithm.RANDOM_ELIGIBLE,
        _weights(0.25, 0.25, 0.25, 0.25),
        "A control: random order among the counselors who pass the hard filters "
        "(seeded by the ranking id, so a ranking can be reproduced).",
    ),
)

DEFAULT_STRATEGY = BUILTIN_STRATEGIES[0]


def validate_strategy(strategy: Strategy) -> None:
    """Raise :class:`InvalidInput` if ``strategy`` cannot be used."""
    out: list[FieldViolation] = []
    if not strategy.name or not all(c.isalnum() or c in "-_." for c in strategy.name):
        out.append(FieldViolation("name", "required: letters, digits, '-', '_' or '.'"))
    if strategy.version < 1:
        out.append(FieldViolation("version", "must be 1 or more"))
    if not isinstance(strategy.algorithm, Algorithm):
        out.append(FieldViolation("algorithm", f"allowed: {', '.join(a.value for a in Algorithm)}"))
    for key, value in strategy.weights.items():
        if key not in FACTORS:
            out.append(FieldViolation("weights", f"unknown factor {key!r}; allowed: {', '.join(FACTORS)}"))
        elif not (math.isfinite(value) and value >= 0):
            out.append(FieldViolation(f"weights[{key}]", "must be a finite number >= 0"))
    if not any(v > 0 for v in strategy.weights.values() if math.isfinite(v)):
        out.append(FieldViolation("weights", "at least one factor needs a weight above 0"))
    if out:
        raise InvalidInput(out)
