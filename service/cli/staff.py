"""The intake staff's and catalog admins' commands (CLI layer): clients of the running service.

``attune outcome``, ``attune vocabulary``, ``attune counselors …`` and
``attune seed`` each call the service over gRPC (:mod:`service.cli.client`); none touches the
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import grpc
import typer

from attune.v1 import counselor_pb2, matching_pb2
from matcher.model import CounselorProfile
from service.api.convert.catalog import profile_to_proto
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
from service.cli.render import as_json, print_counselor, print_counselors

__all__ = ["counselors_app", "outcome", "seed", "vocabulary"]

counselors_app = typer.Typer(no_args_is_help=True, help="The counselor catalog.")


# ----------------------------------------------------------------------------- matching
# ``attune match`` has a module of its own (service.cli.match): its intake flags follow the declarations.


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
    defaults = {
        matching_pb2.REQUIREMENT_REQUIRED: "required",
        matching_pb2.REQUIREMENT_PREFERRED: "preferred",
    }
    out.print(
        "[bold]preferences (attune match --require / --prefer; by default)[/bold]: "
        + ", ".join(
            f"{p.attribute} ({defaults.get(p.default_requirement, '?')})" for p in response.preferences
        )
    )
