"""The intake staff's and catalog admins' commands (CLI layer): clients of the running service.

``attune match``, ``attune outcome``, ``attune vocabulary``, ``attune counselors …`` and
``attune seed`` each call the service over gRPC (:mod:`service.cli.client`); none touches the
database.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import grpc
import typer

from attune.v1 import counselor_pb2, matching_pb2
from matcher.attributes import attribute
from matcher.model import Availability, ConcernPreference, CounselorProfile, Intake
from matcher.vocabulary import SessionFormat, SessionType
from service.api.convert.catalog import intake_to_proto, profile_to_proto
from service.api.paging import MAX_TOP_K
from service.cli.client import describe_error, error_info
from service.cli.common import (
    DEFAULT_ADDRESS,
    DEFAULT_TIMEOUT,
    AddressOpt,
    JsonOpt,
    TimeoutOpt,
    call,
    fail,
    out,
)
from service.cli.render import as_json, print_counselor, print_counselors, print_ranking

__all__ = ["counselors_app", "match", "outcome", "seed", "vocabulary"]

counselors_app = typer.Typer(no_args_is_help=True, help="The counselor catalog.")


# ----------------------------------------------------------------------------- matching


def _parse_concern(text: str) -> ConcernPreference:
    code, _, priority = text.partition(":")
    if priority and not priority.isdigit():
        raise typer.BadParameter(f"{text!r}: write CONCERN or CONCERN:PRIORITY (1-5), e.g. anxiety:5")
    return ConcernPreference(code.strip(), int(priority or 1))


def _parse_enum(
    text: str, enum: type[SessionFormat] | type[SessionType], what: str
) -> SessionFormat | SessionType:
    try:
        return enum(text.strip().lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise typer.BadParameter(f"unknown {what} {text!r}; allowed: {allowed}") from None


def match(
    concern: Annotated[list[str], typer.Option("--concern", help="concern code, optionally :PRIORITY 1-5")],
    language: Annotated[list[str], typer.Option("--language", help="ISO 639-1 code; first is preferred")],
    jurisdiction: Annotated[
        str, typer.Option(attribute("licensure").cli_flag, help=attribute("licensure").help)
    ],
    session_format: Annotated[
        list[str] | None, typer.Option("--format", help="video, phone or in_person (default: any)")
    ] = None,
    session_type: Annotated[
        str, typer.Option("--session-type", help="individual, couples or family")
    ] = "individual",
    approach: Annotated[list[str] | None, typer.Option("--approach", help="preferred approach code")] = None,
    available: Annotated[
        list[str] | None, typer.Option("--available", help='weekly window, e.g. "Tue 18:00-21:00"')
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help="the client's IANA time zone")] = "UTC",
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="pseudonymous client id (default: a new random one)")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=MAX_TOP_K, help="how many counselors")] = 10,
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy", help="force a strategy, NAME@VERSION or NAME for its newest (staff override)"
        ),
    ] = "",
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    json_output: JsonOpt = False,
) -> None:
    """Rank counselors for a client's preferences."""
    from service.text_formats import parse_window

    try:
        windows = tuple(parse_window(w) for w in available or [])
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--available") from None
    intake = Intake(
        client_id=client_id or f"cli-{secrets.token_hex(6)}",
        concerns=tuple(_parse_concern(c) for c in concern),
        languages=tuple(language),
        session_type=_parse_enum(session_type, SessionType, "session type"),  # type: ignore[arg-type]
        formats=tuple(_parse_enum(f, SessionFormat, "format") for f in session_format or []),  # type: ignore[misc]
        approaches=tuple(approach or []),
        availability=Availability(tz, windows) if windows else None,
        jurisdiction=jurisdiction.strip().upper(),
    )
    request = matching_pb2.RankCounselorsRequest(
        intake=intake_to_proto(intake), page_size=top, strategy=strategy
    )
    response = call(address, timeout, lambda c: c.matching.RankCounselors, request)
    if json_output:
        out.print_json(as_json(response))
    else:
        print_ranking(out, response)


_EVENTS = {
    name.removeprefix("OUTCOME_EVENT_").lower(): number
    for name, number in matching_pb2.OutcomeEvent.items()
    if number != matching_pb2.OUTCOME_EVENT_UNSPECIFIED
}


def outcome(
    ranking_id: Annotated[str, typer.Argument(help="the ranking the counselor was shown in")],
    counselor_id: Annotated[str, typer.Argument(help="the counselor")],
    event: Annotated[str, typer.Argument(help=", ".join(_EVENTS))],
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Record what a client did with a counselor from a ranking (idempotent)."""
    if event not in _EVENTS:
        raise typer.BadParameter(f"allowed: {', '.join(_EVENTS)}", param_hint="EVENT")
    request = matching_pb2.RecordOutcomeRequest(
        ranking_id=ranking_id, counselor_id=counselor_id, event=_EVENTS[event]
    )
    response = call(address, timeout, lambda c: c.matching.RecordOutcome, request)
    out.print("already recorded" if response.duplicate else f"recorded {event}")


# ----------------------------------------------------------------------------- catalog


@counselors_app.command("list")
def counselors_list(
    page_size: Annotated[int, typer.Option(help="counselors per page")] = 50,
    page_token: Annotated[str, typer.Option(help="from the previous page")] = "",
    active_only: Annotated[bool, typer.Option(help="only active counselors")] = False,
    accepting_only: Annotated[bool, typer.Option(help="only those accepting new clients with room")] = False,
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    json_output: JsonOpt = False,
) -> None:
    """List counselors, one page at a time."""
    request = counselor_pb2.ListCounselorsRequest(
        page_size=page_size,
        page_token=page_token,
        active_filter=counselor_pb2.ACTIVE_FILTER_ACTIVE
        if active_only
        else counselor_pb2.ACTIVE_FILTER_UNSPECIFIED,
        accepting_new_clients_only=accepting_only,
    )
    response = call(address, timeout, lambda c: c.counselors.ListCounselors, request)
    if json_output:
        out.print_json(as_json(response))
    else:
        print_counselors(out, response)


@counselors_app.command("show")
def counselors_show(
    counselor_id: Annotated[str, typer.Argument(help="the counselor's id")],
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    json_output: JsonOpt = False,
) -> None:
    """Show one counselor."""
    request = counselor_pb2.GetCounselorRequest(id=counselor_id)
    response = call(address, timeout, lambda c: c.counselors.GetCounselor, request)
    if json_output:
        out.print_json(as_json(response.counselor))
    else:
        print_counselor(out, response.counselor)


def _create_all(
    address: str,
    timeout: float,
    profiles: Sequence[CounselorProfile],
    what: str,
    *,
    raise_conflict: bool = False,
) -> int:
    """Create ``profiles`` in one all-or-nothing call; with ``raise_conflict``, ALREADY_EXISTS is raised."""
    request = counselor_pb2.BatchCreateCounselorsRequest(
        requests=[
            counselor_pb2.CreateCounselorRequest(counselor=profile_to_proto(p), counselor_id=p.id)
            for p in profiles
        ]
    )
    response = call(
        address,
        max(timeout, 120.0),
        lambda c: c.counselors.BatchCreateCounselors,
        request,
        context=f"{what} failed, nothing was imported:",
        passthrough=(grpc.StatusCode.ALREADY_EXISTS,) if raise_conflict else (),
    )
    return len(response.counselors)


@counselors_app.command("import")
def counselors_import(
    path: Annotated[Path, typer.Argument(help="a .csv or .json catalog file", exists=True, dir_okay=False)],
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Import counselors from CSV or JSON: all of them, or none if any row is bad."""
    from service.catalog_io import ImportFailed, RowError, read_catalog_rows

    def problems(errors: Sequence[RowError]) -> typer.Exit:
        lines = [f"  line {e.line}, {e.field}: {e.message}" for e in errors]
        return fail(f"{path}: {len(errors)} problem(s), nothing was imported:\n" + "\n".join(lines))

    try:
        rows = read_catalog_rows(path)
    except ImportFailed as error:
        raise problems(error.errors) from None
    except ValueError as error:
        raise fail(f"{path}: {error}") from None
    try:
        count = _create_all(address, timeout, [row.profile for row in rows], "import", raise_conflict=True)
    except grpc.RpcError as error:
        info = error_info(error)
        taken = set(info.metadata["ids"].split(",")) if info and info.metadata.get("ids") else set()
        if not taken:
            raise fail(f"import failed, nothing was imported:\n{describe_error(error)}") from None
        clashes = [
            RowError(row.line, "id", f"counselor {row.profile.id!r} already exists in the service")
            for row in rows
            if row.profile.id in taken
        ]
        raise problems(clashes) from None
    out.print(f"imported {count} counselors from {path}")


def seed(
    count: Annotated[int, typer.Option("--count", min=1, max=200_000, help="how many counselors")] = 200,
    seed_value: Annotated[int, typer.Option("--seed", help="random seed (same seed, same catalog)")] = 0,
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Add a realistic, deterministic synthetic catalog through the service."""
    from matcher.synthetic import synthetic_counselors

    profiles = synthetic_counselors(count, seed_value, id_prefix=f"s{seed_value}-")
    created = _create_all(address, timeout, profiles, "seeding")
    out.print(f"seeded {created} synthetic counselors (seed {seed_value})")


def vocabulary(
    address: AddressOpt = DEFAULT_ADDRESS, timeout: TimeoutOpt = DEFAULT_TIMEOUT, json_output: JsonOpt = False
) -> None:
    """Show the codes the service accepts."""
    response = call(address, timeout, lambda c: c.matching.GetVocabulary, matching_pb2.GetVocabularyRequest())
    if json_output:
        out.print_json(as_json(response))
        return
    for vocabulary in response.vocabularies:
        title = f"{vocabulary.attribute} ({vocabulary.noun} codes)"
        out.print(f"[bold]{title}[/bold]: " + ", ".join(f"{t.code} ({t.label})" for t in vocabulary.terms))
