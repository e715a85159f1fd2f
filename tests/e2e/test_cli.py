"""The intake staff's CLI against a running service."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.conftest import ATTUNE, RunningService

MATCH = [
    "match",
    "--concern",
    "anxiety",
    "--concern",
    "grief",
    "--format",
    "video",
    "--language",
    "es",
    "--language",
    "en",
    "--available",
    "Tue 18:00-21:00",
    "--available",
    "Sat 09:00-12:00",
    "--tz",
    "America/Chicago",
    "--jurisdiction",
    "US-CA",
    "--age-group",
    "adult",
]


def test_match_prints_a_ranked_table_with_reasons(demo_service: RunningService) -> None:
    result = demo_service.cli(*MATCH, "--top", "3")
    assert result.returncode == 0, result.stderr
    assert "eligible counselors" in result.stdout and "balanced-v1@1" in result.stdout
    assert "speaks" in result.stdout and "Score" in result.stdout
    assert "Traceback" not in result.stderr


def test_match_json_is_machine_readable(demo_service: RunningService) -> None:
    result = demo_service.cli(*MATCH, "--top", "4", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["strategy_name"] == "balanced-v1"
    assert 1 <= len(payload["results"]) <= 4
    assert payload["results"][0]["rank"] == 1 and payload["results"][0]["reasons"]


def test_bad_input_is_a_readable_message_not_a_traceback(demo_service: RunningService) -> None:
    result = demo_service.cli(
        "match",
        "--concern",
        "anxeity",
        "--language",
        "xx",
        "--jurisdiction",
        "Illinois",
        "--age-group",
        "adults",
    )
    assert result.returncode == 1
    assert "invalid request" in result.stderr
    assert "intake.concerns[0].concern" in result.stderr and "intake.languages[0]" in result.stderr
    assert "did you mean 'anxiety'?" in result.stderr and "did you mean 'US-IL'?" in result.stderr
    assert "intake.age_group: unknown age group 'adults'; did you mean 'adult'?" in result.stderr
    assert "Traceback" not in result.stderr
    bad_window = demo_service.cli(
        "match",
        "--concern",
        "anxiety",
        "--language",
        "en",
        "--jurisdiction",
        "US-CA",
        "--age-group",
        "adult",
        "--available",
        "Someday 9-5",
    )
    assert bad_window.returncode == 2 and "Traceback" not in bad_window.stderr
    too_many = demo_service.cli(*MATCH, "--top", "101")  # the service would cap it at 100: say so first
    assert too_many.returncode == 2 and "--top" in too_many.stderr and "100" in too_many.stderr


def test_match_requires_and_prefers_the_whole_intake(demo_service: RunningService) -> None:
    wants = (
        "--gender",
        "woman",
        "--identity",
        "lgbtq_affirming",
        "--require",
        "gender",
        "--prefer",
        "identity=5",
    )
    result = demo_service.cli(*MATCH, *wants, "--format", "phone", "--prefer", "format", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["results"], payload
    excluded = {e["filter"]: e.get("excluded_count", 0) for e in payload["exclusions"]}
    assert excluded["gender"] > 0 and excluded["identity"] == 0 and excluded["format"] == 0
    factors = {f["factor"] for r in payload["results"] for f in r["factors"]}
    assert {"identity", "format"} <= factors and "gender" not in factors  # a required gender does not score
    for r in payload["results"][:2]:
        shown = demo_service.cli("counselors", "show", r["counselor_id"])
        assert "woman: a woman" in shown.stdout, shown.stdout


def test_a_too_narrow_intake_prints_the_relaxations_that_would_help(demo_service: RunningService) -> None:
    narrow = (
        *MATCH,
        "--jurisdiction",
        "US-VT",  # a small state: few counselors licensed there
        "--gender",
        "nonbinary",
        "--require",
        "gender",
        "--top",
        "10",
    )
    result = demo_service.cli(*narrow)
    assert result.returncode == 0, result.stderr
    assert "Relaxing one requirement would add:" in result.stdout, result.stdout
    payload = json.loads(demo_service.cli(*narrow, "--json").stdout)
    assert payload.get("eligible_count", 0) < 10
    relaxations = payload["relaxations"]
    assert 1 <= len(relaxations) <= 3
    added = [r["added_count"] for r in relaxations]
    assert added == sorted(added, reverse=True) and all(n > 0 for n in added)
    for r in relaxations:
        assert f"{r['suggestion']}: +{r['added_count']}" in result.stdout


def test_unreachable_service_is_explained() -> None:
    result = subprocess.run(
        [*ATTUNE, "counselors", "list", "--address", "127.0.0.1:1", "--timeout", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "not reachable" in result.stderr and "Traceback" not in result.stderr


def test_counselors_list_and_show(demo_service: RunningService) -> None:
    listed = demo_service.cli("counselors", "list", "--page-size", "5", "--json")
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert len(page["counselors"]) == 5 and page["next_page_token"]
    first = page["counselors"][0]["id"]
    shown = demo_service.cli("counselors", "show", first)
    assert shown.returncode == 0 and first in shown.stdout and "Availability" in shown.stdout
    for row in ("Jurisdictions", "Age groups", "Genders", "Identities"):
        assert row in shown.stdout
    missing = demo_service.cli("counselors", "show", "no-such-counselor")
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr


def test_import_is_all_or_nothing_and_reports_every_bad_row(
    demo_service: RunningService, tmp_path: Path
) -> None:
    header = "id,display_name,specialties,formats,session_types,languages,time_zone,availability,caseload_max"
    good = (
        "imp-1,Ana Import,anxiety;grief:secondary,video,individual,es;en,America/Chicago,Tue 18:00-21:00,20"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join(
            [
                header,
                good,
                "imp-2,Bad Lang,anxiety,video,individual,xx,UTC,Mon 09:00-10:00,20",
                "imp-3,Bad Zone,anxiety,video,individual,en,Mars/Base,Mon 09:00-10:00,20",
            ]
        )
        + "\n"
    )
    result = demo_service.cli("counselors", "import", str(bad))
    assert result.returncode == 1
    assert "line 3" in result.stderr and "line 4" in result.stderr and "nothing was imported" in result.stderr
    assert demo_service.cli("counselors", "show", "imp-1").returncode == 1  # the good row was not imported

    ok = tmp_path / "ok.csv"
    ok.write_text(header + "\n" + good + "\n")
    imported = demo_service.cli("counselors", "import", str(ok))
    assert imported.returncode == 0, imported.stderr
    assert "imported 1" in imported.stdout
    assert demo_service.cli("counselors", "show", "imp-1").returncode == 0

    again = tmp_path / "again.csv"  # imp-1 is taken now: its line is named, and nothing is imported
    again.write_text(header + "\n" + good.replace("imp-1", "imp-4") + "\n" + good + "\n")
    clash = demo_service.cli("counselors", "import", str(again))
    assert clash.returncode == 1 and "Traceback" not in clash.stderr
    assert "1 problem(s), nothing was imported" in clash.stderr
    assert "line 3, id: counselor 'imp-1' already exists" in clash.stderr
    assert demo_service.cli("counselors", "show", "imp-4").returncode == 1
