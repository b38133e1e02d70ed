# -*- test-case-name: tests.seat.test_actions -*-
"""The seat's table (migration 0007_seat_dispositions): what an agent set on a call.

A row is tied to the call record by ``call_id`` (the ``acd_call_visit`` rows of the call,
in both routing modes), not by a foreign key: a call has one visit row per queue it waited
in, and the disposition belongs to the call. Saving again adds a row; the newest counts,
so an agent's correction never erases what was said first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.store.models import Base

__all__ = ["SeatDisposition", "SeatReveal"]


class SeatDisposition(Base):
    __tablename__ = "seat_disposition"
    # A call's newest code read from the index alone (recordings searched by disposition,
    # 0017_search_indexes).
    __table_args__ = (Index("ix_seat_disposition_call_id_at", "call_id", "at", "id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SeatReveal(Base):
    """One look at a masked value of a call card (migration 0011_seat_reveals): who (the
    user and the agent they sat as), when, which call and field, from which address.
    Written before the value is handed over; never updated or deleted by switchboard."""

    __tablename__ = "seat_reveal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
