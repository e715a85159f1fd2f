"""Synthetic counselor profiles: realistic, valid and identical for the same ``(count, seed)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.engine.encoding import gc_paused
from matcher.model import Availability, CounselorProfile, Specialty
from matcher.synthetic.licensure import counselor_jurisdictions
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
    _CREDENTIAL_P,
    _CREDENTIALS,
    _FIRST_NAMES,
    _FORMATS,
    _LANGUAGE_CODES,
    _LAST_NAMES,
    _SESSION_TYPES,
    _TAIL_P,
    _ZONE_P,
    _ZONES,
)
from matcher.synthetic.whole import counselor_whole
from matcher.vocabulary import Proficiency

__all__ = ["synthetic_counselors"]


def _draw_counselors(rng: np.random.Generator, n: int) -> dict[str, Any]:
    """Every random number of ``n`` counselor profiles, as plain Python lists (one entry per row)."""
    n_spec = rng.integers(2, 7, n)
    n_primary = np.minimum(rng.integers(1, 4, n), n_spec)
    concerns = _weighted_orders(rng, _CONCERN_P, n, 6)
    secondary = np.arange(6)[np.newaxis, :] >= n_primary[:, np.newaxis]
    specialties = _pad(concerns * 2 + secondary, n_spec)

    n_appr = rng.choice(4, size=n, p=[0.30, 0.35, 0.22, 0.13]) + 1
    approaches = _pad(_weighted_orders(rng, _APPROACH_P, n, 4), n_appr)

    # languages: en ~92%, es ~18% (independent), then 0-2 tail languages; 1-3 in all;
    # English first except for a quarter of the bilingual English/Spanish counselors
    en = rng.random(n) < 0.92
    es = rng.random(n) < 0.18
    es_first = rng.random(n) < 0.25
    n_tail = rng.choice(3, size=n, p=[0.88, 0.10, 0.02])
    n_tail = np.where(~en & ~es, np.maximum(n_tail, 1), n_tail)
    n_tail = np.minimum(n_tail, 3 - en.astype(np.int64) - es.astype(np.int64))
    tail = _weighted_orders(rng, _TAIL_P, n, 2) + 2
    head = np.full((n, 2), -1, dtype=np.int64)
    head[:, 0] = np.where(en, np.where(es & es_first, 1, 0), np.where(es, 1, -1))
    head[:, 1] = np.where(en & es, np.where(es_first, 0, 1), -1)
    languages = np.concatenate([head, _pad(tail, n_tail)], axis=1)

    n_windows = rng.integers(2, 6, n)
    windows = _windows(rng, n, n_windows, [1.0, 1.0, 1.0, 1.0, 0.9, 0.35], 0.3, (16, 32), (33, 38), (4, 8))

    caseload_max = rng.integers(15, 36, n)
    full = rng.random(n) < 0.10
    current = np.where(full, caseload_max, np.floor(rng.random(n) * caseload_max).astype(np.int64))
    credentials = _weighted_orders(rng, _CREDENTIAL_P, n, 2)
    two_credentials = rng.random(n) < 0.12
    return {
        "specialties": specialties.tolist(),
        "approaches": approaches.tolist(),
        "formats": _bits(rng, n, [0.85, 0.50, 0.45]).tolist(),
        "session_types": _bits(rng, n, [0.97, 0.30, 0.20]).tolist(),
        "languages": languages.tolist(),
        "zone": rng.choice(len(_ZONES), size=n, p=_ZONE_P).tolist(),
        "windows": windows.tolist(),
        "accepting": (rng.random(n) < 0.85).tolist(),
        "caseload_current": current.tolist(),
        "caseload_max": caseload_max.tolist(),
        "active": (rng.random(n) < 0.95).tolist(),
        "name": rng.integers(0, len(_FIRST_NAMES) * len(_LAST_NAMES), n).tolist(),
        "credentials": _pad(credentials, two_credentials + 1).tolist(),
    }


def synthetic_counselors(count: int, seed: int = 0, *, id_prefix: str = "c") -> list[CounselorProfile]:
    """Generate ``count`` valid, realistic counselor profiles, identical for the same ``(count, seed)``.

    Ids are ``f"{id_prefix}{i:07d}"`` for ``i`` in ``range(count)``. Every profile passes
    :func:`matcher.model.validate_counselor`. About 1 s per 100k profiles.
    """
    _check(count)
    rng = np.random.default_rng([seed, 1])
    licensure_rng = np.random.default_rng([seed, 11])  # apart: the other fields do not depend on it
    whole_rng = np.random.default_rng([seed, 13])  # age groups, genders, identities: apart too
    # interned building blocks: objects are shared between profiles (they are all frozen)
    specialty_of = [
        Specialty(code, p) for code in _CONCERN_CODES for p in Proficiency
    ]  # concern*2 + secondary
    approach_of = _Interned(_APPROACH_CODES)
    language_of = _Interned(_LANGUAGE_CODES)
    credential_of = _Interned(_CREDENTIALS)
    format_sets = _subsets(_FORMATS)
    type_sets = _subsets(_SESSION_TYPES)
    names = [f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES]
    window_cache = _WindowCache()
    out: list[CounselorProfile] = []
    with gc_paused():
        for offset, n in _chunks(count):
            d = _draw_counselors(rng, n)
            jurisdictions = counselor_jurisdictions(licensure_rng, d["zone"], _ZONES)
            whole = counselor_whole(whole_rng, d)
            for j in range(n):
                out.append(
                    CounselorProfile(
                        id=f"{id_prefix}{offset + j:07d}",
                        display_name=names[d["name"][j]],
                        credentials=credential_of.get(d["credentials"][j]),
                        specialties=tuple([specialty_of[s] for s in d["specialties"][j] if s >= 0]),
                        approaches=approach_of.get(d["approaches"][j]),
                        formats=format_sets[d["formats"][j]],
                        session_types=type_sets[d["session_types"][j]],
                        languages=language_of.get(d["languages"][j]),
                        availability=Availability(
                            _ZONES[d["zone"][j]], window_cache.tuple_of(d["windows"][j])
                        ),
                        accepting_new_clients=d["accepting"][j],
                        caseload_current=d["caseload_current"][j],
                        caseload_max=d["caseload_max"][j],
                        active=d["active"][j],
                        jurisdictions=jurisdictions[j],
                        age_groups=whole["age_groups"][j],
                        genders=whole["genders"][j],
                        identities=whole["identities"][j],
                    )
                )
    return out
