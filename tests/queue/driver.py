# -*- test-case-name: tests.queue.test_properties -*-
"""A pretend shell and PBX for property tests: random events in, invariants checked.

It answers the router's commands the way a PBX might (answer, ring out, busy, callback
reached or not), remembers what is ringing and who is talking, and at the end drains
everything so that every call must have ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from switchboard.queue.core._waiting import accepts
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallFinished,
    CallQueued,
    CancelOffer,
    Decisions,
    Fact,
    OfferCall,
    OriginateCallback,
)
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    CallArrived,
    CallbackOutcome,
    CallbackRequested,
    CallEnded,
    CallerAbandoned,
    CallMoveRequested,
    CallPriorityChanged,
    ConfigChanged,
    DeviceStateChanged,
    Event,
    OfferAnswered,
    OfferNotAnswered,
    Tick,
    WrapUpEnded,
)
from switchboard.queue.core.model import (
    Agent,
    AgentState,
    Fallback,
    LanguageMatch,
    OverflowRule,
    Queue,
    Strategy,
    WaitingCall,
    frozen_map,
)
from switchboard.queue.core.router import Router
from tests.queue.helpers import START

QUEUES = (
    Queue(
        "sales",
        frozen_map({"sales": 1}),
        Strategy.LONGEST_IDLE,
        wrap_up_s=5,
        max_wait_s=600,
        fallback=Fallback("queue", "support"),
        ring_timeout_s=10,
        overflow=(OverflowRule(60, add_agents_of=("support",)),),
        aging_per_min=1,
        callback_attempts=2,
        callback_retry_s=30,
        max_length=6,
    ),
    Queue(
        "support",
        frozen_map({"support": 2}),
        Strategy.FEWEST_CALLS,
        wrap_up_s=0,
        max_wait_s=900,
        fallback=Fallback("voicemail", "100@default"),
        weight=1,
        overflow=(OverflowRule(30, min_level=1, drop_skills=("vip",)),),
        tiered=True,
    ),
    Queue(
        "vip",
        frozen_map({"vip": 1}),
        Strategy.ROUND_ROBIN,
        max_wait_s=300,
        fallback=Fallback("callback"),
        callback_offer_after_s=20,
        language_match=LanguageMatch.STRICT,
    ),
    Queue(
        "general",
        strategy=Strategy.RANDOM,
        max_length=3,
        fallback=Fallback("exit", "x,s"),
        announce_interval_s=15,
    ),
)
AGENTS = (
    Agent(
        "a1",
        device="PJSIP/a1",
        skills=frozen_map({"sales": 3}),
        languages=frozenset({"en"}),
        queues=("sales", "general"),
    ),
    Agent(
        "a2",
        device="PJSIP/a2",
        skills=frozen_map({"sales": 1, "support": 2}),
        languages=frozenset({"en", "yue"}),
        queues=("sales", "support"),
    ),
    Agent(
        "a3",
        device="PJSIP/a3",
        skills=frozen_map({"support": 3, "vip": 2}),
        languages=frozenset({"cmn"}),
        queues=("support", "vip"),
    ),
    Agent(
        "a4",
        device="PJSIP/shared",
        skills=frozen_map({"vip": 1, "sales": 2}),
        languages=frozenset({"cmn", "en"}),
        queues=("vip", "general", "sales"),
    ),
    Agent(
        "a5",
        device="PJSIP/shared",
        skills=frozen_map({"support": 1}),
        languages=frozenset({"yue"}),
        queues=("support", "general"),
    ),
)
A6 = Agent(
    "a6",
    device="PJSIP/a6",
    skills=frozen_map({"sales": 2, "support": 2}),
    languages=frozenset({"en"}),
    queues=("sales", "support"),
)
ALL_AGENTS = (*AGENTS, A6)
# Reloads: each a valid configuration, with the statistics rules (service level, short
# abandons) unchanged so that the figures can still be recomputed from the history.
CONFIGS: tuple[tuple[tuple[Queue, ...], tuple[Agent, ...]], ...] = (
    (QUEUES, AGENTS),
    (
        QUEUES[:3],
        (
            replace(AGENTS[0], queues=("sales",)),
            AGENTS[1],
            AGENTS[2],
            replace(AGENTS[3], queues=("vip", "sales")),
            replace(AGENTS[4], queues=("support",)),
            A6,
        ),
    ),
    (
        (
            replace(
                QUEUES[0],
                required_skills=frozen_map({"sales": 2}),
                ring_timeout_s=5,
                strategy=Strategy.ROUND_ROBIN,
                wrap_up_s=0,
            ),
            replace(QUEUES[1], strategy=Strategy.RANDOM, weight=3),
            *QUEUES[2:],
        ),
        (
            AGENTS[0],
            replace(AGENTS[1], skills=frozen_map({"support": 3}), languages=frozenset({"en"})),
            *AGENTS[3:],
            A6,
        ),
    ),
    (
        (QUEUES[1], QUEUES[3]),
        (
            replace(AGENTS[1], queues=("support",)),
            AGENTS[4],
            replace(A6, queues=("support", "general")),
        ),
    ),
)
LANGUAGES = ("", "en", "yue", "cmn")


@dataclass
class Shell:
    router: Router
    now: float = START
    facts: list[Fact] = field(default_factory=list)
    ringing: dict[str, str] = field(default_factory=dict)  # call -> agent (live offers)
    dialling: dict[str, str] = field(default_factory=dict)  # call -> agent (callbacks)
    talking: set[str] = field(default_factory=set)
    arrived: set[str] = field(default_factory=set)
    finished: dict[str, list[str]] = field(default_factory=dict)
    count: int = 0
    config: int = 0  # index in CONFIGS of the configuration in service

    @classmethod
    def new(cls, seed: int = 0) -> Shell:
        return cls(Router(QUEUES, AGENTS, seed=seed))

    def send(self, event: Event) -> Decisions:
        if isinstance(event, OfferNotAnswered | CallbackOutcome):
            self.ringing.pop(event.call_id, None)  # this dial is over, whatever comes next
            self.dialling.pop(event.call_id, None)
        out = self.router.handle(event, self.now)
        for command in out.commands:
            if isinstance(command, OfferCall):
                assert command.agent_id not in self.ringing.values()
                assert command.agent_id not in self.dialling.values()
                self.ringing[command.call_id] = command.agent_id
            elif isinstance(command, OriginateCallback):
                assert command.agent_id not in self.dialling.values()
                assert command.agent_id not in self.ringing.values()
                self.dialling[command.call_id] = command.agent_id
            elif isinstance(command, CancelOffer):
                self.ringing.pop(command.call_id, None)
                self.dialling.pop(command.call_id, None)
        for fact in out.facts:
            if isinstance(fact, CallAnswered):
                self.ringing.pop(fact.call_id, None)
                self.dialling.pop(fact.call_id, None)
                self.talking.add(fact.call_id)
            elif isinstance(fact, CallFinished):
                self.talking.discard(fact.call_id)
                self.ringing.pop(fact.call_id, None)
                self.dialling.pop(fact.call_id, None)
                self.finished.setdefault(fact.call_id, []).append(fact.outcome.value)
        self.facts += out.facts
        self.check()
        return out

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while (due := self.router.next_deadline()) is not None and due <= end:
            self.now = max(self.now, due)
            self.send(Tick())
        self.now = end

    def arrive(
        self, queue: str, priority: int, language: str, skill_level: int, number: bool
    ) -> None:
        self.count += 1
        call_id = f"c{self.count}"
        skills = {"sales": skill_level} if skill_level and queue == "sales" else {}
        out = self.send(
            CallArrived(
                WaitingCall(
                    call_id,
                    queue,
                    self.now,
                    priority,
                    frozen_map(skills),
                    language,
                    caller_number="138" if number else "",
                )
            )
        )
        if any(isinstance(fact, CallQueued) for fact in out.facts):
            self.arrived.add(call_id)  # else turned away: its queue was removed

    def reload(self, index: int) -> None:
        self.config = index % len(CONFIGS)
        self.send(ConfigChanged(*CONFIGS[self.config]))

    def pick(self, pool: Any, index: int) -> Any:
        items = sorted(pool)
        return items[index % len(items)] if items else None

    def check(self) -> None:
        """The router's invariants, after every event."""
        router = self.router
        holders: dict[str, str] = {}
        for call_id, runtime in router.calls.items():
            if runtime.agent_id:
                assert runtime.agent_id not in holders, "an agent holds two calls"
                holders[runtime.agent_id] = call_id
                assert router.agents[runtime.agent_id].call_id == call_id
        for agent in router.agents.values():
            if agent.state in (AgentState.RESERVED, AgentState.ON_CALL):
                assert agent.call_id in router.calls
        index = router.waiting
        for bucket_key, entries in index.buckets().items():
            assert entries
            need = bucket_key[2]
            serving = index._serving[bucket_key]
            for agent in router.agents.values():
                if agent.routable and set(agent.agent.queues) & set(serving):
                    assert not accepts(agent.agent, need), (
                        f"{agent.agent.id} is idle while {entries[0][1]} waits"
                    )

    def drain(self) -> None:
        """End everything: answer or ring out offers, hang up calls, let callbacks run out."""
        for _round in range(200):
            if not self.router.calls:
                # A removed agent leaves once idle: after the wrap-up of its last call.
                self.advance(3600.0)
                queues, agents = CONFIGS[self.config]
                assert set(self.router.queues) == {q.name for q in queues}
                assert set(self.router.agents) == {a.id for a in agents}
                return
            for call_id, agent_id in sorted(self.ringing.items()):
                self.send(OfferAnswered(call_id, agent_id))
            for call_id in sorted(self.dialling):
                self.send(CallbackOutcome(call_id, answered=_round % 2 == 0, reason="NOANSWER"))
            for call_id in sorted(self.talking):
                self.send(CallEnded(call_id))
            for call_id, runtime in sorted(self.router.calls.items()):
                if not runtime.virtual and runtime.phase.value == "waiting":
                    self.send(CallerAbandoned(call_id))
            for agent_id in sorted(self.router.agents):
                if self.router.agents[agent_id].state is AgentState.WRAP_UP:
                    self.send(WrapUpEnded(agent_id))
            self.advance(3600)
        raise AssertionError(f"calls never ended: {sorted(self.router.calls)}")


def step(shell: Shell, op: tuple[Any, ...]) -> None:
    """One random operation (drawn by hypothesis) applied to the shell."""
    kind, a, b = op[0], op[1], op[2]
    agent_ids = sorted(shell.router.agents)
    agent_id = agent_ids[a % len(agent_ids)]
    if kind == "arrive":
        shell.arrive(QUEUES[a % len(QUEUES)].name, b % 3, LANGUAGES[b % 4], b % 4, b % 2 == 0)
    elif kind == "login":
        shell.send(AgentLoggedIn(agent_id, ready=b % 2 == 0))
    elif kind == "ready":
        shell.send(AgentReady(agent_id))
    elif kind == "pause":
        shell.send(AgentNotReady(agent_id, ("break", "lunch", "training")[b % 3]))
    elif kind == "logout":
        shell.send(AgentLoggedOut(agent_id))
    elif kind == "answer" and (call_id := shell.pick(shell.ringing, a)):
        shell.send(OfferAnswered(call_id, shell.ringing[call_id]))
    elif kind == "no_answer" and (call_id := shell.pick(shell.ringing, a)):
        status = ("NOANSWER", "BUSY", "CHANUNAVAIL")[b % 3]
        shell.send(OfferNotAnswered(call_id, shell.ringing[call_id], status))
    elif kind == "device":
        device = ("PJSIP/a1", "PJSIP/a2", "PJSIP/a3", "PJSIP/shared", "PJSIP/a6")[a % 5]
        shell.send(DeviceStateChanged(device, ("NOT_INUSE", "INUSE", "UNAVAILABLE")[b % 3]))
    elif kind == "hangup" and (call_id := shell.pick(shell.talking, a)):
        shell.send(CallEnded(call_id))
    elif kind == "abandon" and (call_id := shell.pick(shell.router.calls, a)):
        shell.send(CallerAbandoned(call_id))
    elif kind == "callback" and (call_id := shell.pick(shell.router.calls, a)):
        start = None if b % 2 else shell.now + 60
        shell.send(CallbackRequested(call_id, "13800138000", start, shell.now + 900 + b))
    elif kind == "callback_outcome" and (call_id := shell.pick(shell.dialling, a)):
        shell.send(CallbackOutcome(call_id, b % 3 == 0, ("NOANSWER", "BUSY")[b % 2]))
    elif kind == "wrap" and agent_id:
        if shell.router.agents[agent_id].state is AgentState.WRAP_UP:
            shell.send(WrapUpEnded(agent_id))
    elif kind == "move" and (call_id := shell.pick(shell.router.calls, a)):
        shell.send(CallMoveRequested(call_id, QUEUES[b % len(QUEUES)].name))  # may be refused
    elif kind == "priority" and (call_id := shell.pick(shell.router.calls, a)):
        shell.send(CallPriorityChanged(call_id, b % 5))
    elif kind == "reload":
        shell.reload(b)
    elif kind == "wait":
        shell.advance(float(a % 7 * 10 + b % 10))
