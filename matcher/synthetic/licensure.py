"""Synthetic jurisdictions of licensure, for counselors and for the clients of intakes.

A counselor is licensed in the state they live in, which follows their time zone and
the states' populations; 22% are licensed in a second state, 5% in many (an interstate
compact: 8 to 30 states), and 1% have no licence on file yet. A client is in a state of
their time zone, by population; a zone outside the United States stands for a US
resident abroad, placed by population anywhere. The callers draw these from generators
of their own, so that the other fields of a catalog do not depend on these draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["client_jurisdictions", "counselor_jurisdictions"]

#: Approximate population in millions (2020 census) of each jurisdiction, and its time zone.
_STATES: Mapping[str, tuple[float, str]] = {
    "US-AL": (5.0, "America/Chicago"), "US-AK": (0.7, "America/Anchorage"),
    "US-AZ": (7.2, "America/Phoenix"), "US-AR": (3.0, "America/Chicago"),
    "US-CA": (39.5, "America/Los_Angeles"), "US-CO": (5.8, "America/Denver"),
    "US-CT": (3.6, "America/New_York"), "US-DE": (1.0, "America/New_York"),
    "US-DC": (0.7, "America/New_York"), "US-FL": (21.5, "America/New_York"),
    "US-GA": (10.7, "America/New_York"), "US-HI": (1.5, "Pacific/Honolulu"),
    "US-ID": (1.8, "America/Denver"), "US-IL": (12.8, "America/Chicago"),
    "US-IN": (6.8, "America/New_York"), "US-IA": (3.2, "America/Chicago"),
    "US-KS": (2.9, "America/Chicago"), "US-KY": (4.5, "America/New_York"),
    "US-LA": (4.7, "America/Chicago"), "US-ME": (1.4, "America/New_York"),
    "US-MD": (6.2, "America/New_York"), "US-MA": (7.0, "America/New_York"),
    "US-MI": (10.1, "America/New_York"), "US-MN": (5.7, "America/Chicago"),
    "US-MS": (3.0, "America/Chicago"), "US-MO": (6.2, "America/Chicago"),
    "US-MT": (1.1, "America/Denver"), "US-NE": (2.0, "America/Chicago"),
    "US-NV": (3.1, "America/Los_Angeles"), "US-NH": (1.4, "America/New_York"),
    "US-NJ": (9.3, "America/New_York"), "US-NM": (2.1, "America/Denver"),
    "US-NY": (20.2, "America/New_York"), "US-NC": (10.4, "America/New_York"),
    "US-ND": (0.8, "America/Chicago"), "US-OH": (11.8, "America/New_York"),
    "US-OK": (4.0, "America/Chicago"), "US-OR": (4.2, "America/Los_Angeles"),
    "US-PA": (13.0, "America/New_York"), "US-RI": (1.1, "America/New_York"),
    "US-SC": (5.1, "America/New_York"), "US-SD": (0.9, "America/Chicago"),
    "US-TN": (6.9, "America/Chicago"), "US-TX": (29.1, "America/Chicago"),
    "US-UT": (3.3, "America/Denver"), "US-VT": (0.6, "America/New_York"),
    "US-VA": (8.6, "America/New_York"), "US-WA": (7.7, "America/Los_Angeles"),
    "US-WV": (1.8, "America/New_York"), "US-WI": (5.9, "America/Chicago"),
    "US-WY": (0.6, "America/Denver"), "US-PR": (3.3, "America/Puerto_Rico"),
    "US-GU": (0.15, "Pacific/Guam"), "US-VI": (0.1, "America/Puerto_Rico"),
}  # fmt: skip
_CODES = tuple(_STATES)
_POPULATION = np.array([population for population, _ in _STATES.values()])
_ANYWHERE = _POPULATION / _POPULATION.sum()


def _by_zone(zone: str) -> npt.NDArray[np.float64]:
    """The probability of each jurisdiction for a person in ``zone`` (by population; anywhere if none)."""
    weights = np.array([p if z == zone else 0.0 for p, z in _STATES.values()])
    total = float(weights.sum())
    out: npt.NDArray[np.float64] = np.divide(weights, total) if total else _ANYWHERE
    return out


def _home(rng: np.random.Generator, zones: Sequence[int], names: Sequence[str]) -> npt.NDArray[np.int64]:
    """A jurisdiction for each person, in zone ``names[zones[j]]``, by population within the zone."""
    draws = rng.random(len(zones))
    ids = np.asarray(zones, dtype=np.int64)
    out = np.zeros(len(zones), dtype=np.int64)
    for z, zone in enumerate(names):
        at = ids == z
        picked = np.searchsorted(np.cumsum(_by_zone(zone)), draws[at], side="right")
        out[at] = np.minimum(picked, len(_CODES) - 1)
    return out


#: Equal tuples of jurisdictions are one object (the snapshot encodes each distinct object once).
_INTERNED: dict[tuple[str, ...], tuple[str, ...]] = {}
_SINGLE = tuple((code,) for code in _CODES)


def counselor_jurisdictions(
    rng: np.random.Generator, zones: Sequence[int], names: Sequence[str]
) -> list[tuple[str, ...]]:
    """The jurisdictions of counselors living in zones ``names[zones[j]]``, in code order."""
    count = len(zones)
    home = _home(rng, zones, names).tolist()
    kind = rng.random(count).tolist()
    second = rng.choice(len(_CODES), size=count, p=_ANYWHERE).tolist()
    many = rng.integers(8, 31, count).tolist()
    out: list[tuple[str, ...]] = []
    for j in range(count):
        if kind[j] >= 0.28:  # the home state alone
            out.append(_SINGLE[home[j]])
            continue
        if kind[j] < 0.01:
            out.append(())
            continue
        chosen = {home[j]}
        if kind[j] < 0.06:
            chosen.update(rng.choice(len(_CODES), size=many[j], replace=False, p=_ANYWHERE).tolist())
        else:
            chosen.add(second[j])
        codes = tuple(_CODES[i] for i in sorted(chosen))
        out.append(_INTERNED.setdefault(codes, codes) if len(_INTERNED) < 100_000 else codes)
    return out


def client_jurisdictions(rng: np.random.Generator, zones: Sequence[int], names: Sequence[str]) -> list[str]:
    """Where each client, in zone ``names[zones[j]]``, will be during sessions."""
    return [_CODES[i] for i in _home(rng, zones, names).tolist()]
