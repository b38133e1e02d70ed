"""What the call model learned for the call records: holds, the dialled number, each
leg's hang-up cause, and the end of a resync on the ``call`` topic.

Asterisk 22 reports a hold as ``Event: Hold`` (the channel's headers and ``MusicClass``)
and its end as ``Event: Unhold`` (docs.asterisk.org, Asterisk_22_Documentation/
API_Documentation/AMI_Events/Hold and Unhold). The captures in
/work/shared/protocol-captures/asterisk-22/ hold none (no phone there put a call on
hold), so these events are written here with the channel headers the captures' other
channel events carry.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import Clock

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.calls import CallEnded, CallModel, CallNews, CallsResynced, CallTracker
from tests.calls.test_model import channel, event, hangup, listed

CALLER = ("PJSIP/trunk-01", "9.1", "9.1")
AGENT = ("PJSIP/1001-02", "9.2", "9.1")


def _hold(kind: str, name: str, uid: str, linked: str) -> Message:
    fields = {"MusicClass": "default"} if kind == "Hold" else {}
    return event(kind, Channel=name, Uniqueid=uid, Linkedid=linked, ChannelStateDesc="Up", **fields)


def _call_of_two(model: CallModel) -> None:
    model.feed(
        event(
            "Newchannel",
            Channel=CALLER[0],
            Uniqueid="9.1",
            Linkedid="9.1",
            ChannelStateDesc="Ring",
            CallerIDNum="13800138000",
            Exten="4008001234",
        ),
        at=0.0,
    )
    model.feed(channel(*AGENT), at=2.0)


def test_holds_are_counted_and_timed_one_per_call_however_many_legs_hold() -> None:
    model = CallModel()
    _call_of_two(model)
    model.feed(_hold("Hold", *AGENT), at=10.0)
    model.feed(_hold("Hold", *CALLER), at=11.0)
    call = model.call("9.1")
    assert call is not None and call.on_hold and call.hold_count == 1
    model.feed(_hold("Unhold", *CALLER), at=15.0)
    assert model.call("9.1").on_hold  # type: ignore[union-attr]  # the agent still holds
    model.feed(_hold("Unhold", *AGENT), at=22.5)
    call = model.call("9.1")
    assert call is not None and (call.on_hold, call.hold_count, call.hold_s) == (False, 1, 12.5)
    model.feed(_hold("Hold", *AGENT), at=30.0)
    model.feed(hangup(*CALLER), at=31.0)
    (ended,) = model.feed(hangup(*AGENT), at=34.0)
    # A hold still on when the call ends ends with it.
    assert isinstance(ended, CallEnded)
    assert (ended.call.hold_count, ended.call.hold_s, ended.call.on_hold) == (2, 16.5, False)


def test_the_dialled_number_and_each_legs_hangup_cause_are_on_the_call() -> None:
    model = CallModel()
    _call_of_two(model)
    assert model.call("9.1").dialled_number == "4008001234"  # type: ignore[union-attr]
    (update,) = model.feed(hangup(*AGENT, cause="17"), at=40.0)
    assert update.call.last_hangup is not None
    assert (update.call.last_hangup.uniqueid, update.call.last_hangup.cause) == ("9.2", 17)
    (ended,) = model.feed(hangup(*CALLER), at=41.0)
    assert ended.call.last_hangup is not None and ended.call.last_hangup.uniqueid == "9.1"


def test_the_s_extension_is_no_dialled_number() -> None:
    model = CallModel()
    model.feed(event("Newchannel", Channel="Local/s@ivr-01;1", Uniqueid="7.1", Exten="s"), 0.0)
    assert model.call("7.1").dialled_number is None  # type: ignore[union-attr]


class _Ami:
    def __init__(self, items: list[Message]) -> None:
        self.items = items
        self.resynced: list[Callable[[], object]] = []

    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]:
        return lambda: None

    def on_resynced(self, callback: Callable[[], object]) -> Callable[[], None]:
        self.resynced.append(callback)
        return lambda: None

    def send_list(
        self, action: actions.Action, *, timeout_s: float | None = None
    ) -> Deferred[EventList]:
        return succeed(
            EventList(response=Message([("Response", "Success")]), items=tuple(self.items))
        )


def test_each_resync_ends_with_the_calls_live_after_it_even_when_there_are_none() -> None:
    published: list[CallNews] = []
    ami = _Ami([listed("PJSIP/trunk-05", "5.1", "5.1")])
    tracker = CallTracker(ami, Clock(), published.append)  # type: ignore[arg-type]
    tracker.startService()
    for callback in ami.resynced:
        callback()
    assert [type(n).__name__ for n in published] == ["CallStarted", "CallsResynced"]
    assert published[-1] == CallsResynced(("5.1",), 0.0)
    ami.items = []  # the call ended while the link was down
    for callback in ami.resynced:
        callback()
    assert [type(n).__name__ for n in published[2:]] == ["CallEnded", "CallsResynced"]
    assert published[-1] == CallsResynced((), 0.0)
    tracker.stopService()
