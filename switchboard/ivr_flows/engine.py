# -*- test-case-name: tests.ivr.test_engine -*-
"""The pure IVR interpreter: (state, result, now) -> (state, next effect).

No I/O, no clock, no Twisted: the FastAGI runner, a process-AGI driver and the tests all
drive it the same way::

    state, effect = engine.start("main-menu", call, now)
    while not isinstance(effect, Finish):
        result = perform(effect)            # one AGI command or store call
        state, effect = engine.resume(state, result, now)

Steps that need nothing from outside (set, branch, hours ...) run within one call, up to
:data:`MAX_HOPS` of them; more means a loop without input slipped past validation, which
raises :class:`FlowLoopError` (the runner then sends the caller to the fallback).
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, Final

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows._base import Ctx, Emit, Jump, Out, Stop
from switchboard.ivr_flows._steps import HANDLERS
from switchboard.ivr_flows.effects import Answer, Effect, Finish, ReadVariables, Result, Values
from switchboard.ivr_flows.state import CallInfo, CallState, TraceEntry

__all__ = ["MAX_HOPS", "Engine", "FlowLoopError", "Turn"]

MAX_HOPS: Final = 200
Turn = tuple[CallState, Effect]


class FlowLoopError(RuntimeError):
    """Too many steps ran without waiting for anything."""


class Engine:
    """Interprets one validated :class:`~.model.FlowSet`."""

    def __init__(self, flows: m.FlowSet) -> None:
        self.flows = flows

    def start(self, flow: str, call: CallInfo, now: float) -> Turn:
        """Begin ``flow`` for a call; raise KeyError if there is no such flow."""
        spec = self.flows.flows[flow]
        catalog = self.flows.prompts
        language = (
            catalog.language_for(call.query.get("lang", ""))
            or catalog.language_for(call.language)
            or catalog.language_for(spec.language)
            or catalog.fallback
            or spec.language
            or call.language
        )
        variables = dict(spec.variables)
        variables.update(call.variables())
        variables.update({"flow": flow, "language": language})
        state = CallState(
            call_id=call.call_id,
            entry_flow=flow,
            flow=flow,
            started=now,
            variables=MappingProxyType(variables),
            language=language,
        )
        state = _traced(state, now, "started", caller=call.caller_number, language=language)
        if spec.answer:
            return replace(state, stage="answer"), Answer()
        return self._after_answer(state, now)

    def resume(self, state: CallState, result: Result, now: float) -> Turn:
        """Feed the result of the last effect; get the next one."""
        if state.finished:
            raise RuntimeError(f"the IVR of call {state.call_id} is already over")
        if not state.step:
            if state.stage == "answer":
                return self._after_answer(state, now)
            if state.stage == "import" and isinstance(result, Values):
                names = self._flow(state).channel_variables
                values = {var: result.values.get(chan) or "" for var, chan in names.items()}
                state = _with_vars(state, values)
                return self._run(Jump(replace(state, stage=""), self._flow(state).start), now)
            raise RuntimeError(f"unexpected {type(result).__name__} before the first step")
        step = self._flow(state).steps[state.step]
        return self._run(
            HANDLERS[type(step)].resume(self._ctx(state, now), step, state, result), now
        )

    def hung_up(self, state: CallState, now: float) -> CallState:
        """The caller left: close the trace where they were."""
        if state.finished:
            return state
        state = _traced(state, now, "caller_hung_up", stage=state.stage)
        return replace(state, outcome="caller_hangup", ended=now)

    def crashed(
        self, state: CallState, now: float, error: str, outcome: str = "error"
    ) -> CallState:
        """Something broke: close the trace with the error (the runner picks a fallback).
        ``outcome`` names what happened when it is known (``voicemail_unavailable``)."""
        if state.finished:
            return state
        state = _traced(state, now, "error", error=error[:500])
        return replace(state, outcome=outcome, ended=now)

    # -- internals ----------------------------------------------------------------------------
    def _after_answer(self, state: CallState, now: float) -> Turn:
        names = self._flow(state).channel_variables
        if names:
            return replace(state, stage="import"), ReadVariables(tuple(names.values()))
        return self._run(Jump(replace(state, stage=""), self._flow(state).start), now)

    def _flow(self, state: CallState) -> m.Flow:
        return self.flows.flows[state.flow]

    def _ctx(self, state: CallState, now: float) -> Ctx:
        return Ctx(self.flows, self._flow(state), now)

    def _run(self, out: Out, now: float) -> Turn:
        for _ in range(MAX_HOPS):
            if isinstance(out, Emit):
                return out.state, out.effect
            if isinstance(out, Stop):
                state = _traced(out.state, now, "ended", outcome=out.outcome)
                return replace(state, outcome=out.outcome, ended=now), Finish(out.outcome)
            out = self._enter(out.state, out.target, now)
        raise FlowLoopError(f"more than {MAX_HOPS} steps without input (last: {out.state.step})")

    def _enter(self, state: CallState, target: str | None, now: float) -> Out:
        if target is None:
            if not state.stack:
                return Stop(state, "completed")
            frame = state.stack[-1]
            state = _traced(state, now, "returned", to=frame.flow)
            state = replace(state, flow=frame.flow, stack=state.stack[:-1])
            return Jump(state, frame.next)
        flow = self._flow(state)
        step = flow.steps[target]
        state = replace(state, step=target, stage="", index=0, attempts=0, buffer="", failure="")
        ctx = Ctx(self.flows, flow, now)
        state = ctx.trace(state, "entered", type=m.STEP_TYPE_NAMES[type(step)])
        state = ctx.assign(state, step.set)
        return HANDLERS[type(step)].enter(ctx, step, state)


def _with_vars(state: CallState, values: dict[str, str]) -> CallState:
    merged = dict(state.variables)
    merged.update(values)
    return replace(state, variables=MappingProxyType(merged))


def _traced(state: CallState, now: float, event: str, **data: Any) -> CallState:
    entry = TraceEntry(
        round((now - state.started) * 1000), state.flow, state.step, event, MappingProxyType(data)
    )
    return replace(state, trace=(*state.trace, entry))
