# -*- test-case-name: tests.queue.test_appqueue_control -*-
"""Agent control through app_queue: the real AMI client against the simulated PBX's AMI
in memory; the action headers and Asterisk's answers are those of the ami-actions capture."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import make_url
from structlog.testing import capture_logs
from twisted.internet.defer import Deferred, fail, succeed

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.ami.service import AmiClient
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.decisions import AgentStateChanged, CallAnswered, CallOffered
from switchboard.queue.core.model import Agent, AgentState, Queue, frozen_map
from switchboard.queue.shell.appqueue_control import AppQueueAgentControl, penalty_for
from switchboard.queue.shell.control import AgentControlError
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from tests.queue.sim_ami import SimAmi
from tests.sim._paths import captures

T = TypeVar("T")
GRACE = "Local/agent2004@switchboard-agents/n"  # the capture's dynamic member
HEIDI = "Local/agent1004@switchboard-agents/n"


def _config(grace_level: int = 99, queues: tuple[str, ...] = ("support",)) -> QueueConfig:
    return QueueConfig(
        queues=(
            Queue("sales", required_skills=frozen_map({"sales": 1})),
            Queue("support", required_skills=frozen_map({"support": 1})),
            Queue("billing"),
        ),
        agents=(
            Agent(
                "grace",
                "Grace Support",
                GRACE,
                frozen_map({"support": grace_level}),
                frozenset(),
                queues,
            ),
            Agent(
                "heidi",
                "Heidi",
                HEIDI,
                frozen_map({"sales": 90, "support": 80}),
                frozenset(),
                ("sales", "support"),
            ),
        ),
    )


def _database(tmp_path: Path) -> Database:
    url = make_url(f"sqlite:///{tmp_path / 'agents.sqlite'}")
    upgrade_database(url)
    return Database(create_database_engine(url), None, runner=lambda work: succeed(work()))


class _Site:
    """A switchboard (AMI client + app_queue control) on a simulated Asterisk."""

    def __init__(self, sim: SimAmi, config: QueueConfig, database: Database | None) -> None:
        self.sim = sim
        self.ami: AmiClient = sim.client()
        self.sent: list[actions.Action] = []
        send = self.ami.send

        def recording_send(action: actions.Action, **kw: Any) -> Deferred[Any]:
            self.sent.append(action)
            return send(action, **kw)

        self.ami.send = recording_send  # type: ignore[method-assign]
        self.control = AppQueueAgentControl(
            self.ami, config, sim.clock, database, ("break", "lunch", "training")
        )
        self.control.startService()
        self.ami.startService()
        sim.settle()
        assert self.ami.connected

    def run(self, work: Coroutine[Any, Any, T] | Deferred[T]) -> T:
        """Run one control command (or AMI action) to its end on the simulated clock."""
        return self.sim.run(work)

    def stop(self) -> None:
        self.control.stopService()
        self.ami.stopService()
        self.sim.settle()


@pytest.fixture
def site(tmp_path: Path) -> Any:
    made: list[_Site] = []

    def make(
        sim: SimAmi | None = None,
        config: QueueConfig | None = None,
        database: Database | None = None,
    ) -> _Site:
        made.append(_Site(sim or SimAmi(), config or _config(), database))
        return made[-1]

    yield make
    for s in made:
        s.stop()


Make = Callable[..., _Site]


def _captured(action_id: str) -> Message:
    raw = (captures() / "ami-actions" / "ami-actions.to-asterisk.raw").read_bytes()
    items = AmiParser(expect_banner=False).feed(raw)
    return next(m for m in items if isinstance(m, Message) and m.action_id == action_id)


def _headers(action: actions.Action) -> dict[str, str]:
    return dict(action.headers)


def test_log_in_sends_the_captured_queueadd_with_state_interface(site: Make) -> None:
    s = site()
    view = s.run(s.control.log_in("grace", ready=True))
    assert (view.state, view.queues) == (AgentState.READY, ("support",))
    add = s.sent[0]
    captured = dict((k, v) for k, v in _captured("sw-9").headers if k not in ("Action", "ActionID"))
    # The capture's QueueAdd (sw-9), plus StateInterface so app_queue sees the device.
    assert add.name == "QueueAdd"
    assert _headers(add) == {**captured, "StateInterface": GRACE}
    assert s.sim.members("support")[GRACE] == (False, "", 1)


def test_ready_pause_with_a_reason_and_log_out(site: Make) -> None:
    s = site()
    view = s.run(s.control.log_in("grace"))
    assert (view.state, view.reason) == (AgentState.NOT_READY, "logged_in")
    assert s.sim.members("support")[GRACE][:2] == (True, "logged_in")
    s.run(s.control.ready("grace"))
    assert s.sim.members("support")[GRACE][0] is False
    view = s.run(s.control.pause("grace", "lunch"))
    assert (view.state, view.reason) == (AgentState.NOT_READY, "lunch")
    # The capture's QueuePause sw-12, header for header.
    pause = s.sent[-1]
    assert list(pause.headers) == [
        (k, v) for k, v in _captured("sw-12").headers if k not in ("Action", "ActionID")
    ]
    assert s.sim.members("support")[GRACE][:2] == (True, "lunch")
    view = s.run(s.control.log_out("grace"))
    assert view.state is AgentState.LOGGED_OUT
    assert GRACE not in s.sim.members("support")
    assert list(s.sent[-1].headers) == [
        (k, v) for k, v in _captured("sw-16").headers if k not in ("Action", "ActionID")
    ]


def test_an_unknown_pause_reason_is_refused_with_the_valid_ones(site: Make) -> None:
    s = site()
    s.run(s.control.log_in("grace", ready=True))
    sent = len(s.sent)
    with pytest.raises(AgentControlError) as error:
        s.run(s.control.pause("grace", "fishing"))
    assert error.value.code == "bad_request"
    assert error.value.valid == ("break", "lunch", "training")
    assert "break, lunch, training" in error.value.message
    assert len(s.sent) == sent  # nothing reached Asterisk
    assert s.sim.members("support")[GRACE][0] is False


def test_log_in_to_one_queue_then_another(site: Make) -> None:
    s = site()
    view = s.run(s.control.log_in("heidi", ready=True, queues=["support"]))
    assert view.queues == ("support",)
    assert HEIDI in s.sim.members("support") and HEIDI not in s.sim.members("sales")
    # Skill 80 in support -> penalty 20 (levels count down from 100).
    assert s.sim.members("support")[HEIDI][2] == 20
    view = s.run(s.control.log_in("heidi", queues=["sales"]))
    assert view.queues == ("support", "sales")
    assert s.sim.members("sales")[HEIDI] == (False, "", 10)
    with pytest.raises(AgentControlError, match="already logged in to sales"):
        s.run(s.control.log_in("heidi", queues=["sales"]))
    with pytest.raises(AgentControlError, match="their queues in the queue file: sales, supp"):
        s.run(s.control.log_in("heidi", queues=["billing"]))


def test_a_member_asterisk_already_has_is_taken_over(site: Make) -> None:
    s = site()
    s.run(s.ami.send(actions.queue_add("support", GRACE, member_name="Grace Support")))
    view = s.run(s.control.log_in("grace", ready=False))
    # "Unable to add interface: Already there" (capture sw-10): the pause is still set.
    assert view.state is AgentState.NOT_READY
    assert s.sim.members("support")[GRACE][:2] == (True, "logged_in")


def test_a_queue_asterisk_lacks_is_a_refusal_naming_queues_conf(site: Make) -> None:
    s = site(config=_config(queues=("billing",)))
    with pytest.raises(AgentControlError) as error:
        s.run(s.control.log_in("grace"))
    assert error.value.code == "refused"
    assert "Unable to add interface to queue: No such queue" in error.value.message
    assert "queues.conf" in error.value.message
    assert s.run(s.control.agent("grace")).state is AgentState.LOGGED_OUT


def test_commands_for_a_logged_out_or_unknown_agent_are_refused(site: Make) -> None:
    s = site()
    with pytest.raises(AgentControlError, match="log in first: switchboard agents login grace"):
        s.run(s.control.pause("grace", "lunch"))
    with pytest.raises(AgentControlError) as error:
        s.run(s.control.ready("zoe"))
    assert (error.value.code, error.value.known) == ("unknown_agent", ("grace", "heidi"))


def test_members_are_re_added_as_they_were_after_asterisk_restarts(site: Make) -> None:
    s = site()
    s.run(s.control.log_in("grace"))
    s.run(s.control.pause("grace", "lunch"))
    s.run(s.control.log_in("heidi", ready=True))
    s.sim.restart_asterisk()
    s.sim.settle()
    assert GRACE not in s.sim.members("support")  # Asterisk forgot its dynamic members
    s.sim.settle(1.0)  # the client's reconnect delay; then login, resync
    assert s.ami.connected
    assert s.sim.members("support")[GRACE] == (True, "lunch", 1)
    assert s.sim.members("support")[HEIDI] == (False, "", 20)
    assert s.sim.members("sales")[HEIDI] == (False, "", 10)
    assert s.run(s.control.agent("grace")).reason == "lunch"


def test_state_survives_a_switchboard_restart_and_is_put_back(site: Make, tmp_path: Path) -> None:
    database = _database(tmp_path)
    sim = SimAmi()
    first = site(sim, database=database)
    first.run(first.control.log_in("grace"))
    first.run(first.control.pause("grace", "training"))
    first.stop()
    # Both restart: a fresh switchboard on the stored state, a fresh Asterisk without
    # the member; skills changed in the queue file meanwhile.
    sim.restart_asterisk()
    sim.settle()
    second = site(sim, config=_config(grace_level=97), database=database)
    view = second.run(second.control.agent("grace"))
    assert (view.state, view.reason) == (AgentState.NOT_READY, "training")
    assert sim.members("support")[GRACE] == (True, "training", 3)
    assert second.run(second.control.log_out("grace")).state is AgentState.LOGGED_OUT
    third = site(sim, database=database)
    assert third.run(third.control.agent("grace")).state is AgentState.LOGGED_OUT


def test_a_member_that_differs_gets_queuepause_and_queuepenalty(site: Make) -> None:
    sim = SimAmi()
    s = site(sim)
    s.run(s.control.log_in("grace", ready=True))
    s.run(s.ami.send(actions.queue_pause(GRACE, True, queue="support", reason="break")))
    s.run(s.ami.send(actions.queue_penalty(GRACE, 7, queue="support")))
    sent = s.run(s.control.resync())
    assert sent == ["QueuePause support grace", "QueuePenalty support grace"]
    assert sim.members("support")[GRACE] == (False, "", 1)
    assert s.run(s.control.resync()) == []


def test_penalty_from_skill_levels() -> None:
    config = _config()
    grace, heidi = config.agents
    sales, support, billing = config.queues
    assert penalty_for(grace, support) == 1
    assert penalty_for(heidi, sales) == 10
    assert penalty_for(grace, sales) == 100  # lacks the skill: last
    assert penalty_for(heidi, billing) == 10  # no required skill: the agent's best


class _BrokenDatabase:
    def run(self, work: Any) -> Deferred[Any]:
        return fail(RuntimeError("no such table: appqueue_agent"))


def test_an_unreadable_store_is_logged_and_agents_start_logged_out(site: Make) -> None:
    with capture_logs() as logs:
        s = site(database=_BrokenDatabase())
    assert any(
        e["event"] == "appqueue_agents_not_restored" and "no such table" in e["error"] for e in logs
    )
    assert s.run(s.control.agent("grace")).state is AgentState.LOGGED_OUT


# -- wrap-up and live state (the tracker's facts, as app.py subscribes them) ------------
def _call_ends_for(s: _Site, agent_id: str, queue: str = "support") -> None:
    """The tracker's facts for one call Grace took, ending now in wrap-up."""
    now = s.sim.clock.seconds()
    s.control.on_fact(CallOffered("c1", queue, agent_id, now))
    s.control.on_fact(AgentStateChanged(agent_id, now, AgentState.RESERVED, AgentState.READY))
    s.control.on_fact(CallAnswered("c1", queue, agent_id, now, 4.0))
    s.control.on_fact(AgentStateChanged(agent_id, now, AgentState.ON_CALL, AgentState.RESERVED))


def test_the_view_shows_the_live_call_over_the_stored_state(site: Make) -> None:
    s = site()
    s.run(s.control.log_in("grace", ready=True))
    _call_ends_for(s, "grace")
    view = s.run(s.control.agent("grace"))
    assert (view.state, view.call_id) == (AgentState.ON_CALL, "c1")
    now = s.sim.clock.seconds()
    s.control.on_fact(AgentStateChanged("grace", now, AgentState.READY, AgentState.ON_CALL))
    view = s.run(s.control.agent("grace"))
    assert (view.state, view.call_id) == (AgentState.READY, "")


def test_wrap_up_pauses_the_member_for_the_queue_wrap_up_time(site: Make) -> None:
    s = site()  # support: the default wrap-up of 10 s
    s.run(s.control.log_in("grace", ready=True))
    _call_ends_for(s, "grace")
    at = s.sim.clock.seconds()
    s.control.on_fact(AgentStateChanged("grace", at, AgentState.WRAP_UP, AgentState.ON_CALL))
    s.sim.settle(5)
    assert s.sim.members("support")[GRACE][:2] == (True, "wrap-up")
    assert s.run(s.control.agent("grace")).state is AgentState.WRAP_UP
    s.sim.settle(5.5)
    assert s.sim.members("support")[GRACE][0] is False  # ready again, as stored


def test_finish_wrapup_ends_it_now_and_puts_back_a_pause_asked_for(site: Make) -> None:
    s = site()
    s.run(s.control.log_in("grace", ready=True))
    _call_ends_for(s, "grace")
    s.run(s.control.pause("grace", "lunch"))  # asked during the call
    at = s.sim.clock.seconds()
    s.control.on_fact(AgentStateChanged("grace", at, AgentState.WRAP_UP, AgentState.ON_CALL))
    s.sim.settle(1)
    assert s.sim.members("support")[GRACE][:2] == (True, "wrap-up")
    view = s.run(s.control.finish_wrapup("grace"))
    assert (view.state, view.reason) == (AgentState.NOT_READY, "lunch")
    assert s.sim.members("support")[GRACE][:2] == (True, "lunch")
    sent = len(s.sent)
    s.sim.settle(20)  # the wrap-up timer was cancelled: nothing more is sent
    assert len(s.sent) == sent
    with pytest.raises(AgentControlError) as refused:
        s.run(s.control.finish_wrapup("grace"))
    assert refused.value.code == "refused"
    assert "not in wrap-up (now not_ready)" in refused.value.message


def test_after_log_out_the_view_is_logged_out_whatever_the_tracker_said_last(
    site: Make,
) -> None:
    s = site()
    s.run(s.control.log_in("grace", ready=True))
    now = s.sim.clock.seconds()
    s.control.on_fact(AgentStateChanged("grace", now, AgentState.READY, AgentState.LOGGED_OUT))
    assert s.run(s.control.log_out("grace")).state is AgentState.LOGGED_OUT
    assert s.run(s.control.agent("grace")).state is AgentState.LOGGED_OUT
