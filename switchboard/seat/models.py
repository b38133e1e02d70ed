# -*- test-case-name: tests.seat.test_actions -*-
"""The seat's table (migration 0007_seat_dispositions): what an agent set on a call.

A row is tied to the call record by ``call_id`` (the ``acd_call_visit`` rows of the call,
in both routing modes), not by a foreign key: a call has one visit row per queue it waited
in, and the disposition belongs to the call. Saving again adds a row; the newest counts,
so an agent's correction never erases what was said first. The older rows of the call
and agent are marked ``superseded`` when it is saved, and the newest rows are counted
per agent, UTC hour and code in ``seat_disposition_hour`` (.disposition_hours;
migration 0021_agent_report_speed) for the agent report.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.store.models import Base

__all__ = ["SeatDisposition", "SeatDispositionHour", "SeatReveal"]


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
    # A newer row of the same call and agent exists: this one no longer counts.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class SeatDispositionHour(Base):
    """How many calls an agent's newest disposition gave ``code``, by the UTC hour
    (``hour_s``: its start, epoch seconds) of that newest row's ``at``."""

    __tablename__ = "seat_disposition_hour"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour_s: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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
