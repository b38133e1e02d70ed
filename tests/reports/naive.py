"""A second, deliberately simple implementation of every report figure, straight from
the raw rows (``SELECT *`` and loops), to hold the reports against.

Its intervals come from a different method too: every minute of the range truncated on
the local wall clock (a day: to local midnight), which gives the interval starts without
any arithmetic on offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import AgentSessionRow, AgentStateRow, CallVisitRow, OfferRow
from switchboard.seat.models import SeatDisposition


def s(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def interval_starts(start: datetime, end: datetime, interval: str, zone: ZoneInfo) -> list[float]:
    """Every interval start in [start, end), by truncating each minute's local time."""
    found = set()
    at = start.astimezone(UTC)  # minutes of real time (aware arithmetic is wall-clock)
    while at < end:
        local = at.astimezone(zone)
        if interval == "15m":
            local = local.replace(minute=local.minute // 15 * 15, second=0, microsecond=0)
        elif interval == "hour":
            local = local.replace(minute=0, second=0, microsecond=0)
        elif interval == "month":
            local = datetime(local.year, local.month, 1, tzinfo=zone)
        else:  # day, or the Monday of the week
            back = local.weekday() if interval == "week" else 0
            day = local.date() - timedelta(days=back)
            local = datetime(day.year, day.month, day.day, tzinfo=zone)
        found.add(local.timestamp())
        at += timedelta(minutes=1)
    return sorted(found)


def bucket(starts: list[float], at: float, end: float) -> float | None:
    if at < starts[0] or at >= end:
        return None
    return max(b for b in starts if b <= at)


def rows(engine: Engine, model: Any) -> list[Any]:
    with Session(engine) as session:
        return list(session.scalars(select(model)))


def pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole > 0 else None


def csat_owner(answer: Any, visits: list[Any]) -> tuple[str, str]:
    """(agent, queue) a CSAT answer counts for: the visit its call was answered in (the
    latest), else what the survey stored."""
    answered = [v for v in visits if v.call_id == answer.call_id and v.answered_at is not None]
    if answered:
        last = max(answered, key=lambda v: (s(v.answered_at), v.id))
        return last.agent_id, last.queue
    return answer.agent, answer.queue


def expected_queue(
    engine: Engine,
    starts: list[float],
    end: float,
    *,
    sl: tuple[float, float],
    short_s: float,
    fcr_days: float,
    scale: int = 5,
) -> dict[tuple[float, str], dict[str, Any]]:
    visits = rows(engine, CallVisitRow)
    customer = {r.call_id: r.customer_id for r in rows(engine, IvrSession)}
    answers = rows(engine, CsatResponse)
    out: dict[tuple[float, str], dict[str, Any]] = {}
    of = {id(v): bucket(starts, s(v.entered_at), end) for v in visits}
    for b in starts:
        for q in sorted({v.queue for v in visits}):
            mine = [v for v in visits if v.queue == q and of[id(v)] == b]
            live = [v for v in mine if v.answered_at is not None and not v.via_callback]
            shorts = [v for v in mine if v.outcome == "abandoned" and v.left_waited_s < short_s]
            abandoned = [v for v in mine if v.outcome == "abandoned"]
            handled = [v for v in mine if v.handled_at is not None]
            waits = [v.waited_s for v in live]
            waits += [v.left_waited_s for v in mine if v.left_waited_s is not None]
            waits += [v.callback_waited_s for v in mine if v.callback_waited_s is not None]
            scores = [
                a.score
                for a in answers
                if csat_owner(a, visits)[1] == q and bucket(starts, s(a.created_at), end) == b
            ]
            fcr = [v for v in mine if v.answered_at is not None]
            fcr = [v for v in fcr if v.caller_number or customer.get(v.path_ref) is not None]

            def again(v: Any) -> bool:
                for w in visits:
                    same = (v.caller_number and w.caller_number == v.caller_number) or (
                        customer.get(v.path_ref) is not None
                        and customer.get(w.path_ref) == customer.get(v.path_ref)
                    )
                    later = s(v.entered_at) < s(w.entered_at) <= s(v.entered_at) + fcr_days * 86400
                    if same and later and w.call_id != v.call_id:
                        return True
                return False

            counted = len(mine) - len(shorts)
            out[(b, q)] = {
                "offered": len(mine),
                "answered": len(live),
                "abandoned": len(abandoned),
                "short_abandons": len(shorts),
                "abandoned_pct": pct(len(abandoned) - len(shorts), counted),
                "service_level_1_pct": pct(sum(w <= sl[0] for w in waits[: len(live)]), counted),
                "service_level_2_pct": pct(sum(w <= sl[1] for w in waits[: len(live)]), counted),
                "asa_s": mean(waits[: len(live)]) if live else None,
                "handled": len(handled),
                "aht_s": mean(v.talk_s + v.wrap_s for v in handled) if handled else None,
                "longest_wait_s": max(waits, default=0.0),
                "callbacks_requested": sum(v.callback_at is not None for v in mine),
                "callbacks_completed": sum(
                    v.via_callback and v.answered_at is not None for v in mine
                ),
                "overflowed": sum(v.outcome in ("moved", "voicemail", "overflowed") for v in mine),
                # Counted where the transferred visit entered, like everything else here.
                "transfers": sum(v.transferred_at is not None for v in mine),
                "csat_avg": mean(scores) if scores else None,
                "csat_responses": len(scores),
                **{f"csat_{n}": scores.count(n) for n in range(1, scale + 1)},
                "fcr_calls": len(fcr),
                "fcr_pct": pct(sum(not again(v) for v in fcr), len(fcr)),
            }
    return out


def expected_agents(
    engine: Engine, starts: list[float], end: float, now: float
) -> dict[tuple[float, str], dict[str, Any]]:
    states = rows(engine, AgentStateRow)
    logins = rows(engine, AgentSessionRow)
    visits = rows(engine, CallVisitRow)
    offers = rows(engine, OfferRow)
    answers = rows(engine, CsatResponse)
    codes = rows(engine, SeatDisposition)
    newest: dict[tuple[str, str], Any] = {}
    for d in sorted(codes, key=lambda d: d.id):
        newest[(d.call_id, d.agent_id)] = d
    bounds = [*starts, end]
    out: dict[tuple[float, str], dict[str, Any]] = {}
    agents = {r.agent_id for r in states} | {r.agent_id for r in offers}
    for i, b in enumerate(starts):
        lo, hi = b, bounds[i + 1]
        for agent in sorted(agents):

            def spent(
                begin: datetime, finish: datetime | None, lo: float = lo, hi: float = hi
            ) -> float:
                stop = now if finish is None else s(finish)
                return max(0.0, min(stop, hi) - max(s(begin), lo))

            by_state = {
                st: sum(
                    spent(r.started_at, r.ended_at)
                    for r in states
                    if r.agent_id == agent and r.state == st
                )
                for st in ("ready", "reserved", "on_call", "wrap_up", "not_ready")
            }
            reasons = {
                r.reason: sum(
                    spent(x.started_at, x.ended_at)
                    for x in states
                    if x.agent_id == agent and x.state == "not_ready" and x.reason == r.reason
                )
                for r in states
                if r.state == "not_ready"
            }
            done = [
                v
                for v in visits
                if v.agent_id == agent and v.handled_at and lo <= s(v.handled_at) < hi
            ]
            rung = [o for o in offers if o.agent_id == agent and lo <= s(o.offered_at) < hi]
            scores = [
                a.score
                for a in answers
                if csat_owner(a, visits)[0] == agent and lo <= s(a.created_at) < hi
            ]
            coded = [d for d in newest.values() if d.agent_id == agent and lo <= s(d.at) < hi]
            busy = by_state["reserved"] + by_state["on_call"] + by_state["wrap_up"]
            out[(b, agent)] = {
                "logged_in_s": sum(
                    spent(r.logged_in_at, r.logged_out_at) for r in logins if r.agent_id == agent
                ),
                **{f"{k}_s": v for k, v in by_state.items()},
                **{f"not_ready_s:{k}": v for k, v in reasons.items()},
                "occupancy_pct": 100 * busy / (busy + by_state["ready"])
                if busy + by_state["ready"]
                else None,
                "offers": len(rung),
                "missed_offers": sum(o.result in ("no_answer", "busy") for o in rung),
                "handled": len(done),
                "aht_s": mean(v.talk_s + v.wrap_s for v in done) if done else None,
                "csat_avg": mean(scores) if scores else None,
                "csat_responses": len(scores),
                "dispositions": len(coded),
                **{
                    f"disposition:{c}": sum(d.code == c for d in coded)
                    for c in {d.code for d in newest.values()}
                },
            }
    return out


def same(report_value: Any, expected: Any) -> bool:
    if expected is None or report_value is None:
        return expected == report_value
    if isinstance(expected, float) or isinstance(report_value, float):
        return abs(float(report_value) - float(expected)) <= 0.002
    return bool(report_value == expected)
