# -*- test-case-name: tests.web.test_recordings_page -*-
"""``GET /recordings``: the supervisors' recordings page. A search form with every key
the search knows, a page of results, and, for the recording picked (``?play=<id>``), a
player, its pause intervals and (supervisors, admins) who listened.

The player is an ``<audio>`` pointed at ``/recordings/<id>/audio``, the route that checks
access, serves Range requests and audits each of them: the page never names a file. Who
finds what is :func:`~switchboard.recorder.playback.scope`, as for the REST search.
Bad filter values give the page again, with a 400 and a message per value, never a 500.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.web.server import Request

from switchboard.accounts.model import Role, User
from switchboard.accounts.records import WebUser
from switchboard.crm.models import Customer
from switchboard.recorder.models import (
    Recording,
    RecordingAccess,
    RecordingHold,
    RecordingPause,
    RecordingTicket,
)
from switchboard.recorder.playback import RecordingPlayback, may_hear, scope
from switchboard.recorder.search import MAX_PER_PAGE, Page, RecordingQuery, search
from switchboard.seat.models import SeatDisposition
from switchboard.web.gate import arg

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["add_recordings_page"]

STATUSES = ("ok", "empty", "missing", "corrupt")
PER_PAGE_CHOICES = (25, 50, 100)
LISTENERS_SHOWN = 100  # the newest audit rows on the page; the table keeps them all
# The query keys the page reads (those of GET /api/v1/recordings, plus tz and play).
KEYS = (
    "from",
    "to",
    "caller",
    "customer",
    "agent",
    "queue",
    "disposition",
    "ticket",
    "min_duration",
    "max_duration",
    "status",
    "per_page",
    "tz",
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad value: ``msgid`` is translated, then filled with ``field`` (a msgid too,
    translated), ``value`` (as typed) and ``most``."""

    msgid: str
    field: str = ""
    value: str = ""
    most: int = 0


@dataclass(slots=True)
class Form:
    values: dict[str, str]  # as typed, to fill the form again
    zone: tzinfo
    query: RecordingQuery = field(default_factory=RecordingQuery)
    play: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def link(self, **changes: Any) -> str:
        """This search's URL with ``changes`` (page, play), empty values left out."""
        merged = {**self.values, **{k: str(v) for k, v in changes.items() if v is not None}}
        return "/recordings?" + urlencode({k: v for k, v in merged.items() if v})


@dataclass(frozen=True, slots=True)
class PauseSpan:
    start_s: float  # from the start of the recording
    end_s: float | None  # None: still paused when the call ended
    paused_by: str
    resumed_by: str


@dataclass(frozen=True, slots=True)
class Listing:
    page: Page
    customers: dict[int, str]
    agents: dict[str, str]
    held: set[int]


@dataclass(frozen=True, slots=True)
class Picked:
    row: Recording
    disposition: str
    tickets: list[str]
    held: bool
    customer: str
    agent: str
    pauses: list[PauseSpan]
    listeners: list[RecordingAccess] | None  # None: not shown to this user


def add_recordings_page(web: WebApp, playback: RecordingPlayback | None) -> None:
    async def recordings_page(request: Request) -> bytes:
        session = await web._gate.session(request)
        if session is None:
            return web._redirect(request, "/login")
        user = session.user
        if playback is None:
            return web._error_page(
                request,
                503,
                "Recordings unavailable",
                "The recorder is not running in this process.",
                session,
            )
        mine_only = user.role is Role.AGENT
        if scope(user, RecordingQuery(), agent_may_play=playback.agent_may_play) is None:
            return web._error_page(
                request,
                403,
                "Supervisors only",
                "Recordings are for the supervisors of their queues: ask an administrator.",
                session,
            )
        form = read_form(request, user)
        narrowed = scope(user, form.query, agent_may_play=playback.agent_may_play)
        listing: Listing | None = None
        if not form.problems and narrowed is not None:  # an agent's query is their own
            listing = await playback.database.run(lambda s: find(s, narrowed))
        found: Picked | str = ""
        if form.play is not None:
            wanted, may_play = form.play, playback.agent_may_play
            found = await playback.database.run(lambda s: pick(s, wanted, user, may_play))
        status = 400 if form.problems else 200
        if found in ("forbidden", "not_found"):
            status = 403 if found == "forbidden" else 404
        return web._page(
            request,
            "recordings.html",
            user.language,
            status=status,
            session=session,
            form=form,
            listing=listing,
            picked=found if isinstance(found, Picked) else None,
            # Why the picked recording's format cannot be played here ("" if it can).
            obstacle=playback.copies.obstacle(found.row.format)
            if isinstance(found, Picked)
            else "",
            refused=found if isinstance(found, str) else "",
            pages=_page_count(listing),
            statuses=STATUSES,
            per_page_choices=PER_PAGE_CHOICES,
            mine_only=mine_only,
            zone_name=str(form.zone),
            when=lambda moment: _local(moment, form.zone),
            clock=_clock,
        )

    web.app.route("/recordings", methods=["GET"], endpoint="recordings_page")(recordings_page)


# -- the form ---------------------------------------------------------------------------


def read_form(request: Request, user: User) -> Form:
    values = {key: arg(request, key).strip() for key in KEYS}
    if user.role is Role.AGENT:
        values["agent"] = user.agent_id or ""  # an agent finds their own calls only
    form = Form(values, _zone(values["tz"]))
    problems = form.problems
    since = _day_or_moment(values["from"], form.zone, "From", problems)
    until = _day_or_moment(values["to"], form.zone, "To (inclusive)", problems, end_of_day=True)
    if since and until and since >= until:
        problems.append(Problem("The date range is empty: the first day is after the last."))
    shortest = _seconds(values["min_duration"], "Shortest (s)", problems)
    longest = _seconds(values["max_duration"], "Longest (s)", problems)
    if shortest is not None and longest is not None and shortest > longest:
        problems.append(Problem("The shortest duration is longer than the longest."))
    if values["status"] and values["status"] not in STATUSES:
        msgid = "%(field)s: “%(typed)s” is not one of the list."
        problems.append(Problem(msgid, "Status", values["status"][:40]))
    page = _whole(arg(request, "page"), "Page", problems, default=1)
    per_page = _whole(values["per_page"], "Per page", problems, default=50, most=MAX_PER_PAGE)
    form.play = _whole(arg(request, "play"), "Recording", problems, default=None)
    form.query = RecordingQuery(
        since=since,
        until=until,
        caller=values["caller"] or None,
        customer=values["customer"] or None,
        agent=values["agent"] or None,
        queue=values["queue"] or None,
        disposition=values["disposition"] or None,
        ticket=values["ticket"] or None,
        min_duration_s=shortest,
        max_duration_s=longest,
        status=values["status"] or None,
        page=page or 1,
        per_page=per_page or 50,
    )
    return form


def _zone(name: str) -> tzinfo:
    """The browser's zone (recordings.js fills ``tz``); UTC if it names none we know."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ValueError, KeyError, OSError):
        return UTC


def _day_or_moment(
    text: str, zone: tzinfo, label: str, problems: list[Problem], *, end_of_day: bool = False
) -> datetime | None:
    """A day (``2026-11-24``; as the last day, up to its end) or a moment, in ``zone``."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        if end_of_day and len(text) == 10:  # a day alone: the whole day is in the range
            moment += timedelta(days=1)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date; or 9999-12-31, with a day added
        msgid = "%(field)s: “%(typed)s” is not a date; give one such as 2026-11-24."
        problems.append(Problem(msgid, label, text[:40]))
        return None


def _seconds(text: str, label: str, problems: list[Problem]) -> float | None:
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds < 0:
        msgid = "%(field)s: “%(typed)s” is not a number of seconds; give one such as 90."
        problems.append(Problem(msgid, label, text[:40]))
        return None
    return seconds


def _whole(
    text: str, label: str, problems: list[Problem], *, default: int | None, most: int = 10**9
) -> int | None:
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= most:
        msgid = "%(field)s: “%(typed)s” is not a whole number from 1 to %(most)s."
        problems.append(Problem(msgid, label, text[:40], most))
        return default
    return int(text)


# -- reading the database (blocking; through Database.run) -------------------------------


def find(session: Session, query: RecordingQuery) -> Listing:
    page = search(session, query)
    customer_ids = {r["customer_id"] for r in page.rows if r["customer_id"] is not None}
    agent_ids = {r["agent_id"] for r in page.rows if r["agent_id"]}
    return Listing(
        page,
        _customer_names(session, customer_ids),
        _agent_names(session, agent_ids),
        _held(
            session,
            [_hold_keys(r["id"], r["call_id"], r["linked_id"], r["tickets"]) for r in page.rows],
        ),
    )


def pick(session: Session, recording_id: int, user: User, agent_may_play: bool) -> Picked | str:
    """The recording picked, with its pauses and listeners; a code if the user may not."""
    row = session.get(Recording, recording_id)
    if row is None:
        return "not_found"
    if not may_hear(user, row.queue, row.agent_id, agent_may_play=agent_may_play):
        return "forbidden"
    tickets = list(
        session.scalars(
            select(RecordingTicket.ticket)
            .where(RecordingTicket.recording_id == row.id)
            .order_by(RecordingTicket.id)
        )
    )
    listeners = None
    if user.role is not Role.AGENT:
        listeners = list(
            session.scalars(
                select(RecordingAccess)
                .where(RecordingAccess.recording_id == row.id)
                .order_by(RecordingAccess.at.desc(), RecordingAccess.id.desc())
                .limit(LISTENERS_SHOWN)
            )
        )
    customers = _customer_names(session, {row.customer_id} if row.customer_id else set())
    agents = _agent_names(session, {row.agent_id})
    return Picked(
        row=row,
        disposition=_newest_disposition(session, row.call_id),
        tickets=tickets,
        held=row.id in _held(session, [_hold_keys(row.id, row.call_id, row.linked_id, tickets)]),
        customer=customers.get(row.customer_id or 0, ""),
        agent=agents.get(row.agent_id, ""),
        pauses=pause_spans(session, row),
        listeners=listeners,
    )


def pause_spans(session: Session, row: Recording) -> list[PauseSpan]:
    """The recording's muted stretches, in seconds from its start (muted time is written
    as silence, so these are places in the audio)."""
    changes = session.scalars(
        select(RecordingPause)
        .where(RecordingPause.linked_id == row.linked_id)
        .order_by(RecordingPause.at, RecordingPause.id)
    )
    start = _aware(row.started_at)
    spans: list[PauseSpan] = []
    opened: tuple[float, str] | None = None
    for change in changes:
        offset = max(0.0, (_aware(change.at) - start).total_seconds())
        if change.paused and opened is None:
            opened = (offset, change.by)
        elif not change.paused and opened is not None:
            spans.append(PauseSpan(opened[0], offset, opened[1], change.by))
            opened = None
    if opened is not None:
        spans.append(PauseSpan(opened[0], None, opened[1], ""))
    return spans


def _newest_disposition(session: Session, call_id: str) -> str:
    code = session.scalar(
        select(SeatDisposition.code)
        .where(SeatDisposition.call_id == call_id)
        .order_by(SeatDisposition.at.desc(), SeatDisposition.id.desc())
        .limit(1)
    )
    return code or ""


def _customer_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {customer_id: name for customer_id, name in found}


def _agent_names(session: Session, ids: set[str]) -> dict[str, str]:
    """Agent id → the display name of the user who sits as that agent."""
    if not ids:
        return {}
    found = session.execute(
        select(WebUser.agent_id, WebUser.display_name).where(WebUser.agent_id.in_(ids))
    )
    return {agent_id: name for agent_id, name in found if agent_id}


def _hold_keys(recording_id: int, *keys: Any) -> tuple[int, set[str]]:
    """A recording and what a hold may name it by: its own id, its call ids, its tickets."""
    call_id, linked_id, tickets = keys
    return recording_id, {f"recording:{recording_id}", f"call:{call_id}", f"call:{linked_id}"} | {
        f"ticket:{t}" for t in tickets
    }


def _held(session: Session, recordings: list[tuple[int, set[str]]]) -> set[int]:
    """Which of these recordings a legal hold keeps: their own, their call's or a ticket's."""
    if not recordings:
        return set()
    ids = [recording_id for recording_id, _ in recordings]
    own = set(
        session.scalars(
            select(Recording.id).where(Recording.id.in_(ids), Recording.legal_hold.is_(True))
        )
    )
    values = {key.split(":", 1)[1] for _, keys in recordings for key in keys}
    holds = session.execute(
        select(RecordingHold.kind, RecordingHold.value).where(RecordingHold.value.in_(values))
    )
    named = {f"{kind}:{value}" for kind, value in holds}
    return own | {recording_id for recording_id, keys in recordings if keys & named}


# -- showing ----------------------------------------------------------------------------


def _page_count(listing: Listing | None) -> int:
    if listing is None:
        return 0
    pages = max(1, math.ceil(listing.page.total / listing.page.per_page))
    # Counted up to a bound: when more match, the next page is always there to ask for.
    return max(pages, listing.page.page + 1) if listing.page.more else pages


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _local(moment: datetime | str | None, zone: tzinfo) -> str:
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _clock(seconds: float | None) -> str:
    """``1:05`` or ``1:02:05``; a dash when the length is not known."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
