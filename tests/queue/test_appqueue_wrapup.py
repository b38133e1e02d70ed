"""app_queue wrap-up as the tracker sees it: on_call -> wrap_up -> ready, wrap-up timed.

Asterisk 22 reports no wrap-up on AMI; switchboard's agent control pauses the member
with the reason ``wrap-up`` and unpauses it later. The tracker reads those pauses: the
wrap-up pause is not ``not_ready``, and the first pause event that is not a wrap-up
pause ends the wrap-up and counts it in ``CallHandled.wrap_s``.
"""

from __future__ import annotations

from switchboard.cti.ami.frames import Message
from switchboard.queue.core.appqueue import AppQueueTracker, Tracked
from switchboard.queue.core.decisions import AgentStateChanged, CallHandled, Fact
from switchboard.queue.core.model import AgentState, Queue
from tests.queue.helpers import agent

T = 1_790_000_000.0
DEVICE = "PJSIP/ann"
CALLER = "1790000000.1"


def _msg(event: str, **headers: str) -> Message:
    return Message([("Event", event), *headers.items()])


def _tracker(wrap_up_s: float = 30.0) -> AppQueueTracker:
    return AppQueueTracker([Queue("sales", wrap_up_s=wrap_up_s)], [agent("ann")])


def _pause(paused: bool, reason: str = "") -> Message:
    return _msg(
        "QueueMemberPause",
        Queue="sales",
        Interface=DEVICE,
        MemberName="Ann",
        Paused="1" if paused else "0",
        PausedReason=reason,
    )


def _talk(tracker: AppQueueTracker) -> list[Fact]:
    """Ann joins ready; one caller rings her at +1, talks from +3 until +63."""
    script = [
        (_msg("QueueMemberAdded", Queue="sales", Interface=DEVICE, MemberName="Ann"), T),
        (_msg("QueueCallerJoin", Queue="sales", Uniqueid=CALLER, Linkedid=CALLER), T),
        (_msg("AgentCalled", Queue="sales", Uniqueid=CALLER, Interface=DEVICE), T + 1),
        (_msg("AgentConnect", Queue="sales", Uniqueid=CALLER, Interface=DEVICE), T + 3),
        (_msg("AgentComplete", Queue="sales", Uniqueid=CALLER, Interface=DEVICE), T + 63),
    ]
    return [f for msg, at in script for f in tracker.feed(msg, at).facts]


def _states(facts: list[Fact] | tuple[Fact, ...]) -> list[str]:
    return [f.state.value for f in facts if isinstance(f, AgentStateChanged)]


def _handled(result: Tracked) -> list[CallHandled]:
    return [f for f in result.facts if isinstance(f, CallHandled)]


def test_the_agent_wraps_up_until_unpaused_and_the_wrap_up_is_counted() -> None:
    tracker = _tracker()
    facts = _talk(tracker)
    assert _states(facts) == ["ready", "reserved", "on_call", "wrap_up"]
    assert not [f for f in facts if isinstance(f, CallHandled)]  # not before wrap-up ends
    # The control's wrap-up pause (and the device's status change) keep her in wrap-up.
    assert tracker.feed(_pause(True, "wrap-up"), T + 63.1).facts == ()
    status = _msg("QueueMemberStatus", Queue="sales", Interface=DEVICE, Paused="0", Status="1")
    assert tracker.feed(status, T + 63.2).facts == ()
    assert tracker.agent_state("ann") is AgentState.WRAP_UP
    ended = tracker.feed(_pause(False), T + 93)
    (handled,) = _handled(ended)
    assert (handled.talk_s, handled.wrap_s) == (60.0, 30.0)
    assert _states(ended.facts) == ["ready"]


def test_a_pause_for_another_reason_ends_wrap_up_into_not_ready() -> None:
    tracker = _tracker()
    _talk(tracker)
    tracker.feed(_pause(True, "wrap-up"), T + 64)
    ended = tracker.feed(_pause(True, "lunch"), T + 70)
    assert [h.wrap_s for h in _handled(ended)] == [7.0]
    (changed,) = [f for f in ended.facts if isinstance(f, AgentStateChanged)]
    assert (changed.state, changed.reason) == (AgentState.NOT_READY, "lunch")


def test_removal_in_wrap_up_counts_the_call_and_logs_the_agent_out() -> None:
    tracker = _tracker()
    _talk(tracker)
    removed = _msg("QueueMemberRemoved", Queue="sales", Interface=DEVICE)
    ended = tracker.feed(removed, T + 73)
    assert [h.wrap_s for h in _handled(ended)] == [10.0]
    assert _states(ended.facts) == ["logged_out"]


def test_a_queue_without_wrap_up_frees_the_agent_at_once() -> None:
    tracker = _tracker(wrap_up_s=0)
    facts = _talk(tracker)
    assert _states(facts) == ["ready", "reserved", "on_call", "ready"]
    assert [f.wrap_s for f in facts if isinstance(f, CallHandled)] == [0.0]


def test_a_member_not_in_the_queue_file_is_not_wrapped_up() -> None:
    tracker = AppQueueTracker()  # no queue file: Asterisk's own wrapuptime, unseen
    facts = _talk(tracker)
    assert _states(facts)[-1] == "ready"


def test_a_resync_listing_her_unpaused_ends_the_wrap_up_missed_while_away() -> None:
    tracker = _tracker()
    _talk(tracker)
    listed = _msg("QueueMember", Queue="sales", Location=DEVICE, Name="Ann", Paused="0", InCall="0")
    params = _msg("QueueParams", Queue="sales")
    ended = tracker.resync([params, listed], T + 80)
    assert [h.wrap_s for h in _handled(ended)] == [17.0]
    assert tracker.agent_state("ann") is AgentState.READY
    # Listed still in the wrap-up pause: the wrap-up goes on.
    tracker2 = _tracker()
    _talk(tracker2)
    wrapping = _msg(
        "QueueMember", Queue="sales", Location=DEVICE, Paused="1", PausedReason="wrap-up"
    )
    assert _handled(tracker2.resync([params, wrapping], T + 80)) == []
    assert tracker2.agent_state("ann") is AgentState.WRAP_UP


def test_rung_again_before_the_wrap_up_pause_took_the_first_call_is_still_counted() -> None:
    tracker = _tracker()
    _talk(tracker)  # the first call ends at +63: wrap-up
    second = "1790000000.9"
    tracker.feed(_msg("QueueCallerJoin", Queue="sales", Uniqueid=second), T + 63.05)
    rung = tracker.feed(
        _msg("AgentCalled", Queue="sales", Uniqueid=second, Interface=DEVICE), T + 63.1
    )
    (handled,) = _handled(rung)
    assert (handled.call_id, handled.wrap_s) == (CALLER, 0.1)
    assert _states(rung.facts) == ["ready", "reserved"]
    assert type(rung.facts[0]) is CallHandled  # the old call told before the new offer
