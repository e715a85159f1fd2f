"""Request checks shared by the servicers (gRPC adapter): AIP-158 page sizes, required names."""

from __future__ import annotations

from matcher.errors import FieldViolation, InvalidInput

__all__ = ["DEFAULT_PAGE_SIZE", "DEFAULT_TOP_K", "MAX_PAGE_SIZE", "MAX_TOP_K", "page_size", "required"]

#: Page sizes of the List methods.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: Results of a ranking (``RankCounselorsRequest.page_size``).
DEFAULT_TOP_K = 10
MAX_TOP_K = 100


def page_size(
    requested: int,
    field: str = "page_size",
    *,
    default: int = DEFAULT_PAGE_SIZE,
    maximum: int = MAX_PAGE_SIZE,
) -> int:
    """0 means ``default``; above ``maximum`` is capped (AIP-158); negative is an error."""
    if requested < 0:
        raise InvalidInput(
            [
                FieldViolation(
                    field,
                    f"must be 0 or more (0 means {default}; above {maximum} means {maximum}); "
                    f"got {requested}",
                )
            ]
        )
    return min(requested or default, maximum)


def required(value: str, field: str, what: str) -> str:
    """``value`` if it is non-empty, else InvalidInput naming ``field``."""
    if not value:
        raise InvalidInput([FieldViolation(field, f"required: {what}")])
    return value
