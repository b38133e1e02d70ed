# -*- test-case-name: tests.reports.test_queue_report -*-
"""The stored rows the queue report reads, as small tuples with times in epoch seconds:
the queue visits (``acd_call_visit``, written from the router's facts in both routing
modes), who the caller was (the IVR session's customer) and the CSAT answers. Only the
columns the report needs, only the rows of the range (plus, for first-call resolution,
a caller's calls in the days after it). The agent report sums in SQL (.agent_source).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import CallVisitRow

__all__ = ["Contact", "Csat", "Visit", "contacts_after", "csat_answers", "visits_entered"]


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _s(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive values: they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


class Visit(NamedTuple):
    """One call's stay in one queue (``acd_call_visit``)."""

    call_id: str
    queue: str
    entered_at: float
    caller_number: str
    customer_id: int | None  # the CRM customer the IVR identified, if it did
    answered_at: float | None
    waited_s: float | None
    via_callback: bool
    agent_id: str
    callback_at: float | None
    callback_waited_s: float | None
    left_at: float | None
    outcome: str
    left_waited_s: float | None
    handled_at: float | None
    talk_s: float | None
    wrap_s: float | None


class Contact(NamedTuple):
    """A later call from a caller (first-call resolution looks for these)."""

    call_id: str
    queue: str
    entered_at: float
    caller_number: str
    customer_id: int | None


class Csat(NamedTuple):
    call_id: str
    agent: str
    queue: str
    score: int
    at: float


def _customer_of_visit() -> Any:
    """The customer the IVR session of the visit identified (a correlated sub-select)."""
    return (
        select(func.max(IvrSession.customer_id))
        .where(IvrSession.call_id == CallVisitRow.path_ref)
        .scalar_subquery()
    )


def _in(column: Any, names: Iterable[str]) -> ColumnElement[bool] | None:
    wanted = tuple(names)
    return column.in_(wanted) if wanted else None


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [c for c in conditions if c is not None]


def visits_entered(
    session: Session, start: float, end: float, queues: Iterable[str] = ()
) -> list[Visit]:
    v = CallVisitRow
    statement = select(
        v.call_id,
        v.queue,
        v.entered_at,
        v.caller_number,
        _customer_of_visit(),
        v.answered_at,
        v.waited_s,
        v.via_callback,
        v.agent_id,
        v.callback_at,
        v.callback_waited_s,
        v.left_at,
        v.outcome,
        v.left_waited_s,
        v.handled_at,
        v.talk_s,
        v.wrap_s,
    ).where(*_where(v.entered_at >= _at(start), v.entered_at < _at(end), _in(v.queue, queues)))
    return [
        Visit(
            r[0],
            r[1],
            _s(r[2]) or 0.0,
            r[3],
            r[4],
            _s(r[5]),
            r[6],
            bool(r[7]),
            r[8],
            _s(r[9]),
            r[10],
            _s(r[11]),
            r[12],
            r[13],
            _s(r[14]),
            r[15],
            r[16],
        )
        for r in session.execute(statement)
    ]


def contacts_after(
    session: Session,
    start: float,
    end: float,
    numbers: Iterable[str],
    customers: Iterable[int],
) -> list[Contact]:
    """Visits that entered in ``(start, end)`` from one of ``numbers`` or one of
    ``customers`` (as the IVR identified them)."""
    v = CallVisitRow
    numbers, customers = sorted(set(numbers)), sorted(set(customers))
    found: dict[tuple[str, str, float], Contact] = {}
    window = (v.entered_at > _at(start), v.entered_at < _at(end))
    columns = (v.call_id, v.queue, v.entered_at, v.caller_number, _customer_of_visit())
    batches: list[Any] = []
    for i in range(0, len(numbers), 5000):  # bounded parameter lists
        batches.append(select(*columns).where(*window, v.caller_number.in_(numbers[i : i + 5000])))
    for i in range(0, len(customers), 5000):
        known = select(IvrSession.call_id).where(
            IvrSession.customer_id.in_(customers[i : i + 5000])
        )
        batches.append(select(*columns).where(*window, v.path_ref.in_(known)))
    for statement in batches:
        for r in session.execute(statement):
            contact = Contact(r[0], r[1], _s(r[2]) or 0.0, r[3], r[4])
            found[(contact.call_id, contact.queue, contact.entered_at)] = contact
    return list(found.values())


def csat_answers(
    session: Session,
    start: float,
    end: float,
    agents: Iterable[str] = (),
    queues: Iterable[str] = (),
) -> list[Csat]:
    c = CsatResponse
    statement = select(c.call_id, c.agent, c.queue, c.score, c.created_at).where(
        *_where(
            c.created_at >= _at(start),
            c.created_at < _at(end),
            _in(c.agent, agents),
            _in(c.queue, queues),
        )
    )
    return [Csat(r[0], r[1], r[2], int(r[3]), _s(r[4]) or 0.0) for r in session.execute(statement)]
