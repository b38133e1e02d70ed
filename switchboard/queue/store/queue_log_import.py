# -*- test-case-name: tests.queue.test_queue_log -*-
"""``switchboard import queue-log FILE``: a queue_log into the call records, idempotently.

A visit already stored (same call id, queue and entry time) is skipped, and so is a member
change already stored, so running the import twice adds nothing. Large files show a
progress bar (rich, on stderr); every unusable line is reported with its number and why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.core.model import AgentState
from switchboard.queue.core.queue_log import QueueLogRead, read_queue_log
from switchboard.queue.store.records import (
    AgentSessionRow,
    AgentStateRow,
    CallVisitRow,
    record_facts,
)

__all__ = ["ImportCount", "counted_lines", "store_queue_log"]


@dataclass(frozen=True, slots=True)
class ImportCount:
    calls_added: int
    calls_already_there: int
    agent_changes_added: int
    agent_changes_already_there: int


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)  # as records.py stores times


def _agent_change_stored(session: Session, fact: AgentStateChanged) -> bool:
    if fact.state is AgentState.LOGGED_OUT:
        statement = select(AgentSessionRow.id).where(
            AgentSessionRow.agent_id == fact.agent_id, AgentSessionRow.logged_out_at == _at(fact.at)
        )
    else:
        statement = select(AgentStateRow.id).where(
            AgentStateRow.agent_id == fact.agent_id,
            AgentStateRow.started_at == _at(fact.at),
            AgentStateRow.state == fact.state.value,
        )
    return session.scalars(statement.limit(1)).first() is not None


def store_queue_log(session: Session, read: QueueLogRead) -> ImportCount:
    """Store what was read, skipping what an earlier import already stored."""
    added = present = 0
    for call in read.calls:
        stored = session.scalars(
            select(CallVisitRow.id)
            .where(
                CallVisitRow.call_id == call.call_id,
                CallVisitRow.queue == call.queue,
                CallVisitRow.entered_at == _at(call.entered_at),
            )
            .limit(1)
        ).first()
        if stored is not None:
            present += 1
            continue
        record_facts(session, call.facts)
        added += 1
    agents_added = agents_present = 0
    for fact in read.agent_facts:
        if _agent_change_stored(session, fact):
            agents_present += 1
            continue
        record_facts(session, [fact])
        agents_added += 1
    return ImportCount(added, present, agents_added, agents_present)


def counted_lines(path: Path, show: bool) -> Iterable[str]:
    """The file's lines, with a progress bar by bytes read when ``show``."""
    size = path.stat().st_size
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        if not show:
            yield from handle
            return
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True, console=Console(file=sys.stderr)) as progress:
            task = progress.add_task("queue_log", total=size)
            for line in handle:
                progress.advance(task, len(line.encode("utf-8", "replace")))
                yield line


def import_file(
    path: Path, run: Callable[[Callable[[Session], ImportCount]], ImportCount], *, progress: bool
) -> tuple[QueueLogRead, ImportCount]:
    """Read ``path`` and store it through ``run`` (a transaction)."""
    read = read_queue_log(counted_lines(path, progress))
    return read, run(lambda session: store_queue_log(session, read))
