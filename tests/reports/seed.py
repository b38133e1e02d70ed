"""Call records for the report tests, written the way switchboard writes them: the
router's facts through ``queue.store.records.record_facts`` (both routing modes store
through it), plus the rows other areas keep (IVR sessions with the customer, CSAT
answers, dispositions, saved and counted as the seat and survey do). A seeded random
mix: answered (some after a missed offer), abandoned (short and long), moved to another
queue, called back, voicemail, still waiting; repeat callers, one customer calling from
two numbers; agents logging in and out, ready, on calls, paused for reasons."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import URL, Engine
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer
from switchboard.ivr_flows.csat_hours import count_csat
from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallbackAttemptEnded,
    CallbackScheduled,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    CallTransferred,
    Fact,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.model import AgentState, CallOutcome
from switchboard.queue.store.records import record_facts
from switchboard.seat.lookup import save_disposition
from switchboard.seat.models import SeatDisposition
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

QUEUES = ("sales", "support")
AGENTS = ("1001", "1002", "2001")
NUMBERS = tuple(f"13800{n:06d}" for n in range(25))
TWO_NUMBERS = ("13900000001", "13900000002")  # one customer's two phones


def epoch_of(text: str) -> float:
    """The epoch of an ISO 8601 time (``2026-03-29T01:30:00+00:00``)."""
    return datetime.fromisoformat(text).timestamp()


@contextmanager
def migrated_engine(url: URL) -> Iterator[Engine]:
    upgrade_database(url)
    engine = create_database_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass
class Seeder:
    rng: random.Random
    facts: list[Fact] = field(default_factory=list)
    csat: list[CsatResponse] = field(default_factory=list)
    codes: list[SeatDisposition] = field(default_factory=list)
    ivr: list[tuple[str, str]] = field(default_factory=list)  # (call_id, number)
    count: int = 0

    def call(self, at: float) -> None:
        rng = self.rng
        self.count += 1
        call_id = f"c{self.count}"
        number = rng.choice(NUMBERS + TWO_NUMBERS + ("",))
        queue = rng.choice(QUEUES)
        self.ivr.append((call_id, number))
        self.facts.append(CallQueued(call_id, queue, at, at, 0, number, call_id))
        self._visit(call_id, queue, at, rng.random(), moves=1)

    def _visit(self, call_id: str, queue: str, at: float, roll: float, moves: int) -> None:
        rng, f = self.rng, self.facts
        wait = round(rng.uniform(0.0, 60.0), 3)
        if roll < 0.5:  # answered, now and then after an agent let it ring out
            agent = rng.choice(AGENTS)
            if rng.random() < 0.25:
                miss = rng.choice([a for a in AGENTS if a != agent])
                f.append(CallOffered(call_id, queue, miss, at + wait / 3))
                f.append(
                    OfferEnded(call_id, miss, at + wait / 2, rng.choice(("no_answer", "busy")))
                )
            f.append(CallOffered(call_id, queue, agent, at + wait - 0.5))
            f.append(OfferEnded(call_id, agent, at + wait, "answered"))
            f.append(CallAnswered(call_id, queue, agent, at + wait, wait))
            if int(call_id[1:]) % 4 == 0:  # (no draw of the RNG: the other figures stay)
                method = "blind" if int(call_id[1:]) % 8 else "attended"
                f.append(CallTransferred(call_id, queue, agent, at + wait + 10.0, method))
            self._handle(call_id, queue, agent, at + wait, CallOutcome.ANSWERED)
        elif roll < 0.7:  # abandoned, a third of them at once
            gone = round(rng.uniform(0.5, 4.9), 3) if rng.random() < 0.33 else wait
            if rng.random() < 0.3:
                agent = rng.choice(AGENTS)
                f.append(CallOffered(call_id, queue, agent, at + gone / 2))
                f.append(OfferEnded(call_id, agent, at + gone, "abandoned"))
            f.append(QueueLeft(call_id, queue, at + gone, "abandoned", gone))
            f.append(CallFinished(call_id, queue, at + gone, CallOutcome.ABANDONED))
        elif roll < 0.8 and moves:  # moved to the other queue, then anything there
            other = QUEUES[1 - QUEUES.index(queue)]
            f.append(QueueLeft(call_id, queue, at + wait, "moved", wait, other))
            f.append(CallQueued(call_id, other, at + wait, at, 0, self._number(call_id), call_id))
            self._visit(call_id, other, at + wait, rng.random(), moves - 1)
        elif roll < 0.88:  # a callback: the caller hangs up, an agent calls back later
            f.append(QueueLeft(call_id, queue, at + wait, "callback", wait))
            back = at + wait + rng.uniform(60, 900)
            f.append(
                CallbackScheduled(call_id, queue, "1380000", at + wait, back - 60, back + 600, at)
            )
            agent = rng.choice(AGENTS)
            f.append(CallbackAttemptEnded(call_id, 1, agent, back, "answered"))
            f.append(CallAnswered(call_id, queue, agent, back, back - at, True))
            self._handle(call_id, queue, agent, back, CallOutcome.CALLED_BACK)
        elif roll < 0.96:
            f.append(QueueLeft(call_id, queue, at + wait, "voicemail", wait))
            f.append(CallFinished(call_id, queue, at + wait, CallOutcome.VOICEMAIL))
        # else: still waiting when the records were read

    def _number(self, call_id: str) -> str:
        return dict(self.ivr)[call_id]

    def _handle(
        self, call_id: str, queue: str, agent: str, answered: float, outcome: CallOutcome
    ) -> None:
        rng = self.rng
        talk, wrap = round(rng.uniform(20, 400), 3), round(rng.uniform(0, 60), 3)
        self.facts.append(CallFinished(call_id, queue, answered + talk, outcome, agent))
        self.facts.append(CallHandled(call_id, queue, agent, answered + talk + wrap, talk, wrap))
        if rng.random() < 0.6:
            self.csat.append(
                CsatResponse(
                    call_id=call_id,
                    agent=agent,
                    queue=queue,
                    flow="survey",
                    score=rng.randint(1, 5),
                    created_at=_at(answered + talk + 5),
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2))):  # a second row: the agent corrected it
            self.codes.append(
                SeatDisposition(
                    call_id=call_id,
                    agent_id=agent,
                    queue=queue,
                    code=rng.choice(("resolved", "follow_up", "complaint")),
                    note="",
                    at=_at(answered + talk + rng.uniform(1, 30)),
                )
            )

    def agent_day(self, agent: str, start: float, end: float) -> None:
        """Log in, then a random walk through the states, logging out before ``end``
        (or not: still logged in when the records are read)."""
        rng, at = self.rng, start
        previous = AgentState.LOGGED_OUT
        state, reason = AgentState.NOT_READY, "logged_in"
        while at < end:
            self.facts.append(AgentStateChanged(agent, at, state, previous, reason))
            previous = state
            at += rng.uniform(30, 3000)
            choices = [AgentState.READY, AgentState.ON_CALL, AgentState.WRAP_UP]
            choices += [AgentState.RESERVED, AgentState.NOT_READY, AgentState.LOGGED_OUT]
            state = rng.choice([s for s in choices if s is not previous])
            reason = (
                rng.choice(("break", "lunch", "training")) if state is AgentState.NOT_READY else ""
            )
            if previous is AgentState.LOGGED_OUT:  # logging in again
                state, reason = AgentState.NOT_READY, "logged_in"

    def write(self, engine: Engine) -> None:
        with Session(engine) as session, session.begin():
            people = {
                n: add_customer(session, f"Customer {n}", {"phone": n}).id for n in NUMBERS[:10]
            }
            both = add_customer(session, "Two Phones", {"phone": list(TWO_NUMBERS)}).id
            people |= dict.fromkeys(TWO_NUMBERS, both)
            session.flush()
            for call_id, number in self.ivr:
                session.add(
                    IvrSession(
                        call_id=call_id,
                        caller_number=number,
                        flow="main",
                        started_at=_at(0),
                        outcome="queued",
                        customer_id=people.get(number),
                    )
                )
            ordered = sorted(enumerate(self.facts), key=lambda p: (p[1].at, p[0]))
            record_facts(session, [fact for _, fact in ordered])
            session.add_all(self.csat)
            for call_id in sorted({a.call_id for a in self.csat}):  # as the survey does
                count_csat(session, call_id)
            for d in self.codes:  # as the seat saves them: older rows superseded, counted
                save_disposition(
                    session,
                    call_id=d.call_id,
                    agent_id=d.agent_id,
                    queue=d.queue,
                    code=d.code,
                    note=d.note,
                    when=d.at.timestamp(),
                )


def seed(engine: Engine, start: float, end: float, calls: int, seed_value: int = 7) -> Seeder:
    """``calls`` calls and three agents' days between ``start`` and ``end``."""
    seeder = Seeder(random.Random(seed_value))
    for _ in range(calls):
        seeder.call(seeder.rng.uniform(start, end))
    for agent in AGENTS:
        seeder.agent_day(agent, start + seeder.rng.uniform(0, 600), end)
    seeder.write(engine)
    return seeder
