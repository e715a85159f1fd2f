"""Bit-sliced counters: small per-counselor counts kept for 64 counselors per word.

A count ``x`` of counselor ``b`` of word ``j`` is stored one bit per *plane*: bit ``b``
of ``planes[p, j]`` is bit ``p`` of ``x``. Adding a bitmap (one bit per counselor) to
every counter of a word is a ripple of adders over the planes, and comparing
every counter with a constant is one operation per plane, so the index scan
(:mod:`matcher.engine.scan`) counts, for 64 counselors at a time, how many of the
client's weekly slots each is free in and each one's concern numerator, and prunes
on both at once before it reads any counselor's row.

Arrays: ``planes`` is uint64 (P, m) for m words; bitmaps are rows of the bit index,
uint64 (INDEX_ROWS, W).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.engine.kernel_steps import jit

__all__ = ["MAX_PLANES", "add_rows", "at_least", "planes_for"]

#: Planes :func:`add_rows` may ripple into: counts up to 511, more than the 336 slots of a week.
MAX_PLANES = 9

_I64 = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]

_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


@jit()
def planes_for(most: int) -> int:
    """The number of planes that hold every count from 0 to ``most`` (``most.bit_length()``)."""
    bits = 0
    while (1 << bits) <= most:
        bits += 1
    return bits


@jit(inline="always")
def _ripple(index: _U64, rows: _I64, w0: int, m: int, planes: _U64, depth: int) -> None:
    """Add the bitmaps ``rows`` (words ``w0 .. w0 + m - 1``) to ``planes``, rippling ``depth`` planes.

    Two bitmaps at a time: a full adder puts both into the lowest plane and ripples one
    carry up the others, which reads and writes each plane once per pair instead of once
    per bitmap (about a quarter less time than adding them one by one). Called with a
    constant ``depth``, so the compiler unrolls the ripple and vectorises the loop over
    the words.
    """
    n = rows.shape[0]
    for i in range(0, n - 1, 2):  # rows indexed, not sliced: a view per row would cost reference counting
        ra, rb = rows[i], rows[i + 1]
        for j in range(m):
            a = index[ra, w0 + j]
            b = index[rb, w0 + j]
            x = planes[0, j]
            half = x ^ a
            planes[0, j] = half ^ b
            carry = (x & a) | (half & b)
            for p in range(1, depth):
                y = planes[p, j]
                planes[p, j] = y ^ carry
                carry = y & carry
    if n % 2:  # the last bitmap alone
        r = rows[n - 1]
        for j in range(m):
            carry = index[r, w0 + j]
            for p in range(depth):
                y = planes[p, j]
                planes[p, j] = y ^ carry
                carry = y & carry


@jit()
def add_rows(index: _U64, rows: _I64, w0: int, m: int, planes: _U64, most: int) -> None:
    """Add the bitmaps ``rows`` of ``index`` (words ``w0 .. w0 + m - 1``) to the counters ``planes``.

    ``most`` bounds every counter after the addition; ``planes`` (at least
    :data:`MAX_PLANES` rows, m words) ripples over as many planes as that needs,
    rounded up to 3, 5, 7 or 9 (each a specialised loop).
    """
    if most < 8:
        _ripple(index, rows, w0, m, planes, 3)
    elif most < 32:
        _ripple(index, rows, w0, m, planes, 5)
    elif most < 128:
        _ripple(index, rows, w0, m, planes, 7)
    else:
        _ripple(index, rows, w0, m, planes, MAX_PLANES)


@jit(inline="always")
def at_least(planes: _U64, j: int, bits: int, value: int) -> np.uint64:
    """The counselors of word ``j`` whose count (``bits`` planes) is at least ``value``, as a mask.

    From the lowest plane up, ``r`` holds "the low ``p`` bits of the count are at least
    the low ``p`` bits of ``value``": a 1 in ``value`` needs a 1 in the count, a 0 is
    beaten by a 1.
    """
    if value >= 1 << bits:
        return _ZERO
    r = _ALL
    for p in range(bits):
        if value >> p & 1:
            r &= planes[p, j]
        else:
            r |= planes[p, j]
    return r
