"""Keyset pagination of a listing: one page of a query ordered by a unique sort key, and the
page token (:mod:`service.storage.page_tokens`) of the page after it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from matcher.errors import FieldViolation, InvalidInput
from service.storage.page_tokens import decode_page_token, encode_page_token

__all__ = ["KeysetPagination"]


@dataclass(frozen=True)
class KeysetPagination:
    """How one listing pages.

    Attributes
    ----------
    kind
        The token kind of the listing (tokens of other kinds are refused).
    sort_key
        The columns the listing is ordered by, unique together; the listed query selects them.
    types
        The Python type of each column of ``sort_key`` (``str`` or ``int``).
    """

    kind: str
    sort_key: tuple[sa.Column[Any], ...]
    types: tuple[type, ...]

    def page_query(
        self, query: sa.Select[Any], page_size: int, page_token: str, filters: str = ""
    ) -> sa.Select[Any]:
        """``query`` narrowed to the rows after ``page_token``, in order, ``page_size + 1`` of them.

        The extra row tells :meth:`split` whether a next page exists. ``filters`` is the text of
        the request's filters (see :func:`~service.storage.page_tokens.encode_page_token`).

        Raises
        ------
        InvalidInput
            On ``page_size`` below 1, or ``page_token`` not from this listing with these filters.
        """
        if page_size < 1:
            raise InvalidInput([FieldViolation("page_size", "must be at least 1")])
        if page_token:
            after = decode_page_token(page_token, self.kind, self.types, filters)
            if len(self.sort_key) == 1:
                query = query.where(self.sort_key[0] > after[0])
            else:
                query = query.where(sa.tuple_(*self.sort_key) > sa.tuple_(*after))
        return query.order_by(*self.sort_key).limit(page_size + 1)

    def split(
        self, rows: Sequence[sa.Row[Any]], page_size: int, filters: str = ""
    ) -> tuple[Sequence[sa.Row[Any]], str]:
        """The page among ``rows`` (the result of :meth:`page_query`) and the next page token.

        The token is ``""`` on the last page.
        """
        page = rows[:page_size]
        if len(rows) <= page_size:
            return page, ""
        last = page[-1]._mapping
        return page, encode_page_token(self.kind, [last[column] for column in self.sort_key], filters)
