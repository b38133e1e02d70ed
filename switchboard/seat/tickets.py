# -*- test-case-name: tests.web.test_tickets_seat -*-
""":class:`SeatTickets`: an agent opens a ticket (工单) from the call card, the call linked.

The seat's small port for tickets, beside its actions: the agent must have been offered
the call (the card's own record of it, or the stored offers after a restart) and may
name only a customer they may read (:class:`~switchboard.seat.access.CustomerAccess`).
The ticket is opened by the crm (:func:`~switchboard.crm.tickets.open_ticket`), owned by
the agent, due by the SLA; then the card's open tickets list it (``shown``), so the page
and a reload both see it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Final

import structlog

from switchboard.accounts.model import User
from switchboard.crm.ticket_machine import TYPES
from switchboard.crm.tickets import TicketError, TicketPolicy, open_ticket
from switchboard.seat.access import CustomerAccess
from switchboard.seat.lookup import call_of_agent
from switchboard.seat.ports import SeatActionError
from switchboard.store import Database

__all__ = ["SeatTickets"]

log = structlog.get_logger(__name__)
SUBJECT_LIMIT: Final = 80  # the subject is the note's first line, cut here
SUMMARY: Final = ("id", "type", "category", "priority", "status", "subject", "due_at", "overdue")


class SeatTickets:
    def __init__(
        self,
        database: Database,
        policy: TicketPolicy,
        clock: Any,
        access: CustomerAccess,
        offered: Callable[[str, str], bool],
        shown: Callable[[str, str, dict[str, Any]], None] = lambda agent, call, ticket: None,
    ) -> None:
        self._database = database
        self.policy = policy
        self._clock = clock
        self._access = access
        self._offered = offered  # (agent, call): was this call popped on their card
        self._shown = shown  # (agent, call, ticket): put it on the card

    def form(self) -> dict[str, Any]:
        """What the seat's ticket form offers: types, categories (code, label), priorities."""
        return {
            "types": list(TYPES),
            "default_type": "complaint",
            "categories": [{"code": c, "label": t} for c, t in self.policy.categories.items()],
            "priorities": list(self.policy.priorities),
            "default_priority": _default_priority(self.policy.priorities),
        }

    async def open_from_call(
        self,
        user: User,
        *,
        call_id: str,
        customer_id: int | None,
        type: str,
        category: str,
        note: str,
        priority: str = "",
        subject: str = "",
    ) -> dict[str, Any]:
        """A new ticket linked to ``call_id`` (and the customer): its summary. Its subject:
        ``subject``, else the note's first line, else the category and the call."""
        agent_id = user.agent_id
        if agent_id is None or user.disabled:
            raise SeatActionError(
                "forbidden", f"user {user.username!r} has no agent seat; ask an administrator"
            )
        if not call_id or len(call_id) > 128:
            raise SeatActionError("bad_request", "name the call the ticket is about", "call_id")
        if not self._offered(agent_id, call_id):
            found = await self._database.run(
                partial(call_of_agent, call_id=call_id, agent_id=agent_id)
            )
            if found is None or not found[1]:
                raise SeatActionError(
                    "forbidden",
                    f"call {call_id!r} was not offered to you ({agent_id}): open tickets from"
                    " your own calls' cards",
                    "call_id",
                )
        if customer_id is not None and not self._access.allowed(agent_id, customer_id):
            raise SeatActionError(
                "forbidden",
                f"customer {customer_id} was not offered to you and not found by your search;"
                " search for them by an identifier first",
                "customer_id",
            )
        text = note.strip()
        label = self.policy.categories.get(category, category)
        first_line = (text.splitlines() or [""])[0][:SUBJECT_LIMIT].strip()
        subject = subject.strip() or first_line or f"{label} · {call_id}"
        work = partial(
            open_ticket,
            policy=self.policy,
            actor=user.username,
            now=self._clock.seconds(),
            type=type or "complaint",
            category=category,
            priority=priority or _default_priority(self.policy.priorities),
            subject=subject,
            description=text,
            customer_id=customer_id,
            call_id=call_id,
        )
        try:
            detail = await self._database.run(work)
        except TicketError as error:
            raise SeatActionError(error.code, str(error), error.field) from error
        ticket = {k: detail[k] for k in SUMMARY}
        log.info("seat_ticket_opened", ticket_id=ticket["id"], agent=agent_id, call_id=call_id)
        self._shown(agent_id, call_id, ticket)
        return {"ticket": ticket, "call_id": call_id}


def _default_priority(priorities: tuple[str, ...]) -> str:
    return "normal" if "normal" in priorities else priorities[0]
