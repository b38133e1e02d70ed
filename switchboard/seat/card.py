# -*- test-case-name: tests.seat.test_feed -*-
"""The call card an agent sees: pure functions from what the hub and the database said.

The ``pop`` is built from the ``offered`` payload and the call's ``call_queued`` fact alone,
so it goes out the moment the agent's device rings; :func:`pop_update_fields` turns the
rows the database gave (customer, IVR sessions, past calls) into the rest of the card.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from switchboard.hub.payloads import Offered
from switchboard.queue.core.decisions import CallQueued

__all__ = ["ivr_summary", "mask", "pop_card"]


def mask(value: str, keep: int = 4) -> str:
    """``value`` with all but its last ``keep`` characters hidden (short values wholly)."""
    if len(value) <= keep + 2:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def pop_card(
    offered: Offered, queued: CallQueued | None, dispositions: Sequence[str]
) -> dict[str, Any]:
    """The card at the moment of the offer: number, queue, wait, language, VIP, IVR digits.

    Language and VIP tier come from the call's ``call_queued`` fact (the IVR's choice and the
    customer's tier, as the ACD knows them) or the offer's ``extra``; the rest of the card
    (``customer`` ...) stays ``null`` until the database answers (``pop_update``).
    """
    extra = offered.extra
    enqueued_at = queued.enqueued_at if queued is not None else None
    return {
        "call_id": offered.call_id,
        "queue": offered.queue,
        "phase": "ringing",
        "number": offered.caller_number,
        "offered_at": offered.at,
        "enqueued_at": enqueued_at,
        "waited_s": None if enqueued_at is None else round(max(0.0, offered.at - enqueued_at), 3),
        "language": (queued.language if queued is not None else "") or extra.get("language", ""),
        "vip": (queued.customer_tier if queued is not None else 0) or _int(extra.get("vip", "")),
        "callback": offered.callback,
        "attempt": offered.attempt,
        "ivr_ref": offered.ivr_ref,
        "ivr_digits": extra.get("ivr_digits", ""),
        "dispositions": list(dispositions),
        "complete": False,
        "customer": None,
        "unknown_caller": None,
        "new_customer": None,
        "ivr": None,
        "last_calls": None,
        "csat": None,
        "tickets": None,
        "answered_at": None,
        "ended_at": None,
        "wrap_up_s": None,
    }


def ivr_summary(sessions: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The IVR path and what the caller entered, labelled with the flow's own names.

    ``sessions``: :func:`switchboard.ivr_flows.records.sessions_for_call` of the call's IVR
    reference, oldest first. Each input is labelled by the flow: a ``collect`` step by the
    variable it fills (``account``), a menu by its step id and the option's target
    (``menu`` -> ``operator``), a language choice by the language.
    """
    if not sessions:
        return None
    path: list[dict[str, str]] = []
    inputs: list[dict[str, Any]] = []
    for session in sessions:
        variables = session.get("variables") or {}
        for entry in session.get("trace") or ():
            event, data = entry.get("event"), entry.get("data") or {}
            where = {"flow": str(entry.get("flow", "")), "step": str(entry.get("step", ""))}
            if event == "entered":
                path.append(where)
            elif event == "chose":
                inputs.append(_choice(where, data))
            elif event == "collected":
                inputs.append(_collected(where, data, variables))
    last = sessions[-1]
    return {
        "flow": sessions[0].get("flow", ""),
        "outcome": last.get("outcome", ""),
        "language": last.get("language", ""),
        "digits": "".join(str(s.get("digits") or "") for s in sessions),
        "path": path,
        "inputs": inputs,
    }


def _choice(where: dict[str, str], data: Mapping[str, Any]) -> dict[str, Any]:
    digit = str(data.get("digit", ""))
    if "language" in data:
        value = str(data["language"])
        return {**where, "kind": "language", "label": "language", "digits": digit, "value": value}
    value = str(data.get("next", ""))
    return {**where, "kind": "menu", "label": where["step"], "digits": digit, "value": value}


def _collected(
    where: dict[str, str], data: Mapping[str, Any], variables: Mapping[str, Any]
) -> dict[str, Any]:
    var = str(data.get("var", ""))
    value = str(variables.get(var, ""))
    return {
        **where,
        "kind": "collect",
        "label": var,
        "digits": value,
        "value": value,
        "masked": mask(value),
    }


def customer_json(
    customer_id: int,
    name: str,
    vip_level: int,
    language: str,
    identifiers: Iterable[tuple[str, str]],
    attributes: Mapping[str, Any],
) -> dict[str, Any]:
    """A customer record as the seat shows it (identifiers also masked, for the default view)."""
    return {
        "id": customer_id,
        "name": name,
        "vip_level": vip_level,
        "language": language,
        "identifiers": [
            {"kind": kind, "value": value, "masked": mask(value)} for kind, value in identifiers
        ],
        "attributes": dict(attributes),
    }
