"""What a client can do after seeing a ranking: the outcomes experiments are judged on."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OutcomeEvent"]


class OutcomeEvent(StrEnum):
    """Outcome events, in funnel order (``rematch_requested`` is a bad outcome)."""

    VIEWED = "viewed"
    CONTACTED = "contacted"
    BOOKED = "booked"
    ATTENDED_FIRST_SESSION = "attended_first_session"
    RETAINED_FOUR_SESSIONS = "retained_four_sessions"
    REMATCH_REQUESTED = "rematch_requested"
