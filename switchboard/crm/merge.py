# -*- test-case-name: tests.crm.test_merge -*-
"""Merge a duplicate customer into another, and undo it (an administrator's act).

A merge moves the duplicate's identifiers, tags, tickets and IVR sessions to the survivor
and hides the duplicate from search (``merged_into_id``); what moved is recorded in
``crm_customer_merge`` (and each moved ticket's audit), so :func:`undo_merge` can put
every piece back. Calls and CSAT follow the phone numbers, which move with the identifiers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from switchboard.crm.models import Customer, CustomerIdentifier, CustomerMerge, CustomerTag
from switchboard.crm.ticket_rows import TicketAuditRow, TicketRow
from switchboard.ivr_flows.records import IvrSession

__all__ = ["MergeError", "merge_customers", "undo_merge"]


class MergeError(ValueError):
    def __init__(
        self, code: Literal["bad_request", "not_found", "conflict", "forbidden"], message: str
    ) -> None:
        super().__init__(message)
        self.code = code


def _live(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise MergeError("not_found", f"no customer {customer_id}")
    if customer.merged_into_id is not None:
        raise MergeError(
            "conflict",
            f"customer {customer_id} was merged into {customer.merged_into_id}; use that one",
        )
    return customer


def merge_customers(
    session: Session, survivor_id: int, duplicate_id: int, *, actor: str, now: float
) -> dict[str, Any]:
    """Move everything of ``duplicate_id`` to ``survivor_id``; the merge record."""
    if survivor_id == duplicate_id:
        raise MergeError("bad_request", "a customer cannot be merged into itself")
    survivor, duplicate = _live(session, survivor_id), _live(session, duplicate_id)
    when = datetime.fromtimestamp(now, UTC)
    identifiers = [i.id for i in duplicate.identifiers]
    have = set(survivor.tag_names)
    tags = [t for t in duplicate.tag_names if t not in have]
    tickets = list(
        session.scalars(select(TicketRow.id).where(TicketRow.customer_id == duplicate_id))
    )
    sessions = list(
        session.scalars(select(IvrSession.id).where(IvrSession.customer_id == duplicate_id))
    )
    _move(session, duplicate_id, survivor_id, identifiers, tickets, sessions, actor, when)
    survivor.tags.extend(CustomerTag(tag=t) for t in tags)
    duplicate.merged_into_id = survivor_id
    record = CustomerMerge(
        survivor_id=survivor_id,
        merged_id=duplicate_id,
        actor=actor,
        at=when,
        moved={
            "identifiers": identifiers,
            "tags": tags,
            "tickets": tickets,
            "ivr_sessions": sessions,
        },
    )
    session.add(record)
    session.flush()
    session.expire_all()  # the identifiers moved under the ORM's feet
    return _merge_json(record)


def undo_merge(
    session: Session, merge_id: int, *, actor: str, now: float, is_admin: bool
) -> dict[str, Any]:
    """Put back what a merge moved (refused unless ``is_admin``)."""
    if not is_admin:
        raise MergeError("forbidden", "only an administrator can undo a merge")
    record = session.get(CustomerMerge, merge_id)
    if record is None:
        raise MergeError("not_found", f"no merge {merge_id}")
    if record.undone_at is not None:
        raise MergeError("conflict", f"merge {merge_id} was already undone by {record.undone_by}")
    moved = record.moved
    when = datetime.fromtimestamp(now, UTC)
    _move(
        session,
        record.survivor_id,
        record.merged_id,
        moved["identifiers"],
        moved["tickets"],
        moved["ivr_sessions"],
        actor,
        when,
    )
    if moved["tags"]:
        session.execute(
            delete(CustomerTag).where(
                CustomerTag.customer_id == record.survivor_id, CustomerTag.tag.in_(moved["tags"])
            )
        )
    duplicate = session.get(Customer, record.merged_id)
    if duplicate is not None:
        duplicate.merged_into_id = None
    record.undone_by, record.undone_at = actor, when
    session.flush()
    session.expire_all()
    return _merge_json(record)


def _move(
    session: Session,
    source: int,
    target: int,
    identifiers: list[int],
    tickets: list[int],
    sessions: list[int],
    actor: str,
    when: datetime,
) -> None:
    if identifiers:
        session.execute(
            update(CustomerIdentifier)
            .where(CustomerIdentifier.id.in_(identifiers), CustomerIdentifier.customer_id == source)
            .values(customer_id=target)
        )
    if tickets:
        session.execute(
            update(TicketRow)
            .where(TicketRow.id.in_(tickets), TicketRow.customer_id == source)
            .values(customer_id=target, updated_at=when)
        )
        session.add_all(
            TicketAuditRow(
                ticket_id=ticket_id,
                actor=actor,
                at=when,
                field="customer_id",
                old=str(source),
                new=str(target),
            )
            for ticket_id in tickets
        )
    if sessions:
        session.execute(
            update(IvrSession)
            .where(IvrSession.id.in_(sessions), IvrSession.customer_id == source)
            .values(customer_id=target)
        )


def _merge_json(record: CustomerMerge) -> dict[str, Any]:
    return {
        "id": record.id,
        "survivor_id": record.survivor_id,
        "merged_id": record.merged_id,
        "actor": record.actor,
        "at": record.at.timestamp()
        if record.at.tzinfo
        else record.at.replace(tzinfo=UTC).timestamp(),
        "moved": record.moved,
        "undone_by": record.undone_by,
        "undone_at": None if record.undone_at is None else record.undone_at.isoformat(),
    }
