"""Synthetic values of the whole intake: age groups, genders, identities, and what the client requires.

Counselors: almost all see adults (96%); about 3% are child and adolescent specialists who
see children and teens only; a counselor who offers family sessions is far more often one
of them or sees teens (about half do, against one in twenty of the others), and one who
sees teens often sees children too (in all, about 16% see teens and 9% children), so that
a family intake about a teen or a child finds counselors; 15% see older adults;
1% have no age group on file. About 70% are women, 27% men and 3% nonbinary, a few of
them also transgender. About 35% are LGBTQ+ affirming, 10% practise faith-integrated care
in one tradition, and cultural backgrounds follow the languages a counselor speaks
(Spanish speakers are often Latino, speakers of an Asian language often Asian); a few
percent state lived experience (immigration, military service, recovery, disability).

Intakes: the client's age group follows the session type (couples are adults or older
adults; four family intakes in ten are about a teen or a child); a quarter ask for a counselor's
gender, a fifth for identity attributes (Spanish speakers often a Latino background), and
some mark a preference required or give it an importance.

The callers draw these from generators of their own, so that the other fields of a catalog
do not depend on these draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.preferences import Preference
from matcher.synthetic.weights import _LANGUAGE_CODES, _SESSION_TYPES
from matcher.vocabulary import AGE_GROUPS, GENDERS, IDENTITIES, SessionType

__all__ = ["counselor_whole", "intake_whole"]

_AGES = tuple(AGE_GROUPS)
_GENDERS = tuple(GENDERS)
_IDENTITIES = tuple(IDENTITIES)
_CHILD, _TEEN, _ADULT, _OLDER = (1 << _AGES.index(code) for code in ("child", "teen", "adult", "older_adult"))
#: The bit of family sessions in a drawn session-type mask.
_FAMILY_BIT = 1 << _SESSION_TYPES.index(SessionType.FAMILY)

#: Languages whose speakers more often have a given cultural background or lived experience (a
#: loose proxy: immigration for a language besides English and Spanish).
_SPEAKERS_OF: dict[str, Sequence[str]] = {
    "culture_latino": ("es", "pt"),
    "culture_asian": ("zh", "vi", "tl", "ko", "ja", "hi", "gu", "pa", "bn", "ur", "ta", "th", "km"),
    "culture_black": ("ht", "so", "am", "yo", "sw"),
    "culture_middle_eastern": ("ar", "fa", "tr"),
    "lived_immigration": _LANGUAGE_CODES[2:],
}
#: Each identity's share among counselors, and among those who speak one of its languages.
_COUNSELOR_IDENTITY_P = {
    "lgbtq_affirming": (0.35, 0.35),
    "culture_black": (0.09, 0.70),
    "culture_latino": (0.04, 0.55),
    "culture_asian": (0.04, 0.65),
    "culture_indigenous": (0.01, 0.01),
    "culture_middle_eastern": (0.01, 0.60),
    "lived_immigration": (0.03, 0.25),
    "lived_military": (0.03, 0.03),
    "lived_recovery": (0.04, 0.04),
    "lived_disability": (0.03, 0.03),
}
#: A counselor's faith tradition (at most one): none, then each tradition.
_FAITHS = ("faith_christian", "faith_jewish", "faith_muslim", "faith_hindu", "faith_buddhist")
_FAITH_P = (0.90, 0.065, 0.015, 0.01, 0.005, 0.005)

#: The client's age group (in ``_AGES`` order) by session type (individual, couples, family).
_CLIENT_AGE_P = ((0.05, 0.09, 0.78, 0.08), (0.0, 0.0, 0.88, 0.12), (0.12, 0.28, 0.60, 0.0))
#: The genders a client asks for, and how often (among the 25% who ask).
_CLIENT_GENDERS = (
    ("woman",),
    ("man",),
    ("woman", "nonbinary"),
    ("nonbinary",),
    ("nonbinary", "transgender"),
    ("transgender",),
)
_CLIENT_GENDER_P = (0.62, 0.22, 0.06, 0.04, 0.03, 0.03)
#: Relative weights of the identity attributes a client asks for.
_CLIENT_IDENTITY_WEIGHTS = {
    "lgbtq_affirming": 40.0, "faith_christian": 10.0, "faith_jewish": 3.0, "faith_muslim": 3.0,
    "faith_hindu": 1.0, "faith_buddhist": 1.0, "culture_black": 10.0, "culture_latino": 6.0,
    "culture_asian": 6.0, "culture_indigenous": 1.0, "culture_middle_eastern": 2.0,
    "lived_immigration": 3.0, "lived_military": 3.0, "lived_recovery": 4.0, "lived_disability": 2.0,
}  # fmt: skip
#: For each preference the client may mark: the chance that it is required (when given), the
#: chance that it is only preferred, and the chance that it gets an importance (1..5).
_CLIENT_CHOICES = {
    "concern": (0.04, 0.0, 0.06),
    "approach": (0.0, 0.0, 0.15),
    "language": (0.0, 0.03, 0.0),
    "format": (0.0, 0.12, 0.05),
    "gender": (0.35, 0.0, 0.20),
    "identity": (0.20, 0.0, 0.20),
}

_MaskTuples = dict[int, tuple[str, ...]]
_AGE_TUPLES: _MaskTuples = {}
_GENDER_TUPLES: _MaskTuples = {}
_IDENTITY_TUPLES: _MaskTuples = {}


def _codes(mask: int, codes: Sequence[str], interned: _MaskTuples) -> tuple[str, ...]:
    """The codes whose bit is set in ``mask``, in vocabulary order, one shared tuple per mask."""
    found = interned.get(mask)
    if found is None:
        found = interned[mask] = tuple(c for b, c in enumerate(codes) if mask >> b & 1)
    return found


def _speaks(languages: Sequence[Sequence[int]], codes: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Whether each person (a row of drawn language indices, -1 unused) speaks one of ``codes``."""
    wanted = [_LANGUAGE_CODES.index(c) for c in codes]
    rows = np.asarray(languages, dtype=np.int64).reshape(len(languages), -1)
    return np.asarray(np.isin(rows, wanted).any(axis=1), dtype=np.bool_)


def _counselor_ages(rng: np.random.Generator, session_types: Sequence[int]) -> npt.NDArray[np.int64]:
    """The age-group masks of counselors offering ``session_types`` (drawn masks): those who offer
    family sessions see teens and children far more often."""
    n = len(session_types)
    kind, teen_u, child_u, older_u = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    family = (np.asarray(session_types, dtype=np.int64) & _FAMILY_BIT) > 0
    teen = teen_u < np.where(family, 0.50, 0.05)
    child = child_u < np.where(teen, np.where(family, 0.45, 0.20), 0.01)
    older = older_u < 0.155
    adults = _ADULT | np.where(teen, _TEEN, 0) | np.where(child, _CHILD, 0) | np.where(older, _OLDER, 0)
    youth = kind < np.where(family, 0.09, 0.02)  # child and adolescent specialists (no adults)
    return np.where(kind >= 0.99, 0, np.where(youth, _CHILD | _TEEN, adults)).astype(np.int64)


def _counselor_genders(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """The gender masks of ``n`` counselors: one of woman, man, nonbinary; a few also transgender."""
    stated, trans_u = rng.random(n), rng.random(n)
    gender = np.where(stated < 0.70, 0, np.where(stated < 0.97, 1, 2))
    transgender = trans_u < np.where(gender == 2, 0.30, 0.015)
    return ((1 << gender) | np.where(transgender, 1 << _GENDERS.index("transgender"), 0)).astype(np.int64)


def _counselor_identities(
    rng: np.random.Generator, languages: Sequence[Sequence[int]]
) -> npt.NDArray[np.int64]:
    """The identity masks of counselors speaking ``languages`` (rows of drawn indices, -1 unused)."""
    n = len(languages)
    draws = rng.random((n, len(_COUNSELOR_IDENTITY_P)))
    faith = rng.choice(len(_FAITH_P), size=n, p=_FAITH_P)
    mask = np.zeros(n, dtype=np.int64)
    for j, (code, (p, p_speaker)) in enumerate(_COUNSELOR_IDENTITY_P.items()):
        chance = np.where(_speaks(languages, _SPEAKERS_OF[code]), p_speaker, p) if code in _SPEAKERS_OF else p
        mask |= np.where(draws[:, j] < chance, 1 << _IDENTITIES.index(code), 0)
    for f, code in enumerate(_FAITHS, start=1):
        mask |= np.where(faith == f, 1 << _IDENTITIES.index(code), 0)
    return mask


def counselor_whole(rng: np.random.Generator, d: dict[str, Any]) -> dict[str, list[tuple[str, ...]]]:
    """Age groups, genders and identities of counselors, one list entry per counselor.

    Parameters
    ----------
    rng : the generator of these draws alone
    d : the counselors' other draws (:func:`matcher.synthetic.counselors._draw_counselors`): their
        session-type masks and languages

    Returns
    -------
    dict
        ``age_groups``, ``genders``, ``identities``: a tuple of codes per counselor.
    """
    ages = _counselor_ages(rng, d["session_types"]).tolist()
    genders = _counselor_genders(rng, len(ages)).tolist()
    identities = _counselor_identities(rng, d["languages"]).tolist()
    return {
        "age_groups": [_codes(m, _AGES, _AGE_TUPLES) for m in ages],
        "genders": [_codes(m, _GENDERS, _GENDER_TUPLES) for m in genders],
        "identities": [_codes(m, _IDENTITIES, _IDENTITY_TUPLES) for m in identities],
    }


def _client_identities(rng: np.random.Generator, languages: Sequence[Sequence[int]]) -> list[tuple[str, ...]]:
    """One or two identity attributes per client (weighted; Spanish speakers often ask for a Latino one)."""
    n = len(languages)
    base = np.array([_CLIENT_IDENTITY_WEIGHTS[c] for c in _IDENTITIES])
    weights = np.tile(base, (n, 1))
    weights[_speaks(languages, ("es",)), _IDENTITIES.index("culture_latino")] = 60.0
    order = np.argsort(rng.standard_exponential(size=weights.shape) / weights, axis=1)[:, :2].tolist()
    two = (rng.random(n) < 0.25).tolist()
    return [
        _codes((1 << row[0]) | ((1 << row[1]) if pair else 0), _IDENTITIES, _IDENTITY_TUPLES)
        for row, pair in zip(order, two, strict=True)
    ]


def _client_preferences(rng: np.random.Generator, given: list[set[str]]) -> list[tuple[Preference, ...]]:
    """Per client, the preferences (of those ``given``) marked required, preferred, or with an importance."""
    n = len(given)
    draws = {
        name: (rng.random(n).tolist(), rng.random(n).tolist(), rng.integers(1, 6, n).tolist())
        for name in _CLIENT_CHOICES
    }
    out: list[tuple[Preference, ...]] = []
    for j in range(n):
        chosen = []
        for name, (p_required, p_preferred, p_important) in _CLIENT_CHOICES.items():
            marks, weighs, importances = draws[name]
            if name not in given[j]:
                continue
            mark = marks[j]
            required = True if mark < p_required else False if mark < p_required + p_preferred else None
            importance = importances[j] if weighs[j] < p_important and required is not True else 0
            if required is not None or importance:
                chosen.append(Preference(name, required, importance))
        out.append(tuple(chosen))
    return out


def intake_whole(rng: np.random.Generator, d: dict[str, Any]) -> dict[str, list[Any]]:
    """The age group, genders, identities and preferences of intakes, one list entry per intake.

    Parameters
    ----------
    rng : the generator of these draws alone
    d : the intakes' other draws (:func:`matcher.synthetic.intakes._draw_intakes`): their
        session types, languages, formats and approaches
    """
    n = len(d["session_type"])
    session_type = np.asarray(d["session_type"], dtype=np.int64)
    age_u = rng.random(n)
    cumulative = np.cumsum(np.asarray(_CLIENT_AGE_P), axis=1)[session_type]
    age = np.minimum((age_u[:, np.newaxis] >= cumulative).sum(axis=1), len(_AGES) - 1).tolist()
    asks_gender = (rng.random(n) < 0.25).tolist()
    gender = rng.choice(len(_CLIENT_GENDERS), size=n, p=_CLIENT_GENDER_P).tolist()
    asks_identity = (rng.random(n) < 0.20).tolist()
    identities = _client_identities(rng, d["languages"])
    genders = [_CLIENT_GENDERS[g] if ask else () for g, ask in zip(gender, asks_gender, strict=True)]
    identities = [ids if ask else () for ids, ask in zip(identities, asks_identity, strict=True)]
    given = [
        {"concern", "language"}
        | ({"format"} if d["formats"][j] else set())
        | ({"approach"} if any(a >= 0 for a in d["approaches"][j]) else set())
        | ({"gender"} if genders[j] else set())
        | ({"identity"} if identities[j] else set())
        for j in range(n)
    ]
    return {
        "age_group": [_AGES[a] for a in age],
        "genders": genders,
        "identities": identities,
        "preferences": _client_preferences(rng, given),
    }
