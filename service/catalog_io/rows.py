"""What the CSV and JSON catalog readers share.

The catalog columns, the error types (:class:`RowError`, :class:`ImportFailed`),
:class:`_Row` (one profile built from one row's values, collecting every problem of
the row), the enum-cell parsers, and :func:`_finish` (duplicate-id check and the
all-or-nothing result: each :class:`ImportedRow` with its line). The formats themselves
are documented in :mod:`service.catalog_io`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from matcher.attributes import ATTRIBUTES, Storage
from matcher.errors import InvalidInput
from matcher.model import Availability, CounselorProfile, validate_counselor

__all__ = [
    "CODE_COLUMNS",
    "CODE_LIST_COLUMNS",
    "COLUMNS",
    "ENUM_COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportFailed",
    "ImportedRow",
    "RowError",
]

#: The counselor sides of the attributes held as sets of codes: a list column each.
CODE_COLUMNS = tuple(a.counselor_field for a in ATTRIBUTES if a.storage == Storage.CODES)
#: Every column (and JSON key) of a catalog, in the order the writers use.
COLUMNS = (
    "id",
    "display_name",
    "credentials",
    "specialties",
    *CODE_COLUMNS,
    "time_zone",
    "availability",
    "accepting_new_clients",
    "caseload_current",
    "caseload_max",
    "active",
)
#: Columns holding a plain list of codes: the credentials, and the code attributes whose codes are
#: strings (those whose codes are enum members, session formats and types, are parsed as such).
CODE_LIST_COLUMNS = (
    "credentials",
    *(a.counselor_field for a in ATTRIBUTES if a.storage == Storage.CODES and a.code_enum is None),
)
REQUIRED_COLUMNS = ("display_name",)
#: The id rule of the service (service.usecases.catalog), checked here to report it with a line number.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_ERRORS_IN_MESSAGE = 10
_E = TypeVar("_E", bound=StrEnum)


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


#: The code columns whose codes are enum members (session formats and types), and their cell parsers.
ENUM_COLUMNS: dict[str, Callable[[str], Any]] = {
    a.counselor_field: _enum(a.code_enum, a.noun)
    for a in ATTRIBUTES
    if a.storage == Storage.CODES and a.code_enum is not None
}


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


class ImportedRow(NamedTuple):
    """One counselor of an imported file and the line it starts on (as :class:`RowError` counts lines)."""

    line: int
    profile: CounselorProfile


def _finish(
    rows: list[tuple[int, CounselorProfile | None, str]], errors: list[RowError]
) -> list[ImportedRow]:
    _check_duplicates(rows, errors)
    if errors:
        raise ImportFailed(errors)
    return [ImportedRow(line, p) for line, p, _ in rows if p is not None]
