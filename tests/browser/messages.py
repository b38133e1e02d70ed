"""Websocket messages for the seat page's tests, in the shapes of ``docs/websocket-api.md``
(snapshot, state, pop, pop_update, call, figures; every one ``{"v": 1, "type": ...}``)."""

from __future__ import annotations

import time
from typing import Any

DISPOSITIONS = {
    "default": ["resolved", "follow_up", "complaint", "transferred"],
    "by_queue": {"support": ["resolved", "follow_up", "complaint", "escalated"]},
}
NOT_YET = ("customer", "unknown_caller", "new_customer", "ivr", "last_calls", "csat", "tickets")


def snapshot(
    state: str = "ready",
    *,
    reason: str = "",
    call: dict[str, Any] | None = None,
    reasons: tuple[str, ...] = ("break", "lunch", "training"),
) -> dict[str, Any]:
    return {
        "v": 1,
        "type": "snapshot",
        "agent_id": "1003",
        "state": {"state": state, "reason": reason, "since": time.time() - 761},
        "call": call,
        "figures": {
            "day": "2026-12-05",
            "calls_handled": 23,
            "aht_s": 245.3,
            "missed_offers": 1,
            "not_ready_s": {"lunch": 1800.0, "break": 600.0},
            "not_ready_total_s": 2400.0,
        },
        "pause_reasons": list(reasons),
        "dispositions": DISPOSITIONS,
        "wrapup_auto_ready": True,
    }


def pop(call_id: str = "c-1", number: str = "13812345678") -> dict[str, Any]:
    """What is known the moment the phone rings: the database half still null."""
    now = time.time()
    card: dict[str, Any] = {
        "call_id": call_id,
        "queue": "support",
        "phase": "ringing",
        "number": number,
        "offered_at": now,
        "enqueued_at": now - 18,
        "waited_s": 18.0,
        "language": "cmn",
        "vip": 2,
        "callback": False,
        "attempt": 0,
        "ivr_ref": call_id,
        "ivr_digits": "",
        "dispositions": DISPOSITIONS["by_queue"]["support"],
        "complete": False,
        "answered_at": None,
        "ended_at": None,
    }
    card.update(dict.fromkeys(NOT_YET))
    return {"v": 1, "type": "pop", "call": card}


def ivr() -> dict[str, Any]:
    return {
        "flow": "main-menu",
        "outcome": "queued",
        "language": "cmn",
        "digits": "**************7890",  # masked by the server (switchboard/seat/reveal.py)
        "path": [
            {"flow": "main-menu", "step": "choose_language"},
            {"flow": "main-menu", "step": "menu"},
            {"flow": "balance", "step": "account"},
        ],
        "inputs": [
            {"flow": "main-menu", "step": "choose_language", "kind": "language",
             "label": "language", "digits": "1", "value": "cmn"},
            {"flow": "main-menu", "step": "menu", "kind": "menu", "label": "menu",
             "digits": "1", "value": "self_service"},
            {"flow": "balance", "step": "account", "kind": "collect", "label": "account",
             "masked": "************7890", "field": "ivr.inputs.2"},
        ],
    }  # fmt: skip


# What the server keeps behind the masks above (the stand-in's reveal answers with these).
REVEALABLE = {
    "ivr.inputs.2": "6222021234567890",
    "identifiers.0": "13812345678",
    "identifiers.1": "6222021234567890",
    "ivr.digits": "116222021234567890",
    "ivr_digits": "162221234",
}


def pop_update(call_id: str = "c-1", *, known: bool = True) -> dict[str, Any]:
    """The rest of the card once the database answered (``known=False``: nobody matched)."""
    if not known:
        return {"v": 1, "type": "pop_update", "call_id": call_id, "customer": None,
                "unknown_caller": True, "new_customer": {"phone": "02187654321"}, "vip": 0,
                "language": "cmn", "ivr": ivr(), "last_calls": [], "csat": None,
                "tickets": []}  # fmt: skip
    day = 24 * 3600
    base = time.mktime((2026, 11, 28, 10, 0, 0, 0, 0, -1))  # local time: the page shows local days
    calls = [
        {"call_id": f"old-{i}", "at": base - i * day, "queue": "support", "agent_id": "1002",
         "outcome": "answered", "talk_s": 60.0,
         "disposition": {"code": "resolved", "note": "", "agent_id": "1002", "at": base}}
        for i in range(6)
    ]  # fmt: skip
    calls[1]["disposition"] = {"code": "complaint", "note": "refund late", "agent_id": "1002",
                               "at": base}  # fmt: skip
    calls[2]["disposition"] = None
    return {
        "v": 1,
        "type": "pop_update",
        "call_id": call_id,
        "customer": {
            "id": 42,
            "name": "张伟",
            "vip_level": 2,
            "language": "cmn",
            "identifiers": [
                {"kind": "phone", "masked": "*******5678", "field": "identifiers.0"},
                {"kind": "account", "masked": "************7890", "field": "identifiers.1"},
            ],
            "attributes": {"balance": "1024.50"},
        },
        "unknown_caller": False,
        "new_customer": None,
        "vip": 2,
        "language": "cmn",
        "ivr": ivr(),
        "last_calls": calls,
        "csat": {"score": 4, "call_id": "old-0", "at": base},
        "tickets": [{"id": 1042, "title": "扣费投诉", "status": "open"}],
    }


def answered_card(call_id: str = "c-1") -> dict[str, Any]:
    """A whole card, as a snapshot carries it while the agent talks."""
    card = dict(pop(call_id)["call"], phase="answered", complete=True)
    update = pop_update(call_id)
    card.update({k: v for k, v in update.items() if k not in ("v", "type")})
    return card


def call(event: str, call_id: str = "c-1", **card: Any) -> dict[str, Any]:
    """A ``call`` event; ``card`` holds the card's fields that changed (the server sends the
    whole card, and the page must cope with either)."""
    phase = event if event in ("answered", "ended", "wrap_up") else None
    whole = {"call_id": call_id, **({"phase": phase} if phase else {}), **card}
    return {"v": 1, "type": "call", "event": event, "call_id": call_id, "at": time.time(),
            "call": whole}  # fmt: skip


def state(name: str, reason: str = "") -> dict[str, Any]:
    return {"v": 1, "type": "state", "agent_id": "1003", "state": name, "reason": reason,
            "since": time.time()}  # fmt: skip
