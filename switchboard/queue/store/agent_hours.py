# -*- test-case-name: tests.reports.test_rollups -*-
"""Each agent's UTC hours summed as the records are written (migration
0021_agent_report_speed): seconds in each state (not ready per reason apart), offers
and missed offers by the hour they rang, calls handled and their handling seconds by the
hour handling ended. A month's agent report reads 300 agents x 720 hours of these
instead of millions of state rows.

Only :mod:`.records` writes them, from the one place each figure changes: a state row
closing (:func:`add_stretch`), an offer stored or ended, a visit's handling stored or
changed (the old figures taken away, the new added). Open state rows are not in them:
the report reads those as rows, up to its ``now``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.store.models import Base
from switchboard.store.upsert import upsert_add

__all__ = [
    "HOUR_S",
    "MISSED_RESULTS",
    "STATE_COLUMNS",
    "AgentHourRow",
    "AgentPauseHourRow",
    "add_handled",
    "add_offer",
    "add_stretch",
    "hour_of",
    "hour_pieces",
]

HOUR_S = 3600
# An offer the agent let ring out or refused; "cancelled" (another agent answered, the
# caller moved) and "abandoned" (the caller hung up while it rang) are not the agent's.
MISSED_RESULTS = ("no_answer", "busy")
# The states summed in columns of their own; "not_ready" is summed per reason apart.
STATE_COLUMNS = {
    "ready": "ready_s",
    "reserved": "reserved_s",
    "on_call": "on_call_s",
    "wrap_up": "wrap_up_s",
}


def _zero() -> Any:
    return mapped_column(Float, default=0.0, server_default="0")


def _none() -> Any:
    return mapped_column(Integer, default=0, server_default="0")


class AgentHourRow(Base):
    """One agent's figures in one UTC hour (``hour_s``: its start, epoch seconds)."""

    __tablename__ = "acd_agent_hour"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour_s: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ready_s: Mapped[float] = _zero()
    reserved_s: Mapped[float] = _zero()
    on_call_s: Mapped[float] = _zero()
    wrap_up_s: Mapped[float] = _zero()
    offers: Mapped[int] = _none()
    missed: Mapped[int] = _none()
    handled: Mapped[int] = _none()
    handle_s: Mapped[float] = _zero()  # talk plus wrap-up of the calls handled


class AgentPauseHourRow(Base):
    """One agent's not-ready seconds for one reason in one UTC hour."""

    __tablename__ = "acd_agent_pause_hour"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour_s: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    seconds: Mapped[float] = _zero()


def hour_of(epoch: float) -> int:
    return int(epoch // HOUR_S) * HOUR_S


def hour_pieces(start: float, end: float) -> list[tuple[int, float]]:
    """``[start, end)`` cut at UTC hours: (hour start, seconds in it). Counted in whole
    microseconds (what the database stores): a float epoch is only good to 0.2 us, and
    the difference of two of them would not be the stored stretch."""
    micro, hour_us = 1_000_000, HOUR_S * 1_000_000
    begin, stop = round(start * micro), round(end * micro)
    out = []
    hour = begin // hour_us * hour_us
    while hour < stop:
        part = min(stop, hour + hour_us) - max(begin, hour)
        if part > 0:
            out.append((hour // micro, part / micro))
        hour += hour_us
    return out


def add_stretch(
    session: Session, agent: str, state: str, reason: str, start: float, end: float
) -> None:
    """A state row closed: its seconds into the hours it covered."""
    for hour, seconds in hour_pieces(start, end):
        if state == "not_ready":
            keys = {"agent_id": agent, "hour_s": hour, "reason": reason}
            upsert_add(session, AgentPauseHourRow, keys, {"seconds": seconds})
        elif column := STATE_COLUMNS.get(state):
            keys = {"agent_id": agent, "hour_s": hour}
            upsert_add(session, AgentHourRow, keys, {column: seconds})


def add_offer(session: Session, agent: str, offered_at: float, offers: int, missed: int) -> None:
    """``offers`` and ``missed`` (either may be negative: taken back) in the hour it rang."""
    if offers or missed:
        keys = {"agent_id": agent, "hour_s": hour_of(offered_at)}
        upsert_add(session, AgentHourRow, keys, {"offers": offers, "missed": missed})


def add_handled(
    session: Session, agent: str, handled_at: float, calls: int, seconds: float
) -> None:
    """A call handled (``calls`` 1) or its figures taken back (-1) in the hour it ended."""
    keys = {"agent_id": agent, "hour_s": hour_of(handled_at)}
    upsert_add(session, AgentHourRow, keys, {"handled": calls, "handle_s": seconds})
