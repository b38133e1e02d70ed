"""AmiClient over a fake AMI peer: login, back-off, resync, subscriptions across reconnects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from switchboard.config.model import AmiSettings
from switchboard.cti.ami import AmiDisconnected, EventList, Message, actions
from switchboard.cti.ami.service import AmiClient
from switchboard.testing.ami import FakeAmiServer

case = SynchronousTestCase()


@dataclass
class World:
    clock: Clock
    server: FakeAmiServer
    client: AmiClient
    events: list[Message] = field(default_factory=list)
    resyncs: int = 0


def make(auth: str = "plain", **overrides: object) -> World:
    clock = Clock()
    server = FakeAmiServer(clock)
    settings = AmiSettings(
        secret="switchboard-secret",
        auth=auth,
        reconnect_initial_delay_s=1.0,
        reconnect_max_delay_s=8.0,
        keepalive_interval_s=30.0,
        **overrides,  # type: ignore[arg-type]
    )
    client = AmiClient(
        settings,
        clock,
        endpoint=server,
        jitter=lambda: 0.0,
        next_action_id=actions.ActionIdGenerator("sw-"),
    )
    world = World(clock, server, client)
    client.subscribe("Newchannel", world.events.append)

    def resynced() -> None:
        world.resyncs += 1

    client.on_resynced(resynced)
    return world


@pytest.fixture
def w() -> Iterator[World]:
    world = make()
    world.client.startService()
    yield world
    stopped = world.client.stopService()
    world.clock.advance(0)  # deliver the close
    case.successResultOf(stopped)
    assert world.clock.getDelayedCalls() == []


def login(world: World) -> None:
    conn = world.server.last
    conn.banner()
    conn.accept_login()


def test_plain_login_then_resync_and_events(w: World) -> None:
    ready = w.client.when_ready()
    conn = w.server.last
    conn.banner()
    login_msg = conn.next_action("Login")
    assert (login_msg.get("Username"), login_msg.get("Secret"), login_msg.get("Events")) == (
        "switchboard",
        "switchboard-secret",
        "on",
    )
    assert not w.client.connected and w.resyncs == 0
    conn.respond(login_msg, "Success", ("Message", "Authentication accepted"))
    assert w.client.connected and w.resyncs == 1
    case.assertNoResult(ready)  # fires on the next turn, outside ClientService's transition
    w.clock.advance(0)
    assert case.successResultOf(ready) is None
    conn.send([("Event", "Newchannel"), ("Channel", "Local/a")])
    assert [e.get("Channel") for e in w.events] == ["Local/a"]


def test_md5_login_uses_the_challenge() -> None:
    world = make(auth="md5")
    world.client.startService()
    conn = world.server.last
    conn.banner()
    login_msg = conn.accept_login(md5_challenge="119303745")
    # The key the real client sent for this challenge in ami-md5-login.to-asterisk.raw.
    assert login_msg.get("Key") == "52eb32212bbf833892987c14384ee92e"
    assert login_msg.get("AuthType") == "MD5" and "Secret" not in login_msg
    assert world.client.connected
    stopped = world.client.stopService()
    world.clock.advance(0)
    case.successResultOf(stopped)


def test_filters_from_settings_are_sent_after_login() -> None:
    world = make(event_filters=("!Event: VarSet", "!Event: Cdr"))
    world.client.startService()
    login(world)
    conn = world.server.last
    f1 = conn.next_action("Filter")
    assert f1.get("Filter") == "!Event: VarSet" and f1.get("Operation") == "Add"
    assert not world.client.connected  # still preparing
    conn.respond(f1)
    f2 = conn.next_action("Filter")
    conn.respond(f2, "Error", ("Message", "Filter not allowed"))  # logged, not fatal
    assert world.client.connected
    stopped = world.client.stopService()
    world.clock.advance(0)
    case.successResultOf(stopped)


def test_refused_login_is_retried_with_backoff(w: World) -> None:
    waiting = w.client.when_ready(fail_after_failures=1)
    conn = w.server.last
    conn.banner()
    conn.respond(conn.next_action("Login"), "Error", ("Message", "Authentication failed"))
    w.clock.advance(0)  # our close reaches the protocol; when_ready hears of it
    case.failureResultOf(waiting)  # the attempt counted as failed
    assert conn.transport.closed and w.server.attempts == 1
    w.clock.advance(0.99)
    assert w.server.attempts == 1
    w.clock.advance(0.01)  # initial delay 1 s, jitter 0
    assert w.server.attempts == 2
    conn2 = w.server.last
    conn2.banner()
    conn2.respond(conn2.next_action("Login"), "Error", ("Message", "Asterisk is shutting down"))
    w.clock.advance(0)
    w.clock.advance(1.99)
    assert w.server.attempts == 2
    w.clock.advance(0.01)  # then 2 s (factor 2)
    assert w.server.attempts == 3
    login(w)
    assert w.client.connected and w.resyncs == 1


def test_refused_connects_back_off_up_to_the_max(w: World) -> None:
    w.server.last.close()  # Asterisk went away before the banner
    w.server.refuse = 10
    delays = []
    for _ in range(6):
        before = w.server.attempts
        waited = 0.0
        while w.server.attempts == before:
            w.clock.advance(0.5)
            waited += 0.5
        delays.append(waited)
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    w.server.refuse = 0
    w.clock.advance(8.0)
    login(w)
    assert w.client.connected


def test_subscriptions_and_resync_survive_reconnect(w: World) -> None:
    login(w)
    pending = w.client.send(actions.ping())
    w.server.last.actions()
    w.server.last.close()  # Asterisk drops us (no Goodbye)
    case.failureResultOf(pending, AmiDisconnected)
    assert not w.client.connected
    case.failureResultOf(w.client.send(actions.ping()), AmiDisconnected)  # fail fast
    case.failureResultOf(w.client.send_list(actions.status()), AmiDisconnected)
    w.clock.advance(1.0)
    assert len(w.server.connections) == 2
    login(w)
    assert w.resyncs == 2
    w.server.last.send([("Event", "Newchannel"), ("Channel", "Local/after")])
    assert [e.get("Channel") for e in w.events] == ["Local/after"]


def test_send_list_and_unsubscribe(w: World) -> None:
    login(w)
    conn = w.server.last
    d = w.client.send_list(actions.core_show_channels())
    act = conn.next_action("CoreShowChannels")
    conn.respond(act, "Success", ("EventList", "start"))
    conn.send([("Event", "CoreShowChannel"), ("ActionID", act.action_id or ""), ("Channel", "c1")])
    conn.send(
        [
            ("Event", "CoreShowChannelsComplete"),
            ("ActionID", act.action_id or ""),
            ("EventList", "Complete"),
            ("ListItems", "1"),
        ]
    )
    result = case.successResultOf(d)
    assert isinstance(result, EventList) and result.items[0].get("Channel") == "c1"
    seen: list[str | None] = []
    unsubscribe = w.client.subscribe("*", lambda m: seen.append(m.event))
    conn.send([("Event", "Hangup")])
    unsubscribe()
    unsubscribe()
    conn.send([("Event", "Hangup")])
    assert seen == ["Hangup"]


def test_a_failing_subscriber_does_not_stop_the_others(w: World) -> None:
    login(w)
    got: list[Message] = []

    def broken(_: Message) -> None:
        raise RuntimeError("subscriber bug")

    w.client.subscribe("Hangup", broken)
    w.client.subscribe("Hangup", got.append)
    w.server.last.send([("Event", "Hangup")])
    assert len(got) == 1


def test_keepalive_missed_pong_reconnects(w: World) -> None:
    login(w)
    conn = w.server.last
    w.clock.advance(30.0)
    conn.next_action("Ping")
    w.clock.advance(30.0)  # no Pong: cut off, then reconnect with back-off
    assert conn.transport.disconnecting
    w.clock.advance(0)
    w.clock.advance(1.0)
    assert len(w.server.connections) == 2


def test_a_client_may_be_stopped_from_its_when_ready_callback(w: World) -> None:
    stopped: list[object] = []
    w.client.when_ready().addCallback(lambda _: stopped.append(w.client.stopService()))
    login(w)
    w.clock.advance(0)  # ready fires; stopping from its callback must not raise
    assert len(stopped) == 1
    w.clock.advance(0)
    case.successResultOf(stopped[0])  # type: ignore[arg-type]
    assert not w.client.connected
