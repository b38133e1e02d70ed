"""What ``/metrics`` and ``/healthz`` read, as plain callables, so that this package
imports none of the services it reports on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from switchboard.queue.core.stats import QueueSnapshot
from switchboard.store import Database

__all__ = ["OpsSources", "ping_database"]


@dataclass(frozen=True)
class OpsSources:
    database: Database
    clock: Any  # IReactorTime: the database probe's timeout and its latency
    ami_connected: Callable[[], bool]  # logged in and able to send
    agi_listening: Callable[[], bool]
    agi_active: Callable[[], int]  # FastAGI sessions open now
    queues: Callable[[], Sequence[QueueSnapshot]] = lambda: ()  # live figures, now
    websocket_clients: Callable[[], int] = lambda: 0
    database_timeout_s: float = 2.0


async def ping_database(sources: OpsSources) -> float:
    """Seconds one ``SELECT 1`` took; raises when the database does not answer in time."""
    started = sources.clock.seconds()
    probe = sources.database.run(lambda session: session.execute(text("SELECT 1")).scalar_one())
    await probe.addTimeout(sources.database_timeout_s, sources.clock)
    return max(0.0, sources.clock.seconds() - started)
