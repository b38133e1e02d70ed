# -*- test-case-name: tests.queue.test_appqueue_control -*-
"""What app_queue should have for each agent, stored (migration 0005_appqueue_agents).

Asterisk keeps dynamic queue members only in memory: a ``core restart`` forgets them,
and switchboard itself may restart meanwhile. One row per logged-in agent says which
queues they are in and whether they are paused (and why), so that the members can be
added again exactly as they were. A logged-out agent has no row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Boolean, Float, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.store.models import Base

__all__ = ["AppQueueAgentRow", "DesiredMember", "forget_desired", "load_desired", "store_desired"]


class AppQueueAgentRow(Base):
    __tablename__ = "appqueue_agent"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    queues: Mapped[str] = mapped_column(String(1024))  # comma-separated queue names
    paused: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(32))
    since: Mapped[float] = mapped_column(Float)  # epoch seconds of the last change


@dataclass(frozen=True, slots=True)
class DesiredMember:
    """One logged-in agent as app_queue should have them."""

    queues: tuple[str, ...]
    paused: bool
    reason: str
    since: float


def load_desired(session: Session) -> dict[str, DesiredMember]:
    return {
        row.agent_id: DesiredMember(
            tuple(q for q in row.queues.split(",") if q), row.paused, row.reason, row.since
        )
        for row in session.scalars(select(AppQueueAgentRow))
    }


def store_desired(session: Session, agent_id: str, member: DesiredMember) -> None:
    row = session.get(AppQueueAgentRow, agent_id) or AppQueueAgentRow(agent_id=agent_id)
    row.queues, row.paused = ",".join(member.queues), member.paused
    row.reason, row.since = member.reason, member.since
    session.add(row)


def forget_desired(session: Session, agent_id: str) -> None:
    session.execute(delete(AppQueueAgentRow).where(AppQueueAgentRow.agent_id == agent_id))
