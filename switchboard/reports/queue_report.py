# -*- test-case-name: tests.reports.test_queue_report -*-
"""The queue report: per queue and interval, what happened to the calls that reached it.

A visit (one call's stay in one queue, ``acd_call_visit``) counts in the interval it
*entered* the queue: its answer, abandon, wait and handling time all count there, so that
every row adds up (answered + abandoned + ... never exceeds offered). CSAT answers count
in the interval they were given. docs/reports.md defines each figure.

The database sums each figure of :func:`visit_figures` per queue and quarter-hour (or
whatever step the intervals are made of, .source.Grid); Python adds the steps up per
interval and divides. A new count is one line in :func:`visit_figures` and one in
:func:`_row` (plus its column).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, text
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.intervals import Span
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.source import (
    Grid,
    Scores,
    Sums,
    called_again,
    caller_known,
    csat_scores,
    visit_sums,
)
from switchboard.reports.table import Cell, Column, Report

__all__ = [
    "OVERFLOW_OUTCOMES",
    "build_queue_report",
    "queue_columns",
    "queue_report",
    "visit_figures",
]

# Left the queue for another queue (moved) or out of it (a fallback: voicemail, exit).
OVERFLOW_OUTCOMES = frozenset({"moved", "overflowed", "voicemail"})
_DAY_S = 86400.0


def queue_columns(settings: ReportSettings) -> tuple[Column, ...]:
    first, second = settings.service_level_s
    return (
        Column("interval", "Interval", "interval"),
        Column("queue", "Queue", "text"),
        Column("offered", "Offered", "count"),
        Column("answered", "Answered", "count"),
        Column("abandoned", "Abandoned", "count"),
        Column("short_abandons", "Short abandons", "count"),
        Column("abandoned_pct", "Abandon rate", "pct"),
        Column("service_level_1_pct", f"Service level ({first:g} s)", "pct"),
        Column("service_level_2_pct", f"Service level ({second:g} s)", "pct"),
        Column("asa_s", "Average speed of answer", "s"),
        Column("handled", "Handled", "count"),
        Column("aht_s", "Average handling time", "s"),
        Column("longest_wait_s", "Longest wait", "s"),
        Column("callbacks_requested", "Callbacks requested", "count"),
        Column("callbacks_completed", "Callbacks completed", "count"),
        Column("overflowed", "Overflowed", "count"),
        Column("transfers", "Transfers", "count"),
        Column("csat_avg", "CSAT average", "score"),
        Column("csat_responses", "CSAT responses", "count"),
        *(
            Column(f"csat_{score}", f"CSAT {score}", "count")
            for score in range(1, settings.csat_scale + 1)
        ),
        Column("fcr_calls", "First-call resolution: calls", "count"),
        Column("fcr_pct", "First-call resolution", "pct"),
    )


def _count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
    """How many visits meet every condition (checked in order: the costly one last)."""
    return func.sum(case((and_(*conditions), 1), else_=0))


def _total(value: ColumnElement[float], *conditions: ColumnElement[bool]) -> ColumnElement[float]:
    return func.sum(case((and_(*conditions), value), else_=0.0))


def visit_figures(settings: ReportSettings) -> dict[str, ColumnElement[Any]]:
    """What each visit adds to its row, as aggregates over ``acd_call_visit``: counts and
    sums (added up across the steps of an interval), and the ``_LONGEST`` waits (the
    highest taken). A stored NULL wait or duration counts as 0 s, as it always has."""
    v = CallVisitRow
    answered = v.answered_at.is_not(None)
    called_back = func.coalesce(v.via_callback, False)
    live = and_(answered, ~called_back)  # answered while the caller waited
    wait = func.coalesce(v.waited_s, 0.0)
    abandoned = and_(v.outcome == "abandoned", v.left_at.is_not(None))
    handled = v.handled_at.is_not(None)
    first, second = settings.service_level_s
    known = caller_known(v)
    again = called_again(v, settings.fcr_days * _DAY_S, same_queue=settings.fcr_same_queue)
    return {
        "offered": func.count(),
        "answered": _count(live),
        "abandoned": _count(abandoned),
        "short": _count(abandoned, func.coalesce(v.left_waited_s, 0.0) < settings.short_abandon_s),
        "in_sl_1": _count(live, wait <= first),
        "in_sl_2": _count(live, wait <= second),
        "wait_sum": _total(wait, live),
        "handled": _count(handled),
        "handle_sum": _total(func.coalesce(v.talk_s, 0.0) + func.coalesce(v.wrap_s, 0.0), handled),
        "longest_answered": func.max(case((live, wait), else_=0.0)),
        "longest_left": func.max(func.coalesce(v.left_waited_s, 0.0)),
        "longest_callback": func.max(func.coalesce(v.callback_waited_s, 0.0)),
        "callbacks": _count(v.callback_at.is_not(None)),
        "called_back": _count(answered, called_back),
        "overflowed": _count(v.outcome.in_(OVERFLOW_OUTCOMES), v.left_at.is_not(None)),
        # The answering agent handed the caller on (BlindTransfer / AttendedTransfer).
        "transfers": _count(v.transferred_at.is_not(None)),
        "fcr_calls": _count(answered, known),
        "fcr_resolved": _count(answered, known, ~again),
    }


_LONGEST = ("longest_answered", "longest_left", "longest_callback")


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 3) if count else None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 3) if whole > 0 else None


def _index(starts: Sequence[float], spans: Sequence[Span], at: float) -> int | None:
    i = bisect_right(starts, at) - 1
    return i if 0 <= i < len(spans) and at < spans[i].end_s else None


def _add(tally: dict[str, Any], figures: dict[str, Any]) -> None:
    for name, value in figures.items():
        if name in _LONGEST:
            tally[name] = max(tally[name], value or 0.0)
        else:
            tally[name] += value or 0


def queue_report(
    query: ReportQuery,
    settings: ReportSettings,
    visits: Iterable[Sums],
    answers: Iterable[Scores],
) -> Report:
    """The report from the sums already read, each a step of an interval (pure)."""
    spans = query.spans()
    starts = [s.start_s for s in spans]
    visits, answers = list(visits), [a for a in answers if a.queue]
    if query.queues:
        visits = [v for v in visits if v.queue in query.queues]
        answers = [a for a in answers if a.queue in query.queues]
    names = sorted(set(query.queues) | {v.queue for v in visits} | {a.queue for a in answers})
    zero = dict.fromkeys(visit_figures(settings), 0) | dict.fromkeys(_LONGEST, 0.0)
    tallies = {(q, i): dict(zero) for q in names for i in range(len(spans))}
    scores: dict[tuple[str, int], dict[int, int]] = {key: {} for key in tallies}
    for sums in visits:
        i = _index(starts, spans, sums.at)
        if i is not None:
            _add(tallies[(sums.queue, i)], sums.figures)
    for answer in answers:
        i = _index(starts, spans, answer.at)
        if i is not None:
            given = scores[(answer.queue, i)]
            given[answer.score] = given.get(answer.score, 0) + answer.answers
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        for name in names:
            rows.append(_row(span, name, tallies[(name, i)], scores[(name, i)], settings))
    return Report(
        "queue",
        "Queue report",
        queue_columns(settings),
        tuple(rows),
        _parameters(query, settings),
    )


def _row(
    span: Span, queue: str, t: dict[str, Any], scores: dict[int, int], settings: ReportSettings
) -> tuple[Cell, ...]:
    counted = t["offered"] - t["short"]
    responses = sum(scores.values())
    return (
        span.start,
        queue,
        t["offered"],
        t["answered"],
        t["abandoned"],
        t["short"],
        _pct(t["abandoned"] - t["short"], counted),
        _pct(t["in_sl_1"], counted),
        _pct(t["in_sl_2"], counted),
        _mean(t["wait_sum"], t["answered"]),
        t["handled"],
        _mean(t["handle_sum"], t["handled"]),
        round(max(0.0, *(t[name] for name in _LONGEST)), 3),
        t["callbacks"],
        t["called_back"],
        t["overflowed"],
        t["transfers"],
        _mean(sum(score * n for score, n in scores.items()), responses),
        responses,
        *(scores.get(score, 0) for score in range(1, settings.csat_scale + 1)),
        t["fcr_calls"],
        _pct(t["fcr_resolved"], t["fcr_calls"]),
    )


def _parameters(query: ReportQuery, settings: ReportSettings) -> dict[str, object]:
    return {
        **query_parameters(query),
        "service_level_s": list(settings.service_level_s),
        "short_abandon_s": settings.short_abandon_s,
        "fcr_days": settings.fcr_days,
        "fcr_same_queue": settings.fcr_same_queue,
    }


def build_queue_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    spans = query.spans()
    if not spans:
        return queue_report(query, settings, (), ())
    start, end = query.start.timestamp(), query.end.timestamp()
    grid = Grid.of(spans)
    if session.get_bind().dialect.name == "postgresql":
        # The plan is many small index probes (first-call resolution), costed high:
        # compiling it (JIT) took longer, 0.1-0.3 s, than running it.
        session.execute(text("SET LOCAL jit = off"))
    visits = visit_sums(session, visit_figures(settings), start, end, grid, query.queues)
    answers = csat_scores(session, start, end, grid, query.queues)
    return queue_report(query, settings, visits, answers)
