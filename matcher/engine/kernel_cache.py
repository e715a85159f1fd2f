"""Where numba keeps the compiled kernels: one directory per version of this package's sources.

numba's disk cache (``cache=True``) checks only the source file of the function it compiled,
not the modules that function calls: after an edit to :mod:`matcher.engine.scan` alone, the
cached ``_top_k_serial`` of :mod:`matcher.engine.kernel` would go on running the old scan, in tests
and benchmarks as in a server. So :func:`use_versioned_cache` names the cache directory after
a digest of every module the kernels can depend on (:func:`source_files`: this package and the
domain modules above it, whose declarations shape the compiled query): any edit compiles
afresh, and an unchanged checkout reuses its compilations. It reads those source files (the
one input/output of the domain package, at import).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import numba

__all__ = ["PACKAGE_DIR", "cache_dir", "source_files", "sources_digest", "use_versioned_cache"]

#: The directory of this package (the engine).
PACKAGE_DIR = Path(__file__).resolve().parent


def source_files() -> list[Path]:
    """The modules the digest covers: the engine's and the domain's (``matcher/*.py``)."""
    return [*PACKAGE_DIR.glob("*.py"), *PACKAGE_DIR.parent.glob("*.py")]


def sources_digest(files: Iterable[Path]) -> str:
    """A short hex digest of the names and contents of ``files`` (in order of their paths)."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: (p.parent.name, p.name)):
        digest.update(f"{path.parent.name}/{path.name}".encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def cache_dir(root: str | None = None) -> str:
    """The cache directory of the current sources: ``<root>/attune-<digest>``.

    ``root`` defaults to ``$NUMBA_CACHE_DIR`` when set, else this package's ``__pycache__/numba``.
    """
    if root is None:
        root = os.environ.get("NUMBA_CACHE_DIR") or str(PACKAGE_DIR / "__pycache__" / "numba")
    return os.path.join(root, f"attune-{sources_digest(source_files())}")


def use_versioned_cache() -> None:
    """Point numba's disk cache at :func:`cache_dir` (before any kernel is decorated).

    Where that directory cannot be written, numba falls back to its own locations.
    """
    numba.config.CACHE_DIR = cache_dir()  # type: ignore[attr-defined]  # set from the environment at import
