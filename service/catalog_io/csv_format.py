"""CSV catalogs: :func:`parse_csv` and :func:`write_csv` (format in :mod:`service.catalog_io`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from matcher.model import CounselorProfile
from service.catalog_io.rows import (
    CODE_COLUMNS,
    CODE_LIST_COLUMNS,
    COLUMNS,
    ENUM_COLUMNS,
    REQUIRED_COLUMNS,
    ImportedRow,
    ImportFailed,
    RowError,
    _finish,
    _Row,
)
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

__all__ = ["parse_csv", "parse_csv_rows", "write_csv"]


def _csv_row(line: int, cells: dict[str, str]) -> _Row:
    row = _Row(line)
    f = row.fields
    for column, raw in cells.items():
        text = raw.strip()
        if column in ("id", "display_name", "time_zone"):
            f[column] = text
        elif column in CODE_LIST_COLUMNS:
            f[column] = tuple(split_list(text))
        elif column == "specialties":
            f[column] = row.each(column, split_list(text), parse_specialty)
        elif column in ENUM_COLUMNS:
            f[column] = row.each(column, split_list(text), ENUM_COLUMNS[column])
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
    """Parse a CSV catalog (see :mod:`service.catalog_io`); :class:`ImportFailed` lists every problem."""
    return [row.profile for row in parse_csv_rows(text)]


def parse_csv_rows(text: str) -> list[ImportedRow]:
    """:func:`parse_csv`, each counselor with the line it starts on."""
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


def _cells(p: CounselorProfile) -> dict[str, object]:
    """The cells of ``p``'s row, by column."""
    return {
        "id": p.id,
        "display_name": p.display_name,
        "credentials": format_list(p.credentials),
        "specialties": format_list([format_specialty(s) for s in p.specialties]),
        **{column: format_list([str(code) for code in getattr(p, column)]) for column in CODE_COLUMNS},
        "time_zone": p.availability.time_zone,
        "availability": format_list([format_window(w) for w in p.availability.windows]),
        "accepting_new_clients": format_bool(p.accepting_new_clients),
        "caseload_current": p.caseload_current,
        "caseload_max": p.caseload_max,
        "active": format_bool(p.active),
    }


def write_csv(profiles: Iterable[CounselorProfile], out: TextIO) -> None:
    """Write ``profiles`` as a CSV catalog with every column (``parse_csv`` reads it back)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in profiles:
        cells = _cells(p)
        writer.writerow([cells[column] for column in COLUMNS])
