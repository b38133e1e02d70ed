"""Websocket messages for the seat page's tests, in the shape of the contract's types
(snapshot, state, pop, pop_update, call, figures; every one ``{"v": 1, "type": ...}``)."""

from __future__ import annotations

import time
from typing import Any

DISPOSITIONS = {
    "support": [
        {"code": "resolved", "label": "Resolved"},
        {"code": "callback", "label": "Needs a callback"},
        {"code": "complaint", "label": "Complaint"},
        {"code": "transfer", "label": "Sent to another team"},
    ],
    "default": [{"code": "resolved", "label": "Resolved"}],
}


def snapshot(
    state: str = "ready",
    *,
    reason: str | None = None,
    call: dict[str, Any] | None = None,
    reasons: tuple[str, ...] = ("break", "lunch", "training"),
) -> dict[str, Any]:
    return {
        "v": 1,
        "type": "snapshot",
        "agent": {"id": "1003", "name": "王小明", "queues": ["sales", "support"]},
        "state": state,
        "reason": reason,
        "since": time.time() - 761,
        "now": time.time(),
        "call": call,
        "figures": {
            "calls_handled": 23,
            "avg_handle_s": 245,
            "missed_offers": 1,
            "not_ready_s": {"lunch": 1800, "break": 600},
        },
        "pause_reasons": list(reasons),
        "dispositions": DISPOSITIONS,
    }


def pop(call_id: str = "c-1", number: str = "13812345678") -> dict[str, Any]:
    """What is known the moment the phone rings: no customer yet."""
    return {
        "v": 1,
        "type": "pop",
        "call": {
            "call_id": call_id,
            "status": "ringing",
            "number": number,
            "queue": "support",
            "waited_s": 18,
            "language": "cmn",
            "vip": 2,
            "ivr": {
                "path": ["普通话", "查询余额", "人工服务"],
                "digits": [{"label": "账号", "value": "62221234"}],
            },
        },
    }


def pop_update(call_id: str = "c-1", *, known: bool = True) -> dict[str, Any]:
    """The rest of the card once the database answered (``known=False``: nobody matched)."""
    if not known:
        return {"v": 1, "type": "pop_update", "call_id": call_id, "customer": None,
                "recent_calls": [], "tickets": [], "csat": None}  # fmt: skip
    calls = [
        {"at": f"2026-11-{28 - i:02d}T10:00:00Z", "disposition": "resolved", "queue": "support"}
        for i in range(6)
    ]
    calls[1]["disposition"] = "complaint"
    return {
        "v": 1,
        "type": "pop_update",
        "call_id": call_id,
        "customer": {
            "id": 7,
            "name": "张伟",
            "vip": 2,
            "identifiers": [{"kind": "account", "value": "6222 **** 1234"}],
        },
        "recent_calls": calls,
        "tickets": [{"id": 1042, "title": "扣费投诉", "status": "open"}],
        "csat": {"score": 4, "scale": 5},
    }


def answered_card(call_id: str = "c-1") -> dict[str, Any]:
    """A whole card, as a snapshot carries it while the agent talks."""
    card = dict(pop(call_id)["call"], status="answered")
    update = pop_update(call_id)
    card.update({k: v for k, v in update.items() if k not in ("v", "type")})
    return card


def call(status: str, call_id: str = "c-1", **extra: Any) -> dict[str, Any]:
    return {"v": 1, "type": "call", "call_id": call_id, "status": status, **extra}


def state(name: str, reason: str | None = None) -> dict[str, Any]:
    return {"v": 1, "type": "state", "state": name, "reason": reason, "since": time.time()}
