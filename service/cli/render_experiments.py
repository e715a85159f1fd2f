"""How the CLI shows strategies, experiments and experiment reports."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from attune.v1 import experiment_pb2

__all__ = ["print_experiment", "print_report", "print_strategies"]


def _status(value: int) -> str:
    return experiment_pb2.ExperimentStatus.Name(value).removeprefix("EXPERIMENT_STATUS_").lower()  # type: ignore[arg-type]


def print_strategies(console: Console, strategies: Iterable[experiment_pb2.Strategy]) -> None:
    """One row per strategy version."""
    table = Table()
    for column in ("Strategy", "Algorithm", "Weights", "Built in", "Description"):
        table.add_column(column)
    for s in strategies:
        algorithm = (
            experiment_pb2.StrategyAlgorithm.Name(s.algorithm).removeprefix("STRATEGY_ALGORITHM_").lower()
        )
        weights = ", ".join(f"{w.factor} {w.weight:g}" for w in s.weights)
        table.add_row(f"{s.name}@{s.version}", algorithm, weights, "yes" if s.builtin else "", s.description)
    console.print(table)


def print_experiment(console: Console, e: experiment_pb2.Experiment) -> None:
    """An experiment, its arms and its phases."""
    console.print(
        f"[bold]{e.key}[/bold]: {_status(e.status)}, phase {e.phase}, coverage {e.coverage:g}"
        + (f", layer {e.layer} [{e.layer_bucket_start}, {e.layer_bucket_end})" if e.layer else "")
    )
    if e.description:
        console.print(e.description)
    for a in e.arms:
        control = " (control)" if a.name == e.control_arm else ""
        console.print(f"  arm {a.name}{control}: {a.strategy}, weight {a.weight:g}")
    for p in e.phases:
        started = p.start_time.ToDatetime().isoformat(timespec="seconds") + "Z"
        ended = ""
        if p.HasField("end_time"):
            ended = " to " + p.end_time.ToDatetime().isoformat(timespec="seconds") + "Z"
        arms = ", ".join(f"{a.name}={a.strategy}:{a.weight:g}" for a in p.arms)
        console.print(f"  phase {p.phase} from {started}{ended}: {arms}; coverage {p.coverage:g}")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _interval(i: experiment_pb2.Interval) -> str:
    return f"[{_pct(i.low)}, {_pct(i.high)}]"


def _pp_interval(i: experiment_pb2.Interval) -> str:
    return f"[{100 * i.low:+.2f}, {100 * i.high:+.2f}] pp"


def print_report(console: Console, report: experiment_pb2.GetExperimentReportResponse) -> None:
    """Per arm: units, exposures; per outcome: rate, lifts with intervals, p-values; then warnings."""
    console.print(f"[bold]{report.key}[/bold], phase {report.phase}; control arm {report.control_arm}")
    arms = Table(title="Arms")
    for column in ("Arm", "Strategy", "Weight", "Units", "Exposures", "Booked MRR"):
        arms.add_column(column)
    for a in report.arms:
        mrr = f"{a.booked_mrr:.3f}" if a.HasField("booked_mrr") else "n/a (no booking)"
        arms.add_row(a.arm, a.strategy, f"{a.weight:g}", str(a.units), str(a.exposures), mrr)
    console.print(arms)
    srm = report.sample_ratio
    if sum(a.units for a in report.arms) == 0:
        console.print("Sample ratio check: not run, no units yet")
    else:
        verdict = "[red]MISMATCH[/red]" if srm.mismatch else "ok"
        console.print(f"Sample ratio check: chi² = {srm.chi_square:.2f}, p = {srm.p_value:.3g} → {verdict}")
    if report.multi_arm_units_excluded:
        console.print(f"Clients seen in more than one arm, excluded: {report.multi_arm_units_excluded}")
    for outcome in report.outcomes:
        table = Table(title=f"Outcome: {outcome.event}")
        for column in (
            "Arm",
            "Rate (95% CI)",
            "Abs. lift (95% CI)",
            "Rel. lift (95% CI)",
            "p",
            "Always-valid abs. CI",
        ):
            table.add_column(column)
        for o in outcome.arms:
            rate = f"{o.conversions}/{o.units} = {_pct(o.rate)} {_interval(o.rate_interval)}"
            if o.HasField("absolute_lift"):
                absolute = f"{o.absolute_lift * 100:+.2f} pp {_pp_interval(o.absolute_lift_interval)}"
                relative = (
                    f"{o.relative_lift * 100:+.1f}% {_interval(o.relative_lift_interval)}"
                    if o.HasField("relative_lift")
                    else "n/a"
                )
                p_value = f"{o.p_value:.3g}" if o.HasField("p_value") else ""
                if o.HasField("p_value_holm") and o.p_value_holm != o.p_value:
                    p_value += f" (Holm {o.p_value_holm:.3g})"
                sequential = _pp_interval(o.sequential_absolute_lift_interval)
            else:
                absolute, relative, p_value, sequential = "(control)", "", "", ""
            table.add_row(o.arm, rate, absolute, relative, p_value, sequential)
        console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
