"""The statistics on the synthetic clients of ``attune simulate``, run in process.

The clients, their hidden preferences and their journeys are those of ``attune simulate``
(:mod:`matcher.experiments.clients`); the rankings are the real engine's
(:func:`matcher.engine.ranking.rank`) on the demo-sized synthetic catalog; assignment and analysis
are the service's own functions. Only the transport and the store are left out (the
end-to-end tests drive the same clients through the running service), so that hundreds of
experiments fit in a test run. Counts over independent experiments are compared with the
binomial 99.9% range of their theoretical rate, with fixed seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from scipy import stats

from matcher.engine.ranking import rank
from matcher.engine.snapshot import CatalogSnapshot
from matcher.experiments import Arm
from matcher.experiments.clients import Behaviour, client_value, journey
from matcher.experiments.outcomes import OutcomeEvent
from matcher.experiments.simulation import simulate_journeys
from matcher.strategy import BUILTIN_STRATEGIES
from matcher.synthetic import synthetic_counselors, synthetic_intakes

ALPHA = 0.05
Shown = Sequence[Sequence[Mapping[str, float]]]


def _shown(catalog_size: int) -> dict[str, Shown]:
    snapshot = CatalogSnapshot.build(synthetic_counselors(catalog_size, seed=0), 1)
    intakes = synthetic_intakes(400, seed=3)
    return {
        s.key: [
            [{f.factor: f.score for f in r.factors} for r in rank(snapshot, i, s, 10).results]
            for i in intakes
        ]
        for s in BUILTIN_STRATEGIES
    }


@pytest.fixture(scope="module")
def shown() -> dict[str, Shown]:
    """What each built-in strategy shows 400 synthetic clients (top 10) in a catalog of 300."""
    return _shown(300)


@pytest.fixture(scope="module")
def shown_widely() -> dict[str, Shown]:
    """The same in a catalog of 3,000: most clients have more than 10 counselors to choose from
    (with licensure, age groups and concerns that tier, a catalog of 300 often offers fewer, and
    then every strategy shows the same few)."""
    return _shown(3000)


def bounds_999(n: int, p: float) -> tuple[float, float]:
    lo, hi = stats.binom.interval(0.999, n, p)
    return float(lo), float(hi)


def test_a_journey_goes_down_the_list_and_stops_at_a_booking() -> None:
    best = {"concern": 1.0, "availability": 1.0, "language": 1.0}
    certain = Behaviour(contact_rate=1.0, book_rate=1.0, attend_rate=1.0, rematch_rate=0.0, retain_rate=1.0)
    events = journey([best, best], certain, np.random.default_rng(0))
    assert events == [
        (0, OutcomeEvent.VIEWED),
        (0, OutcomeEvent.CONTACTED),
        (0, OutcomeEvent.BOOKED),
        (0, OutcomeEvent.ATTENDED_FIRST_SESSION),
        (0, OutcomeEvent.RETAINED_FOUR_SESSIONS),
    ]
    never = Behaviour(contact_rate=0.0)
    assert all(e is OutcomeEvent.VIEWED for _, e in journey([best] * 10, never, np.random.default_rng(1)))
    assert client_value({"concern": 0.5}) == 0.5 and client_value({}) == 0.0


@pytest.mark.slow
def test_aa_false_positive_rate_on_the_simulated_clients(shown: dict[str, Shown]) -> None:
    """Both arms rank with balanced-v1: each outcome's test is significant in about 5% of runs."""
    arms = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "balanced-v1@1", 1.0))
    rng = np.random.default_rng(20261205)
    runs = 300
    hits = dict.fromkeys(("viewed", "contacted", "booked"), 0)
    for _ in range(runs):
        report = simulate_journeys(arms, shown, 1200, rng).analyze()
        for name in hits:
            p = report.outcomes[name][1].p_value
            hits[name] += p is not None and p < ALPHA
    lo, hi = bounds_999(runs, ALPHA)
    assert all(lo <= count <= hi for count in hits.values()), (hits, lo, hi)


@pytest.mark.slow
def test_holm_keeps_any_false_positive_across_all_outcomes_under_alpha(shown: dict[str, Shown]) -> None:
    """Reading all six outcomes, some p < 0.05 in far more than 5% of A/A runs; Holm's never above 5%."""
    arms = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "balanced-v1@1", 1.0))
    rng = np.random.default_rng(4)
    runs = 300
    raw = adjusted = 0
    for _ in range(runs):
        rows = [o[1] for o in simulate_journeys(arms, shown, 1200, rng).analyze().outcomes.values()]
        raw += any(r.p_value is not None and r.p_value < ALPHA for r in rows)
        adjusted += any(r.p_value_holm is not None and r.p_value_holm < ALPHA for r in rows)
    _, hi = bounds_999(runs, ALPHA)
    assert adjusted <= hi < raw, (adjusted, hi, raw)


def test_the_strategies_differ_for_these_clients(shown_widely: dict[str, Shown]) -> None:
    """A random order books less than balanced-v1: the simulated world can tell strategies apart."""
    arms = (Arm("control", "balanced-v1@1", 1.0), Arm("random", "random-eligible@1", 1.0))
    report = simulate_journeys(arms, shown_widely, 6000, np.random.default_rng(7)).analyze()
    booked = report.outcomes["booked"][1]
    assert booked.abs_lift is not None and booked.abs_lift < 0 and booked.p_value is not None
    assert booked.p_value < 0.001


def test_clients_lost_from_one_arm_raise_the_srm_alarm(shown: dict[str, Shown]) -> None:
    arms = (Arm("control", "balanced-v1@1", 1.0), Arm("treatment", "balanced-v1@1", 1.0))
    rng = np.random.default_rng(11)
    broken = [
        simulate_journeys(arms, shown, 4000, rng, attrition={"treatment": 0.2}).analyze().srm.mismatch
        for _ in range(20)
    ]
    healthy = [simulate_journeys(arms, shown, 4000, rng).analyze().srm.mismatch for _ in range(20)]
    assert all(broken) and not any(healthy)
