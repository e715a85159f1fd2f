"""``attune.v1.CounselorService`` (gRPC adapter): thin, converts, calls the catalog use case,
converts back."""

from __future__ import annotations

import grpc

from attune.v1 import counselor_pb2, counselor_pb2_grpc
from matcher.errors import FieldViolation, InvalidInput
from service.api.convert.catalog import counselor_from_proto, counselor_to_proto, merge_counselor
from service.api.paging import page_size, required
from service.usecases.catalog import Catalog

__all__ = ["CounselorServicer"]


def _require_id(value: str, field: str) -> str:
    return required(value, field, "the counselor's id")


_ACTIVE = {
    counselor_pb2.ACTIVE_FILTER_UNSPECIFIED: None,
    counselor_pb2.ACTIVE_FILTER_ACTIVE: True,
    counselor_pb2.ACTIVE_FILTER_INACTIVE: False,
}


class CounselorServicer(counselor_pb2_grpc.CounselorServiceServicer):
    """Counselor catalog CRUD."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def CreateCounselor(
        self, request: counselor_pb2.CreateCounselorRequest, context: grpc.ServicerContext
    ) -> counselor_pb2.CreateCounselorResponse:
        profile = counselor_from_proto(request.counselor)
        record = self._catalog.create(profile, request.counselor_id)
        return counselor_pb2.CreateCounselorResponse(counselor=counselor_to_proto(record))

    def BatchCreateCounselors(
        self, request: counselor_pb2.BatchCreateCounselorsRequest, context: grpc.ServicerContext
    ) -> counselor_pb2.BatchCreateCounselorsResponse:
        violations: list[FieldViolation] = []
        profiles = []
        for i, item in enumerate(request.requests):
            try:
                profile = counselor_from_proto(item.counselor, f"requests[{i}].counselor")
                profiles.append(profile.__class__(**{**profile.__dict__, "id": item.counselor_id}))
            except InvalidInput as error:
                violations.extend(error.violations)
        if not request.requests:
            violations.append(FieldViolation("requests", "at least one counselor is required"))
        if violations:
            raise InvalidInput(violations)
        records = self._catalog.create_many(profiles)
        return counselor_pb2.BatchCreateCounselorsResponse(
            counselors=[counselor_to_proto(r) for r in records]
        )

    def GetCounselor(
        self, request: counselor_pb2.GetCounselorRequest, context: grpc.ServicerContext
    ) -> counselor_pb2.GetCounselorResponse:
        record = self._catalog.get(_require_id(request.id, "id"))
        return counselor_pb2.GetCounselorResponse(counselor=counselor_to_proto(record))

    def ListCounselors(
        self, request: counselor_pb2.ListCounselorsRequest, context: grpc.ServicerContext
    ) -> counselor_pb2.ListCounselorsResponse:
        if request.active_filter not in _ACTIVE:
            raise InvalidInput(
                [FieldViolation("active_filter", "allowed: ACTIVE_FILTER_UNSPECIFIED, _ACTIVE, _INACTIVE")]
            )
        records, token, total = self._catalog.repository.list(
            page_size=page_size(request.page_size),
            page_token=request.page_token,
            active=_ACTIVE[request.active_filter],
            accepting_only=request.accepting_new_clients_only,
        )
        return counselor_pb2.ListCounselorsResponse(
            counselors=[counselor_to_proto(r) for r in records], next_page_token=token, total_size=total
        )

    def UpdateCounselor(
        self, request: counselor_pb2.UpdateCounselorRequest, context: grpc.ServicerContext
    ) -> counselor_pb2.UpdateCounselorResponse:
        existing = self._catalog.get(_require_id(request.counselor.id, "counselor.id"))
        merged = merge_counselor(existing.profile, request.counselor, request.update_mask)
        record = self._catalog.replace(merged)
        return counselor_pb2.UpdateCounselorResponse(counselor=counselor_to_proto(record))

    def DeleteCounselor(
        self, request: counselor_pb2.DeleteCounselorRequest, context: grpc.ServicerContext
    ) -> counselor_pb2.DeleteCounselorResponse:
        self._catalog.delete(_require_id(request.id, "id"))
        return counselor_pb2.DeleteCounselorResponse()
