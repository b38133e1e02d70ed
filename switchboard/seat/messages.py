# -*- test-case-name: tests.seat.test_feed -*-
"""The JSON messages of the seat's websocket (``docs/websocket-api.md``): ``{"v": 1,
"type": ..., ...}``, ready for ``json.dumps``."""

from __future__ import annotations

from typing import Any

from switchboard.seat.ports import VERSION

__all__ = ["message", "state_message"]


def message(kind: str, **fields: Any) -> dict[str, Any]:
    return {"v": VERSION, "type": kind, **fields}


def state_message(agent_id: str, state: str, reason: str, since: float | None) -> dict[str, Any]:
    """An agent's state (``since``: epoch seconds of the change; None when not known)."""
    return message("state", agent_id=agent_id, state=state, reason=reason, since=since)
