"""Proto <-> domain conversion of the attributes held as codes, by their declarations.

Every attribute stored as a set of codes (:class:`~matcher.attributes.Storage`
``CODES``) has a field of the same name on the ``Counselor`` message and on the
``Intake`` message (its ``counselor_field`` and ``intake_field``). A string field
carries the codes as they are; an enum field (session formats and types) is matched
to the attribute's enum by member name (``SESSION_FORMAT_IN_PERSON`` <->
``SessionFormat.IN_PERSON``), read off the message descriptors. A new attribute of
this kind converts with no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from google.protobuf.descriptor import Descriptor, EnumDescriptor

from attune.v1 import counselor_pb2, matching_pb2
from matcher.attributes import ATTRIBUTES, Storage
from matcher.errors import FieldViolation

__all__ = [
    "CODED",
    "ProtoEnum",
    "codes_from_counselor",
    "codes_from_intake",
    "codes_to_counselor",
    "codes_to_intake",
]

E = TypeVar("E", bound=Enum)

#: The attributes held as sets of codes.
CODED = tuple(a for a in ATTRIBUTES if a.storage == Storage.CODES)


@dataclass(frozen=True)
class ProtoEnum(Generic[E]):
    """A proto enum and the domain enum it carries: number -> member, and the proto names."""

    members: Mapping[int, E]
    names: Mapping[int, str]

    @classmethod
    def of(cls, descriptor: EnumDescriptor, domain: type[E]) -> ProtoEnum[E]:
        """Match ``descriptor``'s values to ``domain``'s members by name, past the enum's prefix."""
        prefix = descriptor.values[0].name.removesuffix("UNSPECIFIED")
        values = [v for v in descriptor.values if v.number]
        return cls(
            {v.number: domain[v.name.removeprefix(prefix)] for v in values},
            {v.number: v.name for v in values},
        )

    def decode(self, number: int, path: str, out: list[FieldViolation]) -> E | None:
        """The member of ``number``, or None with a violation at ``path`` (UNSPECIFIED, or unknown)."""
        value = self.members.get(number)
        if value is None:
            allowed = ", ".join(self.names.values())
            out.append(FieldViolation(path, f"unknown or unspecified value {number}; allowed: {allowed}"))
        return value

    def decode_all(self, numbers: Iterable[int], path: str, out: list[FieldViolation]) -> tuple[E, ...]:
        """The members of ``numbers``; each bad one is a violation at ``path[i]``."""
        decoded = (self.decode(n, f"{path}[{i}]", out) for i, n in enumerate(numbers))
        return tuple(v for v in decoded if v is not None)

    def encode(self, value: E) -> int:
        """The proto number of ``value``."""
        return next(number for number, v in self.members.items() if v is value)


def _enums(message: Descriptor, side: str) -> dict[str, ProtoEnum[Any] | None]:
    """For each coded attribute, its enum on ``message`` (field named by ``side``), or None for strings."""
    out: dict[str, ProtoEnum[Any] | None] = {}
    for a in CODED:
        field = message.fields_by_name[str(getattr(a, side))]
        out[a.name] = ProtoEnum.of(field.enum_type, a.code_enum) if field.enum_type and a.code_enum else None
    return out


_COUNSELOR = _enums(counselor_pb2.Counselor.DESCRIPTOR, "counselor_field")
_INTAKE = _enums(matching_pb2.Intake.DESCRIPTOR, "intake_field")


def _decode(msg: Any, field: str, enum: ProtoEnum[Any] | None, path: str, out: list[FieldViolation]) -> Any:
    """``msg.<field>`` as domain codes: one or a tuple, enum numbers decoded (bad ones noted in ``out``)."""
    value = getattr(msg, field)
    path = f"{path}.{field}"
    one = isinstance(value, int | str)
    if enum is None:
        return value if one else tuple(value)
    if one:  # a required single enum: a placeholder member stands in once the violation is noted
        return enum.decode(value, path, out) or next(iter(enum.members.values()))
    return enum.decode_all(value, path, out)


def _encode(value: Any, enum: ProtoEnum[Any] | None) -> Any:
    if enum is None:
        return value if isinstance(value, str) else list(value)
    if isinstance(value, Enum):
        return enum.encode(value)
    return [enum.encode(v) for v in value]


_COUNSELOR_FIELDS = tuple((a.counselor_field, _COUNSELOR[a.name]) for a in CODED)
_INTAKE_FIELDS = tuple((str(a.intake_field), _INTAKE[a.name]) for a in CODED)


def codes_from_counselor(
    msg: counselor_pb2.Counselor, path: str, out: list[FieldViolation]
) -> dict[str, Any]:
    """The coded fields of a counselor message as profile keywords; bad enum values go to ``out``."""
    return {field: _decode(msg, field, enum, path, out) for field, enum in _COUNSELOR_FIELDS}


def codes_from_intake(msg: matching_pb2.Intake, path: str, out: list[FieldViolation]) -> dict[str, Any]:
    """The coded fields of an intake message as intake keywords; bad enum values go to ``out``."""
    return {field: _decode(msg, field, enum, path, out) for field, enum in _INTAKE_FIELDS}


def codes_to_counselor(profile: Any) -> dict[str, Any]:
    """The coded fields of a profile as ``Counselor`` message keywords."""
    return {field: _encode(getattr(profile, field), enum) for field, enum in _COUNSELOR_FIELDS}


def codes_to_intake(intake: Any) -> dict[str, Any]:
    """The coded fields of an intake as ``Intake`` message keywords."""
    return {field: _encode(getattr(intake, field), enum) for field, enum in _INTAKE_FIELDS}
