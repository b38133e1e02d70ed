"""The agent seat's domain: screen pops and state for each agent's websocket, and what an
agent does from the seat (state, dispositions, customer records). ``docs/websocket-api.md``
describes its messages; ``switchboard/app.py`` builds it with :func:`build_seat`."""

from switchboard.seat.actions import LiveSeatActions
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.ports import SeatActionError, SeatActions, SeatFeed
from switchboard.seat.service import SeatService, build_seat

__all__ = [
    "LiveSeatActions",
    "LiveSeatFeed",
    "SeatActionError",
    "SeatActions",
    "SeatFeed",
    "SeatService",
    "build_seat",
]
