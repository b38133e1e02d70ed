# -*- test-case-name: tests.reports.test_agent_report -*-
"""Seconds between two stored times, and the earlier of two, in SQL on PostgreSQL and
SQLite alike, so that a report can sum durations in the database instead of reading
every row.

SQLite keeps SQLAlchemy's ``DateTime`` as text (``2026-12-01 08:00:00.000000``, UTC):
``strftime('%s')`` reads its whole seconds and the text its fraction, and ``min`` of two
such texts is the earlier time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement, GenericFunction

__all__ = ["earlier", "epoch", "plus_seconds", "seconds_between"]


class seconds_between(FunctionElement[float]):
    """``later - earlier`` in seconds (a float)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _pg_seconds(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier_ = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
        f"{compiler.process(earlier_, **kw)})) AS DOUBLE PRECISION)"
    )


@compiles(seconds_between, "sqlite")
def _sqlite_seconds(element: Any, compiler: Any, **kw: Any) -> str:
    # Exact epochs (_sqlite_epoch), not julianday: its floating days are off by up to
    # 0.05 ms a time, which a sum of many stretches made a few ms.
    later, earlier_ = (_sqlite_epoch_of(compiler.process(c, **kw)) for c in element.clauses)
    return f"({later} - {earlier_})"


class earlier(GenericFunction[Any]):
    """The earlier of two times (``LEAST`` / SQLite's two-argument ``min``)."""

    inherit_cache = True
    name = "earlier"


@compiles(earlier, "postgresql")
def _pg_earlier(element: Any, compiler: Any, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(earlier, "sqlite")
def _sqlite_earlier(element: Any, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


class plus_seconds(FunctionElement[Any]):
    """A stored time plus a number of seconds, comparable with stored times."""

    inherit_cache = True
    name = "plus_seconds"


@compiles(plus_seconds, "postgresql")
def _pg_plus(element: Any, compiler: Any, **kw: Any) -> str:
    at, seconds = list(element.clauses)
    return (
        f"({compiler.process(at, **kw)} + make_interval(secs => {compiler.process(seconds, **kw)}))"
    )


@compiles(plus_seconds, "sqlite")
def _sqlite_plus(element: Any, compiler: Any, **kw: Any) -> str:
    # The stored form with microseconds: text comparison stays time order.
    at, seconds = list(element.clauses)
    return (
        f"(strftime('%Y-%m-%d %H:%M:%f', {compiler.process(at, **kw)}, "
        f"'+' || {compiler.process(seconds, **kw)} || ' seconds') || '000')"
    )


class epoch(FunctionElement[float]):
    """A stored time as epoch seconds (NULL stays NULL): cheaper to read than a datetime."""

    type = Float()
    inherit_cache = True
    name = "epoch"


@compiles(epoch, "postgresql")
def _pg_epoch(element: Any, compiler: Any, **kw: Any) -> str:
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"
    )


@compiles(epoch, "sqlite")
def _sqlite_epoch(element: Any, compiler: Any, **kw: Any) -> str:
    # Whole seconds plus the stored fraction ('.ffffff' from the 20th character): exact,
    # where julianday's floating days would blur a time on an interval boundary.
    return _sqlite_epoch_of(compiler.process(element.clauses, **kw))


def _sqlite_epoch_of(at: str) -> str:
    return f"(CAST(strftime('%s', {at}) AS REAL) + CAST(substr({at}, 20) AS REAL))"
