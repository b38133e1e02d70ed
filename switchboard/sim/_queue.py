# -*- test-case-name: tests.sim.test_conformance -*-
"""app_queue as the captures show it: static members, rrmemory, ring timeout, wrap-up."""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import Any

from switchboard.sim import _agent_phone as agent_phone
from switchboard.sim._queue_state import QUEUE_VARS, MemberState, QueueState, pick_member
from switchboard.sim.channels import RINGING, UP, Bridge, Channel
from switchboard.sim.pbx import Hungup, Pbx, Redirected, Transferred


class TalkEnded(Hungup):
    """The caller hung up while talking to a member (no abandon: the call completed)."""


class QueueEngine:
    def __init__(self, pbx: Pbx, rng: Random) -> None:
        self.pbx, self.rng = pbx, rng
        self.queues = {
            q.name: QueueState(q, [MemberState(m, q.name) for m in q.members])
            for q in pbx.config.queues
        }
        self.login_time = int(pbx.now())
        # Set by the dialplan: make the caller hang up after N s (``hangs_up: caller``).
        self.caller_hangs_up_after: Callable[[Channel, float], None] | None = None

    # -- members -----------------------------------------------------------------------
    def member_event(self, name: str, m: MemberState) -> None:
        self.pbx.emit(
            name,
            None,
            Queue=m.queue,
            MemberName=m.member.name,
            Interface=m.member.interface,
            StateInterface=m.member.interface,
            **self.member_fields(m),
            Ringinuse=0,
            Wrapuptime=0,
        )

    def member_fields(self, m: MemberState) -> dict[str, Any]:
        """A member's state, as ``QueueMember*`` events and ``QueueStatus`` list it."""
        return dict(
            Membership="dynamic" if m.dynamic else "static",
            Penalty=m.penalty,
            CallsTaken=m.calls,
            LastCall=m.last_call,
            LastPause=m.last_pause,
            LoginTime=self.login_time,
            InCall=int(m.in_call),
            Status=m.status,
            Paused=int(m.paused),
            PausedReason=m.reason,
        )

    def pause(self, m: MemberState, paused: bool, reason: str) -> None:
        m.paused, m.reason = paused, reason if paused else ""
        if paused:
            m.last_pause = int(self.pbx.now())
        self.pbx.device_state(
            f"Queue:{m.queue}_pause_{m.member.interface}", "INUSE" if paused else "NOT_INUSE"
        )
        self.member_event("QueueMemberPause", m)

    def _vars(self, chans: list[Channel], q: QueueState) -> None:
        total = q.completed + q.abandoned
        perf = f"{100.0 * q.completed / total:.1f}" if total else "0.0"
        values = (
            q.config.name,
            "0",
            q.config.strategy,
            str(len(q.waiting)),
            str(q.holdtime),
            str(q.talktime),
            str(q.completed),
            str(q.abandoned),
            str(q.config.service_level_s),
            perf,
        )
        for chan in chans:
            for name, value in zip(QUEUE_VARS, values, strict=True):
                self.pbx.setvar(chan, name, value)

    # -- the Queue() application -------------------------------------------------------
    async def run(self, two: Channel, name: str) -> None:
        pbx = self.pbx
        q = self.queues[name]
        for var in (
            "ANSWEREDTIME",
            "ANSWEREDTIME_MS",
            "DIALEDTIME",
            "DIALEDTIME_MS",
            "QUEUEWAIT",
            "QUEUEWAIT_MS",
        ):
            pbx.setvar(two, var, "")
        if "ABANDONED" in two.variables:  # cleared (with a VarSet) only once it was set
            pbx.setvar(two, "ABANDONED", "")
            del two.variables["ABANDONED"]
        q.waiting.append(two)
        joined = pbx.now()
        original = len(q.waiting)
        pbx.device_state(f"Queue:{name}", "RINGING")
        pbx.ev("QueueCallerJoin", two, Queue=name, Position=original, Count=len(q.waiting))
        pbx.ev("MusicOnHoldStart", two, Class="default")
        try:
            while True:
                if two.name in q.withdrawals:  # QueueWithdrawCaller: back to the dialplan
                    info = q.withdrawals.pop(two.name)
                    self._abandon(two, q, joined, original, withdraw_info=info)
                    pbx.setvar(two, "QUEUESTATUS", "WITHDRAW")
                    return
                m = pick_member(q, pbx.now()) if q.waiting and q.waiting[0] is two else None
                if m is None:
                    await pbx.sleep(1.0, two)
                    continue
                q.last_index = q.members.index(m)
                result = await self._ring(two, q, m, joined, original)
                if result:
                    return
                await pbx.sleep(q.config.retry_s, two)
        except TalkEnded:
            raise
        except Hungup as exc:
            self._abandon(two, q, joined, original, redirected=isinstance(exc, Redirected))
            raise

    def _abandon(
        self,
        two: Channel,
        q: QueueState,
        joined: float,
        original: int,
        redirected: bool = False,
        withdraw_info: str | None = None,
    ) -> None:
        """The caller left unanswered. app_queue reports a withdrawal as an abandon too
        (``record_abandoned``), then sets ``QUEUE_WITHDRAW_INFO`` (``withdraw_info``)."""
        pbx = self.pbx
        waited = pbx.now() - joined
        pbx.ev("MusicOnHoldStop", two)
        for var, value in (
            ("QUEUEWAIT", int(waited)),
            ("QUEUEWAIT_MS", int(waited * 1000)),
            ("DIALEDTIME", int(pbx.now() - two.created_at)),
            ("DIALEDTIME_MS", int((pbx.now() - two.created_at) * 1000)),
            ("ANSWEREDTIME", 0),
            ("ANSWEREDTIME_MS", 0),
        ):
            pbx.setvar(two, var, str(value))
        if redirected and two.redirect_to is not None:
            pbx.goto(two, *two.redirect_to)  # the snapshot moves before app_queue cleans up
            pbx.newexten(two, "Queue", f"{q.config.name},t,,,120")
        pbx.setvar(two, "ABANDONED", "TRUE")
        position = q.waiting.index(two) + 1 if two in q.waiting else 1
        self._vars([two], q)
        q.abandoned += 1
        pbx.ev(
            "QueueCallerAbandon",
            two,
            Queue=q.config.name,
            Position=position,
            OriginalPosition=original,
            HoldTime=int(waited),
        )
        if withdraw_info:
            pbx.setvar(two, "QUEUE_WITHDRAW_INFO", withdraw_info)
        q.priority.pop(two.name, None)
        if two in q.waiting:
            q.waiting.remove(two)
        self._vars([two], q)
        pbx.ev(
            "QueueCallerLeave", two, Queue=q.config.name, Position=position, Count=len(q.waiting)
        )
        pbx.setvar(two, "QUEUEPOSITION", str(position))

    async def _ring(
        self, two: Channel, q: QueueState, m: MemberState, joined: float, original: int
    ) -> bool:
        pbx = self.pbx
        iface = m.member.interface
        exten = iface.split("/")[1].split("@")[0]
        a1, a2 = pbx.new_local_pair(exten, "switchboard-agents", two.linkedid)
        pbx.newexten(a1, "AppQueue", "(Outgoing Line)")
        pbx.set_callerid(a1, two.caller_num, two.caller_name)
        inherited = [
            ("__SWITCHBOARD_CALLER", two.variables.get("SWITCHBOARD_CALLER", "")),
            ("__SWITCHBOARD_CALLID", two.variables.get("SWITCHBOARD_CALLID", "")),
        ]
        peer_number = iface.split("/", 1)[1]
        for var, value in inherited:
            pbx.setvar(a1, var, value)
        pbx.setvar(a1, "DIALEDPEERNUMBER", peer_number)
        pbx.setvar(a2, "DIALEDPEERNUMBER", peer_number)
        for var, value in inherited:
            pbx.setvar(a2, var, value)
        pbx.set_callerid(a2, two.caller_num, two.caller_name)
        pbx.set_connected(a2, two.caller_num, two.caller_name)
        pbx.emit(
            "LocalBridge",
            {"LocalOne": a1, "LocalTwo": a2},
            Context="switchboard-agents",
            Exten=exten,
            LocalOptimization="No",
        )
        names = {"Queue": q.config.name, "Interface": iface, "MemberName": m.member.name}
        pbx.emit("AgentCalled", {"": two, "Dest": a1}, **names)
        pbx.emit("DialBegin", {"": two, "Dest": a1}, DialString=peer_number)
        m.ringing = True
        self.member_event("QueueMemberStatus", m)
        answer_s = agent_phone.offer(pbx, a2, two)
        never = answer_s is None
        pbx.set_state(a1, RINGING)
        pbx.goto(a1, "switchboard-agents", "s", 1)
        pbx.newexten(a1, "AppQueue", "(Outgoing Line)")
        pbx.set_connected(a1, two.caller_num, two.caller_name)
        wait = 60.0 if answer_s is None else (answer_s or 1.0)
        pbx.newexten(a2, "Wait", str(int(wait) if wait == int(wait) else wait), 13 if never else 5)
        pbx.emit("DialState", {"": two, "Dest": a1}, DialStatus="RINGING")
        rang = pbx.now()
        timeout = q.config.timeout_s
        try:
            await pbx.sleep(min(wait, timeout), two)
        except Hungup:
            m.ringing = False
            pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="CANCEL")
            self._drop_agent(a1, a2, 0)
            self.member_event("QueueMemberStatus", m)
            raise
        if wait >= timeout:
            m.ringing = False
            pbx.emit(
                "AgentRingNoAnswer",
                {"": two, "Dest": a1},
                **names,
                RingTime=int((pbx.now() - rang) * 1000),
            )
            pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="NOANSWER")
            two.dials.append((a1.name, "NO ANSWER"))
            pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="CANCEL")
            self._drop_agent(a1, a2, 0)
            self.member_event("QueueMemberStatus", m)
            return False
        return await self._connect(two, q, m, a1, a2, joined, original, rang)

    def _caller_left(
        self, two: Channel, q: QueueState, a1: Channel, a2: Channel, bridge: Bridge, talked: int
    ) -> None:
        """The caller hung up mid-conversation (``AgentComplete Reason: caller``)."""
        pbx = self.pbx
        for chan in (two, a1):
            pbx.setvar(chan, "BRIDGEPEER", "")

        def leave(chan: Channel) -> None:
            bridge.channels.remove(chan)
            chan.bridge = None
            pbx.emit("BridgeLeave", {"": chan}, bridge)

        leave(two)
        pbx.cdr(a2)
        leave(a1)
        pbx.hangup_request(a2)
        pbx.destroy(a1)
        self._answered_vars(two, q, talked)
        pbx.ev("SoftHangupRequest", two, Cause=16)
        pbx.emit("BridgeDestroy", None, bridge)

    def _answered_vars(self, two: Channel, q: QueueState, talked: int) -> None:
        """The queue's and the call's times on ``two`` once a member talked to it."""
        pbx = self.pbx
        self._vars([two], q)
        for var, value in (
            ("ANSWEREDTIME", talked),
            ("ANSWEREDTIME_MS", talked * 1000),
            ("DIALEDTIME", int(pbx.now() - two.created_at)),
            ("DIALEDTIME_MS", int((pbx.now() - two.created_at) * 1000)),
        ):
            pbx.setvar(two, var, str(value))
        self._vars([two], q)

    def _drop_agent(self, a1: Channel, a2: Channel, cause: int) -> None:
        pbx = self.pbx
        pbx.hangup_request(a2, cause)
        pbx.destroy(a1, cause)
        pbx.cdr(a2, disposition="FAILED")
        pbx.soft_hangup_request(a2)
        pbx.destroy(a2, cause)

    async def _connect(
        self,
        two: Channel,
        q: QueueState,
        m: MemberState,
        a1: Channel,
        a2: Channel,
        joined: float,
        original: int,
        rang: float,
    ) -> bool:
        pbx = self.pbx
        iface = m.member.interface
        names = {"Queue": q.config.name, "Interface": iface, "MemberName": m.member.name}
        pbx.newexten(a2, "Answer", "", 6)
        pbx.set_state(a1, UP)
        pbx.set_state(a2, UP)
        pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="ANSWER")
        two.dials.append((a1.name, "ANSWERED"))
        m.ringing, m.in_call = False, True
        pbx.ev("MusicOnHoldStop", two)
        for chan in (two, a1):
            for var, value in (
                ("MEMBERINTERFACE", iface),
                ("MEMBERNAME", m.member.name),
                ("MEMBERCALLS", str(m.calls)),
                ("MEMBERLASTCALL", str(m.last_call)),
                ("MEMBERPENALTY", str(m.penalty)),
                ("MEMBERDYNAMIC", "0"),
                ("MEMBERREALTIME", "0"),
            ):
                pbx.setvar(chan, var, value)
        hold = int(pbx.now() - joined)
        for chan in (two, a1):
            pbx.setvar(chan, "QEHOLDTIME", str(hold))
            pbx.setvar(chan, "QEORIGINALPOS", str(original))
        self._vars([two, a1], q)
        position = q.waiting.index(two) + 1 if two in q.waiting else 1
        q.priority.pop(two.name, None)
        q.withdrawals.pop(two.name, None)  # answered first: the withdrawal is dropped
        if two in q.waiting:
            q.waiting.remove(two)
        pbx.ev(
            "QueueCallerLeave", two, Queue=q.config.name, Position=position, Count=len(q.waiting)
        )
        waited = pbx.now() - joined
        pbx.setvar(two, "QUEUEPOSITION", str(position))
        pbx.setvar(two, "QUEUEWAIT", str(int(waited)))
        pbx.setvar(two, "QUEUEWAIT_MS", str(int(waited * 1000)))
        pbx.emit(
            "AgentConnect",
            {"": two, "Dest": a1},
            **names,
            HoldTime=hold,
            RingTime=int(pbx.now() - rang),
        )
        self.member_event("QueueMemberStatus", m)
        bridge = Bridge(pbx.ids.bridge_id())
        pbx.emit("BridgeCreate", None, bridge)
        agent_phone.join(pbx, bridge, a1, two)
        talk = agent_phone.talk_time(pbx)
        behaviour = pbx.config.agents.get(a2.exten)
        if behaviour is not None and behaviour.talk_s is not None:
            talk = behaviour.talk_s
        agent_phone.talk(pbx, a2, talk)
        bridged_at = pbx.now()
        caller_left = transferred = False
        caller_ends = behaviour is not None and behaviour.hangs_up == "caller"
        try:
            if caller_ends and self.caller_hangs_up_after is not None:
                self.caller_hangs_up_after(two, int(talk))
                await pbx.sleep(int(talk) + 3600.0, two)
            else:
                await pbx.sleep(int(talk), two)
        except Transferred:  # the agent's leg goes as when the agent hangs up
            transferred = True
        except Hungup:
            caller_left = True
        talked = int(pbx.now() - bridged_at)
        two.variables["__bridged_s"] = str(pbx.now() - bridged_at)
        m.in_call = False
        m.calls += 1
        m.last_call = int(pbx.now())
        m.wrapup_until = pbx.now() + q.config.wrapup_s
        q.completed += 1
        q.holdtime, q.talktime = hold, talked
        if caller_left:
            self._caller_left(two, q, a1, a2, bridge, talked)
        else:
            pbx.newexten(a2, "StopPlayTones", "", 10)
            pbx.newexten(a2, "Hangup", "", 11)
            pbx.soft_hangup_request(a2)
            pbx.hangup_request(a1)
            pbx.cdr(a2)
        pbx.emit(
            "AgentComplete",
            {"": two} if a1.hung_up else {"": two, "Dest": a1},  # no snapshot of a gone leg
            **names,
            HoldTime=hold,
            TalkTime=talked,
            Reason="caller" if caller_left else "transfer" if transferred else "agent",
        )
        if caller_left:
            pbx.soft_hangup_request(a2)
            pbx.destroy(a2)
        else:
            pbx.destroy(a2)
            for chan in (a1, two):
                pbx.setvar(chan, "BRIDGEPEER", "")
            for chan in (a1, two):
                bridge.channels.remove(chan)
                chan.bridge = None
                pbx.emit("BridgeLeave", {"": chan}, bridge)
            pbx.destroy(a1)
            pbx.emit("BridgeDestroy", None, bridge)
        self.member_event("QueueMemberStatus", m)
        if caller_left:
            raise TalkEnded(two.name)
        self._answered_vars(two, q, talked)
        return True
