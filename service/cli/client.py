"""The CLI's gRPC client: one channel, a deadline on every call, readable errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from attune.v1 import counselor_pb2_grpc, experiment_pb2_grpc, matching_pb2_grpc

__all__ = ["DEFAULT_TIMEOUT", "AttuneClient", "describe_error"]

DEFAULT_TIMEOUT = 10.0
Response = TypeVar("Response")


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The ``google.rpc.ErrorInfo`` of a failed call (reason, domain, metadata), if it has one."""
    status = rpc_status.from_call(error) if isinstance(error, grpc.Call) else None
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None


def describe_error(error: grpc.RpcError) -> str:
    """Turn a failed call into a message a person can act on (no traceback)."""
    code = error.code() if isinstance(error, grpc.Call) else None
    details = error.details() if isinstance(error, grpc.Call) else str(error)
    if code == grpc.StatusCode.UNAVAILABLE:
        return f"the Attune service is not reachable ({details}); is `attune serve` running at that address?"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return "the Attune service did not answer in time (deadline exceeded); try again or raise --timeout"
    lines = [f"{code.name if code else 'ERROR'}: {details}"]
    status = rpc_status.from_call(error) if isinstance(error, grpc.Call) else None
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                lines = ["invalid request:"] + [f"  {v.field}: {v.description}" for v in bad.field_violations]
    return "\n".join(lines)


class AttuneClient:
    """Stubs for the Attune services over one insecure channel (internal network)."""

    def __init__(self, address: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout
        self._channel = grpc.insecure_channel(
            address, options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        )
        self.counselors = counselor_pb2_grpc.CounselorServiceStub(self._channel)
        self.matching = matching_pb2_grpc.MatchingServiceStub(self._channel)
        self.strategies = experiment_pb2_grpc.StrategyServiceStub(self._channel)
        self.experiments = experiment_pb2_grpc.ExperimentServiceStub(self._channel)

    def call(self, method: Callable[..., Response], request: Any, timeout: float | None = None) -> Response:
        """Invoke ``method(request)`` with the client's deadline."""
        return method(request, timeout=self.timeout if timeout is None else timeout)

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def __enter__(self) -> AttuneClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
