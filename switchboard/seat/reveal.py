# -*- test-case-name: tests.seat.test_reveal -*-
"""Masked identifiers on the call card, and their full values kept on the server.

The browser gets a card whose sensitive values (the customer's identifiers, what the caller
keyed into the IVR: account, ID card ...) are masked, each with a ``field`` key naming it.
The full values stay here, per agent and call, until the agent asks to see one
(``POST /api/v1/seat/calls/{call_id}/reveal``), which is logged. The caller's own number
is not masked: it is on the agent's phone already, and the "new customer" form needs it.

Fields: ``identifiers.<n>`` (the customer's n-th identifier), ``ivr.inputs.<n>`` (the
n-th IVR input, a ``collect`` step's), ``ivr.digits`` (all the IVR's digits) and
``ivr_digits`` (the keys the offer reported, app_queue).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final

from switchboard.seat.card import mask

__all__ = ["CALLS_PER_AGENT", "RevealableValues", "Secrets", "conceal_pop", "conceal_update"]

CALLS_PER_AGENT: Final = 50  # an agent may reveal on their last 50 calls' cards

Secrets = dict[str, str]  # field -> full value


def conceal_pop(card: dict[str, Any]) -> tuple[dict[str, Any], Secrets]:
    """The ``pop`` card with the offer's IVR digits masked, and what was hidden."""
    digits = str(card.get("ivr_digits") or "")
    if not digits:
        return card, {}
    return {**card, "ivr_digits": mask(digits)}, {"ivr_digits": digits}


def conceal_update(fields: dict[str, Any]) -> tuple[dict[str, Any], Secrets]:
    """The ``pop_update`` fields with identifiers and IVR entries masked, and the secrets."""
    secrets: Secrets = {}
    out = dict(fields)
    customer = fields.get("customer")
    if isinstance(customer, dict):
        identifiers = []
        for n, identifier in enumerate(customer.get("identifiers") or ()):
            field = f"identifiers.{n}"
            secrets[field] = str(identifier.get("value", ""))
            identifiers.append(
                {"kind": identifier.get("kind", ""), "masked": mask(secrets[field]), "field": field}
            )
        out["customer"] = {**customer, "identifiers": identifiers}
    ivr = fields.get("ivr")
    if isinstance(ivr, dict):
        inputs = []
        for n, entry in enumerate(ivr.get("inputs") or ()):
            if entry.get("kind") != "collect":  # a menu digit or a language: nothing to hide
                inputs.append(entry)
                continue
            field = f"ivr.inputs.{n}"
            secrets[field] = str(entry.get("value", ""))
            hidden = {k: v for k, v in entry.items() if k not in ("digits", "value")}
            inputs.append({**hidden, "masked": mask(secrets[field]), "field": field})
        digits = str(ivr.get("digits") or "")
        if digits:
            secrets["ivr.digits"] = digits
        out["ivr"] = {**ivr, "inputs": inputs, "digits": mask(digits) if digits else ""}
    return out, secrets


class RevealableValues:
    """The hidden values of the cards each agent was shown, by call; bounded per agent.

    Only a call popped to an agent has an entry under that agent: this is also the check
    that the call was offered to them. A restart forgets it (and the cards with it)."""

    def __init__(self, calls_per_agent: int = CALLS_PER_AGENT) -> None:
        self._calls: dict[str, OrderedDict[str, Secrets]] = {}
        self._limit = calls_per_agent

    def keep(self, agent_id: str, call_id: str, secrets: Secrets) -> None:
        calls = self._calls.setdefault(agent_id, OrderedDict())
        calls.setdefault(call_id, {}).update(secrets)
        calls.move_to_end(call_id)
        while len(calls) > self._limit:
            calls.popitem(last=False)

    def offered(self, agent_id: str, call_id: str) -> bool:
        return call_id in self._calls.get(agent_id, ())

    def value(self, agent_id: str, call_id: str, field: str) -> str | None:
        """The full value, or None when this agent's card of that call had no such field."""
        return self._secrets(agent_id, call_id).get(field)

    def fields(self, agent_id: str, call_id: str) -> list[str]:
        return sorted(self._secrets(agent_id, call_id))

    def _secrets(self, agent_id: str, call_id: str) -> Secrets:
        calls = self._calls.get(agent_id)
        return calls.get(call_id, {}) if calls is not None else {}
