"""Request checks shared by the servicers (AIP-158 page sizes, required names)."""

from __future__ import annotations

from matcher.errors import FieldViolation, InvalidInput

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "page_size", "required"]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size(requested: int, field: str = "page_size") -> int:
    """0 means the default; above the maximum is capped; negative is an error."""
    if requested < 0:
        raise InvalidInput(
            [
                FieldViolation(
                    field, f"must be 0 (default {DEFAULT_PAGE_SIZE}) to {MAX_PAGE_SIZE}; got {requested}"
                )
            ]
        )
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def required(value: str, field: str, what: str) -> str:
    """``value`` if it is non-empty, else InvalidInput naming ``field``."""
    if not value:
        raise InvalidInput([FieldViolation(field, f"required: {what}")])
    return value
