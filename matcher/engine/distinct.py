"""Reading shared parts of many profiles once: each distinct object, and the row of every item.

Profiles loaded from the store share their equal parts (one tuple of formats, one
``Specialty``, one ``WeeklyWindow`` for all profiles that have it); the encoders read each
distinct object once (:func:`distinct`) and spread the result back over the items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

__all__ = ["distinct", "rows_of"]

T = TypeVar("T")


def rows_of(lists: Sequence[Sequence[object]]) -> npt.NDArray[np.intp]:
    """Row index of every item of the flattened ``lists`` (``[[a, b], [], [c]] -> [0, 0, 2]``)."""
    counts = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
    return np.repeat(np.arange(len(lists), dtype=np.intp), counts)


#: Up to this many items, :func:`distinct` takes every item as distinct.
_FEW = 32


def distinct(items: Sequence[T]) -> tuple[list[T], npt.NDArray[np.intp]]:
    """The distinct objects of ``items``, by identity, and where each item is among them.

    Profiles loaded from the store share their equal parts (one tuple of formats, one
    ``Specialty``, one ``WeeklyWindow`` for all profiles that have it), so encoding each
    distinct object once reads a few hundred objects instead of hundreds of thousands.
    Equal objects that are not shared are merely encoded more than once (as are all of
    a few items).

    Returns
    -------
    distinct : list
        Each distinct object once.
    inverse : numpy.ndarray of intp, shape (len(items),)
        ``items[i] is distinct[inverse[i]]``.
    """
    if len(items) <= _FEW:  # not worth looking for shared objects (one profile changed, say)
        return list(items), np.arange(len(items), dtype=np.intp)
    ids = np.fromiter(map(id, items), dtype=np.intp, count=len(items))
    unique_ids, inverse = np.unique(ids, return_inverse=True)
    some = np.empty(unique_ids.shape, dtype=np.intp)
    some[inverse] = np.arange(len(items), dtype=np.intp)  # an item of each distinct object
    picks = cast(list[int], some.tolist())
    return [items[i] for i in picks], inverse
