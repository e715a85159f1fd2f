"""An intake encoded for the vectorized ranking: bit masks, applicable factors, weights.

Encoding an intake costs a few microseconds (the client's availability bits are
cached per distinct :class:`~matcher.model.Availability`), independent of the
catalog size.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from matcher.availability import availability_bits
from matcher.engine.bitsets import (
    APPROACH_BITS,
    CONCERN_BITS,
    FORMAT_BITS,
    LANGUAGE_BITS,
    SESSION_TYPE_BITS,
    mask_of,
)
from matcher.model import Availability, Intake
from matcher.strategy import Factor, Strategy

__all__ = ["EncodedIntake", "applicable_factors", "encode_intake", "factor_weights"]


def applicable_factors(intake: Intake) -> tuple[Factor, ...]:
    """The soft factors that apply to ``intake``, in :class:`Factor` order.

    Concern and language always apply (a valid intake names at least one of each);
    approach only when the client prefers some approaches; availability only when
    the client gave at least one weekly window.
    """
    out = [Factor.CONCERN]
    if intake.approaches:
        out.append(Factor.APPROACH)
    out.append(Factor.LANGUAGE)
    if intake.availability is not None and intake.availability.windows:
        out.append(Factor.AVAILABILITY)
    return tuple(out)


def factor_weights(strategy: Strategy, factors: tuple[Factor, ...]) -> Mapping[Factor, float]:
    """Renormalise the strategy's weights over ``factors`` so that they sum to 1.

    A factor missing from ``strategy.weights`` weighs 0. If every applicable
    weight is 0, the factors share the weight equally.
    """
    raw = [max(0.0, float(strategy.weights.get(f, 0.0))) for f in factors]
    total = sum(raw)
    if total > 0:
        return MappingProxyType({f: w / total for f, w in zip(factors, raw, strict=True)})
    return MappingProxyType({f: 1.0 / len(factors) for f in factors})


@lru_cache(maxsize=4096)
def _client_slots(availability: Availability) -> tuple[npt.NDArray[np.uint64], int]:
    """The slot bits (read-only, shape (SLOT_WORDS,)) and the slot count."""
    words = availability_bits(availability)
    words.flags.writeable = False
    return words, int(np.bitwise_count(words).sum())


class EncodedIntake(NamedTuple):
    """What the ranking needs from an intake, as bit masks (a named tuple: made on every ranking).

    Attributes
    ----------
    concern_groups : tuple of (priority, concern mask) pairs, one per distinct priority
    priority_total : sum of the priorities of the client's concerns
    language_bits : one bit per client language, in the client's order
    language_mask : OR of ``language_bits``
    session_type_bit : the bit of the requested session type
    format_mask : OR of the acceptable formats; 0 means any format
    approach_mask, approach_count : preferred approaches; 0 / 0 means no preference
    slot_words : uint64 array of shape (SLOT_WORDS,) or None when no windows were given
    slot_count : number of the client's weekly slots
    factors : the applicable soft factors, in :class:`Factor` order
    weights : renormalised weight of each applicable factor
    """

    concern_groups: tuple[tuple[int, int], ...]
    priority_total: int
    language_bits: tuple[int, ...]
    language_mask: int
    session_type_bit: int
    format_mask: int
    approach_mask: int
    approach_count: int
    slot_words: npt.NDArray[np.uint64] | None
    slot_count: int
    factors: tuple[Factor, ...]
    weights: Mapping[Factor, float]


def encode_intake(intake: Intake, strategy: Strategy) -> EncodedIntake:
    """Encode a validated ``intake`` (and the weights ``strategy`` gives it)."""
    groups: dict[int, int] = {}
    for c in intake.concerns:
        groups[c.priority] = groups.get(c.priority, 0) | mask_of((c.concern,), CONCERN_BITS)
    language_bits = tuple(mask_of((code,), LANGUAGE_BITS) for code in intake.languages)
    slot_words = None
    slot_count = 0
    if intake.availability is not None and intake.availability.windows:
        slot_words, slot_count = _client_slots(intake.availability)
    approach_mask = mask_of(intake.approaches, APPROACH_BITS)
    factors = applicable_factors(intake)
    return EncodedIntake(
        concern_groups=tuple(sorted(groups.items(), reverse=True)),
        priority_total=sum(c.priority for c in intake.concerns),
        language_bits=language_bits,
        language_mask=mask_of(intake.languages, LANGUAGE_BITS),
        session_type_bit=mask_of((intake.session_type,), SESSION_TYPE_BITS),
        format_mask=mask_of(intake.formats, FORMAT_BITS),
        approach_mask=approach_mask,
        approach_count=approach_mask.bit_count(),
        slot_words=slot_words,
        slot_count=slot_count,
        factors=factors,
        weights=factor_weights(strategy, factors),
    )
