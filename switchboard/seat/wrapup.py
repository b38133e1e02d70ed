# -*- test-case-name: tests.seat.test_service -*-
"""``[seat] wrapup_auto_ready = false``: a wrap-up that runs out leaves the agent paused.

The routing mode ends a wrap-up by itself (the ACD after the queue's ``wrap_up_s``); a
centre whose agents must say they are done instead has the seat pause them at that moment
with ``wrapup_pause_reason``, until they go ready. A wrap-up the agent ends from the seat
("finish wrap-up") is theirs and left alone. app_queue reports no wrap-up on AMI, so there
this applies to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import structlog
from twisted.internet.defer import ensureDeferred
from twisted.python.failure import Failure

from switchboard.hub import FACT, Hub
from switchboard.queue.core.decisions import AgentStateChanged, Fact
from switchboard.queue.core.model import AgentState
from switchboard.queue.shell.control import AgentControl

__all__ = ["PauseAfterWrapup"]

log = structlog.get_logger(__name__)


class PauseAfterWrapup:
    def __init__(
        self, hub: Hub, control: AgentControl, reason: str, finishing: Collection[str]
    ) -> None:
        self._hub = hub
        self._control = control
        self._reason = reason
        self._finishing = finishing  # agents ending their wrap-up from the seat right now
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._hub.subscribe(FACT, self._on_fact)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_fact(self, fact: Fact) -> None:
        if not (
            isinstance(fact, AgentStateChanged)
            and fact.previous is AgentState.WRAP_UP
            and fact.state is AgentState.READY
            and fact.agent_id not in self._finishing
        ):
            return
        agent_id = fact.agent_id
        paused = ensureDeferred(self._control.pause(agent_id, self._reason))
        paused.addCallbacks(
            lambda _view: log.info("seat_paused_after_wrapup", agent=agent_id),
            lambda failure: self._failed(agent_id, failure),
        )

    def _failed(self, agent_id: str, failure: Failure) -> None:
        log.warning(
            "seat_pause_after_wrapup_failed", agent=agent_id, error=failure.getErrorMessage()
        )
