# -*- test-case-name: tests.reports.test_rollups -*-
"""CSAT answers counted per agent, UTC hour and score (``ivr_csat_hour``) for the agent
report, kept true where either side changes: an answer stored (the survey), or a visit
of its call answered or handled by someone (``queue.store.records`` calls
:func:`count_csat` then). The agent an answer counts for is that of the call's latest
answered visit, else the one the survey stored (``reports.source.csat_owner``, which the
raw reads still use); each answer remembers the agent it is counted for
(``counted_agent``), so a changed owner moves its count instead of adding a second.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.ivr_flows.records import CsatHour, CsatResponse
from switchboard.queue.store.records import CallVisitRow
from switchboard.store.upsert import upsert_add

__all__ = ["HOUR_S", "count_csat"]

HOUR_S = 3600


def _hour(at: datetime) -> int:
    epoch = (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return int(epoch // HOUR_S) * HOUR_S


def _add(session: Session, agent: str, answer: CsatResponse, answers: int) -> None:
    keys = {"agent_id": agent, "hour_s": _hour(answer.created_at), "score": answer.score}
    upsert_add(session, CsatHour, keys, {"answers": answers})


def count_csat(session: Session, call_id: str) -> None:
    """Count the call's CSAT answers for the agent they are for now (after a new answer,
    or a visit of the call answered or handled); those already counted for them stay."""
    session.flush()
    v = CallVisitRow
    answered = session.scalar(
        select(v.agent_id)
        .where(v.call_id == call_id, v.answered_at.is_not(None))
        .order_by(v.answered_at.desc(), v.id.desc())
        .limit(1)
    )
    for answer in session.scalars(select(CsatResponse).where(CsatResponse.call_id == call_id)):
        agent = answered if answered is not None else answer.agent
        if answer.counted_agent == agent:
            continue
        if answer.counted_agent is not None:
            _add(session, answer.counted_agent, answer, -1)
        _add(session, agent, answer, 1)
        answer.counted_agent = agent
