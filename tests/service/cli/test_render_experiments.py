"""How the CLI prints an experiment and its report (rich output captured as text)."""

from __future__ import annotations

from google.protobuf import timestamp_pb2
from rich.console import Console

from attune.v1 import experiment_pb2
from service.cli.render_experiments import print_experiment, print_report


def _text(draw: object, message: object) -> str:
    console = Console(record=True, width=200)
    draw(console, message)  # type: ignore[operator]
    return console.export_text()


def test_an_empty_phase_says_what_was_not_computed() -> None:
    report = experiment_pb2.GetExperimentReportResponse(
        key="exp",
        phase=2,
        control_arm="control",
        arms=[
            experiment_pb2.ArmSummary(arm="control", strategy="balanced-v1@1", weight=1),
            experiment_pb2.ArmSummary(arm="treatment", strategy="availability-first@1", weight=1),
        ],
        sample_ratio=experiment_pb2.SampleRatioCheck(chi_square=0.0, p_value=1.0),
    )
    text = _text(print_report, report)
    assert "Sample ratio check: not run, no units yet" in text and "p = 1" not in text
    assert text.count("n/a (no booking)") == 2 and "0.000" not in text


def test_a_booked_arm_shows_its_mrr_and_the_check_its_figures() -> None:
    report = experiment_pb2.GetExperimentReportResponse(
        key="exp",
        arms=[
            experiment_pb2.ArmSummary(
                arm="control", strategy="balanced-v1@1", weight=1, units=40, booked_mrr=0.5
            ),
            experiment_pb2.ArmSummary(arm="treatment", strategy="balanced-v1@1", weight=1, units=44),
        ],
        sample_ratio=experiment_pb2.SampleRatioCheck(chi_square=0.19, p_value=0.66),
    )
    text = _text(print_report, report)
    assert "0.500" in text and "n/a (no booking)" in text
    assert "chi² = 0.19, p = 0.66 → ok" in text


def test_a_p_value_shows_its_holm_adjustment_when_it_differs() -> None:
    report = experiment_pb2.GetExperimentReportResponse(
        key="exp",
        outcomes=[
            experiment_pb2.OutcomeReport(
                event="contacted",
                arms=[
                    experiment_pb2.ArmOutcome(arm="control", units=100, conversions=10, rate=0.1),
                    experiment_pb2.ArmOutcome(
                        arm="treatment",
                        units=100,
                        conversions=20,
                        rate=0.2,
                        absolute_lift=0.1,
                        p_value=0.031,
                        p_value_holm=0.124,
                    ),
                ],
            )
        ],
    )
    assert "0.031 (Holm 0.124)" in _text(print_report, report)


def test_a_closed_phase_shows_when_it_ended() -> None:
    start, end = (
        timestamp_pb2.Timestamp(seconds=1_764_000_000),
        timestamp_pb2.Timestamp(seconds=1_764_086_400),
    )
    experiment = experiment_pb2.Experiment(
        key="exp",
        phase=2,
        phases=[
            experiment_pb2.ExperimentPhase(phase=1, start_time=start, end_time=end, coverage=1),
            experiment_pb2.ExperimentPhase(phase=2, start_time=end, coverage=1),
        ],
    )
    text = _text(print_experiment, experiment)
    assert "phase 1 from 2025-11-24T16:00:00Z to 2025-11-25T16:00:00Z" in text
    assert "phase 2 from 2025-11-25T16:00:00Z:" in text
