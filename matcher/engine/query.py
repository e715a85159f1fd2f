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
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from matcher.attributes import ATTRIBUTES, FILTERS, Attribute, Filter, Scoring, Storage
from matcher.availability import SLOT_WORDS, Availability, availability_bits
from matcher.engine.layout import GRADE_SHIFT, LAYOUT, SLOT_ROW
from matcher.model import MAX_PRIORITY, Intake
from matcher.strategy import Strategy

__all__ = [
    "KIND_FIRST_CHOICE",
    "KIND_GRADED",
    "KIND_SHARE",
    "KIND_SHARED_SLOTS",
    "PRIORITY_PLANES",
    "KernelQuery",
    "Query",
    "applicable_factors",
    "client_value",
    "compile_query",
    "factor_weights",
]

#: Bits of a priority (1..MAX_PRIORITY): the graded numerator sums one popcount per bit.
PRIORITY_PLANES = MAX_PRIORITY.bit_length()
#: Factor kinds as the kernels number them.
KIND_SHARE, KIND_FIRST_CHOICE, KIND_GRADED, KIND_SHARED_SLOTS = range(4)
_KINDS = {
    Scoring.SHARE: KIND_SHARE,
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
    filter_unless : int64 (F,), a row outside whose bits the filter is not counted (-1: none)
    slots_filter : the filter of the weekly slots (-1: none)
    factor_kinds : int64 (G,), KIND_* of each applicable factor, in the order they are added up
    factor_words : int64 (G,), the row of the ``codes`` column each reads (-1: slots)
    factor_bits : uint64 (G, B), the client's bits: a mask (share), the client's codes in order
        (first choice), the priority planes (graded)
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
    filter_unless: _I64
    slots_filter: int
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


@dataclass(frozen=True)
class Query:
    """An intake compiled for one strategy: what filtering, scoring and the reasons read.

    Attributes
    ----------
    intake : the validated intake
    factors : the applicable soft factors, in the order they are added up
    weights : the renormalised weight of each of them
    slot_words : uint64 (SLOT_WORDS,), the client's weekly UTC slots, or None when none given
    kernel : the same query in the kernels' types
    """

    intake: Intake
    factors: tuple[str, ...]
    weights: Mapping[str, float]
    slot_words: _U64 | None
    kernel: KernelQuery


def client_value(a: Attribute, intake: Intake) -> tuple[object, ...]:
    """The client's side of ``a``: its codes (or graded items) as a tuple; empty when none given.

    Weekly slots give the intake's windows.
    """
    if a.intake_field is None:
        return ()
    value = getattr(intake, a.intake_field)
    if a.storage == Storage.WEEKLY_SLOTS:
        return () if value is None else tuple(value.windows)
    if a.one_code:
        return (value,) if value else ()
    return tuple(value)


def applicable_factors(intake: Intake) -> tuple[str, ...]:
    """The soft factors that apply to ``intake``: those whose side the client gave, in declared order."""
    return tuple(a.name for a in ATTRIBUTES if a.is_factor and client_value(a, intake))


def factor_weights(strategy: Strategy, factors: tuple[str, ...]) -> Mapping[str, float]:
    """Renormalise the strategy's weights over ``factors`` so that they sum to 1.

    A factor missing from ``strategy.weights`` weighs 0. If every applicable weight is 0,
    the factors share the weight equally.
    """
    raw = [max(0.0, float(strategy.weights.get(f, 0.0))) for f in factors]
    total = sum(raw)
    if total > 0:
        return MappingProxyType({f: w / total for f, w in zip(factors, raw, strict=True)})
    return MappingProxyType({f: 1.0 / len(factors) for f in factors})


@lru_cache(maxsize=4096)
def _client_slots(availability: Availability) -> tuple[_U64, tuple[int, ...]]:
    """The slot bits (read-only, shape (SLOT_WORDS,)) and the slot numbers, ascending."""
    words = availability_bits(availability)
    words.flags.writeable = False
    bits = int.from_bytes(words.astype("<u8").tobytes(), "little")
    return words, tuple(s for s in range(bits.bit_length()) if bits >> s & 1)


_NO_SLOTS = np.zeros(SLOT_WORDS, dtype=np.uint64)
_NO_SLOTS.flags.writeable = False


def _filter_rows(a: Attribute, intake: Intake, slots: tuple[int, ...]) -> tuple[bool, list[int]]:
    """Whether ``a`` filters this intake, and the index rows a counselor needs a bit in."""
    p = LAYOUT[a.name]
    if a.storage == Storage.FLAG:
        return True, [p.index_row]
    if a.storage == Storage.WEEKLY_SLOTS:  # windows given: the filter applies, even if they hold no slot
        return bool(client_value(a, intake)), [SLOT_ROW + s for s in slots]
    value = client_value(a, intake)
    given = bool(value) or a.filter == Filter.ALWAYS
    return given, p.rows(p.mask(value))


def _graded_planes(a: Attribute, intake: Intake) -> tuple[list[int], int]:
    """Plane ``b``: the client's codes whose priority has bit ``b``, in both halves; twice the priorities."""
    p = LAYOUT[a.name]
    planes = [0] * PRIORITY_PLANES
    total = 0
    for item in client_value(a, intake):
        bit = p.mask((getattr(item, a.item_code),))
        priority: int = item.priority  # type: ignore[attr-defined]
        total += priority
        for b in range(PRIORITY_PLANES):
            if priority >> b & 1:
                planes[b] |= bit | bit << GRADE_SHIFT
    return planes, 2 * total


def compile_query(intake: Intake, strategy: Strategy) -> Query:
    """Compile a validated ``intake`` for ``strategy`` (a few microseconds, whatever the catalog)."""
    slot_words: _U64 | None = None
    slots: tuple[int, ...] = ()
    if intake.availability is not None and intake.availability.windows:
        slot_words, slots = _client_slots(intake.availability)
    rows: list[int] = []
    starts = [0]
    given: list[bool] = []
    unless: list[int] = []
    slots_filter = -1
    for a in ATTRIBUTES:
        if not a.is_filter:
            continue
        applies, filter_rows = _filter_rows(a, intake, slots)
        on_file = LAYOUT[a.name].on_file_row
        for name, these, guard in ((a.name, filter_rows, on_file), (a.missing, [on_file], -1)):
            if name is None:
                continue
            if a.storage == Storage.WEEKLY_SLOTS:
                slots_filter = len(given)
            rows += these
            starts.append(len(rows))
            given.append(applies)
            unless.append(guard)
    factors = applicable_factors(intake)
    weights = factor_weights(strategy, factors)
    kinds, words, most, bits = [], [], [], []
    graded = slot_factor = -1
    graded_row = -1
    for g, name in enumerate(factors):
        a, p = LAYOUT[name].attribute, LAYOUT[name]
        kinds.append(_KINDS[a.scoring])
        words.append(p.word)
        value = client_value(a, intake)
        if a.scoring == Scoring.SHARE:
            mask = p.mask(value)
            bits.append([mask])
            most.append(mask.bit_count())
        elif a.scoring == Scoring.FIRST_CHOICE:
            bits.append([p.mask((code,)) for code in value])
            most.append(len(value))
        elif a.scoring == Scoring.GRADED:
            planes, twice = _graded_planes(a, intake)
            bits.append(planes)
            most.append(twice)
            graded, graded_row = g, p.index_row
        else:
            bits.append([])
            most.append(len(slots))
            slot_factor = g
    width = max([1, *map(len, bits)])
    factor_bits = np.zeros((len(factors), width), dtype=np.uint64)
    for g, row in enumerate(bits):
        factor_bits[g, : len(row)] = row
    kernel = KernelQuery(
        filter_rows=np.array(rows, dtype=np.int64),
        filter_starts=np.array(starts, dtype=np.int64),
        filter_given=np.array(given, dtype=np.bool_),
        filter_unless=np.array(unless, dtype=np.int64),
        slots_filter=slots_filter,
        factor_kinds=np.array(kinds, dtype=np.int64),
        factor_words=np.array(words, dtype=np.int64),
        factor_bits=factor_bits,
        factor_most=np.array(most, dtype=np.int64),
        weights=np.array([weights[f] for f in factors], dtype=np.float64),
        graded=graded,
        graded_row=graded_row,
        slot_factor=slot_factor,
        slot_words=_NO_SLOTS if slot_words is None else slot_words,
        slot_count=len(slots),
        slot_row=SLOT_ROW,
    )
    if len(given) != len(FILTERS):
        raise AssertionError("the compiled filters must follow FILTERS")
    return Query(intake, factors, weights, slot_words, kernel)
