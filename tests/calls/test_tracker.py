# -*- test-case-name: tests.calls.test_tracker -*-
"""CallTracker: the model driven by an AMI client, on an injected clock."""

from __future__ import annotations

from collections.abc import Callable

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.config.model import AmiSettings
from switchboard.cti.ami import AmiClient, actions
from switchboard.cti.ami.errors import AmiDisconnected
from switchboard.cti.ami.frames import Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.calls import END_VANISHED, CallEnded, CallModel, CallTracker, Change
from switchboard.testing.ami import FakeAmiConnection, FakeAmiServer
from tests.calls.replay import CAPTURES, answer_core_show_channels, event_blocks, messages
from tests.calls.test_model import channel, listed


class FakeAmi:
    """The slice of AmiClient the tracker uses; the test answers each list by hand."""

    def __init__(self) -> None:
        self.subscribers: dict[str, list[Callable[[Message], object]]] = {}
        self.resync: list[Callable[[], object]] = []
        self.lists: list[tuple[str, Deferred[EventList]]] = []

    def subscribe(self, name: str, cb: Callable[[Message], object]) -> Callable[[], None]:
        self.subscribers.setdefault(name, []).append(cb)
        return lambda: self.subscribers[name].remove(cb)

    def on_resynced(self, cb: Callable[[], object]) -> Callable[[], None]:
        self.resync.append(cb)
        return lambda: self.resync.remove(cb)

    def send_list(
        self, action: actions.Action, *, timeout_s: float | None = None
    ) -> Deferred[EventList]:
        d: Deferred[EventList] = Deferred()
        self.lists.append((action.name, d))
        return d

    def dispatch(self, msg: Message) -> None:
        for cb in list(self.subscribers.get(msg.event or "", [])):
            cb(msg)

    def logged_in(self) -> None:
        for cb in list(self.resync):
            cb()


def running(clock: Clock, published: list[Change], **kw: object) -> tuple[FakeAmi, CallTracker]:
    ami = FakeAmi()
    tracker = CallTracker(ami, clock, published.append, **kw)  # type: ignore[arg-type]
    tracker.startService()
    return ami, tracker


def test_replayed_events_are_published_stamped_with_the_clock() -> None:
    clock, published = Clock(), []
    ami, tracker = running(clock, published)
    clock.advance(1000)
    for msg, _ in messages("scenario-6calls/ami-scenario-6calls"):
        ami.dispatch(msg)
    ended = [c for c in published if isinstance(c, CallEnded)]
    assert len(ended) == 6 and {c.at for c in published} == {1000.0}
    tracker.stopService()
    assert clock.getDelayedCalls() == []


def test_every_login_rebuilds_from_core_show_channels_and_closes_vanished_calls() -> None:
    clock, published = Clock(), []
    ami, tracker = running(clock, published)
    ami.dispatch(channel("PJSIP/a-01", "1.1", "1.1"))
    ami.dispatch(channel("PJSIP/b-02", "2.1", "2.1"))
    # The link drops and comes back: the tracker asks for the channel list.
    ami.logged_in()
    ((name, answer),) = ami.lists
    assert name == "CoreShowChannels"
    clock.advance(60)
    answer.callback(
        EventList(Message([("Response", "Success")]), (listed("PJSIP/b-02", "2.1", "2.1"),))
    )
    (end,) = [c for c in published if isinstance(c, CallEnded)]
    assert end.call.call_id == "1.1" and end.reason == END_VANISHED and end.at == 60.0
    assert [c.call_id for c in tracker.model.live_calls()] == ["2.1"]
    tracker.stopService()


def test_a_failed_listing_is_logged_and_the_next_login_tries_again() -> None:
    clock, published = Clock(), []
    ami, tracker = running(clock, published)
    ami.dispatch(channel("PJSIP/a-01", "1.1", "1.1"))
    ami.logged_in()
    ami.lists[0][1].errback(AmiDisconnected("AMI not connected"))
    assert [c.call_id for c in tracker.model.live_calls()] == ["1.1"]  # kept, not guessed
    ami.logged_in()
    ami.lists[1][1].callback(EventList(Message([("Response", "Success")]), ()))
    assert tracker.model.live_calls() == ()
    tracker.stopService()


def test_ended_calls_are_forgotten_by_the_timer_after_the_grace() -> None:
    clock, published = Clock(), []
    model = CallModel(grace_s=30)
    ami, tracker = running(clock, published, model=model, expire_every_s=5)
    ami.dispatch(channel("PJSIP/a-01", "1.1", "1.1"))
    ami.dispatch(channel("PJSIP/a-01", "1.1", "1.1", kind="Hangup"))
    assert model.call("1.1") is not None
    clock.advance(25)
    assert model.call("1.1") is not None
    clock.advance(10)
    assert model.call("1.1") is None
    tracker.stopService()
    assert clock.getDelayedCalls() == []


def test_a_failing_subscriber_does_not_stop_the_model() -> None:
    clock = Clock()
    ami = FakeAmi()

    def broken(change: Change) -> None:
        raise RuntimeError("hub down")

    tracker = CallTracker(ami, clock, broken)  # type: ignore[arg-type]
    tracker.startService()
    ami.dispatch(channel("PJSIP/a-01", "1.1", "1.1"))
    ami.dispatch(channel("PJSIP/b-02", "2.1", "2.1"))
    assert len(tracker.model.live_calls()) == 2
    tracker.stopService()
    assert all(not subs for subs in ami.subscribers.values()) and ami.resync == []


def rita_held_then_link_dropped() -> tuple[
    Clock, AmiClient, CallTracker, list[Change], FakeAmiConnection
]:
    """The real client and a tracker; Rita's call (ami-reconnect-1) is live when the link
    drops; after the back-off the client has logged in again and awaits its channel list."""
    clock, published = Clock(), []
    server = FakeAmiServer(clock)
    settings = AmiSettings(
        secret="switchboard-secret",
        auth="plain",
        reconnect_initial_delay_s=1.0,
        reconnect_max_delay_s=8.0,
        keepalive_interval_s=30.0,
    )
    client = AmiClient(
        settings,
        clock,
        endpoint=server,
        jitter=lambda: 0.0,
        next_action_id=actions.ActionIdGenerator("sw-"),
    )
    tracker = CallTracker(client, clock, published.append)
    client.startService()
    tracker.startService()
    first = server.last
    first.banner()
    first.accept_login()
    answer_core_show_channels(first, [])  # nothing live yet
    first.send(event_blocks("ami-reconnect/ami-reconnect-1"))
    assert [c.caller_number for c in tracker.model.live_calls()] == ["5559001"]
    first.close()  # abrupt: no Logoff, no Hangup seen
    clock.advance(1.0)
    second = server.last
    assert second is not first
    second.banner()
    second.accept_login()
    return clock, client, tracker, published, second


def stop(clock: Clock, client: AmiClient, tracker: CallTracker) -> None:
    tracker.stopService()
    stopped = client.stopService()
    clock.advance(0)
    assert stopped.called and clock.getDelayedCalls() == []


def test_over_the_real_ami_client_a_call_lost_in_a_restart_ends_as_vanished() -> None:
    clock, client, tracker, published, second = rita_held_then_link_dropped()
    # Meanwhile `core restart now` killed the call: the new Asterisk lists no channel
    # (ami-after-restart).
    answer_core_show_channels(second, [])
    (end,) = [c for c in published if isinstance(c, CallEnded)]
    assert end.reason == END_VANISHED and end.call.caller_number == "5559001"
    assert end.at == 1.0 and tracker.model.live_calls() == ()
    stop(clock, client, tracker)


def test_over_the_real_ami_client_a_call_still_listed_is_kept() -> None:
    clock, client, tracker, published, second = rita_held_then_link_dropped()
    # ami-reconnect-2 lists both halves of Rita's call, still held.
    raw = (CAPTURES / "ami-reconnect/ami-reconnect-2.from-asterisk.raw").read_bytes()
    items = [
        b + b"\r\n\r\n"
        for b in raw.split(b"\r\n\r\n")
        if b.startswith(b"Event: CoreShowChannel\r\n")
    ]
    assert len(items) == 2
    answer_core_show_channels(second, items)
    assert not [c for c in published if isinstance(c, CallEnded)]
    (held,) = tracker.model.live_calls()
    assert held.caller_number == "5559001" and len(held.channels) == 2
    stop(clock, client, tracker)
