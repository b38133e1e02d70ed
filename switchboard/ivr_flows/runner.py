# -*- test-case-name: tests.ivr.test_runner -*-
"""Run the pure engine over one AGI channel: perform each effect, feed back its result.

Endings, all of which store the session record:

* the flow finishes: the handler returns and the AGI session closes, so the dialplan goes
  on with the variables the flow set (``SWITCHBOARD_QUEUE`` ...);
* the caller hangs up (:class:`AgiHangup`): the trace says where, nothing else is sent;
* anything else breaks (a bug, a store failure, an unexpected AGI error, an application
  Asterisk does not have): it is logged, ``SWITCHBOARD_QUEUE`` is cleared and
  ``SWITCHBOARD_FALLBACK`` set, and the session ends, so the dialplan's fallback route
  takes the call (see docs/asterisk.md): never dead air.

``SWITCHBOARD_ROUTE`` (switchboard/dialplan_vars.py) is set to ``failed`` first and to
``routed`` or ``failed`` at the end, so the dialplan decides on it rather than on
``AGISTATUS``. A missing prompt is logged and skipped (commands_checked.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog
from twisted.internet.interfaces import IReactorTime

from switchboard.cti.agi.channel import AgiChannel
from switchboard.cti.agi.errors import AgiError, AgiHangup
from switchboard.cti.agi.wire import Quoted
from switchboard.dialplan_vars import FAILED, FALLBACK_VARIABLE, QUEUE_VARIABLE, ROUTE_VARIABLE
from switchboard.ivr_flows.commands_checked import (
    ApplicationFailed,
    MissingPrompts,
    checked_exec,
    get_digits,
    stream_prompt,
)
from switchboard.ivr_flows.effects import (
    Answer,
    Dial,
    Dialed,
    Done,
    Effect,
    ExecApp,
    Finish,
    Found,
    GetData,
    GotoExtension,
    HangupCall,
    LookupCustomer,
    Played,
    ReadVariables,
    Result,
    SaveCallback,
    SaveSurvey,
    SayDate,
    SayDigits,
    SayNumber,
    SetVariables,
    StreamFile,
    Values,
    WaitForDigit,
)
from switchboard.ivr_flows.engine import Engine
from switchboard.ivr_flows.handover import QueueHandover, queue_request
from switchboard.ivr_flows.services import FlowServices
from switchboard.ivr_flows.state import CallInfo, CallState
from switchboard.ivr_flows.summary import route_of, session_record

if TYPE_CHECKING:
    from switchboard.prompts.inventory import PromptInventory

__all__ = ["call_info", "run_flow"]

logger = structlog.get_logger(__name__)


def call_info(channel: AgiChannel) -> CallInfo:
    env = channel.env
    return CallInfo(
        call_id=env.uniqueid,
        channel=env.channel,
        caller_number=env.callerid,
        caller_name=env.calleridname,
        dnid=env.get("dnid"),
        language=env.language,
        args=env.args,
        query=env.query,
    )


async def _perform(
    channel: AgiChannel, services: FlowServices, effect: Effect, log: Any, missing: MissingPrompts
) -> Result:
    if isinstance(effect, StreamFile):
        return await stream_prompt(channel, effect.file, effect.escape_digits, missing)
    if isinstance(effect, WaitForDigit):
        return Played(await channel.wait_for_digit(effect.timeout_ms))
    if isinstance(effect, GetData):
        return await get_digits(channel, effect, missing)
    if isinstance(effect, SayDigits):
        return Played(await channel.say_digits(effect.digits, effect.escape_digits))
    if isinstance(effect, SayNumber):
        return Played(await channel.say_number(effect.number, effect.escape_digits))
    if isinstance(effect, SayDate):
        reply = await channel.command("SAY DATE", effect.epoch, Quoted(effect.escape_digits))
        code = reply.result_int
        if code == -1:
            raise AgiHangup("SAY DATE: caller hung up")
        return Played(chr(code) if code else None)
    if isinstance(effect, SetVariables):
        for name, value in effect.values:
            await channel.set_variable(name, Quoted(value))
        return Done()
    if isinstance(effect, ReadVariables):
        return Values({name: await channel.get_variable(name) for name in effect.names})
    if isinstance(effect, Answer):
        await channel.answer()
        return Done()
    if isinstance(effect, ExecApp):
        await checked_exec(channel, effect)
        return Done()
    if isinstance(effect, Dial):
        outcome = await channel.dial(effect.target, str(effect.timeout_s))
        if outcome.caller_hung_up:
            raise AgiHangup("caller hung up during Dial")
        return Dialed(outcome.status)
    if isinstance(effect, GotoExtension):
        await channel.command("SET CONTEXT", effect.context)
        await channel.command("SET EXTENSION", effect.extension)
        await channel.command("SET PRIORITY", effect.priority)
        return Done()
    if isinstance(effect, HangupCall):
        await channel.hangup()
        return Done()
    if isinstance(effect, LookupCustomer):
        try:
            return Found(await services.lookup_customer(effect.kind, effect.value))
        except Exception:  # the caller goes on as "not found" rather than being dropped
            log.exception("ivr_lookup_failed", kind=effect.kind)
            return Found(None, failed=True)
    if isinstance(effect, SaveCallback):
        await services.save_callback(effect.request)
        return Done()
    if isinstance(effect, SaveSurvey):
        await services.save_survey(effect.answer)
        return Done()
    raise TypeError(f"no way to perform {effect!r}")


async def _send_to_fallback(channel: AgiChannel, log: Any) -> None:
    try:
        await channel.set_variable(QUEUE_VARIABLE, Quoted(""))
        await channel.set_variable(FALLBACK_VARIABLE, "ivr_error")
    except AgiError as exc:
        log.warning("ivr_fallback_not_set", error=str(exc))


async def _leave_for_dialplan(channel: AgiChannel, state: CallState, log: Any) -> None:
    """The route, and no SWITCHBOARD_QUEUE unless the caller is to be queued (a queue
    step that dialled an agent itself has served the call)."""
    if state.queue and state.outcome != "queued":
        await channel.set_variable(QUEUE_VARIABLE, Quoted(""))
    await _set_route(channel, route_of(state.outcome), log)


async def _set_route(channel: AgiChannel, route: str, log: Any) -> None:
    try:
        await channel.set_variable(ROUTE_VARIABLE, route)
    except AgiHangup:
        pass
    except AgiError as exc:
        log.warning("ivr_route_not_set", route=route, error=str(exc))


def _seconds_of(clock: IReactorTime) -> Callable[[], float]:
    def now() -> float:
        return clock.seconds()  # type: ignore[misc]  # zope attribute, as in cti.agi

    return now


async def run_flow(
    channel: AgiChannel,
    engine: Engine,
    flow: str,
    clock: IReactorTime,
    services: FlowServices,
    *,
    now: Callable[[], float] | None = None,
    acd: QueueHandover | None = None,
    prompts: PromptInventory | None = None,
) -> CallState:
    """Run ``flow`` on ``channel`` to its end; never raises for the caller's sake.

    ``now`` gives the wall-clock epoch seconds the flow decides by (business hours,
    callback windows, trace timings); by default ``clock.seconds()``. Pass another
    source to run the flows at a chosen time, e.g. a simulated PBX's clock. With an
    ``acd``, a flow that ends in a ``queue`` step hands the caller to it (handover.py).
    Prompts that ``prompts`` knows the PBX lacks are not sent (prompts/inventory.py).
    """
    call = call_info(channel)
    log = logger.bind(call_id=call.call_id, channel=call.channel, flow=flow)
    if prompts is not None:
        channel = prompts.guard(channel, log)  # type: ignore[assignment]
    if now is None:
        now = _seconds_of(clock)

    state, effect = engine.start(flow, call, now())
    missing = MissingPrompts(log, state.language)
    step = ""
    answered = route_set = False
    try:
        while not isinstance(effect, Finish):
            if not route_set and not isinstance(effect, Answer):  # the caller hears no delay
                await _set_route(channel, FAILED, log)  # a session that breaks off: "failed"
                route_set = True
            if state.step != step:
                step = state.step
                log = log.bind(flow=state.flow, step=step)
                missing.log = log
                log.debug("ivr_step_entered")
            result = await _perform(channel, services, effect, log, missing)
            answered = answered or isinstance(effect, Answer)
            state, effect = engine.resume(state, result, now())
        log.info("ivr_flow_finished", outcome=state.outcome, queue=state.queue)
        if acd is not None and state.outcome == "queued":
            await _save(services, state, call, log)
            held = await acd.hold(channel, queue_request(state, answered=answered))
            log.info("ivr_handed_to_acd", queue=state.queue, outcome=held.outcome)
            return state  # the ACD leaves the route for the dialplan (queue/hold.py)
        await _leave_for_dialplan(channel, state, log)
    except AgiHangup as exc:
        state = engine.hung_up(state, now())
        log.info("ivr_caller_hung_up", reason=str(exc))
    except ApplicationFailed as exc:
        log.warning("ivr_application_failed", app=exc.app, result=exc.result)
        state = engine.crashed(state, now(), str(exc), outcome=exc.outcome)
        await _send_to_fallback(channel, log)
    except Exception as exc:
        log.exception("ivr_flow_failed")
        state = engine.crashed(state, now(), f"{type(exc).__name__}: {exc}")
        await _send_to_fallback(channel, log)
    await _save(services, state, call, log)
    return state


async def _save(services: FlowServices, state: CallState, call: CallInfo, log: Any) -> None:
    try:
        await services.save_session(session_record(state, call))
    except Exception:
        log.exception("ivr_trace_not_saved")
