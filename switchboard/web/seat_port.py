"""What the seat routes ask of the seat domain (``switchboard.seat.ports``), named where
the routes import it."""

# test-case-name: tests.web.test_seat_api

from switchboard.seat.ports import SeatActionError, SeatActions

__all__ = ["SeatActionError", "SeatActions"]
