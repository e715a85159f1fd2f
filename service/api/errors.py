"""Domain errors -> gRPC status, in one place (a server interceptor).

Every :class:`matcher.errors.AttuneError` a servicer lets through becomes a rich
``google.rpc.Status``: ``INVALID_ARGUMENT`` with one ``BadRequest`` listing every
field violation, ``NOT_FOUND``, ``ALREADY_EXISTS`` or ``FAILED_PRECONDITION``,
each with an ``ErrorInfo`` (domain ``attune``, an UPPER_SNAKE reason). Anything
else is a bug on our side: it is logged with its traceback (never the request)
and returned as ``INTERNAL`` without details.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from matcher.errors import AttuneError, Conflict, InvalidInput, NotFound

__all__ = ["ERROR_DOMAIN", "ErrorMappingInterceptor", "status_for"]

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


def _wrap(behavior: Callable[[Any, grpc.ServicerContext], Any], method: str) -> Callable[..., Any]:
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        started = time.perf_counter()
        outcome = "OK"
        try:
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                outcome = "DEADLINE_EXCEEDED"
                context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before the call started")
            return behavior(request, context)
        except AttuneError as error:
            status = status_for(error)
            outcome = code_pb2.Code.Name(status.code)
            context.abort_with_status(rpc_status.to_status(status))
        except Exception:
            if getattr(context, "code", lambda: None)() is not None:  # already aborted by the servicer
                raise
            outcome = "INTERNAL"
            log.exception("unexpected error", extra={"method": method})
            context.abort(grpc.StatusCode.INTERNAL, "internal error; it has been logged")
        finally:
            # Method, status and duration only: never the request, which may hold intake answers.
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


class ErrorMappingInterceptor(grpc.ServerInterceptor):  # type: ignore[type-arg]
    """Wraps every unary-unary handler so domain errors become rich gRPC statuses."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler[Any, Any] | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        return grpc.unary_unary_rpc_method_handler(
            _wrap(handler.unary_unary, method),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
