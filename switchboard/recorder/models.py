# -*- test-case-name: tests.recorder.test_service -*-
"""The recorder's tables (migration 0012_recordings).

``recording``: one row per recording file, written when the call ends and the file has
been checked; a missing or corrupt file still gets its row, with ``status`` saying so.
``recording_ticket``: the tickets a recording is linked to. ``recording_pause``: every
pause/resume of a recording (who, when). ``recording_hold``: legal holds (on a call or a
ticket; a recording's own is ``legal_hold``). ``recording_access``: every playback and
download (who, when, which, from where); it outlives the file. ``disposition`` is the
newest ``seat_disposition`` code of the call, copied when the row is written and again each
time the hub says an agent saved one (a correction counts), so a search by it reads one
index (0019_recording_disposition) instead of checking each candidate's dispositions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import text

from switchboard.store.models import Base

__all__ = ["Recording", "RecordingAccess", "RecordingHold", "RecordingPause", "RecordingTicket"]


class Recording(Base):
    __tablename__ = "recording"
    # Every search key with the time, so "key, newest first" reads one index range; only
    # rows not deleted (what a search reads), so PostgreSQL can count from the index.
    __table_args__ = (
        *(
            Index(
                f"ix_recording_{key}_started_at",
                key,
                "started_at",
                postgresql_where=text("deleted_at IS NULL"),
                sqlite_where=text("deleted_at IS NULL"),
            )
            for key in ("caller_number", "customer_id", "agent_id", "status")
        ),
        # A queue has thousands of recordings a week: with the id and the disposition in
        # the index, a search by queue and disposition never reads the table (0019).
        Index(
            "ix_recording_queue_started_at",
            "queue",
            "started_at",
            "id",
            "disposition",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # A disposition, newest first (0019_recording_disposition).
        Index(
            "ix_recording_disposition_started_at",
            "disposition",
            "started_at",
            "id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # Dates alone (0017_search_indexes): counted from the index, newest first, and the
        # disposition at hand (0019).
        Index(
            "ix_recording_live_started_at",
            "started_at",
            "id",
            "disposition",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)  # the queue's call id
    linked_id: Mapped[str] = mapped_column(String(64), index=True)  # Asterisk Linkedid
    caller_number: Mapped[str] = mapped_column(String(64), default="")
    customer_id: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[str] = mapped_column(String(64), default="")
    queue: Mapped[str] = mapped_column(String(64), default="")
    disposition: Mapped[str] = mapped_column(String(32), default="", server_default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[float | None] = mapped_column(Float)
    path: Mapped[str] = mapped_column(Text, unique=True)  # as Asterisk named it
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    format: Mapped[str] = mapped_column(String(16), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16))  # ok empty missing corrupt
    problem: Mapped[str] = mapped_column(Text, default="")
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecordingTicket(Base):
    __tablename__ = "recording_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recording.id"), index=True)
    ticket: Mapped[str] = mapped_column(String(64), index=True)


class RecordingPause(Base):
    __tablename__ = "recording_pause"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    linked_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(128))
    paused: Mapped[bool] = mapped_column(Boolean)
    by: Mapped[str] = mapped_column(String(64))  # a username, "ivr:<flow>", or "ami"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecordingAccess(Base):
    __tablename__ = "recording_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recording_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: outlives rows
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # play | download | refused
    remote: Mapped[str] = mapped_column(String(128))
    range: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RecordingHold(Base):
    """A legal hold: no retention deletes a recording held by itself, its call or a ticket."""

    __tablename__ = "recording_hold"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # recording | call | ticket
    value: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
