# -*- test-case-name: tests.reports.test_rollups -*-
"""A disposition saved: the older rows of the call and agent marked superseded, and the
per-hour counts (``seat_disposition_hour``) moved from their code to the new one, in the
same transaction, so that the agent report counts each call once, by its newest code."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from switchboard.seat.models import SeatDisposition, SeatDispositionHour
from switchboard.store.upsert import upsert_add

__all__ = ["HOUR_S", "count_newest"]

HOUR_S = 3600


def _hour(at: datetime) -> int:
    epoch = (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return int(epoch // HOUR_S) * HOUR_S


def _add(session: Session, agent: str, at: datetime, code: str, calls: int) -> None:
    keys = {"agent_id": agent, "hour_s": _hour(at), "code": code}
    upsert_add(session, SeatDispositionHour, keys, {"calls": calls})


def count_newest(session: Session, row: SeatDisposition) -> None:
    """``row`` (flushed: it has its id) is its call and agent's newest: the older ones
    stop counting."""
    d = SeatDisposition
    mine = (d.call_id == row.call_id, d.agent_id == row.agent_id)
    older = session.execute(
        select(d.id, d.at, d.code).where(*mine, d.id < row.id, d.superseded.is_(False))
    ).all()
    if older:
        ids = [r.id for r in older]
        session.execute(
            update(d).where(d.id.in_(ids)).values(superseded=True),
            execution_options={"synchronize_session": False},
        )
        for _, at, code in older:
            _add(session, row.agent_id, at, code, -1)
    _add(session, row.agent_id, row.at, row.code, 1)
