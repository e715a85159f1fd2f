"""The matching schema: every attribute a counselor and a client are matched on, declared once.

Like the fields of a Vespa schema, each :class:`Attribute` says once how it is held
and how it matches; everything else follows from the declarations by name:

- validation of profiles and intakes, and its messages (:mod:`matcher.model`);
- ``GetVocabulary``, import and export columns, CLI flags (``service``);
- the snapshot's code columns and bit-index rows, their offsets computed
  (:mod:`matcher.engine.layout`);
- the hard filters and their exclusion counts, the soft factors and their bounds,
  compiled once per ranking (:mod:`matcher.engine.query`);
- the reasons (:mod:`matcher.explain.reasons`), the plain reference scorer
  (:mod:`matcher.engine.reference`), the synthetic catalogs and the benchmarks'
  baselines.

An attribute is held one of a few ways (:class:`Storage`), filters in one of three
ways (:class:`Filter`) and scores in one of a few ways (:class:`Scoring`): the engine
knows those kinds, never the attributes themselves. Adding an attribute of a known
kind is one declaration here, its fields on :class:`~matcher.model.CounselorProfile`
and :class:`~matcher.model.Intake`, and its wire, table and import columns, which a
conformance test (``tests/test_attribute_conformance.py``) checks are all there.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from matcher.attribute_types import Attribute, Factor, Filter, Scoring, Storage, check_declaration, factors_of
from matcher.concern_taxonomy import related_concerns
from matcher.jurisdictions import JURISDICTIONS
from matcher.vocabulary import (
    AGE_GROUPS,
    APPROACHES,
    CONCERNS,
    GENDERS,
    IDENTITIES,
    LANGUAGES,
    SESSION_FORMATS,
    SESSION_TYPES,
)

__all__ = [
    "ATTRIBUTES",
    "BY_NAME",
    "FACTORS",
    "FACTOR_BY_NAME",
    "FACTOR_SPECS",
    "FILTERS",
    "PREFERENCES",
    "Attribute",
    "Factor",
    "Filter",
    "Scoring",
    "Storage",
    "attribute",
]


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "active",
        Storage.FLAG,
        counselor_field="active",
        filter=Filter.ALWAYS,
        help="the counselor is active in the network",
    ),
    Attribute(
        "capacity",
        Storage.FLAG,
        counselor_field="has_room",
        filter=Filter.ALWAYS,
        help="the counselor accepts new clients and has room on the caseload",
    ),
    Attribute(
        "licensure",
        Storage.CODES,
        counselor_field="jurisdictions",
        intake_field="jurisdiction",
        vocabulary=JURISDICTIONS,
        noun="jurisdiction",
        filter=Filter.ALWAYS,
        required=True,
        one_code=True,
        missing="licensure_missing",
        help="where the client will be during sessions (ISO 3166-2, e.g. US-IL): the counselor must "
        "be licensed there, for video and phone too",
        flag="--jurisdiction",
    ),
    Attribute(
        "age_group",
        Storage.CODES,
        counselor_field="age_groups",
        intake_field="age_group",
        vocabulary=AGE_GROUPS,
        noun="age group",
        filter=Filter.ALWAYS,
        required=True,
        one_code=True,
        missing="age_group_missing",
        help="the client's age group: the counselor must see that age group",
    ),
    Attribute(
        "concern",
        Storage.GRADED_CODES,
        counselor_field="specialties",
        intake_field="concerns",
        vocabulary=CONCERNS,
        noun="concern",
        filter=Filter.CLIENT,
        scoring=Scoring.GRADED,
        required=True,
        item_code="concern",
        tiered=True,
        near=related_concerns(),
        help="what the client wants help with, each with a priority from 1 to 5; preferred: "
        "counselors who treat none of them are shown only when fewer than k treat any",
        relaxed="include counselors who treat none of your concerns",
    ),
    Attribute(
        "approach",
        Storage.CODES,
        counselor_field="approaches",
        intake_field="approaches",
        vocabulary=APPROACHES,
        noun="approach",
        filter=Filter.CLIENT,
        scoring=Scoring.SHARE,
        reason="offers {all}",
        help="preferred therapeutic approaches; none means no preference",
        relaxed="any therapeutic approach",
    ),
    Attribute(
        "language",
        Storage.CODES,
        counselor_field="languages",
        intake_field="languages",
        vocabulary=LANGUAGES,
        noun="language",
        filter=Filter.CLIENT,
        required=True,
        required_by_default=True,
        scoring=Scoring.FIRST_CHOICE,
        reason="speaks {first}",
        help="languages the client can have sessions in (ISO 639-1), most preferred first",
        relaxed="a language you did not list (with an interpreter)",
    ),
    Attribute(
        "format",
        Storage.CODES,
        counselor_field="formats",
        intake_field="formats",
        vocabulary=SESSION_FORMATS,
        noun="format",
        filter=Filter.CLIENT,
        required_by_default=True,
        scoring=Scoring.FIRST_CHOICE,
        scores_when_required=False,
        default_weight=0.10,
        reason="offers {any} sessions",
        help="acceptable session formats, most preferred first; none means any",
        relaxed="any session format",
    ),
    Attribute(
        "session_type",
        Storage.CODES,
        counselor_field="session_types",
        intake_field="session_type",
        vocabulary=SESSION_TYPES,
        noun="session type",
        filter=Filter.ALWAYS,
        required=True,
        one_code=True,
        help="who attends: individual, couples or family",
    ),
    Attribute(
        "gender",
        Storage.CODES,
        counselor_field="genders",
        intake_field="genders",
        vocabulary=GENDERS,
        noun="gender",
        filter=Filter.CLIENT,
        scoring=Scoring.ANY,
        scores_when_required=False,
        default_weight=0.10,
        reason="is {any}",
        help="counselor genders the client prefers (or requires); none means any",
        relaxed="any counselor gender",
    ),
    Attribute(
        "identity",
        Storage.CODES,
        counselor_field="identities",
        intake_field="identities",
        vocabulary=IDENTITIES,
        noun="identity attribute",
        filter=Filter.CLIENT,
        match_all=True,
        scoring=Scoring.SHARE,
        scores_when_required=False,
        default_weight=0.10,
        reason="{all}",
        help="identity and cultural attributes the client prefers in a counselor (LGBTQ+ affirming, "
        "faith-integrated, cultural background, lived experience); required means all of them",
        relaxed="without every identity attribute you asked for",
    ),
    Attribute(
        "availability",
        Storage.WEEKLY_SLOTS,
        counselor_field="availability",
        intake_field="availability",
        filter=Filter.WHEN_GIVEN,
        scoring=Scoring.SHARED_SLOTS,
        help="weekly hours the client can meet, in their time zone; none means any time",
        flag="--available",
        relaxed="hours other than yours",
    ),
)

#: Attribute by name.
BY_NAME: Mapping[str, Attribute] = MappingProxyType({a.name: a for a in ATTRIBUTES})

#: The exclusion names of the hard filters, in the order rankings report them: each filtering
#: attribute, then the ``missing`` exclusion of those that have one, right after it.
FILTERS: tuple[str, ...] = tuple(
    name for a in ATTRIBUTES if a.is_filter for name in (a.name, a.missing) if name is not None
)

#: The attributes the client marks required or preferred, with an importance.
PREFERENCES: tuple[str, ...] = tuple(a.name for a in ATTRIBUTES if a.client_chooses)

#: The soft factors, in the order their weighted terms are added up (an attribute's near-match
#: factor right after its own).
FACTOR_SPECS: tuple[Factor, ...] = tuple(f for a in ATTRIBUTES for f in factors_of(a))
#: Their names.
FACTORS: tuple[str, ...] = tuple(f.name for f in FACTOR_SPECS)
#: Each factor by name.
FACTOR_BY_NAME: Mapping[str, Factor] = MappingProxyType({f.name: f for f in FACTOR_SPECS})


def attribute(name: str) -> Attribute:
    """The attribute called ``name``.

    Raises
    ------
    KeyError
        If no attribute has that name.
    """
    return BY_NAME[name]


def _check_declarations() -> None:
    """Refuse, at import, declarations the engine cannot serve (a programming error)."""
    names = [a.name for a in ATTRIBUTES]
    if len(set(names)) != len(names) or set(names) & {a.missing for a in ATTRIBUTES}:
        raise RuntimeError("attribute and exclusion names must be unique")
    for a in ATTRIBUTES:
        check_declaration(a)


_check_declarations()
