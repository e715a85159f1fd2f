"""Text forms of windows, specialties, flags and lists: parsing, formatting and error messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.model import Specialty, WeeklyWindow
from matcher.vocabulary import Proficiency
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

# ----------------------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue 18:00-21:00", WeeklyWindow(1, 18 * 60, 21 * 60)),
        ("tuesday 18:00 - 21:00", WeeklyWindow(1, 1080, 1260)),
        ("  MON 9:30-10:00  ", WeeklyWindow(0, 570, 600)),
        ("Sun 00:00-24:00", WeeklyWindow(6, 0, 1440)),
        ("Saturday 23:30-24:00", WeeklyWindow(5, 1410, 1440)),
        ("wed 07:15-08:45", WeeklyWindow(2, 435, 525)),  # off the 30-minute grid: validation's job
        ("Thu 21:00-18:00", WeeklyWindow(3, 1260, 1080)),  # inverted: validation's job too
    ],
)
def test_parse_window(text: str, expected: WeeklyWindow) -> None:
    assert parse_window(text) == expected


@pytest.mark.parametrize(
    ("window", "text"),
    [
        (WeeklyWindow(1, 1080, 1260), "Tue 18:00-21:00"),
        (WeeklyWindow(0, 0, 30), "Mon 00:00-00:30"),
        (WeeklyWindow(6, 1410, 1440), "Sun 23:30-24:00"),
    ],
)
def test_format_window(window: WeeklyWindow, text: str) -> None:
    assert format_window(window) == text


def test_format_window_rejects_a_day_outside_the_week() -> None:
    with pytest.raises(ValueError, match="not a weekly window"):
        format_window(WeeklyWindow(7, 0, 30))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a weekly window like 'Tue 18:00-21:00'"),
        ("Tue", "expected a weekly window like 'Tue 18:00-21:00'"),
        ("Tue 18:00", r"a day \(Mon\.\.Sun or Monday\.\.Sunday\), then start-end as 24-hour HH:MM"),
        ("Tue18:00-21:00", "expected a weekly window"),
        ("Funday 10:00-11:00", "bad day 'Funday'.*use Mon..Sun or Monday..Sunday"),
        ("Tue 6pm-9pm", "bad time '6pm'.*24-hour HH:MM"),
        ("Tue 18-21", "bad time '18'"),
        ("Tue 18:60-19:00", "the start time must lie between 00:00 and 23:59"),
        ("Tue 24:00-24:00", "the start time must lie between 00:00 and 23:59"),
        ("Tue 18:00-24:30", "the end time must lie between 00:00 and 24:00"),
        ("Tue 18:00-25:00", "the end time must lie between 00:00 and 24:00"),
        ("Tue 18:000-19:00", "bad time '18:000'"),
    ],
)
def test_bad_window_messages_say_what_is_allowed(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_window(text)


windows = st.builds(
    lambda day, start, length: WeeklyWindow(day, start, start + length),
    st.integers(0, 6),
    st.integers(0, 1439),
    st.integers(1, 1440),
).filter(lambda w: w.end_minute <= 1440)


@given(windows)
def test_window_round_trip(w: WeeklyWindow) -> None:
    assert parse_window(format_window(w)) == w


@given(windows, st.sampled_from(["lower", "upper", "full", "full-upper"]), st.sampled_from([" ", "  ", "\t"]))
def test_window_text_variants_parse_to_the_same_window(w: WeeklyWindow, case: str, space: str) -> None:
    day_name, times = format_window(w).split(" ")
    full = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[w.day]
    day = {"lower": day_name.lower(), "upper": day_name.upper(), "full": full, "full-upper": full.upper()}[
        case
    ]
    assert parse_window(f"{space}{day}{space}{times.replace('-', space + '-' + space)}{space}") == w


@given(st.text(max_size=30))
def test_any_text_parses_to_a_window_in_range_or_raises_value_error(text: str) -> None:
    try:
        w = parse_window(text)
    except ValueError:
        return
    assert 0 <= w.day <= 6
    assert 0 <= w.start_minute <= 1439
    assert 0 <= w.end_minute <= 1440


# ----------------------------------------------------------------------------- specialties


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anxiety", Specialty("anxiety", Proficiency.PRIMARY)),
        (" grief : secondary ", Specialty("grief", Proficiency.SECONDARY)),
        ("ocd:PRIMARY", Specialty("ocd", Proficiency.PRIMARY)),
        ("not_a_code", Specialty("not_a_code")),  # codes are checked by validation
    ],
)
def test_parse_specialty(text: str, expected: Specialty) -> None:
    assert parse_specialty(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a concern code such as 'anxiety' or 'grief:secondary'"),
        (":secondary", "expected a concern code"),
        ("anxiety:expert", "bad proficiency 'expert' in 'anxiety:expert': allowed: primary, secondary"),
    ],
)
def test_bad_specialty(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_specialty(text)


@pytest.mark.parametrize("proficiency", list(Proficiency))
def test_specialty_round_trip(proficiency: Proficiency) -> None:
    s = Specialty("trauma", proficiency)
    text = format_specialty(s)
    assert text == ("trauma" if proficiency is Proficiency.PRIMARY else "trauma:secondary")
    assert parse_specialty(text) == s


# ----------------------------------------------------------------------------- flags and lists


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("TRUE", True),
        (" yes ", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("0", False),
    ],
)
def test_parse_bool(text: str, value: bool) -> None:
    assert parse_bool(text) is value
    assert parse_bool(format_bool(value)) is value


@pytest.mark.parametrize("text", ["", "maybe", "2", "y", "t"])
def test_bad_bool(text: str) -> None:
    with pytest.raises(ValueError, match="allowed: true/false, yes/no, 1/0"):
        parse_bool(text)


def test_split_and_format_list() -> None:
    assert split_list(" en ; es;;fr ") == ["en", "es", "fr"]
    assert split_list("") == []
    assert format_list(("en", "es")) == "en;es"
    assert format_list(()) == ""
    with pytest.raises(ValueError, match="cannot be written"):
        format_list(["LCSW;LPC"])


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters=";"), min_size=1).map(str.strip).filter(bool)
    )
)
def test_list_round_trip(items: list[str]) -> None:
    assert split_list(format_list(items)) == items
