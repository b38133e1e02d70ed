"""The monitoring log: every listen, whisper or barge, who did it to whom and when."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.store.models import Base

__all__ = ["SupervisionRow"]


class SupervisionRow(Base):
    __tablename__ = "supervision_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supervisor: Mapped[str] = mapped_column(String(64))  # the web username
    device: Mapped[str] = mapped_column(String(128))  # the supervisor's phone, e.g. PJSIP/2001
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(128))  # the agent channel's full name
    mode: Mapped[str] = mapped_column(String(16))  # listen | whisper | barge
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
