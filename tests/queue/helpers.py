# -*- test-case-name: tests.queue.test_router -*-
"""A router with a hand-driven clock, and short ways to build agents, queues and calls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from switchboard.queue.core.decisions import Command, Decisions, Fact
from switchboard.queue.core.events import Event, Tick
from switchboard.queue.core.model import Agent, Queue, WaitingCall, frozen_map
from switchboard.queue.core.router import Router

T = TypeVar("T")
START = 1_790_000_000.0  # a fixed epoch; nothing reads the wall clock


def agent(
    agent_id: str,
    queues: Iterable[str] = ("sales",),
    languages: Iterable[str] = ("en",),
    **skills: int,
) -> Agent:
    return Agent(
        id=agent_id,
        name=agent_id.title(),
        device=f"PJSIP/{agent_id}",
        skills=frozen_map(skills),
        languages=frozenset(languages),
        queues=tuple(queues),
    )


def call(
    call_id: str,
    queue: str = "sales",
    at: float = START,
    priority: int = 0,
    language: str = "",
    number: str = "",
    **skills: int,
) -> WaitingCall:
    return WaitingCall(
        id=call_id,
        queue=queue,
        enqueued_at=at,
        priority=priority,
        skills=frozen_map(skills),
        language=language,
        caller_number=number,
    )


@dataclass
class Harness:
    """Feeds events at ``now`` and keeps every command and fact, in order."""

    router: Router
    now: float = START
    commands: list[Command] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    last: Decisions = field(default_factory=Decisions)

    @classmethod
    def of(cls, queues: Iterable[Queue], agents: Iterable[Agent], seed: int = 0) -> Harness:
        return cls(Router(queues, agents, seed=seed))

    def send(self, *events: Event) -> Decisions:
        commands: list[Command] = []
        facts: list[Fact] = []
        for event in events:
            out = self.router.handle(event, self.now)
            commands += out.commands
            facts += out.facts
        self.commands += commands
        self.facts += facts
        self.last = Decisions(tuple(commands), tuple(facts))
        return self.last

    def advance(self, seconds: float) -> Decisions:
        """Move the clock on, ticking at every deadline on the way (as the shell does)."""
        end = self.now + seconds
        commands: list[Command] = []
        facts: list[Fact] = []
        while (due := self.router.next_deadline()) is not None and due <= end:
            self.now = max(self.now, due)
            out = self.router.handle(Tick(), self.now)
            commands += out.commands
            facts += out.facts
        self.now = end
        self.commands += commands
        self.facts += facts
        self.last = Decisions(tuple(commands), tuple(facts))
        return self.last


def of_type(items: Iterable[Any], kind: type[T]) -> list[T]:
    return [item for item in items if isinstance(item, kind)]
