# -*- test-case-name: tests.ivr.test_store -*-
"""The session record a call leaves: a pure summary of the engine's final state.

Kept apart from the tables in :mod:`.records` so that running a flow does not load the
ORM until a record is written (a process AGI starts once per call and cannot spare it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from switchboard.dialplan_vars import FAILED, ROUTED
from switchboard.ivr_flows.state import CallInfo, CallState

__all__ = ["FAILED_OUTCOMES", "SessionRecord", "route_of", "session_record"]

_HIDDEN_PREFIXES = ("call_id", "uniqueid", "channel", "flow")


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One IVR session as stored: where the caller went, what they pressed, how it ended."""

    call_id: str
    channel: str
    caller_number: str
    flow: str
    started: float
    ended: float | None
    outcome: str
    last_flow: str
    last_step: str
    language: str
    queue: str
    digits: str
    customer_id: int | None
    variables: Mapping[str, str] = field(default_factory=_empty)
    trace: tuple[dict[str, Any], ...] = ()

    def to_row(self) -> Any:
        """The ``ivr_session`` row (:class:`~switchboard.ivr_flows.records.IvrSession`)."""
        from switchboard.ivr_flows.records import IvrSession, _at

        return IvrSession(
            call_id=self.call_id,
            channel=self.channel,
            caller_number=self.caller_number,
            flow=self.flow,
            started_at=_at(self.started),
            ended_at=_at(self.ended),
            outcome=self.outcome,
            last_flow=self.last_flow,
            last_step=self.last_step,
            language=self.language,
            queue=self.queue,
            digits=self.digits[:256],
            customer_id=self.customer_id,
            variables=dict(self.variables),
            trace=list(self.trace),
        )


# Outcomes after which the dialplan's fallback takes the call; after any other the call
# goes where switchboard sent it (``Queue()`` by SWITCHBOARD_QUEUE when ``queued``).
FAILED_OUTCOMES: Final = frozenset({"error", "menu_failed", "no_answer"})


def route_of(outcome: str) -> str:
    """``SWITCHBOARD_ROUTE`` for a flow that ended with ``outcome``."""
    failed = outcome in FAILED_OUTCOMES or outcome.endswith(("_failed", "_unavailable"))
    return FAILED if failed else ROUTED


def session_record(state: CallState, call: CallInfo) -> SessionRecord:
    """The record of a finished (or abandoned) session."""
    variables = {k: v for k, v in state.variables.items() if not k.startswith(_HIDDEN_PREFIXES)}
    return SessionRecord(
        call_id=state.call_id,
        channel=call.channel,
        caller_number=call.caller_number,
        flow=state.entry_flow,
        started=state.started,
        ended=state.ended,
        outcome=state.outcome or "unfinished",
        last_flow=state.flow,
        last_step=state.step,
        language=state.language,
        queue=state.queue,
        digits=state.digits,
        customer_id=state.customer_id,
        variables=MappingProxyType(variables),
        trace=tuple(entry.to_json() for entry in state.trace),
    )
