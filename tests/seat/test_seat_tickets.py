"""A ticket opened from the card lands first in the card's open tickets: on the agent's
page at once (a ``pop_update``) and in the snapshot a reload gets; nothing for another
agent, nothing for a card that has closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import URL

from tests.seat.helpers import HeldWork, Seat, make_seat, migrated
from tests.seat.test_feed import _snapshot, offer

TICKET = {"id": 7, "subject": "空调不制冷", "status": "open", "overdue": False}


@pytest.fixture
def seat(database_url: URL) -> Iterator[Seat]:
    runner = HeldWork()
    for database in migrated(database_url, runner):
        yield make_seat(database, runner)


def test_the_ticket_is_told_to_the_page_and_kept_on_the_card(seat: Seat) -> None:
    agent, other = seat.sink("1001"), seat.sink("1002")
    offer(seat, "c1", "1001", number="13911112222", ivr_ref="")  # an unknown caller
    seat.feed.ticket_opened("1001", "c1", TICKET)
    update = agent.of("pop_update")[-1]
    assert (update["call_id"], update["tickets"]) == ("c1", [TICKET])
    assert _snapshot(seat, "1001")["call"]["tickets"] == [TICKET]
    assert other.of("pop_update") == []


def test_a_ticket_for_a_card_no_longer_shown_is_not_sent(seat: Seat) -> None:
    agent = seat.sink("1001")
    offer(seat, "c1", "1001", number="13911112222", ivr_ref="")
    offer(seat, "c2", "1001", number="13911113333", ivr_ref="")
    sent = len(agent)
    seat.feed.ticket_opened("1001", "c1", TICKET)
    assert len(agent) == sent
    assert _snapshot(seat, "1001")["call"]["tickets"] == []
