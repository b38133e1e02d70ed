# -*- test-case-name: tests.ivr.test_engine -*-
"""Steps that do not wait for a key: play, say, set, branch, hours, lookup, goto, return,
queue, voicemail, callback, transfer, hang up, recording."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from switchboard.cti.agi.wire import UnsafeArgument, app_argument
from switchboard.dialplan_vars import RECORDING_MUTE_VARIABLE
from switchboard.ivr_flows import model as m
from switchboard.ivr_flows._base import Ctx, Emit, Jump, Out, Stop
from switchboard.ivr_flows.effects import (
    ALL_DIGITS,
    CallbackRequest,
    Dial,
    Dialed,
    ExecApp,
    Found,
    GotoExtension,
    HangupCall,
    LookupCustomer,
    Played,
    Result,
    SaveCallback,
    SayDate,
    SayDigits,
    SayNumber,
    SetVariables,
    StreamFile,
)
from switchboard.ivr_flows.schedule import hours_state, local_time
from switchboard.ivr_flows.state import CallState, Frame

__all__ = ["ACTION_HANDLERS", "case_matches", "dialplan_variables"]


class _Simple:
    """A step decided at once; ``resume`` is never called."""

    def resume(self, ctx: Ctx, step: Any, state: CallState, result: Result) -> Out:
        raise RuntimeError(f"step {step.id} does not wait for results")


class PlayHandler:
    def enter(self, ctx: Ctx, step: m.Play, state: CallState) -> Out:
        return self._play(ctx, step, state)

    def resume(self, ctx: Ctx, step: m.Play, state: CallState, result: Result) -> Out:
        if isinstance(result, Played) and result.digit and step.interruptible:
            state = ctx.pressed(state, result.digit)
            state = ctx.trace(
                replace(state, pending=state.pending + result.digit),
                "interrupted",
                digit=result.digit,
                prompt=state.index,
            )
            return Jump(state, ctx.next_of(step))
        return self._play(ctx, step, replace(state, index=state.index + 1))

    def _play(self, ctx: Ctx, step: m.Play, state: CallState) -> Out:
        if state.index >= len(step.prompts):
            return Jump(state, ctx.next_of(step))
        escape = ALL_DIGITS if step.interruptible else ""
        return Emit(state, StreamFile(ctx.prompt(state, step.prompts[state.index]), escape))


def _as_epoch(value: str) -> int | None:
    """Epoch seconds from digits, or from an ISO date (noon UTC keeps the calendar day)."""
    if value.isdigit():
        return int(value)
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return (day - date(1970, 1, 1)).days * 86400 + 12 * 3600


class SayHandler:
    def enter(self, ctx: Ctx, step: m.Say, state: CallState) -> Out:
        value = ctx.render(state, step.value).strip()
        escape = ALL_DIGITS if step.interruptible else ""
        if step.kind == "digits":
            digits = "".join(ch for ch in value if ch in ALL_DIGITS)
            if digits:
                return Emit(state, SayDigits(digits, escape))
        elif step.kind == "number":
            try:
                return Emit(state, SayNumber(int(float(value)), escape))
            except ValueError:
                pass
        else:
            epoch = _as_epoch(value)
            if epoch is not None:
                return Emit(state, SayDate(epoch, escape))
        state = ctx.trace(state, "say_skipped", reason=f"not a {step.kind}", length=len(value))
        return Jump(state, ctx.next_of(step))

    def resume(self, ctx: Ctx, step: m.Say, state: CallState, result: Result) -> Out:
        if isinstance(result, Played) and result.digit and step.interruptible:
            state = ctx.pressed(state, result.digit)
            state = replace(state, pending=state.pending + result.digit)
        return Jump(state, ctx.next_of(step))


class SetHandler(_Simple):
    def enter(self, ctx: Ctx, step: m.SetVars, state: CallState) -> Out:
        return Jump(state, ctx.next_of(step))


def _number(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def case_matches(case: m.Case, value: str | None) -> bool:
    """Does a branch case hold for this variable value (None: unset)?"""
    op, expected = case.op, case.value
    if op == "is_set":
        return bool(value) == bool(expected)
    if op == "is_empty":
        return (not value) == bool(expected)
    if value is None:
        return False
    if op == "equals":
        return value == str(expected)
    if op == "not_equals":
        return value != str(expected)
    if op == "in":
        items = expected if isinstance(expected, list) else str(expected).split(",")
        return value in {str(item).strip() for item in items}
    if op == "matches":
        return re.fullmatch(str(expected), value) is not None
    left, right = _number(value), _number(expected)
    if left is None or right is None:
        return False
    return {"gte": left >= right, "gt": left > right, "lte": left <= right, "lt": left < right}[op]


class BranchHandler(_Simple):
    def enter(self, ctx: Ctx, step: m.Branch, state: CallState) -> Out:
        for number, case in enumerate(step.cases):
            if case_matches(case, state.variables.get(case.var)):
                return Jump(ctx.trace(state, "branched", case=number), case.next)
        return Jump(ctx.trace(state, "branched", case="default"), step.default or ctx.next_of(step))


class HoursHandler(_Simple):
    def enter(self, ctx: Ctx, step: m.Hours, state: CallState) -> Out:
        result = hours_state(ctx.now, step.timezone, step.schedule, step.holidays, step.workdays)
        local = local_time(ctx.now, step.timezone)
        state = ctx.trace(
            ctx.set_vars(state, {"hours": result}),
            "hours",
            result=result,
            local=local.strftime("%a %Y-%m-%d %H:%M"),
        )
        after = ctx.next_of(step)
        target = {
            "open": step.open or after,
            "closed": step.closed or after,
            "holiday": step.holiday or step.closed or after,
        }[result]
        return Jump(state, target)


class LookupHandler:
    def enter(self, ctx: Ctx, step: m.Lookup, state: CallState) -> Out:
        value = ctx.render(state, step.value).strip()
        if not value:
            state = ctx.trace(state, "lookup_skipped", reason="nothing to look up")
            return Jump(state, step.not_found or ctx.next_of(step))
        return Emit(replace(state, stage="lookup"), LookupCustomer(step.kind, value))

    def resume(self, ctx: Ctx, step: m.Lookup, state: CallState, result: Result) -> Out:
        if not isinstance(result, Found):
            raise TypeError(f"{step.id}: expected Found, got {type(result).__name__}")
        customer = result.customer
        if customer is None:
            state = ctx.trace(state, "not_found", failed=result.failed)
            return Jump(state, step.not_found or ctx.next_of(step))
        state = ctx.set_vars(replace(state, customer_id=customer.id), customer.variables())
        state = ctx.trace(state, "found", customer_id=customer.id, vip_level=customer.vip_level)
        for level, target in step.vip:
            if customer.vip_level >= level:
                return Jump(state, target)
        return Jump(state, step.found or ctx.next_of(step))


class GotoHandler(_Simple):
    def enter(self, ctx: Ctx, step: m.GotoFlow, state: CallState) -> Out:
        if step.returns:
            state = replace(state, stack=(*state.stack, Frame(ctx.flow.name, ctx.next_of(step))))
        state = ctx.trace(state, "goto", flow=step.flow, returns=step.returns)
        target = ctx.flows.flows[step.flow]
        state = ctx.set_vars(replace(state, flow=target.name), {"flow": target.name})
        return Jump(state, target.start)


class ReturnHandler(_Simple):
    def enter(self, ctx: Ctx, step: m.Return, state: CallState) -> Out:
        return Jump(state, None)


def dialplan_variables(
    state: CallState,
    queue: str,
    priority: str,
    skills: tuple[str, ...],
    channel_language: str = "",
) -> tuple[tuple[str, str], ...]:
    """The channel variables a queue hand-over leaves for the dialplan (and the ACD);
    with ``channel_language``, the channel's language is switched to it first."""
    values = [("CHANNEL(language)", channel_language)] if channel_language else []
    values += [
        ("SWITCHBOARD_QUEUE", queue),
        ("SWITCHBOARD_LANGUAGE", state.language),
        ("SWITCHBOARD_IVR_DIGITS", state.digits),
    ]
    if priority:
        values += [("SWITCHBOARD_PRIORITY", priority), ("QUEUE_PRIO", priority)]
    if skills:
        values.append(("SWITCHBOARD_SKILLS", ",".join(skills)))
    if state.customer_id is not None:
        values.append(("SWITCHBOARD_CUSTOMER_ID", str(state.customer_id)))
    return tuple(values)


def _channel_language(ctx: Ctx, state: CallState) -> str:
    """The sounds folder of the caller's chosen language when the line speaks another,
    else "". A caller who pressed 2 for Cantonese must hear the queue's announcements,
    position and hold messages (played by Asterisk or the ACD in the channel's language)
    in Cantonese too, not in the line's default."""
    info = ctx.flows.prompts.languages.get(state.language)
    if info is None or not info.dir:
        return ""
    return "" if state.variables.get("channel_language", "") == info.dir else info.dir


class QueueHandler:
    def enter(self, ctx: Ctx, step: m.QueueStep, state: CallState) -> Out:
        queue = ctx.render(state, step.queue).strip()
        priority = ctx.render(state, step.priority).strip()
        if priority and not priority.lstrip("-").isdigit():
            state = ctx.trace(state, "bad_priority", value=priority[:20])
            priority = ""
        skills = tuple(s for s in (ctx.render(state, s).strip() for s in step.skills) if s)
        state = ctx.trace(
            replace(state, queue=queue, stage="vars"),
            "queue",
            queue=queue,
            priority=priority,
            skills=",".join(skills),
        )
        switch_to = _channel_language(ctx, state)
        return Emit(
            state, SetVariables(dialplan_variables(state, queue, priority, skills, switch_to))
        )

    def resume(self, ctx: Ctx, step: m.QueueStep, state: CallState, result: Result) -> Out:
        if state.stage == "vars":
            if step.dial is None:
                return Stop(state, "queued")
            target = ctx.render(state, step.dial)
            return Emit(replace(state, stage="dial"), Dial(target, step.dial_timeout_s))
        status = result.status if isinstance(result, Dialed) else ""
        state = ctx.trace(state, "dialed", status=status)
        if status == "ANSWER":
            return Stop(state, "answered")
        if step.on_no_answer is not None:
            return Jump(state, step.on_no_answer)
        return Stop(state, "no_answer")


class VoicemailHandler:
    def enter(self, ctx: Ctx, step: m.Voicemail, state: CallState) -> Out:
        mailbox = ctx.render(state, step.mailbox)
        try:  # a caller-supplied mailbox must stay one argument ("100,s" would add options)
            app_argument(mailbox, "voicemail mailbox")
        except UnsafeArgument as refused:
            state = ctx.trace(state, "voicemail_refused", reason=str(refused))
            return Stop(state, "voicemail_unavailable")
        data = ",".join(p for p in (mailbox, step.options) if p)
        return Emit(state, ExecApp("VoiceMail", data))

    def resume(self, ctx: Ctx, step: m.Voicemail, state: CallState, result: Result) -> Out:
        state = ctx.trace(state, "voicemail_left")
        return Jump(state, step.next) if step.next is not None else Stop(state, "voicemail")


class CallbackHandler:
    def enter(self, ctx: Ctx, step: m.Callback, state: CallState) -> Out:
        number = "".join(ch for ch in ctx.render(state, step.number) if ch.isdigit() or ch == "+")
        start, end = ctx.now, ctx.now + step.within_minutes * 60
        if step.window is not None:
            local = local_time(ctx.now, step.timezone)
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            first = midnight + timedelta(minutes=step.window[0])
            last = midnight + timedelta(minutes=step.window[1])
            if local >= last:
                first, last = first + timedelta(days=1), last + timedelta(days=1)
            start, end = max(ctx.now, first.timestamp()), last.timestamp()
        request = CallbackRequest(
            call_id=state.call_id,
            number=number,
            window_start=start,
            window_end=end,
            queue=ctx.render(state, step.queue),
            customer_id=state.customer_id,
            flow=ctx.flow.name,
        )
        if not number:
            state = ctx.trace(state, "callback_skipped", reason="no number")
            return Jump(state, ctx.next_of(step))
        state = ctx.trace(
            state,
            "callback_requested",
            window_start=int(start),
            window_end=int(end),
            queue=request.queue,
        )
        return Emit(state, SaveCallback(request))

    def resume(self, ctx: Ctx, step: m.Callback, state: CallState, result: Result) -> Out:
        return Jump(state, ctx.next_of(step))


class TransferHandler:
    def enter(self, ctx: Ctx, step: m.Transfer, state: CallState) -> Out:
        extension = ctx.render(state, step.extension)
        state = ctx.trace(state, "transfer", context=step.context, extension=extension)
        return Emit(state, GotoExtension(step.context, extension, step.priority))

    def resume(self, ctx: Ctx, step: m.Transfer, state: CallState, result: Result) -> Out:
        return Stop(state, "transferred")


class HangupHandler:
    def enter(self, ctx: Ctx, step: m.Hangup, state: CallState) -> Out:
        return Emit(state, HangupCall())

    def resume(self, ctx: Ctx, step: m.Hangup, state: CallState, result: Result) -> Out:
        return Stop(state, "hangup")


class RecordingHandler:
    """Pause or resume the call's recording: the channel variable the recorder watches
    (its ``VarSet`` reaches switchboard over AMI, which sends ``MixMonitorMute``; FastAGI
    and process AGI alike). Who asked is ``ivr:<flow>`` in the recorder's pause log."""

    def enter(self, ctx: Ctx, step: m.Recording, state: CallState) -> Out:
        flag = "1" if step.action == "pause" else "0"
        state = ctx.trace(state, f"recording_{step.action}")
        value = f"{flag}:ivr:{state.flow}"
        return Emit(state, SetVariables(((RECORDING_MUTE_VARIABLE, value),)))

    def resume(self, ctx: Ctx, step: m.Recording, state: CallState, result: Result) -> Out:
        return Jump(state, ctx.next_of(step))


ACTION_HANDLERS: dict[type[m.Step], Any] = {
    m.Play: PlayHandler(),
    m.Say: SayHandler(),
    m.SetVars: SetHandler(),
    m.Branch: BranchHandler(),
    m.Hours: HoursHandler(),
    m.Lookup: LookupHandler(),
    m.GotoFlow: GotoHandler(),
    m.Return: ReturnHandler(),
    m.QueueStep: QueueHandler(),
    m.Voicemail: VoicemailHandler(),
    m.Callback: CallbackHandler(),
    m.Transfer: TransferHandler(),
    m.Hangup: HangupHandler(),
    m.Recording: RecordingHandler(),
}
