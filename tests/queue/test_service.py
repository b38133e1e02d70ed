# -*- test-case-name: tests.queue.test_service -*-
"""The ACD service: callbacks over (fake) AMI, the store written as calls happen, stats
published and equal to a recomputation from the stored history, the scaled clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import Clock

from switchboard.queue import AgentState, CallOutcome, Queue
from switchboard.queue.core.history import recompute
from switchboard.queue.core.stats import QueueSnapshot
from switchboard.queue.shell.clock import ScaledClock
from switchboard.queue.store.records import load_history
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from switchboard.testing.acd import FakeChannel
from tests.queue.helpers import agent
from tests.queue.test_hold import QUIET, Site, site

OFFER = "switchboard-queue-callback-offer"


def _callback_site() -> tuple[Site, FakeChannel]:
    s = site(
        [Queue("sales", callback_offer_after_s=10, callback_retry_s=60, **QUIET)], [agent("a1")]
    )
    ch = s.channel()
    ch.digits[OFFER] = "1"
    result = s.hold(ch)
    s.clock.advance(10)
    assert ch.sent[-5:] == [
        "EXEC StopMusicOnHold",
        f"STREAM FILE {OFFER} 1",
        "STREAM FILE switchboard-queue-callback-booked",
        'SET VARIABLE SWITCHBOARD_QUEUE ""',  # booked: neither queued again nor the fallback
        "SET VARIABLE SWITCHBOARD_ROUTE routed",
    ]
    assert result.result.outcome == "callback"
    return s, ch


def test_a_callback_keeps_its_place_and_is_originated_agent_first() -> None:
    s, _ch = _callback_site()
    assert s.acd.router.calls["c1"].virtual
    s.clock.advance(5)
    s.acd.log_in("a1", ready=True)
    headers = s.ami.headers_of(-1)
    assert headers["Action"] == ["Originate"] and headers["Channel"] == ["PJSIP/a1"]
    assert headers["Context"] == ["switchboard-callback"] and headers["Exten"] == ["dial"]
    assert "CALLBACK_NUMBER=5551001" in headers["Variable"]
    assert headers["ChannelId"] == ["c1-cb1"] and headers["Timeout"] == ["15000"]
    assert s.offers[-1].callback and s.offers[-1].agent_id == "a1"  # the pop comes first
    s.ami.emit("OriginateResponse", Response="Success", Reason="4", Uniqueid="c1-cb1")
    assert s.state("a1") is AgentState.RESERVED
    s.ami.emit("DialEnd", Uniqueid="c1-cb1", DialStatus="ANSWER")
    assert s.state("a1") is AgentState.ON_CALL
    s.clock.advance(40)
    s.ami.emit("Hangup", Uniqueid="c1-cb1")
    assert s.state("a1") is AgentState.WRAP_UP
    assert s.finished() == {"c1": CallOutcome.CALLED_BACK}
    s.clock.advance(10)
    s.close()


def test_a_failed_callback_is_retried_with_a_new_channel_id() -> None:
    s, _ch = _callback_site()
    s.acd.log_in("a1", ready=True)
    s.ami.emit("OriginateResponse", Response="Failure", Reason="3", Uniqueid="c1-cb1")
    assert s.state("a1") is AgentState.READY
    s.clock.advance(60)
    assert s.ami.headers_of(-1)["ChannelId"] == ["c1-cb2"]
    s.ami.emit("OriginateResponse", Response="Success", Reason="4", Uniqueid="c1-cb2")
    s.ami.emit("DialEnd", Uniqueid="c1-cb2", DialStatus="BUSY")  # the customer was busy
    assert s.state("a1") is AgentState.READY
    assert s.acd.router.calls["c1"].attempts == 2
    s.close()


def test_device_states_are_read_after_every_login_to_ami() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    for callback in s.ami.resync:
        callback()
    assert s.ami.sent[-1].name == "DeviceStateList"
    s.close()


def _threadless(tmp_path: Path) -> Database:
    url = make_url(f"sqlite:///{tmp_path / 'acd.sqlite'}")
    upgrade_database(url)
    runner: Callable[[Callable[[], Any]], Deferred[Any]] = lambda work: succeed(work())  # noqa: E731
    return Database(create_database_engine(url), None, runner=runner)


def test_calls_are_stored_as_they_happen_and_stats_equal_the_stored_history(
    tmp_path: Path,
) -> None:
    db = _threadless(tmp_path)
    queues = [Queue("sales", wrap_up_s=5, **QUIET), Queue("support", wrap_up_s=5, **QUIET)]
    agents = [agent("a1", queues=("sales", "support")), agent("a2", queues=("support",))]
    s = site(queues, agents)
    s.acd.outlet._database = db  # as app.py would pass it
    published: list[QueueSnapshot] = []
    s.acd.hub.subscribe("queue_stats", published.append)  # type: ignore[arg-type]
    s.acd.log_in("a1", ready=True)
    s.acd.log_in("a2", ready=True)
    channels = [s.channel(f"c{n}") for n in range(1, 6)]
    results = [
        s.hold(ch, queue="support" if n % 2 else "sales") for n, ch in enumerate(channels, 1)
    ]
    script = {"c1": ["ANSWER"], "c2": ["NOANSWER", "ANSWER"], "c4": ["BUSY"]}
    rang: dict[str, float] = {}
    for _second in range(300):  # every second: the agents' and callers' next move
        s.clock.advance(1)
        now = s.clock.seconds()
        if _second == 1:
            channels[2].hang_up()  # c3 abandons (while its agent rings)
        for ch in channels:
            uid = ch.env.uniqueid
            if ch.dialing is None:
                rang.pop(uid, None)
                continue
            started = rang.setdefault(uid, now)
            if now - started == 2:
                outcome = (script.get(uid) or ["ANSWER"]).pop(0) if script.get(uid) else "ANSWER"
                if outcome == "ANSWER":
                    s.ami.emit("DialEnd", Uniqueid=uid, DialStatus="ANSWER")
                else:
                    ch.finish_dial(outcome)
            elif now - started == 20:
                ch.finish_dial("ANSWER")
        for agent_id in ("a1", "a2"):
            runtime = s.acd.router.agents[agent_id]
            if runtime.state is AgentState.NOT_READY and now - runtime.since >= 5:
                s.acd.ready(agent_id)
            if not runtime.device_free:  # a BUSY device is free again a moment later
                s.ami.emit("DeviceStateChange", Device=f"PJSIP/{agent_id}", State="NOT_INUSE")
        if all(r.called for r in results) and s.acd.router.next_deadline() is None:
            break
    assert all(r.called for r in results)
    answered = CallOutcome.ANSWERED
    assert s.finished() == {
        "c1": answered,
        "c2": answered,
        "c3": CallOutcome.ABANDONED,
        "c4": answered,
        "c5": answered,
    }
    assert s.acd.flush().called
    now = s.clock.seconds()
    with db.engine.connect() as conn:
        from sqlalchemy.orm import Session

        with Session(conn) as session:
            visits, periods = load_history(session)
    queue_rows, agent_rows = recompute(visits, periods, queues, agents, now)
    assert [asdict(q) for q in s.acd.queue_stats()] == [asdict(q) for q in queue_rows]
    assert [asdict(a) for a in s.acd.agent_stats()] == [asdict(a) for a in agent_rows]
    assert {v.call_id for v in visits} == {f"c{n}" for n in range(1, 6)}
    assert published and published[-1].queue in ("sales", "support")
    s.close()
    db.close()


def test_the_scaled_clock_runs_faster_and_shrinks_delays() -> None:
    inner = Clock()
    inner.advance(100)
    clock = ScaledClock(inner, speed=10, epoch=1000)
    fired: list[float] = []
    clock.callLater(50, lambda: fired.append(clock.seconds()))
    inner.advance(5)
    assert fired == [1050.0] and clock.seconds() == 1050.0


def test_a_timer_on_the_scaled_clock_never_fires_before_its_time() -> None:
    # 7x on real epoch times: 15 s scaled down and back up rounds to 0.4 µs early, and
    # the ACD would find its deadline not yet due and tick again for nothing.
    for k in range(1, 50):
        inner = Clock()
        inner.advance(1_764_000_000.0 + k * 0.37)
        clock = ScaledClock(inner, speed=7, epoch=1_790_000_000.0)
        inner.advance(k * 1.3)
        due = clock.seconds() + 15
        fired: list[float] = []
        clock.callLater(15, lambda c=clock, f=fired: f.append(c.seconds()))
        inner.advance(15 / 7)
        assert fired and fired[0] >= due
        assert clock.seconds() >= due  # and time does not step back afterwards


def test_a_caller_whose_number_cannot_be_dialled_back_is_not_offered_a_callback() -> None:
    # Commas are legal in SIP user parts; in a Variable: header Asterisk splits on them
    # (man_do_variable_value, main/manager.c), so a callback to this "number" would write
    # through DB(). The caller never hears an offer nobody could keep, and waits on.
    s = site(
        [
            Queue(
                "sales",
                callback_offer_after_s=10,
                callback_retry_s=60,
                callback_attempts=1,
                **QUIET,
            )
        ],
        [agent("a1")],
    )
    ch = s.channel(callerid="5551234,DB(sw/owned)=1")
    ch.digits[OFFER] = "1"
    s.hold(ch)
    s.clock.advance(10)
    assert not any(OFFER in line for line in ch.sent)
    s.acd.log_in("a1", ready=True)
    assert [a.name for a in s.ami.sent].count("Originate") == 0
    assert any(line.startswith("EXEC Dial") for line in ch.sent)  # the agent rings instead
    ch.hang_up()
    s.close()
