# -*- test-case-name: tests.callrecord.test_store -*-
"""The call record's tables (migration 0015_call_records): one row per call, one per leg.

``call_record.call_id`` is Asterisk's ``Linkedid`` (the uniqueid of the call's first
channel). ``queue_call_id`` is the id the IVR and the queues gave the same call
(``SWITCHBOARD_CALLID``: the channel that ran the IVR): dispositions, recordings, CSAT
answers, tickets and the queue tables name the call by it, so readers join on either id.
A row is open (``ended_at`` null, ``outcome`` "") while the call is live, and closed
exactly once by its end, or by the reconciliation after a restart or an AMI outage.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.store.models import Base

__all__ = ["CallLegRow", "CallRecordRow"]

_Time = DateTime(timezone=True)


class CallRecordRow(Base):
    __tablename__ = "call_record"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    queue_call_id: Mapped[str] = mapped_column(String(64), index=True, default="")
    parent_call_id: Mapped[str] = mapped_column(String(64), default="")  # a callback's call
    direction: Mapped[str] = mapped_column(String(16), default="other")
    started_at: Mapped[datetime] = mapped_column(_Time, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(_Time)
    caller_number: Mapped[str] = mapped_column(String(64), default="", index=True)
    caller_name: Mapped[str] = mapped_column(String(128), default="")
    dialled_number: Mapped[str] = mapped_column(String(64), default="")
    ivr_ref: Mapped[str] = mapped_column(String(64), default="")
    ivr_flow: Mapped[str] = mapped_column(String(64), default="")
    first_queue: Mapped[str] = mapped_column(String(64), default="", index=True)
    last_queue: Mapped[str] = mapped_column(String(64), default="")
    queue_wait_s: Mapped[float] = mapped_column(Float, default=0.0)
    queue_outcome: Mapped[str] = mapped_column(String(32), default="")
    offers: Mapped[int] = mapped_column(Integer, default=0)
    missed_offers: Mapped[int] = mapped_column(Integer, default=0)
    agent_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    agent_device: Mapped[str] = mapped_column(String(128), default="")
    talk_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    hold_s: Mapped[float] = mapped_column(Float, default=0.0)
    hold_count: Mapped[int] = mapped_column(Integer, default=0)
    wrap_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    callback_result: Mapped[str] = mapped_column(String(32), default="")
    recording: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16), default="", index=True)
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    first_hangup: Mapped[str] = mapped_column(String(128), default="")
    hangup_cause: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hangup_cause_text: Mapped[str] = mapped_column(String(64), default="")


class CallLegRow(Base):
    __tablename__ = "call_leg"
    __table_args__ = (UniqueConstraint("call_id", "uniqueid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(
        ForeignKey("call_record.call_id", ondelete="CASCADE"), index=True
    )
    uniqueid: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(8))  # caller | agent | other
    started_at: Mapped[datetime] = mapped_column(_Time)
    answered_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    cause: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cause_text: Mapped[str] = mapped_column(String(64), default="")
