# -*- test-case-name: tests.ivr.test_engine -*-
"""Walk a flow offline with a scripted caller: no Asterisk, no sockets, no database.

The caller is a list of actions consumed in order at each chance to act:

* ``"3"`` (one key) interrupts the next prompt played with escape digits, or answers the
  next digit wait;
* ``"12345#"`` (several keys) answers the next digit collection (``#`` ends it);
* ``"-"`` stays silent at the next wait or collection (a timeout);
* ``"hangup"`` hangs up at the next command.

Prompts play to the end unless a key is next in the script. Used by the tests and by
``switchboard flows try``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from switchboard.crm.directory import normalize
from switchboard.ivr_flows.effects import (
    CustomerView,
    Dial,
    Dialed,
    Done,
    Effect,
    Entered,
    Finish,
    Found,
    GetData,
    LookupCustomer,
    Played,
    ReadVariables,
    Result,
    SayDate,
    SayDigits,
    SayNumber,
    StreamFile,
    Values,
    WaitForDigit,
)
from switchboard.ivr_flows.engine import Engine
from switchboard.ivr_flows.state import CallInfo, CallState

__all__ = ["HANGUP", "SILENCE", "Walk", "walk"]

SILENCE: Final = "-"
HANGUP: Final = "hangup"


@dataclass
class Walk:
    """Everything that happened: the effects in order and the final state."""

    state: CallState
    effects: list[Effect] = field(default_factory=list)

    @property
    def played(self) -> list[str]:
        return [e.file for e in self.effects if isinstance(e, StreamFile | GetData)]

    @property
    def variables_set(self) -> dict[str, str]:
        from switchboard.ivr_flows.effects import SetVariables

        found: dict[str, str] = {}
        for effect in self.effects:
            if isinstance(effect, SetVariables):
                found.update(effect.values)
        return found

    @property
    def steps(self) -> list[str]:
        return [t.step for t in self.state.trace if t.event == "entered"]


def _respond(
    effect: Effect,
    script: list[str],
    customers: Mapping[tuple[str, str], CustomerView],
    channel_variables: Mapping[str, str],
    dial_status: str,
) -> Result:
    head = script[0] if script else None
    if isinstance(effect, StreamFile | SayDigits | SayNumber | SayDate):
        if head is not None and len(head) == 1 and head in effect.escape_digits:
            return Played(script.pop(0))
        return Played(None)
    if isinstance(effect, WaitForDigit):
        if head is None:
            return Played(None)
        action = script.pop(0)
        return Played(None if action == SILENCE else action[0])
    if isinstance(effect, GetData):
        if head is None or head == SILENCE:
            if script:
                script.pop(0)
            return Entered("", True)
        keys = script.pop(0)
        typed = keys.split("#")[0][: effect.max_digits]
        return Entered(typed, "#" not in keys and len(typed) < effect.max_digits)
    if isinstance(effect, LookupCustomer):
        for (kind, value), customer in customers.items():
            if effect.kind in ("any", kind) and normalize(kind, effect.value) == value:
                return Found(customer)
        return Found(None)
    if isinstance(effect, ReadVariables):
        return Values({name: channel_variables.get(name) for name in effect.names})
    if isinstance(effect, Dial):
        return Dialed(dial_status)
    return Done()


def walk(
    engine: Engine,
    flow: str,
    script: Sequence[str] = (),
    *,
    call: CallInfo | None = None,
    now: float = 0.0,
    step_s: float = 1.0,
    customers: Mapping[tuple[str, str], CustomerView] | None = None,
    channel_variables: Mapping[str, str] | None = None,
    dial_status: str = "ANSWER",
    max_effects: int = 1000,
) -> Walk:
    """Run ``flow`` against the scripted caller; each effect takes ``step_s`` seconds."""
    pending = list(script)
    call = call or CallInfo(call_id="sim-1", caller_number="13800138000", channel="SIM/1")
    state, effect = engine.start(flow, call, now)
    result_walk = Walk(state, [effect])
    found = {(k, normalize(k, v)): c for (k, v), c in (customers or {}).items()}
    while not isinstance(effect, Finish) and len(result_walk.effects) < max_effects:
        now += step_s
        if pending and pending[0] == HANGUP:
            pending.pop(0)
            state = engine.hung_up(state, now)
            break
        result = _respond(effect, pending, found, channel_variables or {}, dial_status)
        state, effect = engine.resume(state, result, now)
        result_walk.effects.append(effect)
    result_walk.state = state
    return result_walk
