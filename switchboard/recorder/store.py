# -*- test-case-name: tests.recorder.test_service -*-
"""Writing and reading the recordings index (blocking; run through ``Database.run``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.crm.directory import find_customer
from switchboard.recorder.filecheck import FileCheck
from switchboard.recorder.lifecycle import Finished, PauseChange
from switchboard.recorder.models import (
    Recording,
    RecordingAccess,
    RecordingPause,
    RecordingTicket,
)

__all__ = [
    "apply_check",
    "fill_row",
    "index_recording",
    "link_ticket",
    "log_access",
    "log_pause",
    "moment",
]


def moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def index_recording(
    session: Session, done: Finished, check: FileCheck, *, indexed_at: float
) -> Recording:
    """The index row of a finished recording; a second call for the same file updates it
    (a late re-check, a reindex), so indexing is idempotent."""
    path = done.path or f"(no file name: call {done.linked_id})"
    customer = find_customer(session, "phone", done.caller_number) if done.caller_number else None
    row = session.scalars(select(Recording).where(Recording.path == path)).first()
    if row is None:
        row = Recording(path=path, legal_hold=False)
    fill_row(row, done, check, customer.id if customer else None, indexed_at=indexed_at)
    session.add(row)
    session.flush()
    return row


def fill_row(
    row: Recording, done: Finished, check: FileCheck, customer_id: int | None, *, indexed_at: float
) -> None:
    row.call_id = done.call_id
    row.linked_id = done.linked_id
    row.caller_number = done.caller_number
    row.customer_id = customer_id
    row.agent_id = done.agent_id
    row.queue = done.queue
    row.started_at = moment(done.started_at)
    row.ended_at = moment(done.ended_at)
    apply_check(row, check, indexed_at=indexed_at)


def apply_check(row: Recording, check: FileCheck, *, indexed_at: float) -> None:
    row.duration_s = check.duration_s
    row.size = check.size
    row.format = check.format
    row.sha256 = check.sha256
    row.status = check.status
    row.problem = check.problem
    row.indexed_at = moment(indexed_at)


def log_pause(session: Session, linked_id: str, change: PauseChange, by: str) -> None:
    session.add(
        RecordingPause(
            linked_id=linked_id,
            channel=change.channel,
            paused=change.paused,
            by=by,
            at=moment(change.at),
        )
    )


def link_ticket(session: Session, recording_id: int, tickets: Sequence[str]) -> None:
    known = set(
        session.scalars(
            select(RecordingTicket.ticket).where(RecordingTicket.recording_id == recording_id)
        )
    )
    for ticket in dict.fromkeys(tickets):
        if ticket not in known:
            session.add(RecordingTicket(recording_id=recording_id, ticket=ticket))


def log_access(
    session: Session,
    recording_id: int,
    username: str,
    action: str,
    remote: str,
    at: float,
    byte_range: str = "",
) -> None:
    session.add(
        RecordingAccess(
            recording_id=recording_id,
            username=username,
            action=action,
            remote=remote[:128],
            range=byte_range[:64],
            at=moment(at),
        )
    )
