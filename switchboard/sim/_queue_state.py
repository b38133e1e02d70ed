# -*- test-case-name: tests.sim.test_queue -*-
"""app_queue's state: members, queues and the pure ring-strategy decision.

No clock and no events here: :func:`pick_member` takes ``now`` and returns the member
``rrmemory`` rings next (paused, ringing, talking and wrapping-up members are skipped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Member, QueueConfig

QUEUE_VARS = (
    "QUEUENAME",
    "QUEUEMAX",
    "QUEUESTRATEGY",
    "QUEUECALLS",
    "QUEUEHOLDTIME",
    "QUEUETALKTIME",
    "QUEUECOMPLETED",
    "QUEUEABANDONED",
    "QUEUESRVLEVEL",
    "QUEUESRVLEVELPERF",
)


@dataclass
class MemberState:
    member: Member
    queue: str
    paused: bool = False
    reason: str = ""
    penalty: int = 0
    calls: int = 0
    last_call: int = 0
    last_pause: int = 0
    in_call: bool = False
    ringing: bool = False
    wrapup_until: float = 0.0
    dynamic: bool = False

    @property
    def status(self) -> int:
        return 6 if self.ringing else 2 if self.in_call else 1


@dataclass
class QueueState:
    config: QueueConfig
    members: list[MemberState]
    waiting: list[Channel] = field(default_factory=list)
    last_index: int = -1
    completed: int = 0
    abandoned: int = 0
    holdtime: int = 0
    talktime: int = 0
    priority: dict[str, int] = field(default_factory=dict)  # caller channel name -> prio
    withdrawals: dict[str, str] = field(default_factory=dict)  # channel name -> info

    def caller(self, name: str) -> Channel | None:
        return next((chan for chan in self.waiting if chan.name == name), None)

    def reprioritise(self, chan: Channel, priority: int) -> None:
        """app_queue's ``Immediate`` change: out of line, back in before the first caller
        of a lower priority (after every caller of the same one)."""
        self.priority[chan.name] = priority
        self.waiting.remove(chan)
        place = next(
            (i for i, c in enumerate(self.waiting) if priority > self.priority.get(c.name, 0)),
            len(self.waiting),
        )
        self.waiting.insert(place, chan)


def pick_member(
    q: QueueState, now: float, busy: frozenset[str] = frozenset()
) -> MemberState | None:
    """``rrmemory``: the next free member after the one rung last, or ``None``."""
    n = len(q.members)
    for step in range(1, n + 1):
        m = q.members[(q.last_index + step) % n]
        if m.paused or m.in_call or m.ringing or m.wrapup_until > now:
            continue
        if m.member.interface in busy:
            continue
        return m
    return None
