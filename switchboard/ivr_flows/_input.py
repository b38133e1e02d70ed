# -*- test-case-name: tests.ivr.test_engine -*-
"""Steps that wait for the caller: menu, language, survey (one key) and collect (digits).

Type-ahead: every prompt is played with all digits as escape digits, so a key pressed
while it plays stops it and counts as the answer (Asterisk drops keys pressed *between*
commands, so this is how a caller who knows the menu is not lost). A digit left over from
an interrupted ``play``/``say`` arrives in ``state.pending`` and is consumed first.
After a wrong key or silence, the step says its ``invalid_prompts`` / ``timeout_prompts``
(also interruptible) and asks again, ``retries`` times; then it goes to ``on_timeout``
(silence) or ``fallback``; with neither, the IVR ends as ``menu_failed`` so that the
dialplan's fallback route takes the call (never dead air).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows._base import Ctx, Emit, Jump, Out, Stop
from switchboard.ivr_flows.effects import (
    ALL_DIGITS,
    CONTINUE_PROMPT,
    Done,
    Entered,
    GetData,
    Played,
    Result,
    SaveSurvey,
    StreamFile,
    SurveyAnswer,
    WaitForDigit,
)
from switchboard.ivr_flows.interpolate import is_luhn_valid
from switchboard.ivr_flows.state import CallState

__all__ = ["CollectHandler", "KeyHandler"]

Prompted = m.Menu | m.Language | m.Survey | m.Collect


def _notices(step: Prompted, state: CallState) -> tuple[str, ...]:
    return step.timeout_prompts if state.failure == "timeout" else step.invalid_prompts


def _fail(
    ctx: Ctx,
    step: Prompted,
    state: CallState,
    kind: str,
    restart: Callable[[Ctx, Any, CallState], Out],
    **data: Any,
) -> Out:
    attempts = state.attempts + 1
    state = ctx.trace(state, kind, attempt=attempts, **data)
    if attempts > step.retries:
        return _give_up(ctx, step, state, kind)
    return restart(
        ctx,
        step,
        replace(state, attempts=attempts, failure=kind, stage="notice", index=0, buffer=""),
    )


def _give_up(ctx: Ctx, step: Prompted, state: CallState, kind: str) -> Out:
    state = ctx.trace(state, "gave_up", reason=kind)
    target = step.on_timeout if kind == "timeout" and step.on_timeout else step.fallback
    if target is not None:
        return Jump(state, target)
    if isinstance(step, m.Language):
        if step.default:
            state = ctx.set_vars(state, {"language": step.default})
        return Jump(state, ctx.next_of(step))
    if isinstance(step, m.Survey):
        return Jump(state, ctx.next_of(step))
    return Stop(state, "menu_failed")


class KeyHandler:
    """Menu, language choice and survey: one key, chosen from a set."""

    def enter(self, ctx: Ctx, step: m.Menu | m.Language | m.Survey, state: CallState) -> Out:
        if state.pending:
            digit, rest = state.pending[0], state.pending[1:]
            state = ctx.trace(replace(state, pending=rest), "type_ahead", digit=digit)
            return self._choose(ctx, step, state, digit)
        return self._prompt(ctx, step, replace(state, stage="prompt", index=0))

    def resume(
        self, ctx: Ctx, step: m.Menu | m.Language | m.Survey, state: CallState, result: Result
    ) -> Out:
        if state.stage == "save" and isinstance(result, Done):
            return Jump(state, ctx.next_of(step))
        if not isinstance(result, Played):
            raise TypeError(f"{step.id}: expected Played, got {type(result).__name__}")
        if result.digit:
            state = ctx.pressed(state, result.digit)
            return self._choose(ctx, step, state, result.digit)
        if state.stage == "wait":
            return _fail(ctx, step, state, "timeout", self._prompt)
        return self._prompt(ctx, step, replace(state, index=state.index + 1))

    def _prompt(self, ctx: Ctx, step: m.Menu | m.Language | m.Survey, state: CallState) -> Out:
        prompts = step.prompts if state.stage == "prompt" else _notices(step, state)
        if state.index < len(prompts):
            return Emit(state, StreamFile(ctx.prompt(state, prompts[state.index]), ALL_DIGITS))
        if state.stage == "notice":
            return self._prompt(ctx, step, replace(state, stage="prompt", index=0))
        return Emit(replace(state, stage="wait"), WaitForDigit(int(step.timeout_s * 1000)))

    def _choose(
        self, ctx: Ctx, step: m.Menu | m.Language | m.Survey, state: CallState, digit: str
    ) -> Out:
        if isinstance(step, m.Menu):
            option = step.options.get(digit)
            if option is not None:
                state = ctx.set_vars(state, {step.var: digit})
                state = ctx.trace(
                    ctx.assign(state, option.set), "chose", digit=digit, next=option.next
                )
                return Jump(state, option.next)
        elif isinstance(step, m.Language):
            language = step.options.get(digit)
            if language is not None:
                state = ctx.trace(
                    ctx.set_vars(state, {"language": language}),
                    "chose",
                    digit=digit,
                    language=language,
                )
                return Jump(state, ctx.next_of(step))
        elif digit.isdigit() and 1 <= int(digit) <= step.scale:
            state = ctx.trace(ctx.set_vars(state, {step.var: digit}), "scored", score=int(digit))
            answer = SurveyAnswer(
                call_id=state.call_id,
                score=int(digit),
                agent=ctx.render(state, step.agent),
                queue=ctx.render(state, step.queue),
                flow=ctx.flow.name,
                at=ctx.now,
            )
            return Emit(replace(state, stage="save"), SaveSurvey(answer))
        return _fail(ctx, step, state, "invalid", self._prompt, digit=digit)


class CollectHandler:
    """Collect several digits: length, ``#`` terminator, pattern and Luhn checks."""

    def enter(self, ctx: Ctx, step: m.Collect, state: CallState) -> Out:
        if state.pending:
            state = ctx.trace(state, "type_ahead", digits=state.pending)
            return self._more(ctx, step, replace(state, buffer=state.pending, pending=""))
        return self._prompt(ctx, step, replace(state, stage="prompt", index=0))

    def resume(self, ctx: Ctx, step: m.Collect, state: CallState, result: Result) -> Out:
        if isinstance(result, Entered):
            state = ctx.pressed(state, result.digits)
            value = state.buffer + result.digits
            if not value and result.timed_out:
                return _fail(ctx, step, state, "timeout", self._prompt)
            return self._check(ctx, step, state, value)
        if not isinstance(result, Played):
            raise TypeError(f"{step.id}: expected Played or Entered, got {type(result).__name__}")
        if result.digit:
            state = ctx.pressed(state, result.digit)
            return self._more(ctx, step, replace(state, buffer=result.digit))
        return self._prompt(ctx, step, replace(state, index=state.index + 1))

    def _prompt(self, ctx: Ctx, step: m.Collect, state: CallState) -> Out:
        prompts = step.prompts if state.stage == "prompt" else _notices(step, state)
        last = state.stage == "prompt" and state.index == len(prompts) - 1
        if state.index < len(prompts) and not last:
            return Emit(state, StreamFile(ctx.prompt(state, prompts[state.index]), ALL_DIGITS))
        if state.stage == "notice":
            return self._prompt(ctx, step, replace(state, stage="prompt", index=0))
        prompt = ctx.prompt(state, prompts[-1]) if prompts else CONTINUE_PROMPT
        return Emit(
            replace(state, stage="get"),
            GetData(prompt, int(step.timeout_s * 1000), step.max_digits),
        )

    def _more(self, ctx: Ctx, step: m.Collect, state: CallState) -> Out:
        """Digits already typed: finish on ``#`` or a full buffer, else collect the rest."""
        if step.terminator in state.buffer:
            return self._check(ctx, step, state, state.buffer.split(step.terminator)[0])
        if len(state.buffer) >= step.max_digits:
            return self._check(ctx, step, state, state.buffer[: step.max_digits])
        return Emit(
            replace(state, stage="get"),
            GetData(
                CONTINUE_PROMPT, int(step.timeout_s * 1000), step.max_digits - len(state.buffer)
            ),
        )

    def _check(self, ctx: Ctx, step: m.Collect, state: CallState, value: str) -> Out:
        problem = ""
        if not value:
            problem = "empty"
        elif not (step.min_digits <= len(value) <= step.max_digits):
            problem = "length"
        elif step.pattern is not None and re.fullmatch(step.pattern, value) is None:
            problem = "pattern"
        elif step.luhn and not is_luhn_valid(value):
            problem = "luhn"
        if problem:
            return _fail(
                ctx, step, state, "invalid", self._prompt, check=problem, length=len(value)
            )
        state = ctx.trace(
            ctx.set_vars(state, {step.var: value}), "collected", var=step.var, length=len(value)
        )
        return Jump(replace(state, buffer=""), ctx.next_of(step))
