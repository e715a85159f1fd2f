"""A realistic, deterministic synthetic catalog of counselors and client intakes.

Used by ``attune seed``, the demo, the benchmarks (1k to 1M counselors) and the
simulations. The same ``(count, seed)`` always gives the same output, in any
process with the same numpy version: every random number comes from one seeded
:class:`numpy.random.Generator` (no global random state), drawn in vectorized
batches of :data:`CHUNK` rows, and the dataclasses are only assembled afterwards.
The first ``n`` profiles of a bigger catalog are in general not those of a smaller
one, but ids are stable and unique: ``f"{id_prefix}{i:07d}"`` for counselor ``i``.

The distributions are loosely modelled on a US outpatient network (see the weight
tables below): a few popular concerns (anxiety, depression, relationships, trauma,
stress) and rare ones (infertility, perinatal), CBT as the most common approach,
video for most counselors, English for ~92% and Spanish for ~18%, a US-heavy mix
of time zones and weekday daytime/evening availability with some Saturdays.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.model import (
    MAX_PRIORITY,
    Availability,
    ConcernPreference,
    CounselorProfile,
    Intake,
    Specialty,
    WeeklyWindow,
)
from matcher.vocabulary import APPROACHES, CONCERNS, LANGUAGES, Proficiency, SessionFormat, SessionType

__all__ = ["CHUNK", "synthetic_counselors", "synthetic_intakes", "worst_case_intake"]

#: Rows drawn per vectorized batch (part of the determinism contract: changing it changes outputs).
CHUNK = 65_536

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# ----------------------------------------------------------------------------- weight tables
# Relative weights; a vocabulary code missing from a table gets weight 1.0.

_CONCERN_WEIGHTS: Mapping[str, float] = {
    "anxiety": 12.0, "depression": 10.0, "relationship": 7.0, "trauma": 6.5, "stress": 6.5,
    "life_transitions": 4.0, "self_esteem": 4.0, "grief": 3.5, "burnout": 3.0, "family_conflict": 3.0,
    "ptsd": 3.0, "parenting": 2.5, "panic": 2.5, "identity": 2.5, "adhd": 2.0, "anger": 2.0,
    "substance_use": 2.0, "ocd": 1.5, "sleep": 1.5, "eating_disorders": 1.2, "bipolar": 1.2,
    "chronic_illness": 1.2, "phobias": 1.2, "self_harm": 1.0, "perinatal": 0.5, "infertility": 0.4,
}  # fmt: skip
_APPROACH_WEIGHTS: Mapping[str, float] = {
    "cbt": 12.0, "mindfulness": 5.0, "person_centered": 5.0, "act": 4.0, "solution_focused": 4.0,
    "psychodynamic": 3.5, "dbt": 3.0, "emdr": 3.0, "family_systems": 2.5, "motivational_interviewing": 2.5,
    "gottman": 2.0, "eft": 2.0, "narrative": 1.5, "ifs": 1.5, "exposure": 1.5, "somatic": 1.0,
}  # fmt: skip
#: Languages other than English and Spanish, as a long tail.
_TAIL_LANGUAGE_WEIGHTS: Mapping[str, float] = {
    "zh": 6.0, "vi": 4.0, "tl": 4.0, "ko": 3.0, "fr": 3.0, "ar": 3.0, "ru": 3.0, "pt": 2.5, "hi": 2.5,
    "ht": 2.0, "de": 1.5, "pl": 1.5, "it": 1.5, "fa": 1.5, "ur": 1.2, "gu": 1.0, "pa": 1.0, "bn": 1.0,
    "ja": 1.0, "uk": 1.0, "he": 0.8, "yi": 0.3, "so": 0.6, "am": 0.6, "hy": 0.6, "km": 0.5,
}  # fmt: skip
_TIME_ZONE_WEIGHTS: Mapping[str, float] = {
    "America/New_York": 0.36, "America/Chicago": 0.22, "America/Denver": 0.07,
    "America/Los_Angeles": 0.22, "America/Phoenix": 0.04, "America/Anchorage": 0.01,
    "Pacific/Honolulu": 0.01, "America/Puerto_Rico": 0.02, "America/Toronto": 0.02,
    "Europe/Madrid": 0.01, "Europe/London": 0.01, "Asia/Kolkata": 0.01,
}  # fmt: skip
_CREDENTIAL_WEIGHTS: Mapping[str, float] = {
    "LCSW": 0.30, "LPC": 0.24, "LMFT": 0.20, "LMHC": 0.10, "PhD": 0.08, "PsyD": 0.08,
}  # fmt: skip
_FIRST_NAMES = (
    "Aisha", "Alejandro", "Amara", "Ana", "Andrew", "Angela", "Arjun", "Beatriz", "Carlos", "Chen",
    "Chloe", "Daniel", "Darnell", "David", "Deepa", "Elena", "Emily", "Fatima", "Gabriel", "Grace",
    "Hana", "Hiroshi", "Ibrahim", "Imani", "Isabel", "Jamal", "James", "Jennifer", "Jin", "Jose",
    "Kai", "Keisha", "Kwame", "Laura", "Leila", "Linh", "Lucia", "Malik", "Maria", "Mei", "Michael",
    "Minh", "Nadia", "Noah", "Olga", "Omar", "Priya", "Rachel", "Rafael", "Ravi", "Rosa", "Samuel",
    "Sarah", "Sofia", "Tamika", "Thomas", "Valentina", "Wei", "Yara", "Yusuf", "Zainab", "Zoe",
)  # fmt: skip
_LAST_NAMES = (
    "Adeyemi", "Ahmed", "Alvarez", "Anderson", "Bailey", "Brown", "Chen", "Cohen", "Cruz", "Davis",
    "Diaz", "Dubois", "Garcia", "Goldberg", "Gonzalez", "Gupta", "Hall", "Haddad", "Hernandez", "Ivanova",
    "Jackson", "Johnson", "Kim", "Kowalski", "Lee", "Lopez", "Martin", "Martinez", "Mensah", "Miller",
    "Moore", "Morales", "Nakamura", "Nguyen", "Novak", "Okafor", "Ortiz", "Park", "Patel", "Perez",
    "Ramirez", "Reyes", "Robinson", "Rossi", "Sanchez", "Santos", "Shah", "Silva", "Singh", "Smith",
    "Tanaka", "Taylor", "Thomas", "Tran", "Walker", "Washington", "White", "Williams", "Wilson", "Wong",
    "Yamamoto", "Young",
)  # fmt: skip

_CONCERN_CODES = tuple(CONCERNS)
_APPROACH_CODES = tuple(APPROACHES)
_TAIL_CODES = tuple(c for c in LANGUAGES if c not in ("en", "es"))
_ZONES = tuple(_TIME_ZONE_WEIGHTS)
_CREDENTIALS = tuple(_CREDENTIAL_WEIGHTS)
_FORMATS = (SessionFormat.VIDEO, SessionFormat.PHONE, SessionFormat.IN_PERSON)
_SESSION_TYPES = (SessionType.INDIVIDUAL, SessionType.COUPLES, SessionType.FAMILY)
#: Language index space used while drawing: 0 = en, 1 = es, 2.. = the tail.
_LANGUAGE_CODES = ("en", "es", *_TAIL_CODES)


def _probabilities(codes: Sequence[str], table: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """The weights of ``codes`` normalised to sum to 1; shape (len(codes),)."""
    w = np.array([table.get(c, 1.0) for c in codes], dtype=np.float64)
    total = float(w.sum())
    return np.divide(w, total)


_CONCERN_P = _probabilities(_CONCERN_CODES, _CONCERN_WEIGHTS)
_APPROACH_P = _probabilities(_APPROACH_CODES, _APPROACH_WEIGHTS)
_TAIL_P = _probabilities(_TAIL_CODES, _TAIL_LANGUAGE_WEIGHTS)
_ZONE_P = _probabilities(_ZONES, _TIME_ZONE_WEIGHTS)
_CREDENTIAL_P = _probabilities(_CREDENTIALS, _CREDENTIAL_WEIGHTS)

# ----------------------------------------------------------------------------- vectorized draws


def _weighted_orders(rng: np.random.Generator, weights: npt.NDArray[np.float64], n: int, k: int) -> IntArray:
    """Draw ``n`` weighted samples without replacement of ``k`` items each (exponential race).

    Item ``i`` "arrives" after an exponential time of rate ``weights[i]``; the first ``k``
    arrivals have the law of drawing one item at a time with probability proportional to
    its weight among those left. Float64 arrival times never tie in practice, so the
    (unstable, fast) default sort gives the same order on every machine.

    Parameters
    ----------
    weights : numpy.ndarray of float64, shape (m,)
        Positive weights of the ``m`` items.

    Returns
    -------
    numpy.ndarray of int64, shape (n, k)
        Item indices in draw order.
    """
    arrivals = rng.standard_exponential(size=(n, weights.shape[0])) / weights[np.newaxis, :]
    return np.argsort(arrivals, axis=1)[:, :k].astype(np.int64)


def _bits(rng: np.random.Generator, n: int, probabilities: Sequence[float]) -> IntArray:
    """Independent Bernoulli flags packed as a bit mask per row, never 0 (bit 0 forced if none).

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Values in 1 .. 2**len(probabilities) - 1.
    """
    draws = rng.random((n, len(probabilities))) < np.asarray(probabilities)[np.newaxis, :]
    mask = (draws.astype(np.int64) << np.arange(len(probabilities), dtype=np.int64)).sum(axis=1)
    return np.where(mask == 0, 1, mask)


def _pad(values: IntArray, counts: IntArray) -> IntArray:
    """Replace the entries of ``values`` (shape (n, k)) beyond ``counts`` (shape (n,)) with -1."""
    keep = np.arange(values.shape[1])[np.newaxis, :] < counts[:, np.newaxis]
    return np.where(keep, values, -1)


def _windows(
    rng: np.random.Generator,
    n: int,
    counts: IntArray,
    day_weights: Sequence[float],
    evening_share: float,
    day_starts: tuple[int, int],
    evening_starts: tuple[int, int],
    lengths: tuple[int, int],
) -> IntArray:
    """Draw weekly windows on distinct days, sorted by day, encoded as ``(day*64 + start)*64 + end``.

    Start/length ranges are inclusive, in half hours since midnight.

    Returns
    -------
    numpy.ndarray of int64, shape (n, max(counts) or 1)
        Window codes, -1 beyond each row's count.
    """
    k = max(int(counts.max(initial=0)), 1)
    days = _weighted_orders(rng, np.asarray(day_weights, dtype=np.float64), n, k)
    evening = rng.random((n, k)) < evening_share
    start = np.where(
        evening,
        rng.integers(evening_starts[0], evening_starts[1] + 1, (n, k)),
        rng.integers(day_starts[0], day_starts[1] + 1, (n, k)),
    )
    end = np.minimum(start + rng.integers(lengths[0], lengths[1] + 1, (n, k)), 48)
    codes = _pad((days * 64 + start) * 64 + end, counts)
    return _sort_codes(codes)  # by day, then start; the -1 padding last


def _sort_codes(codes: IntArray) -> IntArray:
    """Sort each row ascending with the -1 padding kept at the end; shape preserved."""
    big = np.iinfo(np.int64).max
    ordered = np.sort(np.where(codes < 0, big, codes), axis=1)
    return np.where(ordered == big, -1, ordered)


class _WindowCache:
    """Interns :class:`WeeklyWindow` objects by window code (see :func:`_windows`)."""

    def __init__(self) -> None:
        self._cache: dict[int, WeeklyWindow] = {}

    def get(self, code: int) -> WeeklyWindow:
        w = self._cache.get(code)
        if w is None:
            w = WeeklyWindow(day=code // 4096, start_minute=(code // 64) % 64 * 30, end_minute=code % 64 * 30)
            self._cache[code] = w
        return w

    def tuple_of(self, row: list[int]) -> tuple[WeeklyWindow, ...]:
        return tuple([self.get(c) for c in row if c >= 0])


class _Interned:
    """Interns tuples of codes by their row of indices (-1 = unused slot)."""

    def __init__(self, codes: Sequence[str]) -> None:
        self._codes = codes
        self._cache: dict[tuple[int, ...], tuple[str, ...]] = {}

    def get(self, row: list[int]) -> tuple[str, ...]:
        key = tuple(row)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = tuple([self._codes[i] for i in row if i >= 0])
        return found


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, CHUNK):
        yield start, min(CHUNK, count - start)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are built.

    The objects made here hold no reference cycles, but their sheer number triggers
    repeated full collections that double the run time at 1M profiles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check(count: int) -> None:
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")


# ----------------------------------------------------------------------------- counselors


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


def _subsets(items: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Tuple of the items whose bit is set, for every mask 0 .. 2**len(items) - 1."""
    return [tuple(x for b, x in enumerate(items) if mask >> b & 1) for mask in range(1 << len(items))]


def synthetic_counselors(count: int, seed: int = 0, *, id_prefix: str = "c") -> list[CounselorProfile]:
    """Generate ``count`` valid, realistic counselor profiles, identical for the same ``(count, seed)``.

    Ids are ``f"{id_prefix}{i:07d}"`` for ``i`` in ``range(count)``. Every profile passes
    :func:`matcher.model.validate_counselor`. About 1 s per 100k profiles.
    """
    _check(count)
    rng = np.random.default_rng([seed, 1])
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
    with _gc_paused():
        for offset, n in _chunks(count):
            d = _draw_counselors(rng, n)
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
                    )
                )
    return out


# ----------------------------------------------------------------------------- intakes


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
    format_sets = _subsets(_FORMATS)
    window_cache = _WindowCache()
    approach_of = _Interned(_APPROACH_CODES)
    language_of = _Interned(_LANGUAGE_CODES)
    out: list[Intake] = []
    with _gc_paused():
        for offset, n in _chunks(count):
            d = _draw_intakes(rng, n)
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
                    )
                )
    return out


def worst_case_intake(seed: int = 0) -> Intake:
    """An intake that exercises every factor as hard as possible, for benchmarks.

    Ten concerns with priorities, four languages, all formats, five approaches and
    sixteen windows (a morning and an evening window every day, plus two weekend
    middays) in America/Chicago.
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
    )
