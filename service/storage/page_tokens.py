"""Opaque page tokens for keyset pagination: the sort key of the last row of a page.

A token is URL-safe base64 of a small JSON object ``{"v": 1, "kind": ..., "after": [...]}``.
``kind`` names the listing (``"strategy"``, ``"experiment"``, ``"counselor"``), so a token of one
listing is refused by another. A listing with request filters also passes them as ``filters``:
the token then carries ``"filter"``, a short hash of them, and is refused with other filters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from matcher.errors import FieldViolation, InvalidInput

__all__ = ["decode_page_token", "encode_page_token"]

_VERSION = 1


def _fingerprint(filters: str) -> str:
    """``""`` for no filters, else a short hash of them (the token does not spell them out)."""
    return hashlib.sha256(filters.encode()).hexdigest()[:16] if filters else ""


def encode_page_token(kind: str, after: Sequence[str | int], filters: str = "") -> str:
    """A token for the page that starts after the row whose sort key is ``after``.

    ``filters`` is the text of the request's filters (e.g. ``"active=True;accepting_only=False"``),
    which every later page must repeat; ``""`` for a listing without filters.
    """
    payload: dict[str, Any] = {"v": _VERSION, "kind": kind, "after": list(after)}
    if filters:
        payload["filter"] = _fingerprint(filters)
    text = json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_page_token(token: str, kind: str, types: Sequence[type], filters: str = "") -> tuple[Any, ...]:
    """The sort key encoded in ``token``.

    Parameters
    ----------
    token
        A token from :func:`encode_page_token`.
    kind
        The listing the token must have been issued for.
    types
        The type of each element of the sort key (``bool`` never passes for ``int``).
    filters
        The filters of this request: they must be those the token was issued with.

    Raises
    ------
    InvalidInput
        On ``page_token`` if the token is malformed, was issued by another listing or for
        other filters.
    """
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError):
        payload = None
    after = payload.get("after") if isinstance(payload, dict) else None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != _VERSION
        or payload.get("kind") != kind
        or not isinstance(payload.get("filter", ""), str)
        or not isinstance(after, list)
        or len(after) != len(types)
        or not all(
            isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            for value, expected in zip(after, types, strict=True)
        )
    ):
        raise InvalidInput(
            [FieldViolation("page_token", "not a page token of this listing; pass next_page_token unchanged")]
        )
    if payload.get("filter", "") != _fingerprint(filters):
        raise InvalidInput(
            [
                FieldViolation(
                    "page_token",
                    "the token was issued for different filters; keep the filters of the first "
                    "request, or start again without a token",
                )
            ]
        )
    return tuple(after)
