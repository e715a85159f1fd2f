"""``attune match`` (CLI layer, a client of the running service): rank counselors for an intake.

Its flags are the intake's: one per attribute with a client side, named and explained by the
declaration (:attr:`~matcher.attributes.Attribute.cli_flag`, ``help``), and ``--require`` /
``--prefer`` for how the client wants each of :data:`~matcher.attributes.PREFERENCES` to
count. Parsing them is :mod:`service.cli.intake_flags`.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Annotated

import typer

from attune.v1 import matching_pb2
from matcher.attributes import PREFERENCES, attribute
from matcher.model import Availability, Intake
from matcher.preferences import DEFAULT_IMPORTANCE, MAX_IMPORTANCE, client_value
from matcher.vocabulary import SessionFormat, SessionType
from service.api.convert.catalog import intake_to_proto
from service.api.paging import MAX_TOP_K
from service.cli.common import DEFAULT_ADDRESS, DEFAULT_TIMEOUT, AddressOpt, JsonOpt, TimeoutOpt, call, out
from service.cli.intake_flags import parse_concern, parse_enum, parse_preferences, split_codes
from service.cli.render import as_json, print_ranking

__all__ = ["match"]


#: How list flags take several codes (service.cli.intake_flags.split_codes).
_MANY = " (repeatable, or comma-separated)"


def _flag(name: str) -> typer.models.OptionInfo:
    """The option of the intake's side of attribute ``name``: its declared flag and help."""
    a = attribute(name)
    return typer.Option(a.cli_flag, help=a.help)  # type: ignore[no-any-return]


def _list_flag(name: str) -> typer.models.OptionInfo:
    """:func:`_flag` for a list of codes: repeatable, or comma-separated."""
    a = attribute(name)
    return typer.Option(a.cli_flag, help=a.help + _MANY)  # type: ignore[no-any-return]


_NAMES = ", ".join(PREFERENCES)


def match(
    concern: Annotated[
        list[str], typer.Option("--concern", help=f"concern code, optionally :PRIORITY 1-5{_MANY}")
    ],
    language: Annotated[
        list[str], typer.Option("--language", help=f"ISO 639-1 code; first is preferred{_MANY}")
    ],
    jurisdiction: Annotated[str, _flag("licensure")],
    age_group: Annotated[str, _flag("age_group")],
    session_format: Annotated[
        list[str] | None, typer.Option("--format", help=f"video, phone or in_person (default: any){_MANY}")
    ] = None,
    session_type: Annotated[
        str, typer.Option("--session-type", help="individual, couples or family")
    ] = "individual",
    approach: Annotated[
        list[str] | None, typer.Option("--approach", help=f"preferred approach code{_MANY}")
    ] = None,
    gender: Annotated[list[str] | None, _list_flag("gender")] = None,
    identity: Annotated[list[str] | None, _list_flag("identity")] = None,
    require: Annotated[
        list[str] | None,
        typer.Option(
            "--require",
            metavar="NAME",
            help=f"make the client's value of NAME a hard filter ({_NAMES}); repeatable. "
            "NAME=IMPORTANCE as for --prefer weighs what a required value still scores (languages)",
        ),
    ] = None,
    prefer: Annotated[
        list[str] | None,
        typer.Option(
            "--prefer",
            metavar="NAME[=IMPORTANCE]",
            help=f"only prefer NAME ({_NAMES}), with an importance from 1 to {MAX_IMPORTANCE} "
            f"(default {DEFAULT_IMPORTANCE}); repeatable. Languages and formats are required "
            "unless preferred, the others preferred unless required",
        ),
    ] = None,
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
    r"""Rank counselors for a client's preferences.

    Example: an adult client in Illinois, anxious (most pressing) and grieving,
    who speaks Spanish or English, requires an LGBTQ+ affirming counselor and
    would rather see a woman:

      attune match --concern anxiety:5 --concern grief --language es,en \
        --jurisdiction US-IL --age-group adult --identity lgbtq_affirming \
        --require identity --gender woman --prefer gender=4
    """
    from service.text_formats import parse_window

    try:
        windows = tuple(parse_window(w) for w in available or [])
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--available") from None
    intake = Intake(
        client_id=client_id or f"cli-{secrets.token_hex(6)}",
        concerns=tuple(parse_concern(c) for c in split_codes(concern)),
        languages=split_codes(language),
        session_type=parse_enum(session_type, SessionType, "session type"),
        formats=tuple(parse_enum(f, SessionFormat, "format") for f in split_codes(session_format)),
        approaches=split_codes(approach),
        availability=Availability(tz, windows) if windows else None,
        jurisdiction=jurisdiction.strip().upper(),
        age_group=age_group.strip().lower(),
        genders=split_codes(gender),
        identities=split_codes(identity),
    )
    # Requiring an attribute needs a value of it: the client's values decide which may be required.
    given = [name for name in PREFERENCES if client_value(attribute(name), intake)]
    intake = replace(intake, preferences=parse_preferences(require, prefer, given))
    request = matching_pb2.RankCounselorsRequest(
        intake=intake_to_proto(intake), page_size=top, strategy=strategy
    )
    response = call(address, timeout, lambda c: c.matching.RankCounselors, request)
    if json_output:
        out.print_json(as_json(response))
    else:
        print_ranking(out, response)
