# -*- test-case-name: tests.queue.test_router -*-
"""What the router's parts decide while it handles one event, collected in order."""

from __future__ import annotations

from switchboard.queue.core.decisions import Command, Decisions, Fact, Rejected

__all__ = ["Outbox"]


class Outbox:
    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._facts: list[Fact] = []

    def command(self, command: Command) -> None:
        self._commands.append(command)

    def fact(self, fact: Fact) -> None:
        self._facts.append(fact)

    def reject(self, event: str, reason: str) -> None:
        self._commands.append(Rejected(event, reason))

    def take(self) -> Decisions:
        """Everything decided since the last call, emptied."""
        decisions = Decisions(tuple(self._commands), tuple(self._facts))
        self._commands, self._facts = [], []
        return decisions
