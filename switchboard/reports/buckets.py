# -*- test-case-name: tests.reports.test_agent_report -*-
"""Which interval of a report a row falls in, computed in SQL, so that one statement
groups a whole range by interval (instead of one statement per interval).

``edges`` are the intervals' boundaries in epoch seconds, ascending (the first start,
then each end); a value is compared the way the intervals were before: ``start <= value <
end``. PostgreSQL has ``width_bucket`` over an array of the edges; SQLite gets integer
division when the intervals are of one length, else a ``CASE`` over the edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from switchboard.reports.intervals import Span

__all__ = ["edges_of", "grouped", "interval_index", "on_step"]


def edges_of(spans: Sequence[Span]) -> list[float]:
    return [s.start_s for s in spans] + [spans[-1].end_s]


def on_step(edges: Sequence[float], step_s: int) -> bool:
    """Every boundary falls on the UTC ``step_s`` grid (a roll-up of that step can serve)."""
    return all(e == int(e) and int(e) % step_s == 0 for e in edges)


class interval_index(FunctionElement[int]):
    """The 0-based interval of ``value`` (epoch seconds) among the literal ``edges``;
    rows outside the edges must be filtered out by the statement."""

    type = Integer()
    inherit_cache = False  # the edges are part of the text
    name = "interval_index"

    def __init__(self, value: Any, edges: Sequence[float], *, whole: bool = False) -> None:
        self.edges = [float(e) for e in edges]
        self.whole = whole  # ``value`` is an integer (integer division serves)
        super().__init__(value)


def _even(element: interval_index, value: str) -> str | None:
    """Intervals of one length (no clock change in the range): arithmetic, cheaper than
    a search of the edges."""
    edges = element.edges
    lengths = {b - a for a, b in pairwise(edges)}
    if len(lengths) != 1:
        return None
    (length,) = lengths
    if element.whole and length == int(length):
        return f"(({value} - {_number(edges[0])}) / {int(length)})"  # >= 0: truncation is floor
    return f"CAST(floor(({value} - {_number(edges[0])}) / {float(length)!r}) AS INTEGER)"


def _number(value: float) -> str:
    return repr(int(value)) if value == int(value) else repr(value)


@compiles(interval_index, "postgresql")
def _pg_index(element: interval_index, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    if (even := _even(element, value)) is not None:
        return even
    edges = ", ".join(_number(e) for e in element.edges)
    return (
        f"(width_bucket(CAST({value} AS DOUBLE PRECISION), ARRAY[{edges}]::double precision[]) - 1)"
    )


@compiles(interval_index, "sqlite")
def _sqlite_index(element: interval_index, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    edges = element.edges
    lengths = {b - a for a, b in pairwise(edges)}
    if len(lengths) == 1:  # (SQLite may lack floor(); values >= the first edge: CAST truncates)
        (length,) = lengths
        return f"CAST(({value} - {_number(edges[0])}) / {float(length)!r} AS INTEGER)"
    whens = " ".join(f"WHEN {value} < {_number(e)} THEN {i}" for i, e in enumerate(edges[1:-1]))
    return f"(CASE {whens} ELSE {len(edges) - 2} END)"


def grouped(column: ColumnElement[Any], name: str) -> tuple[ColumnElement[Any], Any]:
    """A computed column labelled ``name``, and what to group by: the label (its text once)."""
    return column.label(name), literal_column(name)
