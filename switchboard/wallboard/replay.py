# -*- test-case-name: tests.wallboard.test_board,tests.wallboard.test_feed -*-
"""Today's stored records as the facts they were, so the board is whole after a restart.

The wallboard starts listening to the hub at ``cutoff``; every fact before it is read back
from the records the ACD and the app_queue tracker stored (``acd_call_visit``,
``acd_agent_state``), every fact from it on comes from the hub: nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.queue.core.decisions import AgentStateChanged, CallQueued, Fact
from switchboard.queue.core.history import AgentPeriod, VisitRecord, visit_facts
from switchboard.queue.core.model import AgentState
from switchboard.queue.store.records import CallVisitRow, load_history

__all__ = ["Stored", "load_stored", "period_facts", "stored_facts"]

# (call id, queue) -> (language, customer tier): what a visit record leaves out.
CallerDetails = Mapping[tuple[str, str], tuple[str, int]]
Stored = tuple[list[VisitRecord], list[AgentPeriod], dict[tuple[str, str], tuple[str, int]]]


def load_stored(session: Session, since: float) -> Stored:
    """Visits entered since ``since`` (today's midnight), agent periods open or ended after
    it, and each visit's caller language and VIP tier (for ``Database.run``)."""
    visits, periods = load_history(session, since)
    ids = {v.call_id for v in visits}
    details: dict[tuple[str, str], tuple[str, int]] = {}
    if ids:
        rows = session.execute(
            select(
                CallVisitRow.call_id,
                CallVisitRow.queue,
                CallVisitRow.language,
                CallVisitRow.customer_tier,
            ).where(CallVisitRow.call_id.in_(ids))
        )
        details = {(r.call_id, r.queue): (r.language, r.customer_tier) for r in rows}
    return visits, periods, details


def period_facts(periods: Iterable[AgentPeriod]) -> list[Fact]:
    """The state changes stored periods stand for; a period that ended with no next one
    right after it ended in a log-out (or a stop of switchboard)."""
    facts: list[Fact] = []
    ordered = sorted(periods, key=lambda p: (p.agent_id, p.started_at))
    for agent_id, own in groupby(ordered, key=lambda p: p.agent_id):
        previous, ended = AgentState.LOGGED_OUT, None
        for period in own:
            if ended is not None and ended < period.started_at:
                facts.append(AgentStateChanged(agent_id, ended, AgentState.LOGGED_OUT, previous))
                previous = AgentState.LOGGED_OUT
            facts.append(
                AgentStateChanged(
                    agent_id, period.started_at, period.state, previous, period.reason
                )
            )
            previous, ended = period.state, period.ended_at
        if ended is not None:
            facts.append(AgentStateChanged(agent_id, ended, AgentState.LOGGED_OUT, previous))
    return facts


def stored_facts(
    visits: Sequence[VisitRecord],
    periods: Sequence[AgentPeriod],
    details: CallerDetails,
    *,
    cutoff: float,
) -> list[Fact]:
    """Every fact the records hold from before ``cutoff``, in time order."""
    facts: list[Fact] = []
    for visit in visits:
        for fact in visit_facts(visit):
            if isinstance(fact, CallQueued) and (known := details.get((fact.call_id, fact.queue))):
                fact = replace(fact, language=known[0], customer_tier=known[1])
            facts.append(fact)
    facts.extend(period_facts(periods))
    kept = [f for f in facts if f.at < cutoff]
    kept.sort(key=_when)
    return kept


def _when(fact: Any) -> float:
    at: float = fact.at
    return at
