# -*- test-case-name: tests.reports.test_queue_report,tests.reports.test_agent_report -*-
"""The stored rows a report reads, as small tuples with times in epoch seconds.

The routing tables (``acd_*``, written from the router's facts in both routing modes),
the CSAT answers (``ivr_csat_response``), the IVR sessions (who the caller was) and the
agents' dispositions (``seat_disposition``). Only the columns a report needs are read, and
only the rows of the range (plus, for first-call resolution, the days after it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import AgentSessionRow, AgentStateRow, CallVisitRow, OfferRow
from switchboard.seat.models import SeatDisposition

__all__ = [
    "Contact",
    "Csat",
    "Disposition",
    "Offer",
    "Stretch",
    "Visit",
    "agent_stretches",
    "contacts_after",
    "csat_answers",
    "dispositions",
    "handled_visits",
    "login_sessions",
    "offers",
    "visits_entered",
]


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


class Stretch(NamedTuple):
    """An agent state (``state``, ``reason``) or a log-in session (``state`` "logged_in")
    from ``start`` to ``end`` (None: still open)."""

    agent_id: str
    state: str
    reason: str
    start: float
    end: float | None


class Offer(NamedTuple):
    agent_id: str
    queue: str
    offered_at: float
    result: str


class Csat(NamedTuple):
    call_id: str
    agent: str
    queue: str
    score: int
    at: float


class Disposition(NamedTuple):
    call_id: str
    agent_id: str
    queue: str
    code: str
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


def handled_visits(
    session: Session, start: float, end: float, agents: Iterable[str] = (), queues: Iterable[str] = ()
) -> list[Visit]:
    """Visits an agent finished (talk and wrap-up known) in ``[start, end)``."""
    v = CallVisitRow
    statement = select(v.call_id, v.queue, v.agent_id, v.handled_at, v.talk_s, v.wrap_s).where(
        *_where(
            v.handled_at >= _at(start),
            v.handled_at < _at(end),
            _in(v.agent_id, agents),
            _in(v.queue, queues),
        )
    )
    return [
        Visit(
            r[0], r[1], 0.0, "", None, None, None, False, r[2], None, None, None, "", None,
            _s(r[3]), r[4], r[5],
        )  # fmt: skip
        for r in session.execute(statement)
    ]


def _overlapping(started: Any, ended: Any, start: float, end: float) -> list[ColumnElement[bool]]:
    return [started < _at(end), or_(ended.is_(None), ended > _at(start))]


def agent_stretches(
    session: Session, start: float, end: float, agents: Iterable[str] = ()
) -> list[Stretch]:
    """Agent states overlapping ``[start, end)``."""
    a = AgentStateRow
    statement = select(a.agent_id, a.state, a.reason, a.started_at, a.ended_at).where(
        *_overlapping(a.started_at, a.ended_at, start, end), *_where(_in(a.agent_id, agents))
    )
    return [
        Stretch(r[0], r[1], r[2], _s(r[3]) or 0.0, _s(r[4])) for r in session.execute(statement)
    ]


def login_sessions(
    session: Session, start: float, end: float, agents: Iterable[str] = ()
) -> list[Stretch]:
    """Log-in sessions overlapping ``[start, end)``."""
    a = AgentSessionRow
    statement = select(a.agent_id, a.logged_in_at, a.logged_out_at).where(
        *_overlapping(a.logged_in_at, a.logged_out_at, start, end),
        *_where(_in(a.agent_id, agents)),
    )
    return [
        Stretch(r[0], "logged_in", "", _s(r[1]) or 0.0, _s(r[2]))
        for r in session.execute(statement)
    ]


def offers(
    session: Session, start: float, end: float, agents: Iterable[str] = (), queues: Iterable[str] = ()
) -> list[Offer]:
    o = OfferRow
    statement = select(o.agent_id, o.queue, o.offered_at, o.result).where(
        *_where(
            o.offered_at >= _at(start),
            o.offered_at < _at(end),
            _in(o.agent_id, agents),
            _in(o.queue, queues),
        )
    )
    return [Offer(r[0], r[1], _s(r[2]) or 0.0, r[3]) for r in session.execute(statement)]


def csat_answers(
    session: Session, start: float, end: float, agents: Iterable[str] = (), queues: Iterable[str] = ()
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


def dispositions(
    session: Session, start: float, end: float, agents: Iterable[str] = (), queues: Iterable[str] = ()
) -> list[Disposition]:
    """The disposition an agent left on each call in ``[start, end)``: the newest of the
    call's rows by that agent (a correction replaces, it does not add)."""
    d = SeatDisposition
    statement = (
        select(d.call_id, d.agent_id, d.queue, d.code, d.at)
        .where(
            *_where(
                d.at >= _at(start), d.at < _at(end), _in(d.agent_id, agents), _in(d.queue, queues)
            )
        )
        .order_by(d.id)
    )
    newest: dict[tuple[str, str], Disposition] = {}
    for r in session.execute(statement):
        newest[(r[0], r[1])] = Disposition(r[0], r[1], r[2], r[3], _s(r[4]) or 0.0)
    return list(newest.values())
