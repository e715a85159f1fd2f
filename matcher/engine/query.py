"""The compiled query: an intake and a strategy, made once per ranking into what the engine reads.

:func:`compile_query` reads a validated intake once, attribute by attribute as
:mod:`matcher.attributes` declares them and :mod:`matcher.engine.layout` places them:

- each **hard filter** (:data:`~matcher.attributes.FILTERS`) becomes the bit-index rows
  whose OR a counselor must have a bit in (a flag's row, the rows of the client's codes,
  the client's weekly slots), whether it applies to this intake, and for an attribute
  that counts missing values apart, the "on file" row outside which it is not counted;
- each **soft factor** that applies (the client gave a value) becomes its kind, the code
  word it reads, the client's bits for it (a mask, the client's codes in order, or the
  priority planes of graded codes) and its largest numerator; the strategy's weights are
  renormalised over them.

The same :class:`Query` then serves the kernels (its :attr:`Query.kernel`, in the fixed
numba types they are compiled for), the reasons and the result's factor names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from matcher.attributes import ATTRIBUTES, FACTOR_SPECS, Filter, Scoring, Storage
from matcher.availability import SLOT_WORDS
from matcher.engine.client_bits import (
    PRIORITY_PLANES,
    RELATED_GROUP,
    client_slots,
    code_rows,
    graded_planes,
    near_groups,
)
from matcher.engine.layout import LAYOUT, SLOT_ROW
from matcher.model import Intake
from matcher.preferences import FilterMode, factor_scores, factor_weights, plan_intake, weighed
from matcher.strategy import Strategy
from matcher.week import current_week

__all__ = [
    "KIND_ANY",
    "KIND_FIRST_CHOICE",
    "KIND_GRADED",
    "KIND_RELATED",
    "KIND_SHARE",
    "KIND_SHARED_SLOTS",
    "PRIORITY_PLANES",
    "RELATED_GROUP",
    "KernelQuery",
    "Query",
    "applicable_factors",
    "compile_query",
]

#: Factor kinds as the kernels number them.
KIND_SHARE, KIND_FIRST_CHOICE, KIND_GRADED, KIND_SHARED_SLOTS, KIND_ANY, KIND_RELATED = range(6)
_KINDS = {
    Scoring.RELATED: KIND_RELATED,
    Scoring.SHARE: KIND_SHARE,
    Scoring.ANY: KIND_ANY,
    Scoring.FIRST_CHOICE: KIND_FIRST_CHOICE,
    Scoring.GRADED: KIND_GRADED,
    Scoring.SHARED_SLOTS: KIND_SHARED_SLOTS,
}

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]


class KernelQuery(NamedTuple):
    """A query in the fixed types the kernels are compiled for (a named tuple of numba types).

    Attributes
    ----------
    filter_rows : int64 (R,), the bit-index rows of every filter, one filter after the other
    filter_starts : int64 (F + 1,), where each filter's rows start in ``filter_rows`` (and where they end)
    filter_given : bool (F,), the filter applies to this intake (otherwise everybody passes it)
    filter_all : bool (F,), a counselor passes by being in every one of its rows (else in any)
    filter_relax : bool (F,), the filter applies and the client could relax it (a value of theirs
        they required, or their weekly hours): its "fails this one only" count is kept
    relax_filters : int64 (R,), the positions of the relaxable filters
    filter_unless : int64 (F,), a row outside whose bits the filter is not counted (-1: none)
    slots_filter : the filter of the weekly slots (-1: none)
    tier_filter : a filter that only tiers (-1: none): applied like the others, but those who
        fail it and no other are counted apart (see :class:`~matcher.preferences.FilterMode`)
    factor_kinds : int64 (G,), KIND_* of each applicable factor, in the order they are added up
    factor_words : int64 (G,), the row of the ``codes`` column each reads (-1: slots)
    factor_bits : uint64 (G, B), the client's bits: a mask (share, any), the client's codes in
        order (first choice), the priority planes (graded), RELATED_GROUP values per client code
        (near matches)
    factor_most : int64 (G,), each factor's largest numerator (the size of its score table - 1)
    weights : float64 (G,), each factor's renormalised weight
    graded : the position of the graded factor among the factors (-1: none)
    graded_row : the bit-index row of the graded attribute's position 0
    slot_factor : the position of the weekly-slots factor (-1: none)
    slot_words : uint64 (SLOT_WORDS,), the client's weekly UTC slots (zeros when none given)
    slot_count : how many weekly slots the client gave
    slot_row : the bit-index row of slot 0
    """

    filter_rows: _I64
    filter_starts: _I64
    filter_given: npt.NDArray[np.bool_]
    filter_all: npt.NDArray[np.bool_]
    filter_relax: npt.NDArray[np.bool_]
    relax_filters: _I64
    filter_unless: _I64
    slots_filter: int
    tier_filter: int
    factor_kinds: _I64
    factor_words: _I64
    factor_bits: _U64
    factor_most: _I64
    weights: _F64
    graded: int
    graded_row: int
    slot_factor: int
    slot_words: _U64
    slot_count: int
    slot_row: int


class Query(NamedTuple):
    """An intake compiled for one strategy: what filtering, scoring and the reasons read.

    A named tuple: one is made per ranking, and a frozen dataclass takes several times as long.

    Attributes
    ----------
    intake : the validated intake
    factors : the applicable soft factors, in the order they are added up
    weights : the renormalised weight of each of them
    slot_words : uint64 (SLOT_WORDS,), the client's weekly UTC slots, or None when none given
    kernel : the same query in the kernels' types, without counting relaxations (a ranking needs
        them only when too few qualify: :meth:`counting_relaxations`)
    relax : bool (F,), the filters the client could relax (``KernelQuery.filter_relax``)
    """

    intake: Intake
    factors: tuple[str, ...]
    weights: Mapping[str, float]
    slot_words: _U64 | None
    kernel: KernelQuery
    relax: npt.NDArray[np.bool_]

    def counting_relaxations(self) -> KernelQuery:
        """:attr:`kernel` that also counts, for each relaxable filter, whom relaxing it would add."""
        return self.kernel._replace(
            filter_relax=self.relax,
            relax_filters=_frozen(tuple(np.flatnonzero(self.relax).tolist()), "int64"),
        )


def applicable_factors(intake: Intake, strategy: Strategy) -> tuple[str, ...]:
    """The soft factors that apply to ``intake`` under ``strategy``, in declared order
    (see ``preferences.factor_scores``)."""
    return tuple(f.name for f in FACTOR_SPECS if factor_scores(f, intake, strategy.weights))


@lru_cache(maxsize=1024)
def _weights(
    weights: tuple[tuple[str, float], ...], factors: tuple[str, ...], preferences: tuple[object, ...]
) -> tuple[float, ...]:
    """The renormalised weights of ``factors`` (see :func:`~matcher.preferences.factor_weights`), cached."""
    mapping = factor_weights(dict(weights), factors, preferences)  # type: ignore[arg-type]
    return tuple(mapping[f] for f in factors)


_NO_SLOTS = np.zeros(SLOT_WORDS, dtype=np.uint64)
_NO_SLOTS.flags.writeable = False
_CODES = (Storage.CODES, Storage.GRADED_CODES)
#: The filters a client can relax: values they chose to require, their weekly hours.
_RELAXABLE = (Filter.CLIENT, Filter.WHEN_GIVEN)
#: Each filter as compiled: (its place in ATTRIBUTES, attribute, placement, is it the weekly slots), in
#: FILTERS order.
_FILTER_PLAN = tuple(
    (i, a, LAYOUT[a.name], a.storage == Storage.WEEKLY_SLOTS) for i, a in enumerate(ATTRIBUTES) if a.is_filter
)
_UNLESS = np.array(
    [r for _, a, p, _ in _FILTER_PLAN for r in ((p.on_file_row, -1) if a.missing else (-1,))], dtype=np.int64
)
_UNLESS.flags.writeable = False
_ALL_OF = np.array([a.match_all for _, a, _, _ in _FILTER_PLAN for n in (a.name, a.missing) if n is not None])
_ALL_OF.flags.writeable = False
_FACTOR_PLAN = tuple(
    (ATTRIBUTES.index(f.attribute), f, f.attribute, LAYOUT[f.attribute.name], _KINDS[f.scoring])
    for f in FACTOR_SPECS
)


@lru_cache(maxsize=512)
def _frozen(values: tuple[int, ...] | tuple[bool, ...], dtype: str) -> npt.NDArray[Any]:
    """``values`` as a read-only array; the few distinct ones (filter starts, factor kinds) cached."""
    out = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out


def compile_query(intake: Intake, strategy: Strategy, week: datetime | None = None) -> Query:
    """Compile a validated ``intake`` for ``strategy`` (a few microseconds, whatever the catalog).

    The client's weekly hours are placed in the week starting at ``week``: the week of the
    snapshot ranked against (:attr:`~matcher.engine.snapshot.CatalogSnapshot.week`); None: the
    current week.
    """
    slot_words: _U64 | None = None
    slot_rows: tuple[int, ...] = ()
    if intake.availability is not None and intake.availability.windows:
        slot_words, slot_rows = client_slots(intake.availability, current_week() if week is None else week)
    rows: list[int] = []
    starts = [0]
    given: list[bool] = []
    relax: list[bool] = []
    slots_filter = -1
    tier_filter = -1
    planned = plan_intake(intake)
    for i, a, p, slots in _FILTER_PLAN:
        value, mode, _ = planned[i]
        if a.storage in _CODES:
            if mode != FilterMode.OFF:
                if a.item_code:  # graded: the items' codes
                    value = tuple(getattr(item, a.item_code) for item in value)
                rows += code_rows(a.name, value)
            if mode == FilterMode.TIER:
                tier_filter = len(given)
        elif slots:
            slots_filter = len(given)
            rows += slot_rows
        else:  # a flag
            rows.append(p.index_row)
        given.append(mode != FilterMode.OFF)
        relax.append(mode == FilterMode.HARD and a.filter in _RELAXABLE)
        starts.append(len(rows))
        if a.missing is not None:  # the counselors with some code on file, counted apart
            rows.append(p.on_file_row)
            starts.append(len(rows))
            given.append(given[-1])
            relax.append(False)
    factors: list[str] = []
    kinds, words, most, bits = [], [], [], []
    graded = slot_factor = graded_row = -1
    for i, spec, a, p, kind in _FACTOR_PLAN:
        value, _, scores = planned[i]
        if not scores or not weighed(spec, strategy.weights):
            continue
        if kind == KIND_RELATED:
            near = near_groups(a, value)
            if not near:
                continue
            bits.append(near)
            most.append(4 * sum(item.priority for item in value))  # type: ignore[attr-defined]
        elif kind == KIND_ANY:
            bits.append([p.mask(value)])
            most.append(1)
        elif kind == KIND_SHARE:
            mask = p.mask(value)
            bits.append([mask])
            most.append(mask.bit_count())
        elif kind == KIND_FIRST_CHOICE:
            bits.append([p.mask((code,)) for code in value])
            most.append(len(value))
        elif kind == KIND_GRADED:
            planes, twice = graded_planes(a, value)
            graded, graded_row = len(factors), p.index_row
            bits.append(planes)
            most.append(twice)
        else:
            slot_factor = len(factors)
            bits.append([])
            most.append(len(slot_rows))
        factors.append(spec.name)
        kinds.append(kind)
        words.append(p.word)
    names = tuple(factors)
    weights = _weights(tuple(strategy.weights.items()), names, intake.preferences)
    factor_bits = np.zeros((len(names), max([1, *map(len, bits)])), dtype=np.uint64)
    for g, row in enumerate(bits):
        factor_bits[g, : len(row)] = row
    kernel = KernelQuery(
        filter_rows=np.array(rows, dtype=np.int64),
        filter_starts=_frozen(tuple(starts), "int64"),
        filter_given=_frozen(tuple(given), "bool"),
        filter_all=_ALL_OF,
        filter_relax=_frozen((False,) * len(relax), "bool"),  # see Query.counting_relaxations
        relax_filters=_frozen((), "int64"),
        filter_unless=_UNLESS,
        slots_filter=slots_filter,
        tier_filter=tier_filter,
        factor_kinds=_frozen(tuple(kinds), "int64"),
        factor_words=_frozen(tuple(words), "int64"),
        factor_bits=factor_bits,
        factor_most=np.array(most, dtype=np.int64),
        weights=np.array(weights, dtype=np.float64),
        graded=graded,
        graded_row=graded_row,
        slot_factor=slot_factor,
        slot_words=_NO_SLOTS if slot_words is None else slot_words,
        slot_count=len(slot_rows),
        slot_row=SLOT_ROW,
    )
    mapping = MappingProxyType(dict(zip(names, weights, strict=True)))
    return Query(intake, names, mapping, slot_words, kernel, _frozen(tuple(relax), "bool"))
