"""The kernels' disk cache is per version of the sources, so an edit to a callee never runs stale code."""

from __future__ import annotations

from pathlib import Path

import numba

from matcher.engine import kernel
from matcher.engine import scan as index_scan
from matcher.engine.kernel_cache import cache_dir, source_files, sources_digest


def test_the_digest_changes_with_any_module(tmp_path: Path) -> None:
    files = [tmp_path / "kernel.py", tmp_path / "index_scan.py"]
    for path in files:
        path.write_text("x = 1\n")
    before = sources_digest(files)
    assert sources_digest(reversed(files)) == before  # the order given does not matter
    files[1].write_text("x = 2\n")  # a callee edited, its caller not
    assert sources_digest(files) != before


def test_the_kernels_are_cached_in_the_directory_of_the_current_sources(tmp_path: Path) -> None:
    current = cache_dir()
    assert current == numba.config.CACHE_DIR
    assert Path(current).name == f"attune-{sources_digest(source_files())}"
    assert cache_dir(str(tmp_path)) == str(tmp_path / Path(current).name)
    for compiled in (kernel._top_k_serial, kernel._top_k_parallel, index_scan.scan):
        assert compiled._cache._cache_path.startswith(current), compiled  # type: ignore[attr-defined]
