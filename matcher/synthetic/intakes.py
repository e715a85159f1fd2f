"""Synthetic client intakes: valid, identical for the same ``(count, seed)``, and a worst case."""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.engine.encoding import gc_paused
from matcher.model import MAX_PRIORITY, Availability, ConcernPreference, Intake, Preference, WeeklyWindow
from matcher.synthetic.licensure import client_jurisdictions
from matcher.synthetic.sampling import (
    _bits,
    _check,
    _chunks,
    _Interned,
    _pad,
    _subsets,
    _weighted_orders,
    _WindowCache,
    _windows,
)
from matcher.synthetic.weights import (
    _APPROACH_CODES,
    _APPROACH_P,
    _CONCERN_CODES,
    _CONCERN_P,
    _FORMATS,
    _LANGUAGE_CODES,
    _SESSION_TYPES,
    _TAIL_CODES,
    _TAIL_P,
    _ZONE_P,
    _ZONES,
)
from matcher.synthetic.whole import intake_whole
from matcher.vocabulary import SessionType

__all__ = ["synthetic_intakes", "worst_case_intake"]


def _draw_intakes(rng: np.random.Generator, n: int) -> dict[str, Any]:
    """Every random number of ``n`` intakes, as plain Python lists (one entry per row)."""
    n_concerns = rng.choice(3, size=n, p=[0.45, 0.35, 0.20]) + 1
    concerns = _pad(_weighted_orders(rng, _CONCERN_P, n, 3), n_concerns)
    priorities = -np.sort(-rng.integers(1, MAX_PRIORITY + 1, (n, 3)), axis=1)

    # languages: 80% en; 5% es,en; 4% es; 3% en,es; 8% a tail language (half of them also en)
    kind = rng.choice(6, size=n, p=[0.80, 0.05, 0.04, 0.03, 0.04, 0.04])
    tail = rng.choice(len(_TAIL_CODES), size=n, p=_TAIL_P) + 2
    first = np.choose(kind, [0, 1, 1, 0, tail, tail])
    second = np.choose(kind, [-1, 0, -1, 1, -1, 0])

    any_format = rng.random(n) < 0.35
    formats = np.where(any_format, 0, _bits(rng, n, [0.70, 0.30, 0.40]))
    session_type = rng.choice(3, size=n, p=[0.85, 0.10, 0.05])
    n_appr = np.where(rng.random(n) < 0.40, rng.choice(2, size=n, p=[0.7, 0.3]) + 1, 0)
    approaches = _pad(_weighted_orders(rng, _APPROACH_P, n, 2), n_appr)

    gives_windows = rng.random(n) < 0.80
    n_windows = np.where(gives_windows, rng.integers(1, 5, n), 0)
    windows = _windows(
        rng, n, n_windows, [1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.3], 0.5, (16, 30), (34, 40), (2, 8)
    )
    return {
        "concerns": concerns.tolist(),
        "priorities": priorities.tolist(),
        "languages": np.stack([first, second], axis=1).tolist(),
        "formats": formats.tolist(),
        "session_type": session_type.tolist(),
        "approaches": approaches.tolist(),
        "zone": rng.choice(len(_ZONES), size=n, p=_ZONE_P).tolist(),
        "windows": windows.tolist(),
    }


def synthetic_intakes(count: int, seed: int = 0) -> list[Intake]:
    """Generate ``count`` valid intakes, identical for the same ``(count, seed)``.

    Client ids are pseudonymous: ``f"client-{i:06d}"``. Every intake passes
    :func:`matcher.model.validate_intake`.
    """
    _check(count)
    rng = np.random.default_rng([seed, 2])
    licensure_rng = np.random.default_rng([seed, 12])  # apart: the other fields do not depend on it
    whole_rng = np.random.default_rng([seed, 14])  # age group, genders, identities, preferences: apart too
    format_sets = _subsets(_FORMATS)
    window_cache = _WindowCache()
    approach_of = _Interned(_APPROACH_CODES)
    language_of = _Interned(_LANGUAGE_CODES)
    out: list[Intake] = []
    with gc_paused():
        for offset, n in _chunks(count):
            d = _draw_intakes(rng, n)
            jurisdictions = client_jurisdictions(licensure_rng, d["zone"], _ZONES)
            whole = intake_whole(whole_rng, d)
            for j in range(n):
                windows = window_cache.tuple_of(d["windows"][j])
                concerns = zip(d["concerns"][j], d["priorities"][j], strict=True)
                out.append(
                    Intake(
                        client_id=f"client-{offset + j:06d}",
                        concerns=tuple(
                            [ConcernPreference(_CONCERN_CODES[c], p) for c, p in concerns if c >= 0]
                        ),
                        languages=language_of.get(d["languages"][j]),
                        session_type=_SESSION_TYPES[d["session_type"][j]],
                        formats=format_sets[d["formats"][j]],
                        approaches=approach_of.get(d["approaches"][j]),
                        availability=Availability(_ZONES[d["zone"][j]], windows) if windows else None,
                        jurisdiction=jurisdictions[j],
                        age_group=whole["age_group"][j],
                        genders=whole["genders"][j],
                        identities=whole["identities"][j],
                        preferences=whole["preferences"][j],
                    )
                )
    return out


def worst_case_intake(seed: int = 0) -> Intake:
    """An intake that exercises every factor as hard as possible, for benchmarks.

    Ten concerns with priorities, four languages, all formats (preferred, so that they
    score), five approaches, sixteen windows (a morning and an evening window every day,
    plus two weekend middays) in America/Chicago, two genders and three identity
    attributes, preferred with an importance (so that the intake still has results).
    """
    rng = np.random.default_rng([seed, 3])
    concerns = _weighted_orders(rng, _CONCERN_P, 1, 10)[0].tolist()
    priorities = rng.integers(1, MAX_PRIORITY + 1, 10).tolist()
    approaches = _weighted_orders(rng, _APPROACH_P, 1, 5)[0].tolist()
    morning = rng.integers(12, 17, 7).tolist()  # 06:00 .. 08:00 starts, 3 hours
    evening = rng.integers(34, 39, 7).tolist()  # 17:00 .. 19:00 starts, 2.5 hours
    windows = [WeeklyWindow(day, m * 30, (m + 6) * 30) for day, m in enumerate(morning)]
    windows += [WeeklyWindow(day, e * 30, (e + 5) * 30) for day, e in enumerate(evening)]
    windows += [WeeklyWindow(5, 11 * 60, 15 * 60), WeeklyWindow(6, 12 * 60, 16 * 60)]
    windows.sort(key=lambda w: (w.day, w.start_minute))
    return Intake(
        client_id=f"client-worst-case-{seed}",
        concerns=tuple(
            ConcernPreference(_CONCERN_CODES[c], p) for c, p in zip(concerns, priorities, strict=True)
        ),
        languages=("en", "es", "zh", "vi"),
        session_type=SessionType.INDIVIDUAL,
        formats=_FORMATS,
        approaches=tuple(_APPROACH_CODES[i] for i in approaches),
        availability=Availability("America/Chicago", tuple(windows)),
        jurisdiction="US-IL",
        age_group="adult",
        genders=("woman", "nonbinary"),
        identities=("lgbtq_affirming", "culture_latino", "lived_immigration"),
        preferences=(
            Preference("format", required=False),
            Preference("gender", required=False, importance=4),
            Preference("identity", required=False, importance=5),
        ),
    )
