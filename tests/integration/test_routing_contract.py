# -*- test-case-name: tests.integration.test_routing_contract -*-
"""Facts are a contract: the same calls give the same facts whoever routes them.

Issue 11: the hub is the seam everything downstream reads (statistics, records, the
seat, the wallboard), so a call answered or abandoned must be told the same way when
switchboard's ACD routes it as when Asterisk's app_queue does and switchboard only
tracks it from AMI. Both runs are the demo's site (the example flows and queues) on a
fake clock, with one sales agent and the same two callers: one answered, one who hangs
up while that agent is talking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.queue import AgentState, CallOutcome
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallHandled,
    CallQueued,
)
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.testing.site import SiteOnSimNet
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

ENGLISH = KeyPress("3", 0.5, "choose-language")
OPERATOR = KeyPress("0", 0.5, "main-menu")  # the example menu's 0: the sales queue
ANSWERED, ABANDONED = "5550101", "5550102"


def _caller(number: str, **script: Any) -> ScriptedCall:
    return ScriptedCall(
        at_s=0.0, number=number, name=f"Caller {number}", keys=(ENGLISH, OPERATOR), **script
    )


def _site(work: Path, routing: str, talk_s: float) -> SiteOnSimNet:
    """The demo's site with one sales agent, 1001, who answers after 1 s."""
    work.mkdir()
    queues = write_site_queue_file(EXAMPLE_QUEUES, 1, work / "queues.yaml", routing)
    return SiteOnSimNet(
        work,
        queues,
        {"agent1001": AgentBehaviour(answer_after_s=1.0, talk_s=talk_s)},
        flows_dir=EXAMPLES,
        epoch=TUESDAY_10AM,
        routing=routing,
    )


def _run(work: Path, routing: str) -> SiteOnSimNet:
    """Agent 1001 (sales) takes the first caller for 90 s; the second gives up waiting."""
    run = _site(work, routing, talk_s=90.0)
    if routing == "switchboard":  # app_queue's agents are its queues' static members
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(_caller(ANSWERED))
    run.until(lambda: any(isinstance(f, CallQueued) for f in run.facts), "the first queued")
    run.site.pbx.place(_caller(ABANDONED, behaviour="abandon", abandon_after_s=30.0))
    run.until(lambda: len(run.finished()) == 2, "both calls over")
    run.until(lambda: not run.site.pbx.pbx.channels, "every channel gone")
    # Both tell CallHandled after the agent's wrap-up.
    run.until(lambda: any(isinstance(f, CallHandled) for f in run.facts), "the call handled")
    run.stop()
    return run


def _numbers(run: SiteOnSimNet) -> dict[str, str]:
    """Caller numbers by call id (a queued call's first fact names its caller)."""
    return {f.call_id: f.caller_number for f in run.facts if isinstance(f, CallQueued)}


def _told(run: SiteOnSimNet) -> dict[str, tuple[str, ...]]:
    """Each caller's call facts, in the order the hub carried them, by kind."""
    numbers = _numbers(run)
    told: dict[str, list[str]] = {number: [] for number in numbers.values()}
    for fact in run.facts:
        call_id = getattr(fact, "call_id", None)
        if call_id in numbers:
            told[numbers[call_id]].append(type(fact).__name__)
    return {number: tuple(kinds) for number, kinds in told.items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SiteOnSimNet]:
    work = tmp_path_factory.mktemp("contract")
    return {routing: _run(work / routing, routing) for routing in ("switchboard", "app_queue")}


def test_both_modes_end_the_same_calls_the_same_way(runs: dict[str, SiteOnSimNet]) -> None:
    for routing, run in runs.items():
        numbers = _numbers(run)
        outcomes = {numbers[f.call_id]: f.outcome for f in run.finished().values()}
        assert outcomes == {
            ANSWERED: CallOutcome.ANSWERED,
            ABANDONED: CallOutcome.ABANDONED,
        }, routing


def test_the_hub_carries_the_same_kinds_of_facts_in_the_same_order(
    runs: dict[str, SiteOnSimNet],
) -> None:
    acd, app_queue = _told(runs["switchboard"]), _told(runs["app_queue"])
    assert acd == app_queue
    assert acd[ANSWERED] == (
        "CallQueued",
        "CallOffered",  # the screen-pop moment, in both modes
        "OfferEnded",
        "CallAnswered",
        "CallFinished",
        "CallHandled",
    )
    assert acd[ABANDONED] == ("CallQueued", "QueueLeft", "CallFinished")
    # The agent's side: rung, on the call, wrap-up, free again. (app_queue's wrap-up is
    # switchboard's: a QueuePause with the reason wrap-up for the queue's 10 s.)
    for routing, run in runs.items():
        states = [str(f.state) for f in run.facts if isinstance(f, AgentStateChanged)]
        calls = states[states.index("reserved") :]
        assert calls == ["reserved", "on_call", "wrap_up", "ready"], (routing, states)


def test_wrap_up_is_counted_the_same_in_both_modes(runs: dict[str, SiteOnSimNet]) -> None:
    for routing, run in runs.items():
        handled = [(f.talk_s, f.wrap_s) for f in run.facts if isinstance(f, CallHandled)]
        assert handled == [(90.0, 10.0)], routing  # the agent talks 90 s; sales wraps 10 s


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_the_agent_api_shows_the_call_and_wrap_up_and_finishes_it_early(
    tmp_path: Path, routing: str
) -> None:
    """The agent API in either mode: on the call, then wrap-up, ended by the agent."""
    run = _site(tmp_path / "live", routing, talk_s=30.0)
    control = run.site.app.agent_control
    assert control is not None
    if routing == "switchboard":
        run.wait(control.log_in("1001", ready=True), "log in")
    run.site.pbx.place(_caller(ANSWERED))
    run.until(lambda: any(isinstance(f, CallAnswered) for f in run.facts), "answered")
    on_call = run.wait(control.agent("1001"), "the agent's view")
    answered = next(f for f in run.facts if isinstance(f, CallAnswered))
    assert (on_call.state, on_call.call_id) == (AgentState.ON_CALL, answered.call_id)
    run.until(lambda: _state_of(run) is AgentState.WRAP_UP, "wrap-up")
    assert run.wait(control.agent("1001"), "the view").state is AgentState.WRAP_UP
    wrap_started = run.net.seconds()
    run.until(lambda: run.net.seconds() >= wrap_started + 3, "3 s of wrap-up")
    view = run.wait(control.finish_wrapup("1001"), "finish-wrapup")
    assert view.state is AgentState.READY
    run.until(lambda: any(isinstance(f, CallHandled) for f in run.facts), "handled")
    (handled,) = [f for f in run.facts if isinstance(f, CallHandled)]
    assert 3.0 <= handled.wrap_s < 4.0  # ended by the agent, not the queue's 10 s
    assert _state_of(run) is AgentState.READY
    run.stop()


def _state_of(run: SiteOnSimNet) -> AgentState | None:
    states = [f.state for f in run.facts if isinstance(f, AgentStateChanged)]
    return states[-1] if states else None
