# -*- test-case-name: tests.sim.test_ami -*-
"""app_queue's AMI actions (QueuePause, QueueAdd, QueueRemove, QueuePenalty, lists)."""

from __future__ import annotations

from switchboard.cti.ami.frames import Message
from switchboard.sim._queue import QueueEngine
from switchboard.sim._queue_state import MemberState
from switchboard.sim._reply import AmiSession, Frame, Reply, error, list_reply, success
from switchboard.sim.events import build_event
from switchboard.sim.pbx import Member


class QueueActions:
    """app_queue's actions on :class:`QueueEngine`'s queues and members."""

    def __init__(self, queues: QueueEngine) -> None:
        self.queues = queues

    def _members(self, msg: Message) -> list[MemberState]:
        iface, name = msg.get("Interface") or "", msg.get("Queue")
        return [
            m
            for q in self.queues.queues.values()
            for m in q.members
            if m.member.interface == iface and (not name or q.config.name == name)
        ]

    def do_queuepause(self, p: AmiSession, msg: Message) -> Reply:
        paused = (msg.get("Paused") or "").lower() in ("true", "yes", "1")
        members = self._members(msg)
        if not members:
            return error("Interface not found")
        word = "paused" if paused else "unpaused"

        def pause() -> None:
            for m in members:
                self.queues.pause(m, paused, msg.get("Reason") or "")

        return success(("Message", f"Interface {word} successfully"), then=pause)

    def do_queuepenalty(self, p: AmiSession, msg: Message) -> Reply:
        members = self._members(msg)
        if not members:
            return error("Invalid interface, queuename or penalty")
        for m in members:
            m.penalty = int(msg.get("Penalty") or 0)
        return success(("Message", "Interface penalty set successfully"))

    # Answers and checks in the order of apps/app_queue.c (manager_change_priority_caller_
    # on_queue, manager_request_withdraw_caller_from_queue). Neither action sends an event
    # itself: a withdrawn caller leaves at Queue()'s next turn (QueueEngine.run).
    def do_queuechangeprioritycaller(self, p: AmiSession, msg: Message) -> Reply:
        for header in ("Queue", "Caller", "Priority"):
            if not msg.get(header):
                return error(f"'{header}' not specified.")
        try:
            priority = int(msg.get("Priority") or "")
        except ValueError:
            return error("'Priority' need integer.")
        q = self.queues.queues.get(msg.get("Queue") or "")
        if q is None:
            return error("Unable to change priority caller on queue: No such queue")
        chan = q.caller(msg.get("Caller") or "")
        if chan is None:
            return error("Unable to change priority caller on queue: No such caller")
        if (msg.get("Immediate") or "").lower() in ("yes", "true", "y", "t", "1", "on"):
            q.reprioritise(chan, priority)
        else:
            q.priority[chan.name] = priority
        return success(("Message", "Priority change for caller on queue"))

    def do_queuewithdrawcaller(self, p: AmiSession, msg: Message) -> Reply:
        for header in ("Queue", "Caller"):
            if not msg.get(header):
                return error(f"'{header}' not specified.")
        q = self.queues.queues.get(msg.get("Queue") or "")
        if q is None:
            return error("Unable to request withdraw from queue: No such queue")
        chan = q.caller(msg.get("Caller") or "")
        if chan is None:
            return error("Unable to request withdraw from queue: No such caller")
        if chan.name in q.withdrawals:
            return error("Unable to request withdraw from queue: Already requested")
        q.withdrawals[chan.name] = msg.get("WithdrawInfo") or ""
        return success(("Message", "Withdraw requested successfully"))

    def do_queueadd(self, p: AmiSession, msg: Message) -> Reply:
        q = self.queues.queues.get(msg.get("Queue") or "")
        if q is None:
            return error("Unable to add interface to queue: No such queue")
        iface = msg.get("Interface") or ""
        if any(m.member.interface == iface for m in q.members):
            return error("Unable to add interface: Already there")
        state = MemberState(Member(iface, msg.get("MemberName") or iface), q.config.name)
        state.dynamic = True
        state.penalty = int(msg.get("Penalty") or 0)
        q.members.append(state)
        return success(("Message", "Added interface to queue"))

    def do_queueremove(self, p: AmiSession, msg: Message) -> Reply:
        q = self.queues.queues.get(msg.get("Queue") or "")
        found = [m for m in q.members if m.member.interface == msg.get("Interface")] if q else []
        if q is None or not found:
            return error("Unable to remove interface: Not there")
        q.members.remove(found[0])
        return success(("Message", "Removed interface from queue"))

    def do_queuestatus(self, p: AmiSession, msg: Message) -> Reply:
        aid, now = msg.action_id or "", self.queues.pbx.now()
        items: list[Frame] = []
        for q in self.queues.queues.values():
            if msg.get("Queue") and msg.get("Queue") != q.config.name:
                continue
            total = q.completed + q.abandoned
            perf = f"{100.0 * q.completed / total:.1f}" if total else "0.0"
            items.append(
                build_event(
                    "QueueParams",
                    Queue=q.config.name,
                    Max=0,
                    Strategy=q.config.strategy,
                    Calls=len(q.waiting),
                    Holdtime=q.holdtime,
                    TalkTime=q.talktime,
                    Completed=q.completed,
                    Abandoned=q.abandoned,
                    ServiceLevel=q.config.service_level_s,
                    ServicelevelPerf=perf,
                    ServicelevelPerf2=perf,
                    Weight=0,
                    ActionID=aid,
                )
            )
            for m in q.members:
                if msg.get("Member") and msg.get("Member") != m.member.interface:
                    continue
                items.append(
                    build_event(
                        "QueueMember",
                        Queue=q.config.name,
                        Name=m.member.name,
                        Location=m.member.interface,
                        StateInterface=m.member.interface,
                        **self.queues.member_fields(m),
                        Wrapuptime=0,
                        ActionID=aid,
                    )
                )
            for pos, chan in enumerate(q.waiting, 1):
                items.append(
                    build_event(
                        "QueueEntry",
                        Queue=q.config.name,
                        Position=pos,
                        Channel=chan.name,
                        Uniqueid=chan.uniqueid,
                        CallerIDNum=chan.caller_num,
                        CallerIDName=chan.caller_name,
                        ConnectedLineNum=chan.connected_num,
                        ConnectedLineName=chan.connected_name,
                        Wait=int(now - chan.created_at),
                        Priority=0,
                        ActionID=aid,
                    )
                )
        items.append(
            build_event(
                "QueueStatusComplete", ActionID=aid, EventList="Complete", ListItems=len(items)
            )
        )
        return list_reply("Queue status will follow", items)

    def do_queuesummary(self, p: AmiSession, msg: Message) -> Reply:
        aid, now = msg.action_id or "", self.queues.pbx.now()
        items: list[Frame] = []
        for q in self.queues.queues.values():
            if msg.get("Queue") and msg.get("Queue") != q.config.name:
                continue
            free = [m for m in q.members if not (m.paused or m.in_call or m.ringing)]
            longest = max((int(now - c.created_at) for c in q.waiting), default=0)
            items.append(
                build_event(
                    "QueueSummary",
                    Queue=q.config.name,
                    LoggedIn=len(q.members),
                    Available=len(free),
                    Callers=len(q.waiting),
                    HoldTime=q.holdtime,
                    TalkTime=q.talktime,
                    LongestHoldTime=longest,
                    ActionID=aid,
                )
            )
        items.append(
            build_event(
                "QueueSummaryComplete", ActionID=aid, EventList="Complete", ListItems=len(items)
            )
        )
        return list_reply("Queue summary will follow", items)
