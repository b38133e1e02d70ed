# -*- test-case-name: tests.sim.test_ami -*-
"""app_queue's AMI actions (QueuePause, QueueAdd, QueueRemove, QueuePenalty, lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.cti.ami.frames import Message
from switchboard.sim._queue import QueueEngine
from switchboard.sim._queue_state import MemberState
from switchboard.sim.events import build_event
from switchboard.sim.pbx import Member

if TYPE_CHECKING:
    from switchboard.sim.ami import AmiServerProtocol


class QueueActions:
    queues: QueueEngine

    def _members(self, msg: Message) -> list[MemberState]:
        iface, name = msg.get("Interface") or "", msg.get("Queue")
        return [
            m
            for q in self.queues.queues.values()
            for m in q.members
            if m.member.interface == iface and (not name or q.config.name == name)
        ]

    def do_queuepause(self, p: AmiServerProtocol, msg: Message) -> None:
        paused = (msg.get("Paused") or "").lower() in ("true", "yes", "1")
        members = self._members(msg)
        if not members:
            p.respond(msg, "Error", ("Message", "Interface not found"))
            return
        word = "paused" if paused else "unpaused"
        p.respond(msg, "Success", ("Message", f"Interface {word} successfully"))
        for m in members:
            self.queues.pause(m, paused, msg.get("Reason") or "")

    def do_queuepenalty(self, p: AmiServerProtocol, msg: Message) -> None:
        members = self._members(msg)
        if not members:
            p.respond(msg, "Error", ("Message", "Invalid interface, queuename or penalty"))
            return
        for m in members:
            m.penalty = int(msg.get("Penalty") or 0)
        p.respond(msg, "Success", ("Message", "Interface penalty set successfully"))

    def do_queueadd(self, p: AmiServerProtocol, msg: Message) -> None:
        q = self.queues.queues.get(msg.get("Queue") or "")
        if q is None:
            p.respond(msg, "Error", ("Message", "Unable to add interface to queue: No such queue"))
            return
        iface = msg.get("Interface") or ""
        if any(m.member.interface == iface for m in q.members):
            p.respond(msg, "Error", ("Message", "Unable to add interface: Already there"))
            return
        state = MemberState(Member(iface, msg.get("MemberName") or iface), q.config.name)
        state.dynamic = True
        state.penalty = int(msg.get("Penalty") or 0)
        q.members.append(state)
        p.respond(msg, "Success", ("Message", "Added interface to queue"))

    def do_queueremove(self, p: AmiServerProtocol, msg: Message) -> None:
        q = self.queues.queues.get(msg.get("Queue") or "")
        found = [m for m in q.members if m.member.interface == msg.get("Interface")] if q else []
        if q is None or not found:
            p.respond(msg, "Error", ("Message", "Unable to remove interface: Not there"))
            return
        q.members.remove(found[0])
        p.respond(msg, "Success", ("Message", "Removed interface from queue"))

    def do_queuestatus(self, p: AmiServerProtocol, msg: Message) -> None:
        aid, now = msg.action_id or "", self.queues.pbx.now()
        p.respond(msg, "Success", ("EventList", "start"), ("Message", "Queue status will follow"))
        items = 0
        for q in self.queues.queues.values():
            if msg.get("Queue") and msg.get("Queue") != q.config.name:
                continue
            total = q.completed + q.abandoned
            perf = f"{100.0 * q.completed / total:.1f}" if total else "0.0"
            p.send(
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
            items += 1
            for m in q.members:
                if msg.get("Member") and msg.get("Member") != m.member.interface:
                    continue
                p.send(
                    build_event(
                        "QueueMember",
                        Queue=q.config.name,
                        Name=m.member.name,
                        Location=m.member.interface,
                        StateInterface=m.member.interface,
                        Membership="dynamic" if m.dynamic else "static",
                        Penalty=m.penalty,
                        CallsTaken=m.calls,
                        LastCall=m.last_call,
                        LastPause=m.last_pause,
                        LoginTime=self.queues.login_time,
                        InCall=int(m.in_call),
                        Status=m.status,
                        Paused=int(m.paused),
                        PausedReason=m.reason,
                        Wrapuptime=0,
                        ActionID=aid,
                    )
                )
                items += 1
            for pos, chan in enumerate(q.waiting, 1):
                p.send(
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
                items += 1
        p.send(
            build_event("QueueStatusComplete", ActionID=aid, EventList="Complete", ListItems=items)
        )

    def do_queuesummary(self, p: AmiServerProtocol, msg: Message) -> None:
        aid, now = msg.action_id or "", self.queues.pbx.now()
        p.respond(msg, "Success", ("EventList", "start"), ("Message", "Queue summary will follow"))
        items = 0
        for q in self.queues.queues.values():
            if msg.get("Queue") and msg.get("Queue") != q.config.name:
                continue
            free = [m for m in q.members if not (m.paused or m.in_call or m.ringing)]
            longest = max((int(now - c.created_at) for c in q.waiting), default=0)
            p.send(
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
            items += 1
        p.send(
            build_event("QueueSummaryComplete", ActionID=aid, EventList="Complete", ListItems=items)
        )
