"""How the CLI shows responses: readable tables for people, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table

from attune.v1 import common_pb2, counselor_pb2, matching_pb2
from matcher.attributes import ATTRIBUTES, Storage
from matcher.model import WeeklyWindow
from service.text_formats import format_window

__all__ = ["as_json", "print_counselor", "print_counselors", "print_ranking"]


def as_json(message: Message) -> str:
    """Proto JSON with the API's field names."""
    return json_format.MessageToJson(message, preserving_proto_field_name=True, indent=2)


def _enum_short(name: str, prefix: str) -> str:
    return name.removeprefix(prefix).lower()


def print_ranking(console: Console, response: matching_pb2.RankCounselorsResponse) -> None:
    """A ranked table with scores and reasons, what the filters excluded, and what relaxing would add."""
    strategy = f"{response.strategy_name}@{response.strategy_version}"
    console.print(
        f"[bold]{len(response.results)} of {response.eligible_count} eligible counselors[/bold] "
        f"(catalog of {response.catalog_size}, version {response.catalog_version}; strategy {strategy}; "
        f"ranking {response.ranking_id})"
    )
    if response.results:
        table = Table(show_lines=True)
        table.add_column("#", justify="right")
        table.add_column("Counselor")
        table.add_column("Score", justify="right")
        table.add_column("Factors")
        table.add_column("Why")
        for r in response.results:
            factors = "\n".join(f"{f.factor} {f.score:.2f} × {f.weight:.2f}" for f in r.factors)
            table.add_row(
                str(r.rank),
                f"{r.display_name}\n[dim]{r.counselor_id}[/dim]",
                f"{r.score:.3f}",
                factors,
                "\n".join(r.reasons),
            )
        console.print(table)
    else:
        console.print("[yellow]No counselor passes every requirement.[/yellow]")
    excluded = [e for e in response.exclusions if e.excluded_count]
    if excluded:
        console.print(
            "Excluded by requirement: "
            + ", ".join(f"{e.filter} {e.excluded_count}" for e in excluded)
            + " (a counselor can fail several)"
        )
    if response.relaxations:
        console.print("[bold]Fewer than asked for qualify. Relaxing one requirement would add:[/bold]")
        for relaxation in response.relaxations:
            console.print(f"  {relaxation.suggestion}: +{relaxation.added_count} ({relaxation.attribute})")


def _windows(c: counselor_pb2.Counselor) -> str:
    return ", ".join(
        format_window(WeeklyWindow(w.day - 1, w.start_minute, w.end_minute)) for w in c.availability.windows
    )


def _summary(c: counselor_pb2.Counselor) -> dict[str, Any]:
    return {
        "specialties": ", ".join(
            s.concern + (" (secondary)" if s.proficiency == 2 else "") for s in c.specialties
        ),
        "languages": ", ".join(c.languages),
        "formats": ", ".join(
            _enum_short(common_pb2.SessionFormat.Name(f), "SESSION_FORMAT_") for f in c.formats
        ),
    }


def print_counselors(console: Console, response: counselor_pb2.ListCounselorsResponse) -> None:
    """One line per counselor."""
    table = Table()
    for column in ("Id", "Name", "Specialties", "Languages", "Formats", "Caseload", "Status"):
        table.add_column(column)
    for c in response.counselors:
        s = _summary(c)
        status = ("active" if c.active else "inactive") + (
            ", accepting" if c.accepting_new_clients else ", full"
        )
        table.add_row(
            c.id,
            c.display_name,
            s["specialties"],
            s["languages"],
            s["formats"],
            f"{c.caseload_current}/{c.caseload_max}",
            status,
        )
    console.print(table)
    console.print(f"{len(response.counselors)} shown of {response.total_size}")
    if response.next_page_token:
        console.print(f"next page: --page-token {response.next_page_token}")


#: The counselor fields :func:`print_counselor` writes out in rows of their own.
_SHOWN = frozenset(("specialties", "approaches", "formats", "session_types", "languages"))
#: The other coded attributes (jurisdictions, age groups, genders, identities...): shown with their labels.
_LABELLED = tuple(a for a in ATTRIBUTES if a.storage == Storage.CODES and a.counselor_field not in _SHOWN)


def _labelled(codes: Iterable[str], vocabulary: Mapping[str, str]) -> str:
    """One line per code, ``code: label`` (the code alone where its label says nothing more)."""
    return "\n".join(
        code if vocabulary.get(code, code) == code else f"{code}: {vocabulary[code]}" for code in codes
    )


def _coded_rows(c: counselor_pb2.Counselor) -> list[tuple[str, str]]:
    """A row per coded attribute not written out in :func:`print_counselor`, titled by its field."""
    return [
        (
            a.counselor_field.replace("_", " ").capitalize(),
            _labelled(getattr(c, a.counselor_field), a.vocabulary) or "[dim]none on file[/dim]",
        )
        for a in _LABELLED
    ]


def print_counselor(console: Console, c: counselor_pb2.Counselor) -> None:
    """Every field of one counselor."""
    s = _summary(c)
    rows = [
        ("Id", c.id),
        ("Name", c.display_name),
        ("Credentials", ", ".join(c.credentials)),
        ("Specialties", s["specialties"]),
        ("Approaches", ", ".join(c.approaches)),
        ("Formats", s["formats"]),
        (
            "Session types",
            ", ".join(_enum_short(common_pb2.SessionType.Name(t), "SESSION_TYPE_") for t in c.session_types),
        ),
        ("Languages", s["languages"]),
        *_coded_rows(c),
        ("Availability", f"{_windows(c)} ({c.availability.time_zone})"),
        ("Accepting new clients", "yes" if c.accepting_new_clients else "no"),
        ("Caseload", f"{c.caseload_current} of {c.caseload_max}"),
        ("Active", "yes" if c.active else "no"),
        ("Updated", c.update_time.ToDatetime().isoformat(timespec="seconds") + "Z"),
    ]
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


def dumps(value: Any) -> str:
    """Plain JSON for scripts."""
    return json.dumps(value, indent=2)
