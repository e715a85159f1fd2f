"""Baseline (b): the same weighted score computed by PostgreSQL in one SQL query.

The representation is the best one we could give PostgreSQL, and is benchmark-specific: a table
``bench_counselor`` with every code set as an integer bit mask (the bits of
:mod:`matcher.engine.bitsets`), ``has_room`` precomputed, and the weekly UTC availability as one
``bit(336)`` string, so that every hard filter is a bitwise AND and every factor a ``bit_count``:
no JSON parsing, no joins, no child tables. The query is one statement with
``ORDER BY score DESC, id LIMIT k`` run through psycopg with server-side prepared statements.
There is no index: every filter keeps most of the catalog, so a sequential scan (parallel when
the planner wants it) is the best plan; the primary key gives the id order for the tie-break.

The score follows :mod:`matcher.engine.ranking` operation for operation in float8 (concern numerator as
an integer over twice the priority total, factors added in Factor order, ``LEAST(total, 1)``), so
its results are bit-identical to the fast path's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from matcher.availability import SLOTS_PER_WEEK
from matcher.engine.bitsets import (
    APPROACH_BITS,
    CONCERN_BITS,
    FORMAT_BITS,
    LANGUAGE_BITS,
    SESSION_TYPE_BITS,
    mask_of,
)
from matcher.engine.query import encode_intake
from matcher.engine.reference import utc_slots
from matcher.model import CounselorProfile, Intake
from matcher.strategy import Factor, Strategy
from matcher.vocabulary import Proficiency

__all__ = ["SCHEMA", "SqlQuery", "build_query", "fill_table", "rank_sql"]

SCHEMA = f"""
CREATE TABLE bench_counselor (
    id text COLLATE "C" PRIMARY KEY,
    active boolean NOT NULL,
    has_room boolean NOT NULL,
    formats integer NOT NULL,
    session_types integer NOT NULL,
    languages bigint NOT NULL,
    primary_concerns bigint NOT NULL,
    secondary_concerns bigint NOT NULL,
    approaches bigint NOT NULL,
    slots bit({SLOTS_PER_WEEK}) NOT NULL
)
"""

_COLUMNS = (
    "id",
    "active",
    "has_room",
    "formats",
    "session_types",
    "languages",
    "primary_concerns",
    "secondary_concerns",
    "approaches",
    "slots",
)


def _signed(mask: int) -> int:
    """A 64-bit mask as the signed value PostgreSQL's bigint holds."""
    return mask - (1 << 64) if mask >= 1 << 63 else mask


def _bit_string(slots: set[int] | frozenset[int]) -> str:
    """Slot ``j`` is character ``j`` (PostgreSQL's bit strings read left to right)."""
    return "".join("1" if j in slots else "0" for j in range(SLOTS_PER_WEEK))


def _row(p: CounselorProfile) -> tuple[Any, ...]:
    primary = {s.concern for s in p.specialties if s.proficiency == Proficiency.PRIMARY}
    secondary = {s.concern for s in p.specialties} - primary
    return (
        p.id,
        p.active,
        p.accepting_new_clients and p.caseload_current < p.caseload_max,
        mask_of(p.formats, FORMAT_BITS),
        mask_of(p.session_types, SESSION_TYPE_BITS),
        _signed(mask_of(p.languages, LANGUAGE_BITS)),
        _signed(mask_of(primary, CONCERN_BITS)),
        _signed(mask_of(secondary, CONCERN_BITS)),
        _signed(mask_of(p.approaches, APPROACH_BITS)),
        _bit_string(utc_slots(p.availability)),
    )


def fill_table(conn: psycopg.Connection[Any], profiles: Sequence[CounselorProfile]) -> None:
    """(Re)create ``bench_counselor`` holding ``profiles`` (with COPY), then VACUUM ANALYZE it."""
    conn.execute("DROP TABLE IF EXISTS bench_counselor")
    conn.execute(SCHEMA)
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY bench_counselor ({', '.join(_COLUMNS)}) FROM STDIN") as copy,
    ):
        for p in profiles:
            copy.write_row(_row(p))
    conn.commit()
    autocommit = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute("VACUUM ANALYZE bench_counselor")
    finally:
        conn.autocommit = autocommit


class SqlQuery:
    """One intake's SQL text and parameters."""

    def __init__(self, text: str, params: dict[str, Any]) -> None:
        self.text = text
        self.params = params


def _popcount(column: str, param: str) -> str:
    return f"bit_count(({column} & %({param})s)::bit(64))"


def build_query(intake: Intake, strategy: Strategy, k: int) -> SqlQuery:
    """The one-statement ranking of ``intake`` (weighted algorithm): top ``k`` ``(id, score)`` rows."""
    q = encode_intake(intake, strategy)
    params: dict[str, Any] = {"k": k, "lang": _signed(q.language_mask), "stype": q.session_type_bit}
    where = ["active", "has_room", "(languages & %(lang)s) <> 0", "(session_types & %(stype)s) <> 0"]
    if q.format_mask:
        params["fmt"] = q.format_mask
        where.append("(formats & %(fmt)s) <> 0")
    client_slots = utc_slots(intake.availability) if intake.availability is not None else set()
    if client_slots:
        params["slots"] = _bit_string(client_slots)
        where.append(f"bit_count(slots & %(slots)s::bit({SLOTS_PER_WEEK})) > 0")

    terms = []
    for i, (priority, mask) in enumerate(q.concern_groups):
        params[f"c{i}"] = _signed(mask)
        hits = f"(2 * {_popcount('primary_concerns', f'c{i}')} + {_popcount('secondary_concerns', f'c{i}')})"
        terms.append(f"{priority} * {hits}" if priority != 1 else hits)
    params["concern_den"] = float(2 * q.priority_total)
    factor_sql = {Factor.CONCERN: f"({' + '.join(terms)})::float8 / %(concern_den)s::float8"}
    if Factor.APPROACH in q.factors:
        params["appr"] = _signed(q.approach_mask)
        params["appr_den"] = float(q.approach_count)
        factor_sql[Factor.APPROACH] = f"{_popcount('approaches', 'appr')}::float8 / %(appr_den)s::float8"
    cases = []
    for j, bit in enumerate(q.language_bits):
        params[f"l{j}"] = _signed(bit)
        params[f"lv{j}"] = 1.0 / (j + 1)
        cases.append(f"WHEN (languages & %(l{j})s) <> 0 THEN %(lv{j})s::float8")
    factor_sql[Factor.LANGUAGE] = f"(CASE {' '.join(cases)} ELSE 0::float8 END)"
    if Factor.AVAILABILITY in q.factors:
        params["slot_den"] = float(q.slot_count)
        factor_sql[Factor.AVAILABILITY] = (
            f"bit_count(slots & %(slots)s::bit({SLOTS_PER_WEEK}))::float8 / %(slot_den)s::float8"
        )
    total = []
    for factor in q.factors:
        params[f"w_{factor.value}"] = float(q.weights[factor])
        total.append(f"%(w_{factor.value})s::float8 * ({factor_sql[factor]})")  # weight * (score)
    text = (
        f"SELECT id, LEAST({' + '.join(total)}, 1::float8) AS score FROM bench_counselor "
        f"WHERE {' AND '.join(where)} ORDER BY score DESC, id LIMIT %(k)s"
    )
    return SqlQuery(text, params)


def rank_sql(conn: psycopg.Connection[Any], query: SqlQuery) -> list[tuple[str, float]]:
    """Run ``query``: ``[(counselor_id, score), ...]``, best first."""
    rows = conn.execute(query.text, query.params).fetchall()
    return [(str(r[0]), float(r[1])) for r in rows]
