"""Domain errors -> gRPC status, in one place (a server interceptor).

Every :class:`matcher.errors.AttuneError` a servicer lets through becomes a rich
``google.rpc.Status``: ``INVALID_ARGUMENT`` with one ``BadRequest`` listing every
field violation, ``NOT_FOUND``, ``ALREADY_EXISTS`` or ``FAILED_PRECONDITION``,
each with an ``ErrorInfo`` (domain ``attune``, an UPPER_SNAKE reason). Anything
else is a bug on our side: it is logged with its traceback (never the request)
and returned as ``INTERNAL`` without details.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from concurrent.futures import Executor
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from matcher.errors import AttuneError, Conflict, InvalidInput, NotFound

__all__ = ["ERROR_DOMAIN", "ErrorMappingInterceptor", "Runner", "status_for"]

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
        code = _CONFLICT_CODES.get(error.reason, code_pb2.FAILED_PRECONDITION)
        return status_pb2.Status(code=code, message=str(error), details=[_pack(info)])
    return status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message=str(error), details=[_pack(info)])


#: Runs a servicer's sync method for the event loop: on the loop itself, or on a worker thread.
Runner = Callable[[Callable[[Any, Any], Any], Any, Any], Awaitable[Any]]


def _wrap(
    behavior: Callable[[Any, Any], Any], method: str, run: Runner | None
) -> Callable[..., Awaitable[Any]]:
    """The async handler of ``method``: ``behavior`` run by ``run``, or on the loop if ``run`` is None."""
    is_async = inspect.iscoroutinefunction(behavior)

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
            if is_async:  # the standard services (health)
                return await behavior(request, context)
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


class ErrorMappingInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Wraps every unary-unary handler of an asyncio server: domain errors become rich gRPC statuses.

    It also decides where a servicer's (sync) method runs: the methods named in ``inline``
    (fast, CPU-only: ranking) run on the event loop itself, which saves a thread hand-off per
    call; the others (they wait on the database) run on ``executor``, so that the loop keeps
    serving meanwhile. Wrapped handlers are made once per method.
    """

    def __init__(self, executor: Executor, inline: Collection[str]) -> None:
        self._executor = executor
        self._inline = frozenset(inline)
        self._wrapped: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}

    async def _on_thread(self, behavior: Callable[[Any, Any], Any], request: Any, context: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, behavior, request, context)

    async def intercept_service(  # type: ignore[override]  # stubs forbid None (unknown method)
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        method = handler_call_details.method
        wrapped = self._wrapped.get(method)
        if wrapped is not None:
            return wrapped
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        run = None if method in self._inline else self._on_thread
        wrapped = self._wrapped[method] = grpc.unary_unary_rpc_method_handler(
            _wrap(handler.unary_unary, method, run),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        return wrapped
