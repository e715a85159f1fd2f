"""JSON catalogs: :func:`parse_json` and :func:`write_json` (format in :mod:`service.catalog_io`).

Elements of the top-level array are decoded one at a time, so that each counselor's
problems are reported with the line where its object starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from matcher.model import CounselorProfile, Specialty
from matcher.vocabulary import Proficiency
from service.catalog_io.rows import (
    CODE_COLUMNS,
    COLUMNS,
    ENUM_COLUMNS,
    ImportedRow,
    ImportFailed,
    RowError,
    _finish,
    _Row,
)
from service.text_formats import format_window, parse_specialty, parse_window

__all__ = ["parse_json", "parse_json_rows", "write_json"]

_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_strings(row: _Row, column: str, value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    row.fail(column, "expected an array of strings")
    return None


def _json_specialty(item: object) -> Specialty:
    if isinstance(item, str):
        return parse_specialty(item)
    if (
        isinstance(item, dict)
        and set(item) <= {"concern", "proficiency"}
        and isinstance(item.get("concern"), str)
    ):
        level = item.get("proficiency") or Proficiency.PRIMARY.value
        if isinstance(level, str):
            return parse_specialty(f"{item['concern']}:{level}")
    raise ValueError(
        'expected "code", "code:secondary" or {"concern": "code", "proficiency": "primary"|"secondary"}'
    )


def _json_row(line: int, obj: dict[str, Any]) -> _Row:
    row = _Row(line)
    f = row.fields
    for column, value in obj.items():
        if column not in COLUMNS:
            row.fail(column, f"unknown key {column!r}; allowed: {', '.join(COLUMNS)}")
        elif value is None:
            continue
        elif column in ("id", "display_name", "time_zone"):
            if isinstance(value, str):
                f[column] = value.strip()
            else:
                row.fail(column, "expected a string")
        elif column in ("accepting_new_clients", "active"):
            if isinstance(value, bool):
                f[column] = value
            else:
                row.fail(column, "expected true or false")
        elif column in ("caseload_current", "caseload_max"):
            if isinstance(value, int) and not isinstance(value, bool):
                f[column] = value
            else:
                row.fail(column, "expected a whole number")
        elif column == "specialties":
            if isinstance(value, list):
                f[column] = row.each(column, value, _json_specialty)
            else:
                row.fail(column, "expected an array of specialties")
        else:
            items = _json_strings(row, column, value)
            if items is None:
                continue
            if column in ENUM_COLUMNS:
                f[column] = row.each(column, items, ENUM_COLUMNS[column])
            elif column == "availability":
                row.window_count = len(items)
                f[column] = row.each(column, items, parse_window)
            else:
                f[column] = tuple(s.strip() for s in items)
    if "display_name" not in obj:
        row.fail("display_name", "required key is missing")
    return row


def _skip_space(text: str, pos: int) -> int:
    match = _JSON_SPACE.match(text, pos)
    return match.end() if match else pos


def _json_objects(text: str) -> Iterator[tuple[int, object]]:
    """Yield (line where the element starts, element) for each element of the top-level array."""
    decoder = json.JSONDecoder()
    line, counted = 1, 0

    def line_at(pos: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, pos)
        counted = pos
        return line

    try:
        pos = _skip_space(text, 0)
        if not text.startswith("[", pos):
            raise ImportFailed([RowError(line_at(pos), "", "expected a JSON array of counselor objects")])
        pos = _skip_space(text, pos + 1)
        if text.startswith("]", pos):
            pos += 1
        else:
            while True:
                value, end = decoder.raw_decode(text, pos)
                yield line_at(pos), value
                pos = _skip_space(text, end)
                if text.startswith(",", pos):
                    pos = _skip_space(text, pos + 1)
                elif text.startswith("]", pos):
                    pos += 1
                    break
                else:
                    raise json.JSONDecodeError("expected ',' or ']' after an array element", text, pos)
        if _skip_space(text, pos) != len(text):
            raise json.JSONDecodeError("extra data after the array", text, pos)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            [RowError(error.lineno, "", f"malformed JSON: {error.msg} (column {error.colno})")]
        ) from None


def parse_json(text: str) -> list[CounselorProfile]:
    """Parse a JSON catalog (see :mod:`service.catalog_io`); :class:`ImportFailed` lists every problem."""
    return [row.profile for row in parse_json_rows(text)]


def parse_json_rows(text: str) -> list[ImportedRow]:
    """:func:`parse_json`, each counselor with the line it starts on."""
    rows: list[tuple[int, CounselorProfile | None, str]] = []
    errors: list[RowError] = []
    try:
        for line, obj in _json_objects(text):
            if not isinstance(obj, dict):
                errors.append(RowError(line, "", "expected a counselor object {...}"))
                continue
            row = _json_row(line, obj)
            rows.append((line, row.build(), row.fields.get("id", "")))
            errors += row.errors
    except ImportFailed as fatal:  # the rest of the file cannot be read
        raise ImportFailed([*errors, *fatal.errors]) from None
    return _finish(rows, errors)


def _json_profile(p: CounselorProfile) -> dict[str, Any]:
    return {
        "id": p.id,
        "display_name": p.display_name,
        "credentials": list(p.credentials),
        "specialties": [{"concern": s.concern, "proficiency": s.proficiency.value} for s in p.specialties],
        **{column: [str(code) for code in getattr(p, column)] for column in CODE_COLUMNS},
        "time_zone": p.availability.time_zone,
        "availability": [format_window(w) for w in p.availability.windows],
        "accepting_new_clients": p.accepting_new_clients,
        "caseload_current": p.caseload_current,
        "caseload_max": p.caseload_max,
        "active": p.active,
    }


def write_json(profiles: Iterable[CounselorProfile], out: TextIO) -> None:
    """Write ``profiles`` as a JSON array, one counselor object per line (``parse_json`` reads it back)."""
    out.write("[")
    for i, p in enumerate(profiles):
        out.write(",\n  " if i else "\n  ")
        out.write(json.dumps(_json_profile(p), ensure_ascii=False))
    out.write("\n]\n")
