"""The matching use case: pick the strategy (staff override, experiment arm or default), rank on
the current snapshot, log the exposure off the request path, and take outcomes back."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from matcher.engine.ranking import Ranking, rank
from matcher.errors import FieldViolation, InvalidInput, NotFound
from matcher.experiments import Assignment
from matcher.experiments.outcomes import OutcomeEvent
from matcher.model import Intake
from service.storage.exposure_records import Exposure, Shown
from service.storage.exposures import ExposureRepository
from service.usecases.catalog import Catalog
from service.usecases.experimentation import Experimentation
from service.usecases.exposures import ExposureLog

__all__ = ["MatchResult", "Matching"]

#: How long to look again for a ranking another server process may still hold in its exposure
#: queue (it writes at least every 50 ms) before calling it unknown.
_ANOTHER_PROCESS_WAITS = (0.05, 0.1, 0.2)


@dataclass(frozen=True)
class MatchResult:
    """A ranking, the id it is known by, and the experiment arm that chose its strategy."""

    ranking: Ranking
    ranking_id: str
    assignment: Assignment | None


class Matching:
    """Ranks intakes against the catalog's current snapshot; never waits on the database."""

    def __init__(
        self,
        catalog: Catalog,
        experimentation: Experimentation,
        exposure_log: ExposureLog,
        exposures: ExposureRepository,
    ) -> None:
        self._catalog = catalog
        self._experimentation = experimentation
        self._log = exposure_log
        self._exposures = exposures

    def rank(self, intake: Intake, top_k: int, strategy: str = "") -> MatchResult:
        """Rank ``intake`` (already validated) and return the top ``top_k``."""
        assignment = None
        if strategy:  # staff override: logged as outside any experiment
            chosen = self._experimentation.strategy(strategy)
        else:
            assignment = self._experimentation.assign(intake.client_id)
            chosen = (
                self._experimentation.strategy(assignment.strategy)
                if assignment is not None
                else self._experimentation.default_strategy()
            )
        ranking_id = secrets.token_hex(16)  # 128 random bits, as a version-4 UUID has 122
        ranking = rank(self._catalog.snapshot, intake, chosen, top_k, seed=int(ranking_id[:16], 16))
        self._log.record(
            Exposure(
                ranking_id=ranking_id,
                client_id=intake.client_id,
                strategy=chosen.key,
                catalog_version=ranking.catalog_version,
                shown=tuple([Shown(r.counselor_id, r.rank, r.score) for r in ranking.results]),
                served_at=datetime.now(UTC),
                experiment_key=assignment.experiment_key if assignment else None,
                phase=assignment.phase if assignment else None,
                arm=assignment.arm if assignment else None,
                forced=bool(strategy),
            )
        )
        return MatchResult(ranking, ranking_id, assignment)

    def record_outcome(self, ranking_id: str, counselor_id: str, event: OutcomeEvent) -> bool:
        """Record ``event`` for a counselor shown in a ranking; False if it was already recorded."""
        violations = []
        if not ranking_id:
            violations.append(
                FieldViolation("ranking_id", "required: the ranking_id RankCounselors returned")
            )
        if not counselor_id:
            violations.append(FieldViolation("counselor_id", "required: a counselor shown in that ranking"))
        if violations:
            raise InvalidInput(violations)
        if self._log.pending(ranking_id) is not None:
            self._log.flush()
        exposure = self._exposures.get(ranking_id)
        for delay in _ANOTHER_PROCESS_WAITS:  # served by a sibling process that has not written it yet
            if exposure is not None:
                break
            time.sleep(delay)
            exposure = self._exposures.get(ranking_id)
        if exposure is None:
            raise NotFound("ranking", ranking_id)
        shown = [s.counselor_id for s in exposure.shown]
        if counselor_id not in shown:
            raise InvalidInput(
                [
                    FieldViolation(
                        "counselor_id",
                        f"{counselor_id!r} was not shown in ranking {ranking_id}; shown: "
                        + (", ".join(shown) or "nobody"),
                    )
                ]
            )
        return self._exposures.record_outcome(ranking_id, counselor_id, event, datetime.now(UTC))
