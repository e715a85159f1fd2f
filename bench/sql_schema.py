"""The PostgreSQL baseline's table: every attribute as bit masks, generated from the declarations.

The best representation we could give PostgreSQL, benchmark-specific and generated from the
declarations (:data:`~matcher.attributes.ATTRIBUTES`, their bits in
:data:`~matcher.engine.layout.LAYOUT`): a table ``bench_counselor`` with, per attribute by how it is
held, a ``boolean`` per flag, an integer bit mask per code set (one ``bigint`` per 64 codes:
``<name>``, or ``<name>_0``, ``<name>_1``, ...; graded codes one mask per grade,
``<name>_primary`` and ``<name>_secondary``) and the weekly UTC slots as one ``bit(336)``. Every hard
filter is then a bitwise AND and every factor a ``bit_count`` (:mod:`bench.sql_ranking`): no JSON,
no joins, no child tables. No index: every filter keeps most of the catalog, so a sequential scan
(parallel when the planner wants it) is the best plan; the primary key orders the tie-break.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from matcher.attributes import ATTRIBUTES, Attribute, Storage
from matcher.availability import SLOTS_PER_WEEK
from matcher.engine.layout import LAYOUT
from matcher.engine.reference import utc_slots
from matcher.model import CounselorProfile
from matcher.vocabulary import Proficiency

__all__ = [
    "COLUMNS",
    "GRADE_HITS",
    "SCHEMA",
    "SLOTS_TYPE",
    "bit_string",
    "fill_table",
    "held_word",
    "ident",
    "mask_columns",
    "on_file",
    "split_words",
    "word_count",
]

_WORD_BITS = 64
_WORD_MASK = (1 << _WORD_BITS) - 1
#: Twice what one code of each grade adds per unit of priority (1.0 primary, 0.5 secondary):
#: the graded numerator stays an integer, over twice the priority total.
GRADE_HITS = {Proficiency.PRIMARY: 2, Proficiency.SECONDARY: 1}
#: The SQL type of the weekly UTC slots.
SLOTS_TYPE = f"bit({SLOTS_PER_WEEK})"


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (names come from the declarations, so none is reserved)."""
    return '"' + name.replace('"', '""') + '"'


def split_words(mask: int, count: int) -> list[int]:
    """``mask`` as ``count`` 64-bit words, lowest first, each the signed value PostgreSQL's bigint holds."""
    words = [mask >> (_WORD_BITS * j) & _WORD_MASK for j in range(count)]
    return [w - (1 << _WORD_BITS) if w >> (_WORD_BITS - 1) else w for w in words]


def bit_string(slots: set[int] | frozenset[int]) -> str:
    """Slot ``j`` is character ``j`` (PostgreSQL's bit strings read left to right)."""
    return "".join("1" if j in slots else "0" for j in range(SLOTS_PER_WEEK))


def word_count(a: Attribute) -> int:
    """How many bigint words hold ``a``'s codes (one mask per grade for graded codes)."""
    return (len(LAYOUT[a.name].positions) + _WORD_BITS - 1) // _WORD_BITS


def mask_columns(a: Attribute, grade: Proficiency | None = None) -> list[str]:
    """The (unquoted) names of ``a``'s words, of one ``grade`` for graded codes."""
    base = a.name if grade is None else f"{a.name}_{grade.value}"
    count = word_count(a)
    return [base] if count == 1 else [f"{base}_{j}" for j in range(count)]


def held_word(a: Attribute, j: int) -> str:
    """Word ``j`` of the codes a counselor holds of ``a`` (any grade), as an SQL expression."""
    if a.storage == Storage.GRADED_CODES:
        return "(" + " | ".join(ident(mask_columns(a, grade)[j]) for grade in GRADE_HITS) + ")"
    return ident(mask_columns(a)[j])


def on_file(a: Attribute) -> str:
    """The condition that a counselor holds some code of ``a``."""
    return "(" + " OR ".join(f"{held_word(a, j)} <> 0" for j in range(word_count(a))) + ")"


def _columns(a: Attribute) -> list[tuple[str, str]]:
    """``(name, SQL type)`` of each column holding ``a``."""
    if a.storage == Storage.FLAG:
        return [(a.name, "boolean")]
    if a.storage == Storage.WEEKLY_SLOTS:
        return [(a.name, SLOTS_TYPE)]
    if a.storage == Storage.GRADED_CODES:
        return [(c, "bigint") for grade in GRADE_HITS for c in mask_columns(a, grade)]
    return [(c, "bigint") for c in mask_columns(a)]


def _values(a: Attribute, p: CounselorProfile) -> list[Any]:
    """The values of :func:`_columns` for profile ``p``."""
    held = getattr(p, a.counselor_field)
    if a.storage == Storage.FLAG:
        return [bool(held)]
    if a.storage == Storage.WEEKLY_SLOTS:
        return [bit_string(utc_slots(held))]
    placed, count = LAYOUT[a.name], word_count(a)
    if a.storage != Storage.GRADED_CODES:
        return split_words(placed.mask(held), count)
    by_grade = [[getattr(s, a.item_code) for s in held if s.proficiency == grade] for grade in GRADE_HITS]
    return [word for codes in by_grade for word in split_words(placed.mask(codes), count)]


#: The table's columns, ``id`` first, then each attribute's in declaration order.
COLUMNS: tuple[str, ...] = ("id", *(name for a in ATTRIBUTES for name, _ in _columns(a)))

SCHEMA = (
    'CREATE TABLE bench_counselor (\n    id text COLLATE "C" PRIMARY KEY,\n    '
    + ",\n    ".join(f"{ident(name)} {kind} NOT NULL" for a in ATTRIBUTES for name, kind in _columns(a))
    + "\n)"
)


def _row(p: CounselorProfile) -> tuple[Any, ...]:
    return (p.id, *(value for a in ATTRIBUTES for value in _values(a, p)))


def fill_table(conn: psycopg.Connection[Any], profiles: Sequence[CounselorProfile]) -> None:
    """(Re)create ``bench_counselor`` holding ``profiles`` (with COPY), then VACUUM ANALYZE it."""
    conn.execute("DROP TABLE IF EXISTS bench_counselor")
    conn.execute(SCHEMA)
    columns = ", ".join(map(ident, COLUMNS))
    with conn.cursor() as cursor, cursor.copy(f"COPY bench_counselor ({columns}) FROM STDIN") as copy:
        for p in profiles:
            copy.write_row(_row(p))
    conn.commit()
    autocommit = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute("VACUUM ANALYZE bench_counselor")
    finally:
        conn.autocommit = autocommit
