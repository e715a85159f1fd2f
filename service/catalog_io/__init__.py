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
``session_types``, ``languages`` (ISO 639-1, preferred first), ``jurisdictions`` (ISO 3166-2
licences, e.g. ``US-IL;US-WI``), ``age_groups`` (``teen;adult``), ``genders``, ``identities``
(every coded attribute's counselor field, by its declaration) and ``availability``
(``Tue 18:00-21:00;Thu 09:00-12:00``). Flags read true/false, yes/no or 1/0.
Rows whose cells are all blank are skipped.

JSON: an array of objects with the same keys; lists are JSON arrays,
``specialties`` items are ``{"concern": ..., "proficiency": ...}`` objects or
``"code[:secondary]"`` strings, flags are JSON booleans, caseloads JSON integers and
``null`` means the default.

``id`` is optional: a blank id is left empty for the service to assign. A given id
must be 1-64 letters, digits, ``-`` or ``_`` and unique within the file.

Modules: :mod:`~service.catalog_io.rows` (columns, errors and row checks shared by both
formats), :mod:`~service.catalog_io.csv_format` and :mod:`~service.catalog_io.json_format`;
every public name is importable from this package.
"""

from __future__ import annotations

from pathlib import Path

from matcher.model import CounselorProfile
from service.catalog_io.csv_format import parse_csv, parse_csv_rows, write_csv
from service.catalog_io.json_format import parse_json, parse_json_rows, write_json
from service.catalog_io.rows import COLUMNS, ImportedRow, ImportFailed, RowError
from service.catalog_io.rows import REQUIRED_COLUMNS as REQUIRED_COLUMNS

__all__ = [
    "COLUMNS",
    "ImportFailed",
    "ImportedRow",
    "RowError",
    "parse_csv",
    "parse_csv_rows",
    "parse_json",
    "parse_json_rows",
    "read_catalog",
    "read_catalog_rows",
    "write_csv",
    "write_json",
]


def read_catalog(path: Path) -> list[CounselorProfile]:
    """Read a ``.csv`` or ``.json`` catalog (UTF-8, BOM allowed); all of it or :class:`ImportFailed`.

    See :func:`read_catalog_rows`, which also gives each counselor's line.
    """
    return [row.profile for row in read_catalog_rows(path)]


def read_catalog_rows(path: Path) -> list[ImportedRow]:
    """Read a ``.csv`` or ``.json`` catalog: each counselor with the line it starts on.

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
    return parse_csv_rows(text) if suffix == ".csv" else parse_json_rows(text)
