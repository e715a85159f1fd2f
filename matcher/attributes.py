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
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from matcher.jurisdictions import JURISDICTIONS
from matcher.vocabulary import APPROACHES, CONCERNS, LANGUAGES, SESSION_FORMATS, SESSION_TYPES

__all__ = [
    "ATTRIBUTES",
    "BY_NAME",
    "FACTORS",
    "FILTERS",
    "Attribute",
    "Filter",
    "Scoring",
    "Storage",
    "attribute",
]


class Storage(StrEnum):
    """How an attribute's value is held, on the counselor's side."""

    #: A yes/no that the profile implies (active; accepting new clients with room on the caseload).
    FLAG = "flag"
    #: A set of codes of the attribute's vocabulary.
    CODES = "codes"
    #: Codes each with a grade: the counselor's proficiency (primary or secondary), the client's priority.
    GRADED_CODES = "graded_codes"
    #: Weekly hours in a time zone, held as 30-minute UTC slots.
    WEEKLY_SLOTS = "weekly_slots"


class Filter(StrEnum):
    """When an attribute is a hard filter: a counselor who does not match is not ranked at all."""

    #: For every intake (a flag must be set; some code must be shared).
    ALWAYS = "always"
    #: When the client gives a value; giving none means any is fine.
    WHEN_GIVEN = "when_given"
    #: Never: the attribute only scores.
    NEVER = "never"


class Scoring(StrEnum):
    """How an attribute scores as a soft factor, in [0, 1]."""

    NONE = "none"
    #: The share of the client's codes that the counselor offers.
    SHARE = "share"
    #: ``1 / (j + 1)`` for ``j`` the position of the client's first code the counselor has, 0 if none.
    FIRST_CHOICE = "first_choice"
    #: Priority-weighted: each client code adds its priority times 1 (primary) or 0.5 (secondary),
    #: over the sum of the priorities.
    GRADED = "graded"
    #: The share of the client's weekly slots in which the counselor is free too.
    SHARED_SLOTS = "shared_slots"


@dataclass(frozen=True)
class Attribute:
    """One matching attribute.

    Attributes
    ----------
    name : used on the wire, in the database, import files, CLI flags, and as the filter and
        factor name
    storage : how the counselor's value is held
    counselor_field : the :class:`~matcher.model.CounselorProfile` field (or property) holding it
    intake_field : the :class:`~matcher.model.Intake` field holding the client's side; None for flags
    vocabulary : code -> label (empty for flags and weekly slots)
    noun : how one value is named in messages ("language", "jurisdiction")
    filter : when it is a hard filter
    scoring : how it scores as a soft factor
    required : every intake must give a value (every ALWAYS filter with a client side is required)
    one_code : the intake names one code (a session type, a jurisdiction) rather than a list
    item_code : for graded codes, the field of an item that holds its code ("concern")
    missing : the exclusion name of counselors with no value on file, counted apart from those
        whose values do not match (None: such counselors simply do not match)
    reason : the reason template for codes the counselor shares with the client: ``{all}`` joins
        them with "and", ``{any}`` with "or", ``{first}`` is the client's first one with its
        place ("Spanish (your second choice)"); None writes no reason (concerns and hours have
        their own writers)
    help : one line for the CLI and the docs
    flag : the command-line flag of the intake's side, when it is not ``--`` and the name
        (``--jurisdiction`` reads better than ``--licensure``)
    """

    name: str
    storage: Storage
    counselor_field: str
    intake_field: str | None = None
    vocabulary: Mapping[str, str] = field(default_factory=dict)
    noun: str = ""
    filter: Filter = Filter.NEVER
    scoring: Scoring = Scoring.NONE
    required: bool = False
    one_code: bool = False
    item_code: str = ""
    missing: str | None = None
    reason: str | None = None
    help: str = ""
    flag: str = ""

    @property
    def is_filter(self) -> bool:
        """Whether the attribute can exclude a counselor."""
        return self.filter != Filter.NEVER

    @property
    def is_factor(self) -> bool:
        """Whether the attribute scores as a soft factor."""
        return self.scoring != Scoring.NONE

    @property
    def has_codes(self) -> bool:
        """Whether values are codes of a vocabulary (plain or graded)."""
        return self.storage in (Storage.CODES, Storage.GRADED_CODES)

    @property
    def code_enum(self) -> type[StrEnum] | None:
        """The enum whose members the codes are (session formats and types), or None for strings."""
        first = next(iter(self.vocabulary), None)
        return type(first) if isinstance(first, StrEnum) else None

    @property
    def cli_flag(self) -> str:
        """The command-line flag of the intake's side, e.g. ``--session-type``."""
        return self.flag or "--" + self.name.replace("_", "-")


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
        "concern",
        Storage.GRADED_CODES,
        counselor_field="specialties",
        intake_field="concerns",
        vocabulary=CONCERNS,
        noun="concern",
        scoring=Scoring.GRADED,
        required=True,
        item_code="concern",
        help="what the client wants help with, each with a priority from 1 to 5",
    ),
    Attribute(
        "approach",
        Storage.CODES,
        counselor_field="approaches",
        intake_field="approaches",
        vocabulary=APPROACHES,
        noun="approach",
        scoring=Scoring.SHARE,
        reason="offers {all}",
        help="preferred therapeutic approaches; none means no preference",
    ),
    Attribute(
        "language",
        Storage.CODES,
        counselor_field="languages",
        intake_field="languages",
        vocabulary=LANGUAGES,
        noun="language",
        filter=Filter.ALWAYS,
        required=True,
        scoring=Scoring.FIRST_CHOICE,
        reason="speaks {first}",
        help="languages the client can have sessions in (ISO 639-1), most preferred first",
    ),
    Attribute(
        "format",
        Storage.CODES,
        counselor_field="formats",
        intake_field="formats",
        vocabulary=SESSION_FORMATS,
        noun="format",
        filter=Filter.WHEN_GIVEN,
        reason="offers {any} sessions",
        help="acceptable session formats; none means any",
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
        "availability",
        Storage.WEEKLY_SLOTS,
        counselor_field="availability",
        intake_field="availability",
        filter=Filter.WHEN_GIVEN,
        scoring=Scoring.SHARED_SLOTS,
        help="weekly hours the client can meet, in their time zone; none means any time",
        flag="--available",
    ),
)

#: Attribute by name.
BY_NAME: Mapping[str, Attribute] = MappingProxyType({a.name: a for a in ATTRIBUTES})

#: The exclusion names of the hard filters, in the order rankings report them: each filtering
#: attribute, then the ``missing`` exclusion of those that have one, right after it.
FILTERS: tuple[str, ...] = tuple(
    name for a in ATTRIBUTES if a.is_filter for name in (a.name, a.missing) if name is not None
)

#: The soft factors, in the order their weighted terms are added up.
FACTORS: tuple[str, ...] = tuple(a.name for a in ATTRIBUTES if a.is_factor)


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
        if a.has_codes != bool(a.vocabulary):
            raise RuntimeError(f"{a.name}: codes need a vocabulary, other storage none")
        if a.storage == Storage.GRADED_CODES and a.scoring != Scoring.GRADED:
            raise RuntimeError(f"{a.name}: graded codes score as GRADED")
        if a.scoring == Scoring.SHARED_SLOTS and a.storage != Storage.WEEKLY_SLOTS:
            raise RuntimeError(f"{a.name}: only weekly slots score as SHARED_SLOTS")
        if a.storage == Storage.FLAG and (a.filter != Filter.ALWAYS or a.is_factor):
            raise RuntimeError(f"{a.name}: a flag is always a filter and never scores")
        if a.filter == Filter.ALWAYS and a.intake_field is not None and not a.required:
            raise RuntimeError(f"{a.name}: an ALWAYS filter with a client side needs a value")
        if (a.storage == Storage.GRADED_CODES) != bool(a.item_code):
            raise RuntimeError(f"{a.name}: graded codes, and only they, name their items' code field")
        if a.missing is not None and a.filter != Filter.ALWAYS:
            raise RuntimeError(f"{a.name}: only an ALWAYS filter counts missing values apart")


_check_declarations()
