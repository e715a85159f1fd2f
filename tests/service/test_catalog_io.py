"""Catalog import/export: round trips, and every bad row reported with its line and field."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from matcher.model import Availability, CounselorProfile, Specialty, WeeklyWindow
from matcher.synthetic import synthetic_counselors
from matcher.vocabulary import Proficiency, SessionFormat, SessionType
from service.catalog_io import (
    COLUMNS,
    ImportFailed,
    RowError,
    parse_csv,
    parse_json,
    read_catalog,
    write_csv,
    write_json,
)

DATA = Path(__file__).parent / "data"
HEADER = "id,display_name,languages,time_zone,availability"


def where(error: ImportFailed) -> list[tuple[int, str]]:
    return [(e.line, e.field) for e in error.errors]


def failure(parse: object, text: str) -> ImportFailed:
    assert callable(parse)
    with pytest.raises(ImportFailed) as info:
        parse(text)
    return info.value


# ----------------------------------------------------------------------------- good files and round trips


ANA = CounselorProfile(
    id="c-ana",
    display_name="López, Ana",
    credentials=("LCSW", "PhD"),
    specialties=(Specialty("anxiety"), Specialty("grief", Proficiency.SECONDARY)),
    approaches=("cbt", "act"),
    formats=(SessionFormat.VIDEO, SessionFormat.IN_PERSON),
    session_types=(SessionType.INDIVIDUAL, SessionType.COUPLES),
    languages=("es", "en"),
    availability=Availability("America/Chicago", (WeeklyWindow(1, 1080, 1260), WeeklyWindow(5, 540, 720))),
    accepting_new_clients=True,
    caseload_current=3,
    caseload_max=20,
    active=True,
)


@pytest.mark.parametrize("name", ["good.csv", "good.json"])
def test_good_files(name: str) -> None:
    ana, ben, kim = read_catalog(DATA / name)
    assert ana == ANA
    assert ben.id == ""  # blank id: the service assigns one
    assert (ben.accepting_new_clients, ben.caseload_current, ben.caseload_max) == (False, 20, 20)
    assert ben.availability == Availability("America/New_York", (WeeklyWindow(0, 540, 750),))
    # missing cells take the defaults; no windows and no zone -> UTC
    assert kim == CounselorProfile(
        id="c-kim",
        display_name="Jin Kim",
        specialties=(Specialty("trauma"), Specialty("ptsd", Proficiency.SECONDARY)),
        approaches=("emdr",),
        formats=(SessionFormat.VIDEO,),
        session_types=(SessionType.INDIVIDUAL,),
        languages=("ko", "en"),
        availability=Availability("UTC"),
    )


@pytest.mark.parametrize(("write", "parse"), [(write_csv, parse_csv), (write_json, parse_json)])
def test_synthetic_catalog_round_trips(write: object, parse: object) -> None:
    assert callable(write) and callable(parse)
    profiles = synthetic_counselors(500, seed=8)
    out = io.StringIO()
    write(profiles, out)
    assert parse(out.getvalue()) == profiles


@pytest.mark.parametrize("suffix", [".csv", ".json", ".CSV"])
def test_files_round_trip_with_awkward_text(tmp_path: Path, suffix: str) -> None:
    profiles = [
        ANA,
        CounselorProfile(id="", display_name='Dr. "Sam" O\'Neil,\nPhD', languages=("en",)),
    ]
    path = tmp_path / f"catalog{suffix}"
    with path.open("w", encoding="utf-8", newline="") as out:
        (write_json if suffix == ".json" else write_csv)(profiles, out)
    assert read_catalog(path) == profiles


WHOLE = "display_name,jurisdictions,age_groups,genders,identities"


def test_the_whole_intake_columns_are_read_and_round_trip() -> None:
    (ana,) = parse_csv(
        f"{WHOLE}\nAna,US-IL;US-WI,teen; adult,woman;transgender,lgbtq_affirming;lived_military\n"
    )
    assert ana.jurisdictions == ("US-IL", "US-WI")
    assert ana.age_groups == ("teen", "adult")
    assert ana.genders == ("woman", "transgender")
    assert ana.identities == ("lgbtq_affirming", "lived_military")
    (same,) = parse_json(
        '[{"display_name": "Ana", "jurisdictions": ["US-IL", "US-WI"], "age_groups": ["teen", "adult"], '
        '"genders": ["woman", "transgender"], "identities": ["lgbtq_affirming", "lived_military"]}]'
    )
    assert same == ana
    for write, parse in ((write_csv, parse_csv), (write_json, parse_json)):
        out = io.StringIO()
        write([ana], out)
        assert parse(out.getvalue()) == [ana]


def test_bad_codes_of_the_whole_intake_columns_name_the_item() -> None:
    error = failure(parse_csv, f"{WHOLE}\nAna,US-IL,adult;adults,woman;female,lgbtq\n")
    assert where(error) == [(2, "age_groups[1]"), (2, "genders[1]"), (2, "identities[0]")]
    assert error.errors[0].message.startswith("unknown age group 'adults'; did you mean 'adult'?")
    text = '[\n{"display_name": "Ana", "age_groups": ["adult", "adult"], "genders": "woman"}\n]'
    error = failure(parse_json, text)
    assert where(error) == [(2, "genders"), (2, "age_groups[1]")]
    assert error.errors[1].message == "age group 'adult' is listed twice"


def test_json_writer_puts_one_counselor_per_line() -> None:
    out = io.StringIO()
    write_json(synthetic_counselors(3, seed=1), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 5
    assert json.loads(lines[2].rstrip(","))["id"] == "c0000001"


def test_csv_writer_header_is_every_column() -> None:
    out = io.StringIO()
    write_csv([], out)
    assert out.getvalue() == ",".join(COLUMNS) + "\n"


# ----------------------------------------------------------------------------- bad rows


def test_csv_three_bad_rows_are_all_reported() -> None:
    with pytest.raises(ImportFailed) as info:
        read_catalog(DATA / "three_bad_rows.csv")
    assert where(info.value) == [
        (3, "languages[0]"),
        (5, "availability[1]"),
        (6, "specialties[0]"),
        (6, "caseload_max"),
    ]
    messages = [e.message for e in info.value.errors]
    assert messages[0] == (
        "unknown language 'english'; did you mean 'en'? GetVocabulary (`attune vocabulary`) lists the "
        "language codes"
    )
    assert "bad time '9' in 'Thursday 9-12'" in messages[1]
    assert messages[2] == "bad proficiency 'expert' in 'anxiety:expert': allowed: primary, secondary"
    assert messages[3] == "expected a whole number, got 'twenty'"
    assert str(info.value).startswith(
        "4 problem(s), nothing imported: line 3, languages[0]: unknown language"
    )


def test_json_bad_objects_are_reported_at_the_line_where_they_start() -> None:
    with pytest.raises(ImportFailed) as info:
        read_catalog(DATA / "three_bad_rows.json")
    assert where(info.value) == [
        (4, "languages[0]"),
        (8, "availability[1]"),
        (13, "specialties[0]"),
        (13, "caseload_max"),
    ]


def test_quoted_newlines_do_not_shift_later_line_numbers() -> None:
    with pytest.raises(ImportFailed) as info:
        read_catalog(DATA / "multiline.csv")
    # rows start on lines 2 (2 lines), 4 (4 lines), 8 and 9
    assert where(info.value) == [(8, "time_zone"), (9, "availability[0]")]
    assert "unknown time zone 'Mars/Olympus_Mons'" in info.value.errors[0].message
    assert "30-minute boundaries" in info.value.errors[1].message


def test_crlf_line_endings_count_the_same() -> None:
    text = (DATA / "multiline.csv").read_text(encoding="utf-8").replace("\n", "\r\n")
    assert where(failure(parse_csv, text)) == [(8, "time_zone"), (9, "availability[0]")]


def test_unknown_columns_are_named() -> None:
    with pytest.raises(ImportFailed) as info:
        read_catalog(DATA / "unknown_column.csv")
    assert where(info.value) == [
        (1, "favourite_colour"),
        (1, "insurance"),
    ]  # Time_Zone is fine: case-insensitive
    assert info.value.errors[0].message.startswith(
        "unknown column 'favourite_colour'; allowed: id, display_name,"
    )


def test_duplicate_ids_are_an_error_but_blank_ids_are_not() -> None:
    with pytest.raises(ImportFailed) as info:
        read_catalog(DATA / "duplicate_id.csv")
    assert info.value.errors == (RowError(6, "id", "duplicate id 'c-1': also on line 2"),)


def test_header_problems() -> None:
    assert failure(parse_csv, "").errors[0].message.startswith("empty file: a header row is required")
    missing = failure(parse_csv, "id,languages\nc-1,en\n")
    assert missing.errors == (RowError(1, "display_name", "required column is missing"),)
    twice = failure(parse_csv, "display_name,languages,Languages\nAna,en,es\n")
    assert where(twice) == [(1, "languages")]


def test_row_with_the_wrong_number_of_values() -> None:
    error = failure(parse_csv, f"{HEADER}\nc-1,Ana,en,UTC\n")
    assert error.errors == (RowError(2, "", "4 values, but the header names 5 columns"),)


def test_blank_rows_are_skipped_but_counted() -> None:
    text = f"{HEADER}\n\n,,,,\nc-1,Ana,xx,UTC,\n"
    assert where(failure(parse_csv, text)) == [(4, "languages[0]")]


def test_time_zone_defaults_to_utc_only_without_windows() -> None:
    (profile,) = parse_csv(f"{HEADER}\nc-1,Ana,en,,\n")
    assert profile.availability == Availability("UTC")
    error = failure(parse_csv, f"{HEADER}\nc-1,Ana,en,,Tue 18:00-21:00\n")
    assert where(error) == [(2, "time_zone")]
    assert error.errors[0].message.startswith("required")


def test_validation_paths_become_column_paths() -> None:
    header = f"{HEADER},specialties,formats,caseload_current"
    text = f"{header}\nbad id!,,xx;en,UTC,Tue 21:00-18:00,anxiety;nope,fax,-1\n"
    assert sorted(where(failure(parse_csv, text))) == [
        (2, "availability[0]"),
        (2, "caseload_current"),
        (2, "display_name"),
        (2, "formats[0]"),
        (2, "id"),
        (2, "languages[0]"),
        (2, "specialties[1].concern"),
    ]


def test_bad_flags_and_numbers() -> None:
    text = "display_name,accepting_new_clients,active,caseload_max\nAna,maybe,1,3.5\n"
    error = failure(parse_csv, text)
    assert where(error) == [(2, "accepting_new_clients"), (2, "caseload_max")]
    assert error.errors[0].message == "bad flag 'maybe': allowed: true/false, yes/no, 1/0"


def test_formats_accept_spelling_variants() -> None:
    ana, ben = parse_csv(
        "display_name,formats,session_types\nAna,Video; In-Person;PHONE,Couples\nBen,in person,\n"
    )
    assert ana.formats == (SessionFormat.VIDEO, SessionFormat.IN_PERSON, SessionFormat.PHONE)
    assert ana.session_types == (SessionType.COUPLES,)
    assert ben.formats == (SessionFormat.IN_PERSON,)


# ----------------------------------------------------------------------------- JSON specifics


def test_json_type_errors_and_unknown_keys() -> None:
    text = json.dumps(
        [
            {
                "display_name": "Ana",
                "languages": "en",
                "accepting_new_clients": "yes",
                "caseload_max": True,
                "specialties": [{"concern": "grief", "level": "x"}],
                "colour": "blue",
            },
            {"id": 7},
            ["not", "an", "object"],
        ],
        indent=1,
    )
    error = failure(parse_json, text)
    assert where(error) == [
        (2, "languages"),
        (2, "accepting_new_clients"),
        (2, "caseload_max"),
        (2, "specialties[0]"),
        (2, "colour"),
        (15, "id"),
        (15, "display_name"),
        (18, ""),
    ]
    assert error.errors[0].message == "expected an array of strings"
    assert error.errors[4].message.startswith("unknown key 'colour'; allowed: id, display_name")


def test_json_syntax_errors_keep_earlier_row_errors() -> None:
    text = '[\n  {"display_name": "Ana", "languages": ["xx"]},\n  {"display_name": "Ben",,}\n]'
    error = failure(parse_json, text)
    assert where(error) == [(2, "languages[0]"), (3, "")]
    assert error.errors[1].message.startswith("malformed JSON")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"display_name": "Ana"}', 1, "expected a JSON array of counselor objects"),
        ('\n\n[{"display_name": "Ana"', 3, "malformed JSON"),
        ('[{"display_name": "Ana"}] []', 1, "malformed JSON: extra data after the array"),
        ("", 1, "expected a JSON array"),
    ],
)
def test_json_structure_errors(text: str, line: int, message: str) -> None:
    (error,) = failure(parse_json, text).errors
    assert error.line == line
    assert error.message.startswith(message)


def test_json_nulls_take_defaults_and_empty_array_is_empty() -> None:
    assert parse_json("[]") == [] == parse_json(" [ ] ")
    (profile,) = parse_json('[{"id": null, "display_name": "Ana", "languages": null, "active": null}]')
    assert profile == CounselorProfile(id="", display_name="Ana", availability=Availability("UTC"))


# ----------------------------------------------------------------------------- files


def test_read_catalog_file_problems(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unsupported catalog file 'c\.xlsx': use a \.csv or \.json file"):
        read_catalog(tmp_path / "c.xlsx")
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffdisplay_name,languages\nAna,en\n".encode())
    assert [p.display_name for p in read_catalog(bom)] == ["Ana"]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("display_name\nAna\nJosé\n".encode("latin-1"))
    with pytest.raises(ImportFailed) as info:
        read_catalog(latin1)
    assert info.value.errors == (RowError(3, "", "not UTF-8 text: save the file as UTF-8"),)


def test_import_failed_message_is_capped_but_errors_are_complete() -> None:
    rows = "".join(f"c-{i},Ana,xx,UTC,\n" for i in range(25))
    error = failure(parse_csv, f"{HEADER}\n{rows}")
    assert len(error.errors) == 25
    assert [e.line for e in error.errors] == list(range(2, 27))
    assert str(error).startswith("25 problem(s), nothing imported: line 2, languages[0]")
    assert str(error).endswith("; and 15 more")
