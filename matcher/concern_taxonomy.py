"""Related concerns: which concerns are near one another, and how near, defined once with sources.

A counselor who treats a concern *related* to one of the client's (panic attacks near
anxiety, perinatal mental health near depression) is a near match: the ``related_concern``
factor gives partial credit for it (:data:`~matcher.attributes.ATTRIBUTES`, the concern
attribute's ``related``), and the reasons say so ("treats anxiety, related to your panic
attacks").

Similarities are 0.25, 0.5 or 0.75 (quarters, so that the factor's numerator stays an
integer and the fast path and the reference agree to the last bit) and symmetric. Each
pair names where the nearness comes from: the grouping of the diagnoses in DSM-5-TR (APA,
2022) or ICD-11 (WHO, 2019), or the overlap of the treatments clinical guidelines recommend.
A pair not listed has similarity 0. :func:`similarity_matrix` gives them as a sparse
matrix over the concern vocabulary, in its order.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import scipy.sparse

from matcher.vocabulary import CONCERNS

__all__ = ["RELATIONS", "related_concerns", "similarity_matrix"]

#: (concern, concern, similarity, source): each pair once.
RELATIONS: tuple[tuple[str, str, float, str], ...] = (
    ("panic", "anxiety", 0.75, "DSM-5-TR: panic disorder is one of the anxiety disorders"),
    ("phobias", "anxiety", 0.75, "DSM-5-TR: specific and social phobias are anxiety disorders"),
    ("ocd", "anxiety", 0.5, "DSM-5-TR moved OCD next to the anxiety disorders; both treated with exposure"),
    ("ptsd", "trauma", 0.75, "DSM-5-TR: trauma- and stressor-related disorders"),
    ("perinatal", "depression", 0.75, "DSM-5-TR: depressive disorder with peripartum onset"),
    ("perinatal", "anxiety", 0.5, "ACOG Clinical Practice Guideline 4 (2023): perinatal anxiety"),
    (
        "infertility",
        "perinatal",
        0.5,
        "reproductive mental health (ACOG; ASRM mental health professional group)",
    ),
    ("grief", "depression", 0.5, "DSM-5-TR: prolonged grief disorder; bereavement and depression overlap"),
    ("bipolar", "depression", 0.5, "DSM-5-TR: bipolar and depressive disorders share depressive episodes"),
    ("self_harm", "depression", 0.5, "NICE NG225 (2022): self-harm assessed with depression"),
    ("burnout", "stress", 0.75, "ICD-11 QD85: burn-out results from chronic workplace stress"),
    ("life_transitions", "stress", 0.5, "DSM-5-TR: adjustment disorders follow a stressor"),
    ("parenting", "family_conflict", 0.75, "family systems practice: parenting within family relationships"),
    ("relationship", "family_conflict", 0.5, "AAMFT core competencies: couples and family therapy"),
    ("sleep", "stress", 0.25, "ICD-11 7A00 insomnia: often with stress; CBT-I and stress work overlap"),
    ("anger", "stress", 0.25, "anger management programmes teach stress regulation"),
)


def _check() -> None:
    seen: set[frozenset[str]] = set()
    for a, b, similarity, source in RELATIONS:
        if a not in CONCERNS or b not in CONCERNS or a == b:
            raise RuntimeError(f"related concerns {a!r}, {b!r}: two different concern codes")
        if similarity not in (0.25, 0.5, 0.75) or not source:
            raise RuntimeError(f"related concerns {a!r}, {b!r}: similarity in quarters, with a source")
        if frozenset((a, b)) in seen:
            raise RuntimeError(f"related concerns {a!r}, {b!r}: listed twice")
        seen.add(frozenset((a, b)))


_check()


@lru_cache(maxsize=1)
def similarity_matrix() -> scipy.sparse.csr_array:
    """The symmetric similarity of every pair of concerns: float64 (C, C), ``CONCERNS`` order, 0 diagonal."""
    index = {code: i for i, code in enumerate(CONCERNS)}
    rows = [index[a] for a, b, _, _ in RELATIONS] + [index[b] for a, b, _, _ in RELATIONS]
    cols = [index[b] for a, b, _, _ in RELATIONS] + [index[a] for a, b, _, _ in RELATIONS]
    values = [s for _, _, s, _ in RELATIONS] * 2
    size = len(CONCERNS)
    return scipy.sparse.csr_array((np.array(values), (rows, cols)), shape=(size, size))


@lru_cache(maxsize=1)
def related_concerns() -> Mapping[str, Mapping[str, float]]:
    """concern -> {related concern: similarity}, read from :func:`similarity_matrix`."""
    matrix = similarity_matrix()
    codes = list(CONCERNS)
    out = {}
    for i, code in enumerate(codes):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        out[code] = MappingProxyType(
            {
                codes[int(j)]: float(v)
                for j, v in zip(matrix.indices[start:end], matrix.data[start:end], strict=True)
            }
        )
    return MappingProxyType(out)
