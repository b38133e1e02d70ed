"""What the seat routes ask of the seat domain: a local copy of the contract's
``SeatActions`` and ``SeatActionError`` (``switchboard/seat/ports.py`` on its branch).

The integrator replaces this module's names with imports from ``switchboard.seat.ports``.
"""

# test-case-name: tests.web.test_seat_api

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from switchboard.accounts.model import User

__all__ = ["SeatActionError", "SeatActions"]


class SeatActionError(Exception):
    """``code``: bad_request, forbidden, not_found, conflict or unavailable."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class SeatActions(Protocol):
    async def log_in(self, user: User) -> dict[str, Any]: ...
    async def ready(self, user: User) -> dict[str, Any]: ...
    async def pause(self, user: User, reason: str) -> dict[str, Any]: ...
    async def log_out(self, user: User) -> dict[str, Any]: ...
    async def finish_wrapup(self, user: User) -> dict[str, Any]: ...
    async def save_disposition(
        self, user: User, call_id: str, code: str, note: str
    ) -> dict[str, Any]: ...
    async def customer(self, user: User, customer_id: int) -> dict[str, Any]: ...
    async def search_customers(self, user: User, query: str) -> list[dict[str, Any]]: ...
    async def create_customer(self, user: User, fields: Mapping[str, str]) -> dict[str, Any]: ...
