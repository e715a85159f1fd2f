"""bench.report: the Markdown the report is written as."""

from __future__ import annotations

import pytest

from bench.report import Report, Section, Table, Target, fmt_ratio, fmt_us


def test_table_markdown() -> None:
    table = Table(["a", "b"])
    table.add("1", "x|y")
    assert table.markdown() == "| a | b |\n|---|---|\n| 1 | x\\|y |"
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        table.add("only one")


def test_units() -> None:
    assert fmt_us(12.4) == "12 µs"
    assert fmt_us(1500) == "1.50 ms"
    assert fmt_us(2_500_000) == "2.50 s"
    assert fmt_ratio(35.04) == "35.0×"
    assert fmt_ratio(1234.0) == "1 234×"


def test_report_lists_targets_with_their_verdicts() -> None:
    report = Report(
        "T",
        ["intro"],
        [("CPU", "x")],
        [Section("S", ["p"], [Table(["c"], [["1"]]), "between"], ["note"])],
        [Target("n1", "g1", "f1", True), Target("n2", "g2", "f2", False), Target("n3", "g3", "f3", None)],
    )
    text = report.markdown()
    assert "| n1 | g1 | f1 | **met** |" in text
    assert "| n2 | g2 | f2 | **not met** |" in text
    assert "| n3 | g3 | f3 | not yet measured |" in text
    assert text.index("## Targets") < text.index("## S") < text.index("between") < text.index("note")
