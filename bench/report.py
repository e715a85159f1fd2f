"""The benchmark report: tables, targets and the Markdown they are written as."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Report", "Section", "Table", "Target", "fmt_ms", "fmt_ratio", "fmt_us"]


def fmt_us(us: float) -> str:
    """A latency given in microseconds, in the most readable unit."""
    if us < 1000:
        return f"{us:.0f} µs"
    if us < 1_000_000:
        return f"{us / 1000:.2f} ms"
    return f"{us / 1_000_000:.2f} s"


def fmt_ms(ms: float) -> str:
    """A duration given in milliseconds."""
    return fmt_us(ms * 1000.0)


def fmt_ratio(ratio: float) -> str:
    """A speed-up such as ``35×`` or ``1 200×``."""
    if ratio >= 100:
        return f"{ratio:,.0f}×".replace(",", " ")
    return f"{ratio:.1f}×"


@dataclass
class Table:
    """A Markdown table: a header and rows of cells (already formatted)."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.columns) + " |", "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass
class Section:
    """A heading, paragraphs, tables and notes, in that order."""

    title: str
    intro: list[str] = field(default_factory=list)
    #: Tables, and paragraphs (str) between them.
    tables: list[Table | str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        body = [t if isinstance(t, str) else t.markdown() for t in self.tables]
        parts = [f"## {self.title}", *self.intro, *body, *self.notes]
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Target:
    """One target of the issue: ``met`` is None when it was not measured."""

    name: str
    goal: str
    figure: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return {True: "**met**", False: "**not met**", None: "not yet measured"}[self.met]


@dataclass
class Report:
    """Everything ``bench.run`` writes."""

    title: str
    preamble: list[str]
    machine: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def markdown(self) -> str:
        machine = Table(["", ""])
        for name, value in self.machine:
            machine.add(name, value)
        targets = Table(["target", "goal", "measured", "verdict"])
        for t in self.targets:
            targets.add(t.name, t.goal, t.figure, t.verdict)
        parts = [
            f"# {self.title}",
            *self.preamble,
            "## Machine",
            machine.markdown(),
            "## Targets",
            targets.markdown(),
            *(s.markdown() for s in self.sections),
        ]
        return "\n\n".join(parts) + "\n"
