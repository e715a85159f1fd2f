"""The kinds of matching attributes: how one is held, when it filters, how it scores.

The engine knows these kinds, never the attributes themselves; the attributes are declared
in :mod:`matcher.attributes`. :func:`check_declaration` refuses, at import, a declaration
the engine cannot serve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

__all__ = ["Attribute", "Factor", "Filter", "Scoring", "Storage", "check_declaration", "factors_of"]


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
    #: When the client gives a value and requires it (the declaration's ``required_by_default``
    #: unless the intake says otherwise); a value only preferred scores instead.
    CLIENT = "client"
    #: Never: the attribute only scores.
    NEVER = "never"


class Scoring(StrEnum):
    """How an attribute scores as a soft factor, in [0, 1]."""

    NONE = "none"
    #: The share of the client's codes that the counselor offers.
    SHARE = "share"
    #: 1 if the counselor has any of the client's codes, else 0.
    ANY = "any"
    #: ``1 / (j + 1)`` for ``j`` the position of the client's first code the counselor has, 0 if none.
    FIRST_CHOICE = "first_choice"
    #: Priority-weighted: each client code adds its priority times 1 (primary) or 0.5 (secondary),
    #: over the sum of the priorities.
    GRADED = "graded"
    #: The share of the client's weekly slots in which the counselor is free too.
    SHARED_SLOTS = "shared_slots"
    #: Coverage with near matches, of graded codes: each client code adds its priority if the
    #: counselor has it, else its priority times the similarity of the best related code the
    #: counselor has, over the sum of the priorities (the factor named ``related_<attribute>``).
    RELATED = "related"


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
    required_by_default : for a CLIENT filter, whether a value the intake does not mark
        required or preferred is required
    match_all : a hard filter the counselor passes by having every one of the client's codes
        (identity attributes), rather than any of them
    scores_when_required : whether a required value still scores (a required language still
        prefers the client's first choice; a required gender would score 1 for everybody)
    tiered : when only preferred, counselors who have none of the client's codes rank after
        every counselor who has one (concerns): they fill the list only when too few do
    default_weight : the factor's weight when a strategy gives it none (factors declared after
        the first strategies; 0 for the factors every built-in strategy weighs)
    relaxed : how relaxing the client's requirement reads, when too few counselors qualify
        ("any session format"); every filter the client can relax has one
    near : for graded codes, code -> {related code: similarity in quarters}: a second factor,
        ``related_<name>``, gives partial credit for near matches (:mod:`matcher.concern_taxonomy`)
    near_weight : that factor's weight when a strategy gives it none
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
    required_by_default: bool = False
    match_all: bool = False
    scores_when_required: bool = True
    tiered: bool = False
    default_weight: float = 0.0
    relaxed: str = ""
    near: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    near_weight: float = 0.0

    @property
    def is_filter(self) -> bool:
        """Whether the attribute can exclude a counselor."""
        return self.filter != Filter.NEVER

    @property
    def client_chooses(self) -> bool:
        """Whether the client marks the attribute required or preferred (with an importance)."""
        return self.filter == Filter.CLIENT

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


class Factor(NamedTuple):
    """A soft factor: its name, the attribute it reads, how it scores, its weight when a strategy gives none.

    Every scored attribute is a factor of its own name; one with near matches (``near``) is
    also ``related_<name>``, scored ``RELATED``.
    """

    name: str
    attribute: Attribute
    scoring: Scoring
    default_weight: float


def factors_of(a: Attribute) -> tuple[Factor, ...]:
    """The factors of attribute ``a``, in the order their terms are added up."""
    if not a.is_factor:
        return ()
    own = Factor(a.name, a, a.scoring, a.default_weight)
    return (own, Factor(f"related_{a.name}", a, Scoring.RELATED, a.near_weight)) if a.near else (own,)


def check_declaration(a: Attribute) -> None:
    """Refuse a declaration the engine cannot serve (a programming error: raised at import)."""
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
    if a.client_chooses and not (a.is_factor and a.has_codes):
        raise RuntimeError(f"{a.name}: a preference the client chooses is coded and scores")
    if (a.match_all or a.tiered or a.required_by_default) and not a.client_chooses:
        raise RuntimeError(f"{a.name}: match_all, tiered and required_by_default are for CLIENT filters")
    if bool(a.relaxed) != (a.filter in (Filter.CLIENT, Filter.WHEN_GIVEN)):
        raise RuntimeError(
            f"{a.name}: a filter the client can relax, and only one, says how it reads relaxed"
        )
    if a.near and a.storage != Storage.GRADED_CODES:
        raise RuntimeError(f"{a.name}: near matches are for graded codes")
    if any(s not in (0.25, 0.5, 0.75) for related in a.near.values() for s in related.values()):
        raise RuntimeError(f"{a.name}: near-match similarities are quarters")
    if a.match_all and a.one_code:
        raise RuntimeError(f"{a.name}: one code cannot need all codes")
