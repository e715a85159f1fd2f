"""Exact top-k selection of scores with a deterministic tie-break.

``np.partition`` over the whole score array costs far more than the scoring itself
at 100k counselors, so :func:`top_k` first narrows the candidates with a threshold
read from a strided sample (one cheap comparison pass) and partitions only those.
The answer is exact whatever the sample: if fewer than ``k`` scores reach the
threshold, it falls back to the whole array.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["top_k"]

#: Below this many scores, partition directly.
_SAMPLE_ABOVE = 4096
#: Aim for a sample of about this many scores.
_SAMPLE_SIZE = 1024


def _candidates(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Positions that surely include the top ``k`` of ``scores`` (and every score tied with the k-th)."""
    m = scores.shape[0]
    if m > _SAMPLE_ABOVE and k * 8 < m:
        step = m // _SAMPLE_SIZE
        sample = scores[::step]
        # Each sampled score stands for about ``step`` scores: keep enough sampled
        # scores above the threshold to expect about 2k + step candidates.
        above = min(sample.shape[0], (2 * k) // step + 1)
        threshold = np.partition(sample, sample.shape[0] - above)[sample.shape[0] - above]
        candidates = np.flatnonzero(scores >= threshold)
        if candidates.shape[0] >= k:
            return candidates
    return np.arange(m, dtype=np.intp)


def top_k(scores: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Return the positions of the ``k`` highest scores, best first.

    Equal scores are ordered by position (the lower position first), so when the
    positions follow counselor ids, ties go to the smaller id; ties at the k-th
    place are resolved the same way.

    Parameters
    ----------
    scores : numpy.ndarray of float64, shape (m,)
        Scores without NaN.
    k : int
        At least 1; fewer positions are returned when ``m < k``.

    Returns
    -------
    numpy.ndarray of intp, shape (min(k, m),)
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    m = scores.shape[0]
    if m == 0:
        return np.empty(0, dtype=np.intp)
    candidates = _candidates(scores, k)
    if candidates.shape[0] > k:
        values = scores[candidates]
        kth = np.partition(values, values.shape[0] - k)[values.shape[0] - k]
        better = candidates[values > kth]
        tied = candidates[values == kth][: k - better.shape[0]]  # candidates are ascending
        candidates = np.concatenate([better, tied])
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]
