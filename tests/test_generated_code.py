"""The committed gRPC code in attune/v1 must be exactly what `make gen` produces from proto/."""

from __future__ import annotations

from pathlib import Path

from service.codegen import ROOT, generate


def test_generated_code_is_up_to_date(tmp_path: Path) -> None:
    fresh = {p.name: p.read_text() for p in generate(tmp_path)}
    committed = {p.name: p.read_text() for p in sorted((ROOT / "attune" / "v1").glob("*.py*"))}
    assert sorted(fresh) == sorted(committed), "run `make gen`: generated files differ in name"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"run `make gen`: stale generated files {stale}"


def test_make_gen_writes_where_the_committed_code_lives() -> None:
    """`make gen` runs the generator with its default output root, the repository (attune/v1 in it)."""
    recipe = [
        line.strip() for line in (ROOT / "Makefile").read_text().splitlines() if "service.codegen" in line
    ]
    assert recipe == ["$(PY) -m service.codegen"]
