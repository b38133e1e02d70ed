# -*- test-case-name: tests.reports.test_queue_report -*-
"""The queue report: per queue and interval, what happened to the calls that reached it.

A visit (one call's stay in one queue, ``acd_call_visit``) counts in the interval it
*entered* the queue: its answer, abandon, wait and handling time all count there, so that
every row adds up (answered + abandoned + ... never exceeds offered). CSAT answers count
in the interval they were given. docs/reports.md defines each figure.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.intervals import Span
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.source import (
    Csat,
    Visit,
    csat_answers,
    repeated_visits,
    visits_entered,
)
from switchboard.reports.table import Cell, Column, Report

__all__ = ["OVERFLOW_OUTCOMES", "build_queue_report", "queue_columns", "queue_report"]

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


@dataclass(slots=True)
class _Tally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short: int = 0
    in_sl: list[int] = field(default_factory=lambda: [0, 0])
    wait_sum: float = 0.0
    handled: int = 0
    handle_sum: float = 0.0
    longest: float = 0.0
    callbacks: int = 0
    called_back: int = 0
    overflowed: int = 0
    transfers: int = 0
    scores: list[int] = field(default_factory=list)
    fcr_calls: int = 0
    fcr_resolved: int = 0


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 3) if count else None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 3) if whole > 0 else None


def _index(starts: Sequence[float], spans: Sequence[Span], at: float) -> int | None:
    i = bisect_right(starts, at) - 1
    return i if 0 <= i < len(spans) and at < spans[i].end_s else None


def _count_visit(tally: _Tally, visit: Visit, settings: ReportSettings) -> None:
    tally.offered += 1
    waits = [visit.left_waited_s, visit.callback_waited_s]
    if visit.answered_at is not None and visit.via_callback:
        tally.called_back += 1
    elif visit.answered_at is not None:
        wait = visit.waited_s or 0.0
        tally.answered += 1
        tally.wait_sum += wait
        waits.append(wait)
        for i, threshold in enumerate(settings.service_level_s):
            tally.in_sl[i] += wait <= threshold
    if visit.outcome == "abandoned" and visit.left_at is not None:
        tally.abandoned += 1
        tally.short += (visit.left_waited_s or 0.0) < settings.short_abandon_s
    if visit.outcome in OVERFLOW_OUTCOMES and visit.left_at is not None:
        tally.overflowed += 1
    if visit.transferred_at is not None:
        tally.transfers += 1
    if visit.callback_at is not None:
        tally.callbacks += 1
    if visit.handled_at is not None:
        tally.handled += 1
        tally.handle_sum += (visit.talk_s or 0.0) + (visit.wrap_s or 0.0)
    tally.longest = max(tally.longest, *(w for w in waits if w is not None), 0.0)


def _keys(number: str, customer: int | None) -> list[tuple[str, str | int]]:
    keys: list[tuple[str, str | int]] = []
    if number:
        keys.append(("number", number))
    if customer is not None:
        keys.append(("customer", customer))
    return keys


def queue_report(
    query: ReportQuery,
    settings: ReportSettings,
    visits: Iterable[Visit],
    repeated: set[tuple[str, str]],
    answers: Iterable[Csat],
) -> Report:
    """The report from rows already read (pure: the tests feed it directly too)."""
    spans = query.spans()
    starts = [s.start_s for s in spans]
    visits, answers = list(visits), [a for a in answers if a.queue]
    if query.queues:
        visits = [v for v in visits if v.queue in query.queues]
        answers = [a for a in answers if a.queue in query.queues]
    names = sorted(set(query.queues) | {v.queue for v in visits} | {a.queue for a in answers})
    tallies = {(q, i): _Tally() for q in names for i in range(len(spans))}
    for visit in visits:
        i = _index(starts, spans, visit.entered_at)
        if i is None:
            continue
        tally = tallies[(visit.queue, i)]
        _count_visit(tally, visit, settings)
        if visit.answered_at is not None and _keys(visit.caller_number, visit.customer_id):
            tally.fcr_calls += 1
            tally.fcr_resolved += (visit.call_id, visit.queue) not in repeated
    for answer in answers:
        i = _index(starts, spans, answer.at)
        if i is not None:
            tallies[(answer.queue, i)].scores.append(answer.score)
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        for name in names:
            rows.append(_row(span, name, tallies[(name, i)], settings))
    return Report(
        "queue",
        "Queue report",
        queue_columns(settings),
        tuple(rows),
        _parameters(query, settings),
    )


def _row(span: Span, queue: str, t: _Tally, settings: ReportSettings) -> tuple[Cell, ...]:
    counted = t.offered - t.short
    scores = t.scores
    return (
        span.start,
        queue,
        t.offered,
        t.answered,
        t.abandoned,
        t.short,
        _pct(t.abandoned - t.short, counted),
        _pct(t.in_sl[0], counted),
        _pct(t.in_sl[1], counted),
        _mean(t.wait_sum, t.answered),
        t.handled,
        _mean(t.handle_sum, t.handled),
        round(t.longest, 3),
        t.callbacks,
        t.called_back,
        t.overflowed,
        t.transfers,
        _mean(sum(scores), len(scores)),
        len(scores),
        *(scores.count(score) for score in range(1, settings.csat_scale + 1)),
        t.fcr_calls,
        _pct(t.fcr_resolved, t.fcr_calls),
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
    start, end = query.start.timestamp(), query.end.timestamp()
    visits = visits_entered(session, start, end, query.queues)
    repeated = repeated_visits(
        session,
        start,
        end,
        settings.fcr_days * _DAY_S,
        same_queue=settings.fcr_same_queue,
        queues=query.queues,
    )
    answers = csat_answers(session, start, end, queues=query.queues)
    return queue_report(query, settings, visits, repeated, answers)
