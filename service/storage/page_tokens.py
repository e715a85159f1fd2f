"""Opaque page tokens for keyset pagination: the sort key of the last row of a page.

A token is URL-safe base64 of a small JSON object ``{"v": 1, "kind": ..., "after": [...]}``.
``kind`` names the listing (``"strategy"``, ``"experiment"``) plus anything that must stay
the same between pages, so a token of one listing is refused by another.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from matcher.errors import FieldViolation, InvalidInput

__all__ = ["decode_page_token", "encode_page_token"]

_VERSION = 1


def encode_page_token(kind: str, after: Sequence[str | int]) -> str:
    """A token for the page that starts after the row whose sort key is ``after``."""
    payload = json.dumps({"v": _VERSION, "kind": kind, "after": list(after)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_page_token(token: str, kind: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The sort key encoded in ``token``.

    Parameters
    ----------
    token
        A token from :func:`encode_page_token`.
    kind
        The listing the token must have been issued for.
    types
        The type of each element of the sort key (``bool`` never passes for ``int``).

    Raises
    ------
    InvalidInput
        On ``page_token`` if the token is malformed or was issued by another listing.
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
    return tuple(after)
