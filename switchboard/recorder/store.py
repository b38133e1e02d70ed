# -*- test-case-name: tests.recorder.test_service -*-
"""Writing and reading the recordings index (blocking; run through ``Database.run``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select, update
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
from switchboard.seat.models import SeatDisposition

__all__ = [
    "TicketProblem",
    "apply_check",
    "checked_ticket",
    "file_dispositions",
    "fill_row",
    "index_recording",
    "link_ticket",
    "log_access",
    "log_pause",
    "moment",
]


class TicketProblem(ValueError):
    """A ticket reference that names no ticket of the CRM (the message says which, and how
    to find the right one)."""


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
    file_dispositions(session, [row.call_id])  # saved before the file was checked
    return row


def _newest_disposition() -> ColumnElement[str]:
    return (
        select(SeatDisposition.code)
        .where(SeatDisposition.call_id == Recording.call_id)
        .order_by(SeatDisposition.at.desc(), SeatDisposition.id.desc())
        .limit(1)
        .correlate(Recording)
        .scalar_subquery()
    )


def file_dispositions(session: Session, call_ids: Sequence[str]) -> None:
    """Copy each call's newest disposition onto its recordings. It reads what is stored, not
    what the hub said, so two saves filed out of order still leave the newest."""
    wanted = [call_id for call_id in dict.fromkeys(call_ids) if call_id]
    if wanted:
        session.execute(
            update(Recording)
            .where(Recording.call_id.in_(wanted))
            .values(disposition=func.coalesce(_newest_disposition(), ""))
            .execution_options(synchronize_session=False)
        )


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


def checked_ticket(session: Session, reference: str) -> str:
    """The CRM ticket ``reference`` names (``42`` or ``#42``), as stored in links: its id.
    :class:`TicketProblem` when it is not a ticket number or no such ticket exists."""
    from switchboard.crm.ticket_rows import TicketRow

    text = reference.strip().removeprefix("#")
    if not text.isdigit():
        raise TicketProblem(
            f"{reference!r} is not a ticket number: tickets are numbered, e.g. 42"
            " (see `switchboard tickets list`)"
        )
    if session.get(TicketRow, int(text)) is None:
        raise TicketProblem(f"no ticket {int(text)}: see `switchboard tickets list`")
    return str(int(text))


def link_ticket(session: Session, recording_id: int, tickets: Sequence[str]) -> list[str]:
    """Link CRM tickets to a recording (idempotent); every one must exist, else nothing is
    linked and :class:`TicketProblem` names the first that does not. Returns the ids."""
    if session.get(Recording, recording_id) is None:
        raise TicketProblem(f"no recording #{recording_id}: see `recordings search`")
    wanted = list(dict.fromkeys(checked_ticket(session, ticket) for ticket in tickets))
    known = set(
        session.scalars(
            select(RecordingTicket.ticket).where(RecordingTicket.recording_id == recording_id)
        )
    )
    for ticket in wanted:
        if ticket not in known:
            session.add(RecordingTicket(recording_id=recording_id, ticket=ticket))
    return wanted


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
