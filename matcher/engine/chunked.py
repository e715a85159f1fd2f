"""An immutable sequence stored in chunks, so that one-item changes are cheap.

Copying a flat tuple of a million profiles costs tens of milliseconds (every item's
reference count is touched). :class:`Chunked` keeps items in tuples of at most
``2 * CHUNK`` items; replacing, inserting or deleting one item copies one chunk and
the short tuple of chunks, and leaves every other chunk shared with the original.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain
from typing import Any, Generic, TypeVar, overload

__all__ = ["CHUNK", "Chunked"]

T = TypeVar("T")

#: Target chunk size; chunks are split when they reach twice this size.
CHUNK = 2048


class Chunked(Sequence[T], Generic[T]):
    """An immutable sequence of items kept in chunks; every change returns a new sequence."""

    __slots__ = ("_chunks", "_lasts", "_len", "_starts")

    def __init__(self, items: Iterable[T] = ()) -> None:
        flat = tuple(items)
        self._set(tuple(flat[i : i + CHUNK] for i in range(0, len(flat), CHUNK)))

    def _set(self, chunks: tuple[tuple[T, ...], ...]) -> None:
        self._chunks = chunks
        self._starts = (0, *accumulate(len(c) for c in chunks))  # len(chunks) + 1 entries
        self._len = self._starts[-1]
        self._lasts = tuple(c[-1] for c in chunks)

    @classmethod
    def _of(cls, chunks: tuple[tuple[T, ...], ...]) -> Chunked[T]:
        out: Chunked[T] = cls.__new__(cls)
        out._set(chunks)
        return out

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return self._len

    def _locate(self, index: int) -> tuple[int, int]:
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("Chunked index out of range")
        chunk = bisect_right(self._starts, index) - 1
        return chunk, index - self._starts[chunk]

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        chunk, offset = self._locate(index)
        return self._chunks[chunk][offset]

    def take(self, indices: Iterable[int]) -> list[T]:
        """``[self[i] for i in indices]`` (each ``0 <= i < len``), in one call."""
        starts, chunks, n = self._starts, self._chunks, self._len
        out = []
        for index in indices:
            if not 0 <= index < n:
                raise IndexError("Chunked index out of range")
            chunk = bisect_right(starts, index) - 1
            out.append(chunks[chunk][index - starts[chunk]])
        return out

    def __iter__(self) -> Iterator[T]:
        return chain.from_iterable(self._chunks)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chunked):
            return self._len == other._len and all(a == b for a, b in zip(self, other, strict=True))
        if isinstance(other, tuple | list):
            return self._len == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Chunked(len={self._len}, chunks={len(self._chunks)})"

    def bisect_left(self, value: Any) -> int:
        """Position where ``value`` would be inserted to keep a sorted sequence sorted."""
        if not self._chunks:
            return 0
        # The first chunk whose last item is >= value holds the answer.
        chunk = bisect_left(self._lasts, value)
        if chunk == len(self._chunks):
            return self._len
        return self._starts[chunk] + bisect_left(self._chunks[chunk], value)

    # ------------------------------------------------------------------ changes

    def replace(self, index: int, item: T) -> Chunked[T]:
        """A copy with ``self[index]`` replaced by ``item``."""
        chunk, offset = self._locate(index)
        old = self._chunks[chunk]
        return self._with_chunk(chunk, (*old[:offset], item, *old[offset + 1 :]))

    def insert(self, index: int, item: T) -> Chunked[T]:
        """A copy with ``item`` inserted before position ``index`` (``0 <= index <= len``)."""
        if not 0 <= index <= self._len:
            raise IndexError("Chunked insert position out of range")
        if not self._chunks:
            return Chunked._of(((item,),))
        chunk = min(bisect_right(self._starts, index) - 1, len(self._chunks) - 1)
        offset = index - self._starts[chunk]
        old = self._chunks[chunk]
        return self._with_chunk(chunk, (*old[:offset], item, *old[offset:]))

    def delete(self, index: int) -> Chunked[T]:
        """A copy without ``self[index]``."""
        chunk, offset = self._locate(index)
        old = self._chunks[chunk]
        return self._with_chunk(chunk, (*old[:offset], *old[offset + 1 :]))

    def _with_chunk(self, position: int, chunk: tuple[T, ...]) -> Chunked[T]:
        if not chunk:
            replacement: tuple[tuple[T, ...], ...] = ()
        elif len(chunk) >= 2 * CHUNK:
            replacement = (chunk[:CHUNK], chunk[CHUNK:])
        else:
            replacement = (chunk,)
        return Chunked._of((*self._chunks[:position], *replacement, *self._chunks[position + 1 :]))
