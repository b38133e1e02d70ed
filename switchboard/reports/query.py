# -*- test-case-name: tests.reports.test_query -*-
"""What a report is asked for, read and checked once for the CLI and the REST API alike:
a bad parameter is a :class:`ReportProblem` naming it and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from switchboard.reports.intervals import INTERVALS, MAX_SPANS, Interval, Span, spans

__all__ = [
    "DEFAULT_INTERVAL",
    "ReportProblem",
    "ReportQuery",
    "parse_moment",
    "parse_query",
    "query_parameters",
]

DEFAULT_INTERVAL: Interval = "hour"


class ReportProblem(ValueError):
    """A parameter that cannot be used: ``parameter`` names it, ``message`` says the fix.
    ``named``: the message is a whole sentence that already names the parameter (the
    forecast's, shared with ``switchboard forecast``); ``text`` is what a person reads."""

    def __init__(self, parameter: str, message: str, *, named: bool = False) -> None:
        self.text = message if named else f"{parameter}: {message}"
        super().__init__(self.text)
        self.parameter, self.message, self.named = parameter, message, named


@dataclass(frozen=True)
class ReportQuery:
    kind: str
    start: datetime  # aware; the first interval begins here
    end: datetime  # aware, excluded; the last interval ends here
    interval: str  # an Interval; the forecast's own are 15m, 30m and hour
    zone: ZoneInfo
    now: float  # open rows (an agent still logged in) are counted up to here
    queues: tuple[str, ...] = ()  # () : every queue
    agents: tuple[str, ...] = ()  # () : every agent
    # A kind's own parameters (the forecast's target, shrinkage ...), checked, as text.
    options: tuple[tuple[str, str], ...] = ()

    def spans(self) -> list[Span]:
        if self.interval not in INTERVALS:
            raise ValueError(f"{self.kind}: {self.interval!r} intervals are not calendar spans")
        return spans(self.start, self.end, self.interval, self.zone)

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


def parse_moment(text: str, zone: ZoneInfo, *, end: bool = False) -> datetime:
    """``2026-12-01`` (a whole day: its midnight, or for an ``end`` the next midnight),
    ``2026-12-01T08:30`` (the centre's local time) or with an offset (as given)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                day += timedelta(days=1)
            local = datetime.combine(day, time())
        else:
            local = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date or time: write 2026-12-01 or 2026-12-01T08:30 "
            f"(the centre's time, {zone.key}) or 2026-12-01T08:30+08:00"
        ) from None
    return local if local.tzinfo else local.replace(tzinfo=zone)


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(sorted({n.strip() for n in (text or "").split(",") if n.strip()}))


def parse_query(
    kind: str,
    kinds: tuple[str, ...],
    *,
    start: str | None,
    end: str | None,
    interval: str | None,
    queue: str | None,
    agent: str | None,
    zone: ZoneInfo,
    now: float,
) -> ReportQuery:
    """The checked query; ``queue`` and ``agent`` may name several, comma-separated."""
    if kind not in kinds:
        raise ReportProblem("kind", f"no report {kind!r}: choose one of {', '.join(kinds)}")
    if not start or not end:
        missing = "from" if not start else "to"
        raise ReportProblem(missing, "give the range: from=2026-12-01&to=2026-12-01 (whole days)")
    try:
        first = parse_moment(start, zone)
    except ValueError as exc:
        raise ReportProblem("from", str(exc)) from None
    try:
        last = parse_moment(end, zone, end=True)
    except ValueError as exc:
        raise ReportProblem("to", str(exc)) from None
    if last <= first:
        raise ReportProblem("to", f"{end!r} is not after from={start!r}: give a later 'to'")
    chosen = interval or DEFAULT_INTERVAL
    if chosen not in INTERVALS:
        raise ReportProblem(
            "interval", f"{chosen!r} is not an interval: choose one of {', '.join(INTERVALS)}"
        )
    query = ReportQuery(
        kind, first, last, chosen, zone, now, queues=_names(queue), agents=_names(agent)
    )
    try:
        made = query.spans()
    except ValueError:
        raise ReportProblem(
            "interval", f"more than {MAX_SPANS} {chosen} intervals: choose a longer interval"
        ) from None
    # The range widened to whole intervals: what the rows cover.
    return ReportQuery(
        kind,
        made[0].start,
        made[-1].end,
        chosen,
        zone,
        now,
        queues=query.queues,
        agents=query.agents,
    )


def query_parameters(query: ReportQuery) -> dict[str, object]:
    """What every report lists as its parameters (a report adds its own thresholds)."""
    return {
        "from": query.start,
        "to": query.end,
        "interval": query.interval,
        "timezone": query.zone.key,
        "queues": list(query.queues),
        "agents": list(query.agents),
    }
