"""What every CLI command shares: consoles, common options, calling the service, failing cleanly."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Annotated, Any, TypeVar

import grpc
import typer
from rich.console import Console

from service.cli.client import DEFAULT_TIMEOUT, AttuneClient, describe_error
from service.config import DEFAULT_ADDRESS

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_TIMEOUT",
    "AddressOpt",
    "JsonOpt",
    "TimeoutOpt",
    "call",
    "err",
    "fail",
    "out",
]

out = Console()
err = Console(stderr=True)
Response = TypeVar("Response")

AddressOpt = Annotated[
    str, typer.Option("--address", envvar="ATTUNE_ADDRESS", help="host:port of the Attune service")
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="deadline for each call, in seconds")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit to raise (code 1)."""
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(1)


def call(
    address: str,
    timeout: float,
    method: Callable[[AttuneClient], Callable[..., Response]],
    request: Any,
    *,
    context: str = "",
    passthrough: Collection[grpc.StatusCode] = (),
) -> Response:
    """One call with a deadline; a failure becomes a readable message and exit code 1.

    A failure whose code is in ``passthrough`` is raised as it is, for the caller to explain.
    """
    with AttuneClient(address, timeout) as client:
        try:
            return client.call(method(client), request)
        except grpc.RpcError as error:
            if isinstance(error, grpc.Call) and error.code() in passthrough:
                raise
            raise fail((context + "\n" if context else "") + describe_error(error)) from None
