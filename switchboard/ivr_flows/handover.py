# -*- test-case-name: tests.ivr.test_handover -*-
"""Hand a caller from a flow's ``queue`` step to switchboard's own ACD.

Without an ACD a ``queue`` step leaves ``SWITCHBOARD_QUEUE`` (and priority, language,
customer) for the dialplan's ``Queue()``, and the AGI session ends. With one, the runner
saves the IVR trace first (so the agent's screen pop can show the caller's path) and then
awaits the ACD, which keeps the AGI session: music on hold, announcements, the callback
offer, and the dial to the chosen agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from switchboard.cti.agi.channel import AgiChannel
from switchboard.ivr_flows.state import CallState

if TYPE_CHECKING:  # the ACD loads only when a call is handed to it (process AGI start-up)
    from switchboard.queue.shell.hold import QueueOutcome, QueueRequest

__all__ = ["QueueHandover", "queue_request"]


class QueueHandover(Protocol):
    """What the IVR needs of the ACD (``switchboard.queue.shell.service.AcdService`` is one)."""

    async def hold(self, channel: AgiChannel, request: QueueRequest) -> QueueOutcome: ...


def queue_request(state: CallState, *, answered: bool = False) -> QueueRequest:
    """What the flow decided, as the ACD takes it (from the ``queue`` step's trace entry).
    The ``queue`` step has set SWITCHBOARD_QUEUE; ``answered``: the flow answered."""
    from switchboard.queue.shell.hold import QueueRequest

    decided = next((e.data for e in reversed(state.trace) if e.event == "queue"), {})
    priority = str(decided.get("priority") or "0")
    skills = [name for name in str(decided.get("skills") or "").split(",") if name]
    tier = state.variables.get("customer.vip_level", "0")
    return QueueRequest(
        queue=state.queue,
        priority=int(priority) if priority.lstrip("-").isdigit() else 0,
        skills=dict.fromkeys(skills, 1),
        language=state.language,
        customer_tier=int(tier) if tier.isdigit() else 0,
        ivr_ref=state.call_id,
        answered=answered,
        queue_variable_set=True,
    )
