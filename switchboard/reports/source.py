# -*- test-case-name: tests.reports.test_queue_report -*-
"""What the queue report reads, counted in the database: the queue visits (``acd_call_visit``,
written from the router's facts in both routing modes) and the CSAT answers, summed per
queue and step of a grid (:class:`Grid`) whose steps never straddle an interval boundary;
whether a caller was known and called again, as SQL conditions on each visit. A day is
tens of thousands of visits: reading them into Python cost more than all the counting.
The agent report sums in SQL too (.agent_source).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from math import gcd
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.intervals import Span
from switchboard.reports.sqltime import epoch, plus_seconds

__all__ = [
    "Csat",
    "Grid",
    "Scores",
    "Sums",
    "called_again",
    "caller_known",
    "csat_answers",
    "csat_owner",
    "csat_scores",
    "visit_sums",
]


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _s(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive values: they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


class Csat(NamedTuple):
    call_id: str
    agent: str
    queue: str
    score: int
    at: float


@dataclass(frozen=True, slots=True)
class Grid:
    """Steps of ``step_s`` seconds from ``first_s``: the largest step every interval
    boundary of the report falls on (a quarter-hour report: its quarters; days: hours, a
    day the clocks change being 23 or 25 of them). Rows are summed per step in SQL and the
    steps added up per interval in Python, exactly: no step holds two intervals."""

    first_s: float
    step_s: int

    @classmethod
    def of(cls, spans: Sequence[Span]) -> Grid:
        first = spans[0].start_s
        step = 0
        for edge in [s.start_s for s in spans] + [spans[-1].end_s]:
            # Whole seconds: a zone's offsets are (TZif keeps them so), a grid of them exact.
            step = gcd(step, int(edge - first))
        return cls(first, step or 1)

    def start_of(self, index: int) -> float:
        return self.first_s + index * self.step_s


class _floor_int(FunctionElement[int]):
    """The integer part of a non-negative number, on both databases."""

    type = Integer()
    inherit_cache = True
    name = "floor_int"


@compiles(_floor_int, "postgresql")
def _pg_floor_int(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_floor_int, "sqlite")
def _sqlite_floor_int(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"  # truncates: >= 0


def _step(at: Any, grid: Grid) -> ColumnElement[int]:
    """Which step of ``grid`` a stored time (at or after its start) falls in. The same
    double-precision epoch the intervals were compared with before: a time on a boundary
    opens the next step."""
    step = literal_column(f"{grid.step_s}.0", Float)  # a constant: the same text to group by
    return _floor_int((epoch(at) - literal(grid.first_s, Float)) / step)


def _in(column: Any, names: Iterable[str]) -> ColumnElement[bool] | None:
    wanted = tuple(names)
    return column.in_(wanted) if wanted else None


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [c for c in conditions if c is not None]


class Sums(NamedTuple):
    """One queue's figures summed over one step of the grid."""

    queue: str
    at: float  # the step's start, epoch seconds
    figures: dict[str, Any]


def visit_sums(
    session: Session,
    figures: Mapping[str, ColumnElement[Any]],
    start: float,
    end: float,
    grid: Grid,
    queues: Iterable[str] = (),
) -> list[Sums]:
    """``figures`` (aggregates over ``acd_call_visit``, by name) of the visits entered in
    ``[start, end)``, per queue and step of ``grid``."""
    v = CallVisitRow
    step = _step(v.entered_at, grid).label("step")
    statement = (
        select(v.queue, step, *(sql.label(name) for name, sql in figures.items()))
        .where(*_where(v.entered_at >= _at(start), v.entered_at < _at(end), _in(v.queue, queues)))
        .group_by(v.queue, literal_column("step"))
    )
    names = list(figures)
    return [
        Sums(r[0], grid.start_of(r[1]), dict(zip(names, r[2:], strict=True)))
        for r in session.execute(statement)
    ]


def caller_known(v: type[CallVisitRow]) -> ColumnElement[bool]:
    """The visit's caller is known: a number, or a customer the IVR identified."""
    session = IvrSession
    identified = exists().where(session.call_id == v.path_ref, session.customer_id.is_not(None))
    return or_(v.caller_number != "", identified)


def called_again(
    v: type[CallVisitRow], within_s: float, *, same_queue: bool = False
) -> ColumnElement[bool]:
    """The visit's caller called again within ``within_s`` after it: a later visit of
    another call from the same number, or from the same customer as the IVR identified
    them. One index probe per visit (the number's, then the customer's later visits)."""
    w = aliased(CallVisitRow)
    mine, theirs = aliased(IvrSession), aliased(IvrSession)
    horizon = plus_seconds(v.entered_at, literal(float(within_s)))
    later = [w.call_id != v.call_id, w.entered_at > v.entered_at, w.entered_at <= horizon]
    if same_queue:
        later.append(w.queue == v.queue)
    by_number = exists().where(v.caller_number != "", w.caller_number == v.caller_number, *later)
    by_customer = (
        select(w.id)
        .join(theirs, theirs.call_id == w.path_ref)
        .join(mine, mine.customer_id == theirs.customer_id)
        .where(mine.call_id == v.path_ref, *later)
    ).exists()
    return or_(by_number, by_customer)


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


class Scores(NamedTuple):
    """How many CSAT answers gave ``score`` for one queue in one step of the grid."""

    queue: str
    at: float  # the step's start, epoch seconds
    score: int
    answers: int


def csat_scores(
    session: Session, start: float, end: float, grid: Grid, queues: Iterable[str] = ()
) -> list[Scores]:
    """The CSAT answers given in ``[start, end)`` counted per queue they count for
    (:func:`csat_owner`), step of ``grid`` and score. Those for no queue ('') are left to
    the caller to drop: a condition on the owner here would look it up a second time."""
    c = CsatResponse
    queue = csat_owner()[1].label("owner_queue")  # "queue" would group by the stored one
    step = _step(c.created_at, grid).label("step")
    statement = (
        select(queue, step, c.score, func.count())
        .where(
            *_where(
                c.created_at >= _at(start),
                c.created_at < _at(end),
                _in(queue, queues),
            )
        )
        .group_by(literal_column("owner_queue"), literal_column("step"), c.score)
    )
    return [Scores(r[0], grid.start_of(r[1]), int(r[2]), r[3]) for r in session.execute(statement)]
