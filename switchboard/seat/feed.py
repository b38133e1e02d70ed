# -*- test-case-name: tests.seat.test_feed,tests.seat.test_both_modes -*-
""":class:`LiveSeatFeed`: each agent's seat, told from the hub's ``offered`` and ``fact``.

It hears nothing else (not the ACD, not the app_queue tracker), so a seat reads the same
in both routing modes. Each agent's messages go to that agent's sinks only.

The screen pop has two halves. ``pop`` goes out while the hub's publish is still running:
what the offer and the call's ``call_queued`` fact say (number, queue, wait, language,
VIP tier, IVR digits). The rest (customer, IVR path and inputs, last calls, CSAT) needs
the database, which runs off the reactor thread (``Database.run``): it follows as
``pop_update`` whenever it answers, so a slow database never delays the number and queue.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

import structlog
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.python.failure import Failure

from switchboard.config import SeatSettings
from switchboard.hub import FACT, OFFERED, RECORDING, Hub, Offered, RecordingState
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallbackAttemptEnded,
    CallFinished,
    CallHandled,
    CallQueued,
    Fact,
    OfferEnded,
)
from switchboard.queue.core.model import AgentState
from switchboard.queue.shell.control import AgentControlError, AgentView
from switchboard.seat.access import CustomerAccess
from switchboard.seat.card import pop_card
from switchboard.seat.figures import LiveTally, day_start, figures_json
from switchboard.seat.lookup import Baseline, assemble_pops, baseline_figures
from switchboard.seat.messages import message, state_message
from switchboard.seat.reveal import RevealableValues, conceal_pop, conceal_update
from switchboard.store import Database

__all__ = ["AgentLookup", "LiveSeatFeed"]

log = structlog.get_logger(__name__)
Sink = Callable[[dict[str, Any]], None]
QUEUED_CALLS: Final = 10_000  # calls whose queued fact is kept for their pop (oldest go)
LOOKUPS_PER_JOB: Final = 25  # pops looked up in one database job (one thread, one session)


def _lookup_of(offered: Offered) -> dict[str, str]:
    return {
        "call_id": offered.call_id,
        "caller_number": offered.caller_number,
        "ivr_ref": offered.ivr_ref,
    }


class AgentLookup(Protocol):
    """An agent's state when the seat has heard no fact of theirs (AgentControl is one)."""

    async def agent(self, agent_id: str) -> AgentView: ...


@dataclass(slots=True)
class _Seat:
    state: str = AgentState.LOGGED_OUT.value
    reason: str = ""
    since: float | None = None
    known: bool = False  # from a fact or from agent control, not assumed
    card: dict[str, Any] | None = None
    tally: LiveTally = field(default_factory=LiveTally)
    sinks: list[Sink] = field(default_factory=list)


class LiveSeatFeed:
    """The :class:`~switchboard.seat.ports.SeatFeed` of a running switchboard."""

    def __init__(
        self,
        hub: Hub,
        clock: Any,
        database: Database,
        settings: SeatSettings,
        *,
        timezone: ZoneInfo,
        pause_reasons: Sequence[str],
        access: CustomerAccess,
        agents: AgentLookup | None = None,
        revealable: RevealableValues | None = None,
        wrap_up_s: Callable[[str], float | None] = lambda queue: None,
    ) -> None:
        self._hub = hub
        self._clock = clock
        self._database = database
        self._settings = settings
        self._zone = timezone
        self._pause_reasons = tuple(pause_reasons)
        self._access = access
        self._agents = agents
        self.revealable = revealable if revealable is not None else RevealableValues()
        self._wrap_up_s = wrap_up_s  # a queue's wrap-up length, when the seat knows it
        self._seats: dict[str, _Seat] = {}
        self._queued: OrderedDict[str, CallQueued] = OrderedDict()
        self._baselines: dict[tuple[str, float], Baseline] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._lookups: list[Offered] = []  # offers popped this turn, their lookups to start
        self._waiting_jobs: deque[list[Offered]] = deque()
        self._job_running = False
        self._started = clock.seconds()

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Listen to the hub; facts before this moment are the stored records' to tell."""
        if not self._unsubscribe:
            self._started = self._clock.seconds()
            self._unsubscribe = [
                self._hub.subscribe(FACT, self._on_fact),
                self._hub.subscribe(OFFERED, self._on_offered),
                self._hub.subscribe(RECORDING, self._on_recording),
            ]

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # -- SeatFeed -------------------------------------------------------------------------
    def subscribe(self, agent_id: str, sink: Sink) -> Callable[[], None]:
        seat = self._seat(agent_id)
        seat.sinks.append(sink)

        def unsubscribe() -> None:
            if sink in seat.sinks:
                seat.sinks.remove(sink)

        return unsubscribe

    async def snapshot(self, agent_id: str) -> dict[str, Any]:
        seat = self._seat(agent_id)
        if not seat.known and self._agents is not None:
            await self._ask_state(agent_id, seat)
        figures = await self._figures(agent_id)
        return message(
            "snapshot",
            **self._time(),
            agent_id=agent_id,
            state=self._state_fields(agent_id, seat),
            call=dict(seat.card) if seat.card is not None else None,
            figures=figures,
            pause_reasons=list(self._pause_reasons),
            dispositions={
                "default": list(self._settings.dispositions),
                "by_queue": {q: list(c) for q, c in self._settings.queue_dispositions.items()},
            },
            wrapup_auto_ready=self._settings.wrapup_auto_ready,
        )

    # -- the hub --------------------------------------------------------------------------
    def _on_offered(self, offered: Offered) -> None:
        seat = self._seat(offered.agent_id)
        dispositions = self._settings.dispositions_for(offered.queue)
        card = pop_card(offered, self._queued.get(offered.call_id), dispositions)
        seat.card, secrets = conceal_pop(card)  # the card as the browser may see it
        self.revealable.keep(offered.agent_id, offered.call_id, secrets)
        self._send(offered.agent_id, message("pop", call=dict(seat.card)))
        self._lookups.append(offered)
        if len(self._lookups) == 1:
            # The lookups start two reactor turns on, once this turn's pops are written:
            # the database's threads would otherwise take the core (the GIL) from those
            # writes at each system call, and a burst of offers would pop late.
            self._clock.callLater(0, self._clock.callLater, 0, self._start_lookups)

    def _start_lookups(self) -> None:
        pending, self._lookups = self._lookups, []
        for start in range(0, len(pending), LOOKUPS_PER_JOB):
            self._waiting_jobs.append(pending[start : start + LOOKUPS_PER_JOB])
        self._next_job()

    def _next_job(self) -> None:
        # One job at a time: the lookups share one interpreter (the GIL) with the reactor,
        # which keeps about half of it against one busy thread, a fifth against four.
        if self._job_running or not self._waiting_jobs:
            return
        batch = self._waiting_jobs.popleft()
        self._job_running = True
        work = partial(
            assemble_pops, offers=[_lookup_of(o) for o in batch], now=self._clock.seconds()
        )
        assembled: Deferred[list[dict[str, Any]]] = self._database.run(work)
        assembled.addCallbacks(
            partial(self._assembled_batch, batch), partial(self._not_assembled_batch, batch)
        )
        assembled.addBoth(self._job_done)

    def _job_done(self, _: object) -> None:
        self._job_running = False
        self._next_job()

    def _assembled_batch(self, batch: list[Offered], results: list[dict[str, Any]]) -> None:
        for offered, fields in zip(batch, results, strict=True):
            self._assembled(offered, fields)

    def _not_assembled_batch(self, batch: list[Offered], failure: Failure) -> None:
        for offered in batch:
            self._not_assembled(offered, failure)

    def _assembled(self, offered: Offered, fields: dict[str, Any]) -> None:
        agent_id = offered.agent_id
        if fields["customer"] is not None:  # offered to them: theirs to open
            self._access.grant(agent_id, fields["customer"]["id"])
        fields, secrets = conceal_update(fields)
        self.revealable.keep(agent_id, offered.call_id, secrets)
        card = self._card(agent_id, offered.call_id)
        if card is None:  # the offer is over already: nothing on screen to fill
            return
        update = dict(fields)
        update["vip"] = update["vip"] if update["vip"] is not None else card["vip"]
        update["language"] = card["language"] or update["language"] or ""
        card.update(update, complete=True)
        self._send(agent_id, message("pop_update", call_id=offered.call_id, **update))

    def _not_assembled(self, offered: Offered, failure: Failure) -> None:
        log.error(
            "seat_pop_not_assembled",
            call_id=offered.call_id,
            agent=offered.agent_id,
            error=failure.getErrorMessage(),
        )
        if self._card(offered.agent_id, offered.call_id) is not None:
            self._send(
                offered.agent_id,
                message(
                    "pop_update",
                    call_id=offered.call_id,
                    error="the customer record could not be read; the number is on the card",
                ),
            )

    def _on_fact(self, fact: Fact) -> None:
        if isinstance(fact, CallQueued):
            self._queued[fact.call_id] = fact
            self._queued.move_to_end(fact.call_id)
            while len(self._queued) > QUEUED_CALLS:
                self._queued.popitem(last=False)
        elif isinstance(fact, AgentStateChanged):
            self._agent_changed(fact)
        elif isinstance(fact, OfferEnded):
            if fact.result != "answered":
                self._call_event(fact.agent_id, fact.call_id, "missed", fact.at, result=fact.result)
            self._count(fact.agent_id, fact)
        elif isinstance(fact, CallbackAttemptEnded) and fact.result != "answered":
            self._call_event(fact.agent_id, fact.call_id, "missed", fact.at, result=fact.result)
        elif isinstance(fact, CallAnswered):
            self._call_event(
                fact.agent_id, fact.call_id, "answered", fact.at, waited_s=fact.waited_s
            )
        elif isinstance(fact, CallFinished):
            self._queued.pop(fact.call_id, None)
            agent_id = fact.agent_id or self._agent_showing(fact.call_id)
            if agent_id:
                self._call_event(agent_id, fact.call_id, "ended", fact.at)
        elif isinstance(fact, CallHandled):
            self._call_event(fact.agent_id, fact.call_id, "done", fact.at)
            self._count(fact.agent_id, fact)

    def _on_recording(self, told: RecordingState) -> None:
        """Whether the call on the card is recorded (the recorder's word, from Asterisk's
        events), kept on the card so a reload shows it too."""
        card = self._card(told.agent_id, told.call_id)
        if card is None:
            return
        card["recording"] = told.state
        self._send(
            told.agent_id,
            message("recording", call_id=told.call_id, state=told.state, at=told.at),
        )

    def _agent_changed(self, fact: AgentStateChanged) -> None:
        seat = self._seat(fact.agent_id)
        seat.state, seat.reason, seat.since, seat.known = (
            fact.state.value,
            fact.reason,
            fact.at,
            True,
        )
        self._send(fact.agent_id, self._state_message(fact.agent_id, seat))
        if fact.state is AgentState.WRAP_UP and seat.card is not None:
            # The length lets the page show "elapsed / total"; null: only the elapsed time.
            seat.card["wrap_up_s"] = length = self._wrap_up_s(seat.card["queue"])
            self._call_event(
                fact.agent_id, seat.card["call_id"], "wrap_up", fact.at, wrap_up_s=length
            )
        self._count(fact.agent_id, fact)

    # -- the card -------------------------------------------------------------------------
    def _call_event(
        self,
        agent_id: str,
        call_id: str,
        event: str,
        at: float,
        *,
        waited_s: float | None = None,
        **more: Any,
    ) -> None:
        card = self._card(agent_id, call_id)
        if card is None:
            return
        card["phase"] = event  # answered, ended, wrap_up, missed, done
        if event == "answered":
            card["answered_at"] = at
            if waited_s is not None:  # the whole wait, ring included: a reload shows it too
                card["waited_s"] = round(max(0.0, waited_s), 3)
        elif event == "ended":
            card["ended_at"] = at
        if event in ("missed", "done"):  # the card closes
            self._seats[agent_id].card = None
        self._send(
            agent_id, message("call", event=event, call_id=call_id, at=at, call=dict(card), **more)
        )

    def ticket_opened(self, agent_id: str, call_id: str, ticket: dict[str, Any]) -> None:
        """A ticket the agent opened from this call's card: first of the card's open
        tickets (a reload's snapshot keeps it), and told to the page as a pop_update."""
        card = self._card(agent_id, call_id)
        if card is None:  # the card has closed meanwhile: the ticket is on record anyway
            return
        others = [t for t in card.get("tickets") or () if t.get("id") != ticket.get("id")]
        card["tickets"] = [ticket, *others]
        self._send(agent_id, message("pop_update", call_id=call_id, tickets=card["tickets"]))

    def _card(self, agent_id: str, call_id: str) -> dict[str, Any] | None:
        seat = self._seats.get(agent_id)
        card = seat.card if seat is not None else None
        return card if card is not None and card["call_id"] == call_id else None

    def _agent_showing(self, call_id: str) -> str:
        return next(
            (a for a, s in self._seats.items() if s.card and s.card["call_id"] == call_id), ""
        )

    # -- state and figures ----------------------------------------------------------------
    async def _ask_state(self, agent_id: str, seat: _Seat) -> None:
        assert self._agents is not None
        try:
            view = await self._agents.agent(agent_id)
        except AgentControlError as exc:
            log.info("seat_agent_not_known", agent=agent_id, reason=exc.message)
            return
        if seat.known:  # a fact came first while we asked
            return
        seat.state, seat.reason, seat.since, seat.known = (
            view.state.value,
            view.reason,
            view.since,
            True,
        )
        if view.state is AgentState.NOT_READY:
            seat.tally.note_pause(view.reason, max(view.since, self._started))

    def _state_fields(self, agent_id: str, seat: _Seat) -> dict[str, Any]:
        fields = self._state_message(agent_id, seat)
        return {k: fields[k] for k in ("state", "reason", "since")}

    def _state_message(self, agent_id: str, seat: _Seat) -> dict[str, Any]:
        return state_message(agent_id, seat.state, seat.reason, seat.since)

    def _count(self, agent_id: str, fact: AgentStateChanged | CallHandled | OfferEnded) -> None:
        seat = self._seat(agent_id)
        if seat.tally.apply(fact, self._started) and seat.sinks:
            figures = ensureDeferred(self._figures(agent_id))
            figures.addCallbacks(
                lambda f: self._send(agent_id, message("figures", **f)),
                lambda failure: log.error(
                    "seat_figures_failed", agent=agent_id, error=failure.getErrorMessage()
                ),
            )

    async def _figures(self, agent_id: str) -> dict[str, Any]:
        now = self._clock.seconds()
        start = day_start(now, self._zone)
        base = self._baselines.get((agent_id, start))
        if base is None:
            if self._started > start:
                work = partial(baseline_figures, agent_id=agent_id, start=start, end=self._started)
                base = await self._database.run(work)
            else:
                base = Baseline()
            self._baselines = {k: v for k, v in self._baselines.items() if k[1] >= start}
            self._baselines[(agent_id, start)] = base
        seat = self._seat(agent_id)
        seat.tally.forget_before(start)
        day = datetime.fromtimestamp(start, self._zone).date().isoformat()
        return figures_json(base, seat.tally, start, now, day)

    # -- delivery -------------------------------------------------------------------------
    def _time(self) -> dict[str, float]:
        """The seat's clock, for the page to time ``since``/``at`` against: it may differ
        from the browser's (the demo starts at a simulated date) and run ``rate`` times
        faster than real time (the demo's speed)."""
        return {"now": self._clock.seconds(), "rate": float(getattr(self._clock, "speed", 1.0))}

    def _seat(self, agent_id: str) -> _Seat:
        seat = self._seats.get(agent_id)
        if seat is None:
            seat = self._seats[agent_id] = _Seat()
        return seat

    def _send(self, agent_id: str, payload: dict[str, Any]) -> None:
        seat = self._seats.get(agent_id)
        if seat is None or not seat.sinks:
            return
        payload = {**payload, **self._time()}
        for sink in list(seat.sinks):
            try:
                sink(payload)
            except Exception:
                log.exception("seat_sink_failed", agent=agent_id, type=payload.get("type"))
