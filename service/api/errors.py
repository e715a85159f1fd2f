"""Domain errors -> gRPC status, in one place (gRPC adapter; :func:`error_mapped` wraps every servicer).

Every :class:`matcher.errors.AttuneError` a servicer lets through becomes a rich
``google.rpc.Status``: ``INVALID_ARGUMENT`` with one ``BadRequest`` listing every
field violation, ``NOT_FOUND``, ``ALREADY_EXISTS`` or ``FAILED_PRECONDITION``,
each with an ``ErrorInfo`` (domain ``attune``, an UPPER_SNAKE reason). Anything
else is a bug on our side: it is logged with its traceback (never the request)
and returned as ``INTERNAL`` without details.
"""

from __future__ import annotations

import asyncio
import logging
import time
import types
from collections.abc import Awaitable, Callable, Collection
from concurrent.futures import Executor
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.protobuf.descriptor import ServiceDescriptor
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from matcher.errors import AttuneError, Conflict, InvalidInput, NotFound

__all__ = ["ERROR_DOMAIN", "Runner", "error_mapped", "status_for"]

log = logging.getLogger(__name__)
ERROR_DOMAIN = "attune"

_CONFLICT_CODES = {
    "ALREADY_EXISTS": code_pb2.ALREADY_EXISTS,
    "ABORTED": code_pb2.ABORTED,
}


def _pack(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def status_for(error: AttuneError) -> status_pb2.Status:
    """Build the ``google.rpc.Status`` a client receives for ``error``."""
    info = error_details_pb2.ErrorInfo(reason=error.reason, domain=ERROR_DOMAIN)
    if isinstance(error, InvalidInput):
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in error.violations
            ]
        )
        count = len(error.violations)
        first = error.violations[0]
        message = f"{first.field}: {first.description}" + (f" (and {count - 1} more)" if count > 1 else "")
        return status_pb2.Status(
            code=code_pb2.INVALID_ARGUMENT, message=message, details=[_pack(bad), _pack(info)]
        )
    if isinstance(error, NotFound):
        info.metadata["kind"] = error.kind
        info.metadata["name"] = error.name
        return status_pb2.Status(code=code_pb2.NOT_FOUND, message=str(error), details=[_pack(info)])
    if isinstance(error, Conflict):
        if error.ids:
            info.metadata["ids"] = ",".join(error.ids)
        code = _CONFLICT_CODES.get(error.reason, code_pb2.FAILED_PRECONDITION)
        return status_pb2.Status(code=code, message=str(error), details=[_pack(info)])
    return status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message=str(error), details=[_pack(info)])


#: Runs a servicer's sync method for the event loop: on the loop itself, or on a worker thread.
Runner = Callable[[Callable[[Any, Any], Any], Any, Any], Awaitable[Any]]


def _wrap(
    behavior: Callable[[Any, Any], Any], method: str, run: Runner | None
) -> Callable[..., Awaitable[Any]]:
    """The async handler of ``method``: ``behavior`` run by ``run``, or on the loop if ``run`` is None."""

    async def handler(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        started = time.perf_counter()
        outcome = "OK"
        try:
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                outcome = "DEADLINE_EXCEEDED"
                await context.abort(
                    grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before the call started"
                )
            if run is None:  # fast and CPU-only: on the loop, as it is
                return behavior(request, context)
            return await run(behavior, request, context)
        except AttuneError as error:
            status = status_for(error)
            outcome = code_pb2.Code.Name(status.code)
            rich = rpc_status.to_status(status)
            await context.abort(rich.code, rich.details, rich.trailing_metadata)
        except grpc.aio.AbortError:  # aborted on purpose (above, or by the behaviour)
            raise
        except Exception:
            outcome = "INTERNAL"
            log.exception("unexpected error", extra={"method": method})
            await context.abort(grpc.StatusCode.INTERNAL, "internal error; it has been logged")
        finally:
            # Method, status and duration only: never the request, which may hold intake answers.
            if outcome != "OK" or log.isEnabledFor(logging.DEBUG):
                log.log(
                    logging.DEBUG if outcome == "OK" else logging.INFO,
                    "rpc",
                    extra={
                        "method": method,
                        "code": outcome,
                        "ms": round((time.perf_counter() - started) * 1e3, 3),
                    },
                )

    return handler


def error_mapped(
    servicer: object, service: ServiceDescriptor, executor: Executor, inline: Collection[str]
) -> Any:
    """``servicer`` (sync methods) made ready for an asyncio server, each method wrapped once.

    Domain errors become rich gRPC statuses (:func:`status_for`). The methods named in
    ``inline`` (``/package.Service/Method``: fast and CPU-only, like ranking) run on the event
    loop itself, which saves a thread hand-off per call; the others (they wait on the
    database) run on ``executor``, so that the loop keeps serving meanwhile. Wrapping at
    registration rather than in an interceptor costs nothing per call.
    """

    async def on_thread(behavior: Callable[[Any, Any], Any], request: Any, context: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, behavior, request, context)

    adapter = types.SimpleNamespace()
    for method in service.methods:
        name = f"/{service.full_name}/{method.name}"
        run = None if name in inline else on_thread
        setattr(adapter, method.name, _wrap(getattr(servicer, method.name), name, run))
    return adapter
