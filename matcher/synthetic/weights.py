"""Weight tables of the synthetic population and the code orders its draws index into.

The distributions are loosely modelled on a US outpatient network: a few popular
concerns (anxiety, depression, relationships, trauma, stress) and rare ones
(infertility, perinatal), CBT as the most common approach, a US-heavy mix of time
zones, and the usual US credentials. Each ``_*_P`` array gives, in the order of the
matching ``_*_CODES`` tuple, the probabilities :mod:`matcher.synthetic.sampling`
draws with; the order is part of the determinism contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from matcher.vocabulary import APPROACHES, CONCERNS, LANGUAGES, SessionFormat, SessionType

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
