"""Import and export of counselor catalogs as CSV or JSON.

Imports are all-or-nothing: every row is parsed and validated with
:func:`matcher.model.validate_counselor`, and if any row is bad,
:class:`ImportFailed` lists *every* problem, each as a :class:`RowError` with:

* ``line``: for CSV, the physical line where the row starts (the header is line 1;
  quoted fields holding newlines are counted correctly); for JSON, the text line
  where the counselor's object starts. ``0`` means the file as a whole.
* ``field``: the column (or JSON key), with an index for list items
  (``languages[1]``, ``availability[0]``, ``specialties[2].concern``).

CSV: a header row naming the columns in :data:`COLUMNS`, in any order; only
``display_name`` is required and missing or blank cells take the defaults of
:class:`~matcher.model.CounselorProfile` (``time_zone`` defaults to UTC only when no
availability is given). Lists are ``;``-separated: ``credentials``, ``specialties``
(``anxiety;grief:secondary``), ``approaches``, ``formats`` (video, phone, in_person),
``session_types``, ``languages`` (ISO 639-1, preferred first) and ``availability``
(``Tue 18:00-21:00;Thu 09:00-12:00``). Flags read true/false, yes/no or 1/0.
Rows whose cells are all blank are skipped.

JSON: an array of objects with the same keys; lists are JSON arrays,
``specialties`` items are ``{"concern": ..., "proficiency": ...}`` objects or
``"code[:secondary]"`` strings, flags are JSON booleans, caseloads JSON integers and
``null`` means the default.

``id`` is optional: a blank id is left empty for the service to assign. A given id
must be 1-64 letters, digits, ``-`` or ``_`` and unique within the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from matcher.errors import InvalidInput
from matcher.model import Availability, CounselorProfile, Specialty, validate_counselor
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from service.text_formats import (
    format_bool,
    format_list,
    format_specialty,
    format_window,
    parse_bool,
    parse_specialty,
    parse_window,
    split_list,
)

__all__ = [
    "COLUMNS",
    "ImportFailed",
    "RowError",
    "parse_csv",
    "parse_json",
    "read_catalog",
    "write_csv",
    "write_json",
]

#: Every column (and JSON key) of a catalog, in the order the writers use.
COLUMNS = (
    "id",
    "display_name",
    "credentials",
    "specialties",
    "approaches",
    "formats",
    "session_types",
    "languages",
    "time_zone",
    "availability",
    "accepting_new_clients",
    "caseload_current",
    "caseload_max",
    "active",
)
REQUIRED_COLUMNS = ("display_name",)
#: The id rule of the service (service.catalog), checked here to report it with a line number.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_MAX_ERRORS_IN_MESSAGE = 10
_E = TypeVar("_E", SessionFormat, SessionType)


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file: where (line, field) and what is wrong."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ImportFailed(Exception):
    """A catalog file has problems; ``errors`` lists every one of them, by line."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: e.line))
        if not self.errors:
            raise ValueError("ImportFailed needs at least one error")
        shown = "; ".join(str(e) for e in self.errors[:_MAX_ERRORS_IN_MESSAGE])
        more = len(self.errors) - _MAX_ERRORS_IN_MESSAGE
        super().__init__(
            f"{len(self.errors)} problem(s), nothing imported: {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )


# ----------------------------------------------------------------------------- one row


class _Row:
    """Builds one profile from cell values, collecting every problem of the row."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.errors: list[RowError] = []
        self.bad_columns: set[str] = set()
        self.fields: dict[str, Any] = {"id": "", "display_name": ""}  # CounselorProfile keywords
        self.window_count = 0

    def fail(self, column: str, message: str, field: str = "") -> None:
        self.errors.append(RowError(self.line, field or column, message))
        self.bad_columns.add(column)

    def each(self, column: str, items: list[Any], parse: Callable[[Any], Any]) -> tuple[Any, ...]:
        """Parse every item of a list column; report each bad one as ``column[i]``."""
        out = []
        for i, item in enumerate(items):
            try:
                out.append(parse(item))
            except ValueError as error:
                self.fail(column, str(error), f"{column}[{i}]")
        return tuple(out)

    def build(self) -> CounselorProfile | None:
        """Validate the collected fields; return the profile, or None if the row has errors."""
        f = dict(self.fields)
        time_zone = f.pop("time_zone", "") or ("" if self.window_count else "UTC")
        profile = CounselorProfile(availability=Availability(time_zone, f.pop("availability", ())), **f)
        try:
            validate_counselor(profile)
        except InvalidInput as error:
            for v in error.violations:
                field = _column_path(v.field)
                column = re.split(r"[.\[]", field, maxsplit=1)[0]
                if column not in self.bad_columns:  # its indexes no longer match the file
                    self.errors.append(RowError(self.line, field, v.description))
        if profile.id and not _ID_PATTERN.fullmatch(profile.id):
            self.errors.append(
                RowError(self.line, "id", "letters, digits, '-' and '_' only, 1 to 64 characters")
            )
        return None if self.errors else profile


def _column_path(path: str) -> str:
    """Map a model field path to the file's column: ``availability.windows[2]`` -> ``availability[2]``."""
    if path == "availability.time_zone":
        return "time_zone"
    if path.startswith("availability.windows"):
        return "availability" + path.removeprefix("availability.windows")
    return path


def _enum(kind: type[_E], what: str) -> Callable[[str], _E]:
    def parse(text: str) -> _E:
        value = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(e.value for e in kind)
            raise ValueError(f"unknown {what} {text!r}; allowed: {allowed}") from None

    return parse


_PARSE_FORMAT = _enum(SessionFormat, "format")
_PARSE_SESSION_TYPE = _enum(SessionType, "session type")


def _check_duplicates(rows: list[tuple[int, CounselorProfile | None, str]], errors: list[RowError]) -> None:
    first_line: dict[str, int] = {}
    for line, _, counselor_id in rows:
        if not counselor_id:
            continue
        if counselor_id in first_line:
            errors.append(
                RowError(
                    line, "id", f"duplicate id {counselor_id!r}: also on line {first_line[counselor_id]}"
                )
            )
        else:
            first_line[counselor_id] = line


def _finish(
    rows: list[tuple[int, CounselorProfile | None, str]], errors: list[RowError]
) -> list[CounselorProfile]:
    _check_duplicates(rows, errors)
    if errors:
        raise ImportFailed(errors)
    return [p for _, p, _ in rows if p is not None]


# ----------------------------------------------------------------------------- CSV


def _csv_row(line: int, cells: dict[str, str]) -> _Row:
    row = _Row(line)
    f = row.fields
    for column, raw in cells.items():
        text = raw.strip()
        if column in ("id", "display_name", "time_zone"):
            f[column] = text
        elif column in ("credentials", "approaches", "languages"):
            f[column] = tuple(split_list(text))
        elif column == "specialties":
            f[column] = row.each(column, split_list(text), parse_specialty)
        elif column == "formats":
            f[column] = row.each(column, split_list(text), _PARSE_FORMAT)
        elif column == "session_types":
            f[column] = row.each(column, split_list(text), _PARSE_SESSION_TYPE)
        elif column == "availability":
            items = split_list(text)
            row.window_count = len(items)
            f[column] = row.each(column, items, parse_window)
        elif column in ("accepting_new_clients", "active") and text:
            try:
                f[column] = parse_bool(text)
            except ValueError as error:
                row.fail(column, str(error))
        elif column in ("caseload_current", "caseload_max") and text:
            try:
                f[column] = int(text)
            except ValueError:
                row.fail(column, f"expected a whole number, got {text!r}")
    return row


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells) for every non-blank CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end_of_previous = 0
    try:
        for cells in reader:
            start = end_of_previous + 1
            end_of_previous = reader.line_num
            if any(c.strip() for c in cells):
                yield start, cells
    except csv.Error as error:
        raise ImportFailed([RowError(reader.line_num, "", f"malformed CSV: {error}")]) from None


def _csv_header(line: int, cells: list[str]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    errors = [
        RowError(line, name or f"column {i + 1}", f"unknown column {name!r}; allowed: {', '.join(COLUMNS)}")
        for i, name in enumerate(names)
        if name not in COLUMNS
    ]
    errors += [
        RowError(line, name, f"column {name!r} appears more than once")
        for i, name in enumerate(names)
        if name in names[:i] and name in COLUMNS
    ]
    errors += [
        RowError(line, name, "required column is missing") for name in REQUIRED_COLUMNS if name not in names
    ]
    if errors:
        raise ImportFailed(errors)
    return names


def parse_csv(text: str) -> list[CounselorProfile]:
    """Parse a CSV catalog (see the module docstring); raise :class:`ImportFailed` listing every problem."""
    records = _csv_records(text)
    first = next(records, None)
    if first is None:
        raise ImportFailed(
            [RowError(1, "", f"empty file: a header row is required, e.g. {','.join(COLUMNS)}")]
        )
    columns = _csv_header(*first)
    rows: list[tuple[int, CounselorProfile | None, str]] = []
    errors: list[RowError] = []
    try:
        for line, cells in records:
            if len(cells) != len(columns):
                errors.append(
                    RowError(line, "", f"{len(cells)} values, but the header names {len(columns)} columns")
                )
                continue
            row = _csv_row(line, dict(zip(columns, cells, strict=True)))
            rows.append((line, row.build(), row.fields.get("id", "")))
            errors += row.errors
    except ImportFailed as fatal:  # the rest of the file cannot be read
        raise ImportFailed([*errors, *fatal.errors]) from None
    return _finish(rows, errors)


def write_csv(profiles: Iterable[CounselorProfile], out: TextIO) -> None:
    """Write ``profiles`` as a CSV catalog with every column (``parse_csv`` reads it back)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in profiles:
        writer.writerow(
            [
                p.id,
                p.display_name,
                format_list(p.credentials),
                format_list([format_specialty(s) for s in p.specialties]),
                format_list(p.approaches),
                format_list([f.value for f in p.formats]),
                format_list([t.value for t in p.session_types]),
                format_list(p.languages),
                p.availability.time_zone,
                format_list([format_window(w) for w in p.availability.windows]),
                format_bool(p.accepting_new_clients),
                p.caseload_current,
                p.caseload_max,
                format_bool(p.active),
            ]
        )


# ----------------------------------------------------------------------------- JSON


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
            if column == "formats":
                f[column] = row.each(column, items, _PARSE_FORMAT)
            elif column == "session_types":
                f[column] = row.each(column, items, _PARSE_SESSION_TYPE)
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
    """Parse a JSON catalog (see the module docstring); raise :class:`ImportFailed` listing every problem."""
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
        "approaches": list(p.approaches),
        "formats": [f.value for f in p.formats],
        "session_types": [t.value for t in p.session_types],
        "languages": list(p.languages),
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


# ----------------------------------------------------------------------------- files


def read_catalog(path: Path) -> list[CounselorProfile]:
    """Read a ``.csv`` or ``.json`` catalog (UTF-8, BOM allowed); all of it or :class:`ImportFailed`.

    Raises
    ------
    ImportFailed
        Listing every problem of the file, with line numbers.
    ValueError
        If the extension is neither ``.csv`` nor ``.json``.
    OSError
        If the file cannot be read.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ValueError(f"unsupported catalog file {path.name!r}: use a .csv or .json file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ImportFailed([RowError(line, "", "not UTF-8 text: save the file as UTF-8")]) from None
    return parse_csv(text) if suffix == ".csv" else parse_json(text)
