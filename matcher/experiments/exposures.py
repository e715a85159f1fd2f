"""From logged exposures to per-unit analysis input, dropping units seen in more than one arm.

Exposures are ``(unit_id, arm)`` pairs of one experiment phase, logged where the strategy
was used. A unit that shows up in two arms (a bug, a shared device, a changed id) cannot be
attributed to either, so it is removed and counted (as Eppo does); the count is reported so
that a rise can be investigated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.errors import FieldViolation, InvalidInput

__all__ = ["UnitArms", "dedupe_exposures", "units_from_exposures"]


def dedupe_exposures(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], int]:
    """Map each unit to its single arm; units seen in several arms are left out.

    Returns
    -------
    (arm_of, multi_arm_units)
        ``arm_of[unit_id]`` is the arm of every unit exposed to exactly one arm (however many
        times); ``multi_arm_units`` counts the units left out.
    """
    arms_of: dict[str, set[str]] = {}
    for unit_id, arm in pairs:
        arms_of.setdefault(unit_id, set()).add(arm)
    arm_of = {u: next(iter(a)) for u, a in arms_of.items() if len(a) == 1}
    return arm_of, len(arms_of) - len(arm_of)


@dataclass(frozen=True, eq=False)
class UnitArms:
    """Analysis-ready units of one experiment phase.

    Attributes
    ----------
    unit_ids : tuple of str, length n
        Sorted ids of the units kept.
    arm_index : ndarray of int64, shape (n,)
        Index into the configured arms of each unit's arm.
    exposures : ndarray of int64, shape (n,)
        Number of exposure records of each unit.
    multi_arm_units : int
        Units seen in more than one arm, left out.
    """

    unit_ids: tuple[str, ...]
    arm_index: npt.NDArray[np.int64]
    exposures: npt.NDArray[np.int64]
    multi_arm_units: int

    def outcome(self, converted: Collection[str]) -> npt.NDArray[np.int8]:
        """0/1 array of shape (n,): 1 for each unit whose id is in ``converted``."""
        chosen = converted if isinstance(converted, set | frozenset) else set(converted)
        return np.fromiter((u in chosen for u in self.unit_ids), dtype=np.int8, count=len(self.unit_ids))


def units_from_exposures(pairs: Iterable[tuple[str, str]], arm_names: Sequence[str]) -> UnitArms:
    """Deduplicate ``(unit_id, arm)`` exposure pairs into a :class:`UnitArms`.

    Raises :class:`InvalidInput` (field ``exposures[k].arm``) if an arm is not in ``arm_names``.
    """
    index = {name: i for i, name in enumerate(arm_names)}
    listed = list(pairs)
    bad = [
        FieldViolation(f"exposures[{k}].arm", f"unknown arm {arm!r}; arms: {', '.join(arm_names)}")
        for k, (_, arm) in enumerate(listed)
        if arm not in index
    ]
    if bad:
        raise InvalidInput(bad[:20])
    counts: dict[str, int] = {}
    for unit_id, _ in listed:
        counts[unit_id] = counts.get(unit_id, 0) + 1
    arm_of, multi = dedupe_exposures(listed)
    ids = tuple(sorted(arm_of))
    return UnitArms(
        unit_ids=ids,
        arm_index=np.fromiter((index[arm_of[u]] for u in ids), dtype=np.int64, count=len(ids)),
        exposures=np.fromiter((counts[u] for u in ids), dtype=np.int64, count=len(ids)),
        multi_arm_units=multi,
    )
