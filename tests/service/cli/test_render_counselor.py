"""How ``attune counselors show`` prints one counselor: every coded attribute, with its labels."""

from __future__ import annotations

from rich.console import Console

from attune.v1 import counselor_pb2
from matcher.model import CounselorProfile
from service.api.convert.catalog import profile_to_proto
from service.cli.render import print_counselor


def _text(c: counselor_pb2.Counselor) -> str:
    console = Console(record=True, width=200)
    print_counselor(console, c)
    return console.export_text()


def test_jurisdictions_age_groups_genders_and_identities_are_shown_with_their_labels() -> None:
    profile = CounselorProfile(
        "c1",
        "Ana",
        jurisdictions=("US-IL", "US-WI"),
        age_groups=("teen", "adult"),
        genders=("woman", "transgender"),
        identities=("lgbtq_affirming", "lived_military"),
    )
    text = _text(profile_to_proto(profile))
    for line in (
        "Jurisdictions",
        "US-IL: Illinois",
        "US-WI: Wisconsin",
        "Age groups",
        "teen: teens (13 to 17)",
        "adult: adults (18 to 64)",
        "Genders",
        "woman: a woman",
        "Identities",
        "lgbtq_affirming: LGBTQ+ affirming",
        "lived_military: lived experience of military service",
    ):
        assert line in text, line
    assert "transgender:" not in text  # its label is the code: shown once


def test_none_on_file_is_said() -> None:
    text = _text(counselor_pb2.Counselor(id="c2", display_name="Ben"))
    age_groups = next(line for line in text.splitlines() if "Age groups" in line)
    assert "none on file" in age_groups
