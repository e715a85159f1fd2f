"""Exceptions raised by the domain. The service layer maps each to one gRPC status."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AttuneError",
    "Conflict",
    "FieldViolation",
    "InvalidInput",
    "NotFound",
]


@dataclass(frozen=True)
class FieldViolation:
    """One bad field: its path (``intake.languages[1]``) and what is allowed."""

    field: str
    description: str


class AttuneError(Exception):
    """Base class of every error the domain raises on purpose."""

    reason: str = "ATTUNE_ERROR"


class InvalidInput(AttuneError):
    """The caller sent values that break the contract; lists every violation."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, violations: list[FieldViolation]) -> None:
        if not violations:
            raise ValueError("InvalidInput needs at least one violation")
        self.violations = tuple(violations)
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations))

    def prefixed(self, prefix: str) -> InvalidInput:
        """Return the same violations with ``prefix.`` put before each field path."""
        return InvalidInput([FieldViolation(f"{prefix}.{v.field}", v.description) for v in self.violations])


class NotFound(AttuneError):
    """A named resource does not exist."""

    reason = "NOT_FOUND"

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(f"{kind} {name!r} not found")


class Conflict(AttuneError):
    """The request is well formed but clashes with the current state.

    ``ids`` names the resources it clashes with, when there are some (e.g. the counselor
    ids that already exist), so that a client can point at each one.
    """

    reason = "CONFLICT"

    def __init__(self, message: str, *, reason: str = "CONFLICT", ids: tuple[str, ...] = ()) -> None:
        self.reason = reason
        self.ids = ids
        super().__init__(message)
