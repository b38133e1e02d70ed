# -*- test-case-name: tests.ivr.test_engine -*-
"""What step handlers share: the context they read and the three ways a step can go on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Protocol

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows.effects import Effect, Result
from switchboard.ivr_flows.interpolate import interpolate
from switchboard.ivr_flows.state import CallState, TraceEntry
from switchboard.ivr_flows.validate import next_of

__all__ = ["Ctx", "Emit", "Handler", "Jump", "Out", "Stop"]


@dataclass(frozen=True, slots=True)
class Emit:
    """Wait for this effect's result."""

    state: CallState
    effect: Effect


@dataclass(frozen=True, slots=True)
class Jump:
    """Go to a step of the current flow (None: the end of this flow)."""

    state: CallState
    target: str | None


@dataclass(frozen=True, slots=True)
class Stop:
    """The IVR is over for this call."""

    state: CallState
    outcome: str


Out = Emit | Jump | Stop


@dataclass(frozen=True, slots=True)
class Ctx:
    """Read-only context of one engine call: the flows, the current flow and ``now``."""

    flows: m.FlowSet
    flow: m.Flow
    now: float

    def render(self, state: CallState, template: str) -> str:
        return interpolate(template, state.variables)

    def prompt(self, state: CallState, name: str) -> str:
        return self.flows.prompts.resolve(self.render(state, name), state.language)

    def next_of(self, step: m.Step) -> str | None:
        return next_of(self.flow, step)

    def assign(self, state: CallState, templates: Mapping[str, str]) -> CallState:
        """Set variables from templates (each rendered against the values before)."""
        if not templates:
            return state
        values = {name: self.render(state, value) for name, value in templates.items()}
        return self.set_vars(state, values)

    def set_vars(self, state: CallState, values: Mapping[str, str]) -> CallState:
        merged = dict(state.variables)
        merged.update(values)
        if "language" in values:
            code = self.flows.prompts.language_for(values["language"]) or values["language"]
            merged["language"] = code
            state = replace(state, language=code)
        return replace(state, variables=MappingProxyType(merged))

    def trace(self, state: CallState, event: str, **data: Any) -> CallState:
        entry = TraceEntry(
            round((self.now - state.started) * 1000),
            state.flow,
            state.step,
            event,
            MappingProxyType(data),
        )
        return replace(state, trace=(*state.trace, entry))

    def pressed(self, state: CallState, digits: str) -> CallState:
        """Remember digits the caller pressed (the call's digit path)."""
        if not digits:
            return state
        all_digits = state.digits + digits
        state = replace(state, digits=all_digits)
        return self.set_vars(state, {"ivr_digits": all_digits})


class Handler(Protocol):
    """How one step type starts, and goes on after each result."""

    def enter(self, ctx: Ctx, step: Any, state: CallState) -> Out: ...

    def resume(self, ctx: Ctx, step: Any, state: CallState, result: Result) -> Out: ...
