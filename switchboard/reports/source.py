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

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.sqltime import epoch, plus_seconds

__all__ = [
    "Csat",
    "Visit",
    "csat_answers",
    "csat_owner",
    "repeated_visits",
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
    transferred_at: float | None = None  # the answering agent transferred the caller


class Csat(NamedTuple):
    call_id: str
    agent: str
    queue: str
    score: int
    at: float


def _in(column: Any, names: Iterable[str]) -> ColumnElement[bool] | None:
    wanted = tuple(names)
    return column.in_(wanted) if wanted else None


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [c for c in conditions if c is not None]


def visits_entered(
    session: Session, start: float, end: float, queues: Iterable[str] = ()
) -> list[Visit]:
    v = CallVisitRow
    entered = _where(v.entered_at >= _at(start), v.entered_at < _at(end), _in(v.queue, queues))
    # Who the IVR said each caller was, in one query (not a sub-select per visit).
    known = select(IvrSession.call_id, func.max(IvrSession.customer_id)).where(
        IvrSession.customer_id.is_not(None),
        IvrSession.call_id.in_(select(v.path_ref).where(*entered)),
    )
    customer = dict(session.execute(known.group_by(IvrSession.call_id)).tuples().all())
    statement = select(
        v.call_id,
        v.queue,
        epoch(v.entered_at),
        v.caller_number,
        v.path_ref,
        epoch(v.answered_at),
        v.waited_s,
        v.via_callback,
        v.agent_id,
        epoch(v.callback_at),
        v.callback_waited_s,
        epoch(v.left_at),
        v.outcome,
        v.left_waited_s,
        epoch(v.handled_at),
        v.talk_s,
        v.wrap_s,
        epoch(v.transferred_at),
    ).where(*entered)
    rows: list[Any] = list(session.execute(statement))
    return [Visit._make((*r[:4], customer.get(r[4]), *r[5:7], bool(r[7]), *r[8:])) for r in rows]


def repeated_visits(
    session: Session,
    start: float,
    end: float,
    within_s: float,
    *,
    same_queue: bool = False,
    queues: Iterable[str] = (),
) -> set[tuple[str, str]]:
    """The answered visits entered in ``[start, end)`` whose caller called again within
    ``within_s`` after: a later visit of another call from the same number, or from the
    same customer as the IVR identified them (``(call_id, queue)`` of each)."""
    v, w = CallVisitRow, aliased(CallVisitRow)
    mine, theirs = aliased(IvrSession), aliased(IvrSession)
    horizon = plus_seconds(v.entered_at, literal(float(within_s)))
    later = [w.call_id != v.call_id, w.entered_at > v.entered_at, w.entered_at <= horizon]
    if same_queue:
        later.append(w.queue == v.queue)
    by_number = (
        select(w.id).where(v.caller_number != "", w.caller_number == v.caller_number, *later)
    ).exists()
    by_customer = (
        select(w.id)
        .join(theirs, theirs.call_id == w.path_ref)
        .join(mine, mine.customer_id == theirs.customer_id)
        .where(mine.call_id == v.path_ref, *later)
    ).exists()
    statement = select(v.call_id, v.queue).where(
        *_where(
            v.entered_at >= _at(start),
            v.entered_at < _at(end),
            v.answered_at.is_not(None),
            _in(v.queue, queues),
        ),
        or_(by_number, by_customer),
    )
    return {(r[0], r[1]) for r in session.execute(statement)}


def csat_owner() -> tuple[ColumnElement[str], ColumnElement[str]]:
    """The agent and queue a CSAT answer counts for, as SQL over ``ivr_csat_response``: those
    of the visit its call was answered in (the latest, when answered twice), found by the
    call id. What the survey flow stored is not enough: in switchboard's ACD the agent and
    queue it reads are empty (no ``MEMBERNAME``; ``SWITCHBOARD_QUEUE`` is cleared once the
    caller is served), and in app_queue ``MEMBERNAME`` is the member's name, not the agent
    id. The stored values count only for a call with no answered visit."""
    v, c = CallVisitRow, CsatResponse
    answered = (
        select(v.agent_id, v.queue)
        .where(v.call_id == c.call_id, v.answered_at.is_not(None))
        .order_by(v.answered_at.desc(), v.id.desc())
        .limit(1)
    )
    agent = answered.with_only_columns(v.agent_id).scalar_subquery()
    queue = answered.with_only_columns(v.queue).scalar_subquery()
    return func.coalesce(agent, c.agent), func.coalesce(queue, c.queue)


def csat_answers(
    session: Session,
    start: float,
    end: float,
    agents: Iterable[str] = (),
    queues: Iterable[str] = (),
) -> list[Csat]:
    c = CsatResponse
    agent, queue = csat_owner()
    statement = select(c.call_id, agent, queue, c.score, c.created_at).where(
        *_where(
            c.created_at >= _at(start),
            c.created_at < _at(end),
            _in(agent, agents),
            _in(queue, queues),
        )
    )
    return [Csat(r[0], r[1], r[2], int(r[3]), _s(r[4]) or 0.0) for r in session.execute(statement)]
