"""``attune strategies …``, ``attune experiments …`` and ``attune simulate`` (CLI layer): clients of the
running service for the people who run experiments."""

from __future__ import annotations

from typing import Annotated

import typer
from google.protobuf import field_mask_pb2

from attune.v1 import experiment_pb2
from service.cli.client import AttuneClient
from service.cli.common import (
    DEFAULT_ADDRESS,
    DEFAULT_TIMEOUT,
    AddressOpt,
    JsonOpt,
    TimeoutOpt,
    call,
    fail,
    out,
)
from service.cli.render import as_json
from service.cli.render_experiments import print_experiment, print_report, print_strategies

__all__ = ["experiments_app", "simulate", "strategies_app"]

strategies_app = typer.Typer(no_args_is_help=True, help="Named, versioned ranking strategies.")
experiments_app = typer.Typer(no_args_is_help=True, help="A/B experiments between strategies.")

ArmOpt = Annotated[
    list[str],
    typer.Option(
        "--arm", help="NAME=STRATEGY@VERSION:WEIGHT, e.g. control=balanced-v1@1:50 (first is control)"
    ),
]
KeyArg = Annotated[str, typer.Argument(help="the experiment's key")]


def _parse_arm(text: str) -> experiment_pb2.Arm:
    name, eq, rest = text.partition("=")
    strategy, colon, weight = rest.rpartition(":")
    if not (eq and colon and name and strategy):
        raise typer.BadParameter(
            f"{text!r}: write NAME=STRATEGY@VERSION:WEIGHT, e.g. treatment=availability-first@1:50"
        )
    try:
        return experiment_pb2.Arm(name=name, strategy=strategy, weight=float(weight))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: the weight must be a number") from None


@strategies_app.command("list")
def strategies_list(
    address: AddressOpt = DEFAULT_ADDRESS, timeout: TimeoutOpt = DEFAULT_TIMEOUT, json_output: JsonOpt = False
) -> None:
    """List every strategy version."""
    response = call(
        address,
        timeout,
        lambda c: c.strategies.ListStrategies,
        experiment_pb2.ListStrategiesRequest(page_size=500),
    )
    if json_output:
        out.print_json(as_json(response))
    else:
        print_strategies(out, response.strategies)


@strategies_app.command("create")
def strategies_create(
    name: Annotated[str, typer.Argument(help="strategy name; an existing name gets a new version")],
    weight: Annotated[
        list[str], typer.Option("--weight", help="FACTOR=WEIGHT (concern, approach, language, availability)")
    ],
    algorithm: Annotated[str, typer.Option(help="weighted or random-eligible")] = "weighted",
    description: Annotated[str, typer.Option(help="why this strategy exists")] = "",
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Create a strategy (immutable: changing it later means a new version)."""
    algorithms = {
        "weighted": experiment_pb2.STRATEGY_ALGORITHM_WEIGHTED,
        "random-eligible": experiment_pb2.STRATEGY_ALGORITHM_RANDOM_ELIGIBLE,
    }
    if algorithm not in algorithms:
        raise typer.BadParameter(f"allowed: {', '.join(algorithms)}", param_hint="--algorithm")
    weights = []
    for item in weight:
        factor, _, value = item.partition("=")
        try:
            weights.append(experiment_pb2.FactorWeight(factor=factor, weight=float(value)))
        except ValueError:
            raise typer.BadParameter(f"{item!r}: write FACTOR=NUMBER", param_hint="--weight") from None
    strategy = experiment_pb2.Strategy(
        name=name, algorithm=algorithms[algorithm], weights=weights, description=description
    )
    created = call(
        address,
        timeout,
        lambda c: c.strategies.CreateStrategy,
        experiment_pb2.CreateStrategyRequest(strategy=strategy),
    ).strategy
    out.print(f"created strategy {created.name}@{created.version}")


@experiments_app.command("create")
def experiments_create(
    key: KeyArg,
    arm: ArmOpt,
    coverage: Annotated[float, typer.Option(help="share of clients enrolled, (0, 1]")] = 1.0,
    description: Annotated[str, typer.Option(help="what the experiment tests")] = "",
    layer: Annotated[str, typer.Option(help="experiments in one layer are mutually exclusive")] = "",
    layer_range: Annotated[str, typer.Option(help="START-END of the layer's 10,000 buckets")] = "",
    salt: Annotated[str, typer.Option(help="assignment salt (default: random; set only to reproduce)")] = "",
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Create an experiment in draft (start it with `attune experiments start KEY`)."""
    start = end = 0
    if layer_range:
        first, _, last = layer_range.partition("-")
        if not (first.isdigit() and last.isdigit()):
            raise typer.BadParameter("write START-END, e.g. 0-5000", param_hint="--layer-range")
        start, end = int(first), int(last)
    experiment = experiment_pb2.Experiment(
        key=key,
        description=description,
        arms=[_parse_arm(a) for a in arm],
        coverage=coverage,
        layer=layer,
        layer_bucket_start=start,
        layer_bucket_end=end,
        salt=salt,
    )
    created = call(
        address,
        timeout,
        lambda c: c.experiments.CreateExperiment,
        experiment_pb2.CreateExperimentRequest(experiment=experiment),
    ).experiment
    print_experiment(out, created)


@experiments_app.command("list")
def experiments_list(
    address: AddressOpt = DEFAULT_ADDRESS, timeout: TimeoutOpt = DEFAULT_TIMEOUT, json_output: JsonOpt = False
) -> None:
    """List experiments."""
    response = call(
        address,
        timeout,
        lambda c: c.experiments.ListExperiments,
        experiment_pb2.ListExperimentsRequest(page_size=500),
    )
    if json_output:
        out.print_json(as_json(response))
        return
    for e in response.experiments:
        arms = ", ".join(f"{a.name}={a.strategy}:{a.weight:g}" for a in e.arms)
        status = experiment_pb2.ExperimentStatus.Name(e.status).removeprefix("EXPERIMENT_STATUS_").lower()
        out.print(f"{e.key}  {status}  phase {e.phase}  coverage {e.coverage:g}  {arms}")


@experiments_app.command("show")
def experiments_show(
    key: KeyArg,
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    json_output: JsonOpt = False,
) -> None:
    """Show an experiment and its phase history."""
    e = call(
        address, timeout, lambda c: c.experiments.GetExperiment, experiment_pb2.GetExperimentRequest(key=key)
    ).experiment
    if json_output:
        out.print_json(as_json(e))
    else:
        print_experiment(out, e)


def _transition(key: str, address: str, timeout: float, verb: str) -> None:
    methods = {
        "start": (lambda c: c.experiments.StartExperiment, experiment_pb2.StartExperimentRequest(key=key)),
        "pause": (lambda c: c.experiments.PauseExperiment, experiment_pb2.PauseExperimentRequest(key=key)),
        "stop": (lambda c: c.experiments.StopExperiment, experiment_pb2.StopExperimentRequest(key=key)),
    }
    method, request = methods[verb]
    e = call(address, timeout, method, request).experiment
    print_experiment(out, e)


@experiments_app.command("start")
def experiments_start(
    key: KeyArg, address: AddressOpt = DEFAULT_ADDRESS, timeout: TimeoutOpt = DEFAULT_TIMEOUT
) -> None:
    """Start (or resume) an experiment."""
    _transition(key, address, timeout, "start")


@experiments_app.command("pause")
def experiments_pause(
    key: KeyArg, address: AddressOpt = DEFAULT_ADDRESS, timeout: TimeoutOpt = DEFAULT_TIMEOUT
) -> None:
    """Pause an experiment (clients get the default strategy meanwhile)."""
    _transition(key, address, timeout, "pause")


@experiments_app.command("stop")
def experiments_stop(
    key: KeyArg, address: AddressOpt = DEFAULT_ADDRESS, timeout: TimeoutOpt = DEFAULT_TIMEOUT
) -> None:
    """Stop an experiment for good."""
    _transition(key, address, timeout, "stop")


@experiments_app.command("update")
def experiments_update(
    key: KeyArg,
    arm: Annotated[
        list[str] | None, typer.Option("--arm", help="the new arms (a new phase if started)")
    ] = None,
    coverage: Annotated[float | None, typer.Option(help="new coverage (raising it moves nobody)")] = None,
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Change arms, weights or coverage."""
    paths = (["arms"] if arm else []) + (["coverage"] if coverage is not None else [])
    if not paths:
        raise fail("nothing to change: give --arm and/or --coverage")
    experiment = experiment_pb2.Experiment(
        key=key, arms=[_parse_arm(a) for a in arm or []], coverage=coverage or 0
    )
    request = experiment_pb2.UpdateExperimentRequest(
        experiment=experiment, update_mask=field_mask_pb2.FieldMask(paths=paths)
    )
    print_experiment(
        out, call(address, timeout, lambda c: c.experiments.UpdateExperiment, request).experiment
    )


@experiments_app.command("report")
def experiments_report(
    key: KeyArg,
    phase: Annotated[int, typer.Option(help="phase to analyse (0 = current)")] = 0,
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    json_output: JsonOpt = False,
) -> None:
    """Rates, lifts with intervals, sample-ratio check and warnings, per arm."""
    report = call(
        address,
        timeout,
        lambda c: c.experiments.GetExperimentReport,
        experiment_pb2.GetExperimentReportRequest(key=key, phase=phase),
    )
    if json_output:
        out.print_json(as_json(report))
    else:
        print_report(out, report)


def simulate(
    key: Annotated[str, typer.Argument(help="a running experiment to drive")],
    clients: Annotated[int, typer.Option(min=1, max=200_000, help="synthetic clients")] = 2000,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    attrition: Annotated[
        list[str] | None,
        typer.Option(help="ARM=SHARE of that arm's clients who leave before ranking (a broken split)"),
    ] = None,
    address: AddressOpt = DEFAULT_ADDRESS,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Run synthetic clients with hidden preferences through the service and print the report."""
    from service.cli.simulate import SimulationSettings, run_simulation

    losses = {}
    for item in attrition or []:
        arm_name, _, share = item.partition("=")
        try:
            losses[arm_name] = float(share)
        except ValueError:
            raise typer.BadParameter(f"{item!r}: write ARM=SHARE", param_hint="--attrition") from None
    with AttuneClient(address, timeout) as client:
        import grpc

        from service.cli.client import describe_error

        try:
            result = run_simulation(
                client, key, SimulationSettings(clients=clients, seed=seed, attrition=losses)
            )
        except grpc.RpcError as error:
            raise fail(describe_error(error)) from None
    out.print(
        f"{result.requested} clients ranked, {result.dropped} left before ranking, {result.bookings} bookings"
    )
    print_report(out, result.report)
