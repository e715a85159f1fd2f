"""Proto <-> domain conversion of the client's preferences: required or preferred, and how much.

A :class:`~matcher.preferences.Preference` says ``required`` True, False or None (the
attribute's default); on the wire that is the ``Requirement`` enum, REQUIRED, PREFERRED or
UNSPECIFIED. The attributes a client may mark, and their defaults, come from the
declarations (:data:`~matcher.attributes.PREFERENCES`), for ``GetVocabulary`` as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attune.v1 import matching_pb2
from matcher.attributes import BY_NAME, PREFERENCES
from matcher.errors import FieldViolation
from matcher.preferences import Preference

__all__ = [
    "preference_attributes",
    "preferences_from_proto",
    "preferences_to_proto",
]

#: Requirement number -> the domain's ``required`` (None: the attribute's default).
_REQUIRED: Mapping[matching_pb2.Requirement.ValueType, bool | None] = MappingProxyType(
    {
        matching_pb2.REQUIREMENT_UNSPECIFIED: None,
        matching_pb2.REQUIREMENT_REQUIRED: True,
        matching_pb2.REQUIREMENT_PREFERRED: False,
    }
)
#: The domain's ``required`` -> Requirement number.
_REQUIREMENT: Mapping[bool | None, matching_pb2.Requirement.ValueType] = MappingProxyType(
    {required: number for number, required in _REQUIRED.items()}
)
#: The domain names a preference's requirement ``required``; the wire ``requirement``.


def preferences_from_proto(
    msgs: Iterable[matching_pb2.Preference], path: str, out: list[FieldViolation]
) -> tuple[Preference, ...]:
    """The preferences of an intake message; a Requirement number the domain does not know goes to ``out``.

    Everything else (attribute names, repeats, importance range, requiring a value the
    intake does not give) is the domain validator's to check.
    """
    preferences = []
    for i, msg in enumerate(msgs):
        if msg.requirement not in _REQUIRED:
            allowed = ", ".join(matching_pb2.Requirement.Name(n) for n in _REQUIRED)
            out.append(
                FieldViolation(
                    f"{path}.preferences[{i}].requirement",
                    f"unknown value {msg.requirement}; allowed: {allowed}",
                )
            )
        preferences.append(Preference(msg.attribute, _REQUIRED.get(msg.requirement), msg.importance))
    return tuple(preferences)


def preferences_to_proto(preferences: Iterable[Preference]) -> list[matching_pb2.Preference]:
    """The ``Preference`` messages of an intake's preferences."""
    return [
        matching_pb2.Preference(
            attribute=p.attribute, requirement=_REQUIREMENT[p.required], importance=p.importance
        )
        for p in preferences
    ]


def preference_attributes() -> list[matching_pb2.PreferenceAttribute]:
    """The attributes a client may mark required or preferred, each with its default, in declaration order."""
    return [
        matching_pb2.PreferenceAttribute(
            attribute=name, default_requirement=_REQUIREMENT[BY_NAME[name].required_by_default]
        )
        for name in PREFERENCES
    ]
