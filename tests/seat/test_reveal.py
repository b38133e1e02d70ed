# -*- test-case-name: tests.seat.test_reveal -*-
"""Masked values on the call card: the browser never gets the full account number or ID;
the agent the call was offered to may ask for one, and each look is written to the audit
before the value is given."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC

import pytest
from sqlalchemy import URL, select
from sqlalchemy.orm import Session

from switchboard.seat.models import SeatReveal
from switchboard.seat.reveal import RevealableValues, conceal_pop
from switchboard.store.db import Database
from tests.seat.helpers import NOON, HeldWork, Seat, make_seat, migrated, user, write
from tests.seat.test_actions import refused, run
from tests.seat.test_feed import _customer_with_history, offer

WANG, LI = user("1001", "wang"), user("1002", "li")
ACCOUNT = "6222021234567890"


@pytest.fixture
def runner() -> HeldWork:
    return HeldWork()


@pytest.fixture
def database(database_url: URL, runner: HeldWork) -> Iterator[Database]:
    yield from migrated(database_url, runner)


@pytest.fixture
def seat(database: Database, runner: HeldWork) -> Seat:
    return make_seat(database, runner)


def _reveals(database: Database) -> list[tuple[str, str, str, str, str, float]]:
    def read(session: Session) -> list[tuple[str, str, str, str, str, float]]:
        rows = session.scalars(select(SeatReveal).order_by(SeatReveal.id))
        return [
            (
                r.username,
                r.agent_id,
                r.call_id,
                r.field,
                r.address,
                r.at.replace(tzinfo=UTC).timestamp(),
            )
            for r in rows
        ]

    return write(database, read)


def _card_fields(seat: Seat) -> dict[str, str]:
    """The masked values of the current card: field -> what the browser shows."""
    snapshot = run(seat.feed.snapshot("1001"))
    card = snapshot["call"]
    shown = {i["field"]: i["masked"] for i in card["customer"]["identifiers"]}
    shown.update({i["field"]: i["masked"] for i in card["ivr"]["inputs"] if "field" in i})
    return shown


def test_the_browser_gets_masked_values_and_the_agent_can_reveal_each_with_an_audit_row(
    seat: Seat,
) -> None:
    write(seat.database, _customer_with_history)
    agent = seat.sink("1001")
    offer(seat)

    sent = json.dumps(list(agent), ensure_ascii=False)
    assert ACCOUNT not in sent and "6222 0212 3456 7890" not in sent
    shown = _card_fields(seat)
    account_field = next(f for f, m in shown.items() if m == "************7890" and "ivr" in f)

    revealed = run(seat.actions.reveal(WANG, "c1", account_field, "192.0.2.10"))

    assert revealed == {"call_id": "c1", "field": account_field, "value": ACCOUNT}
    assert _reveals(seat.database) == [("wang", "1001", "c1", account_field, "192.0.2.10", NOON)]
    identifier = next(f for f in shown if f.startswith("identifiers."))
    assert run(seat.actions.reveal(WANG, "c1", identifier, "192.0.2.10"))["value"] in (
        "13800138000",
        ACCOUNT,
    )
    assert len(_reveals(seat.database)) == 2


def test_another_agent_cannot_reveal_a_call_not_offered_to_them_and_nothing_is_logged(
    seat: Seat,
) -> None:
    write(seat.database, _customer_with_history)
    offer(seat)  # to 1001

    error = refused(seat.actions.reveal(LI, "c1", "ivr.inputs.2", "192.0.2.11"))

    assert error.code == "forbidden" and "not offered to you (1002)" in error.message
    assert _reveals(seat.database) == []


def test_an_unknown_field_is_refused_naming_the_fields_the_card_has(seat: Seat) -> None:
    write(seat.database, _customer_with_history)
    offer(seat)

    error = refused(seat.actions.reveal(WANG, "c1", "salary", "192.0.2.10"))

    assert error.code == "bad_request" and error.field == "field"
    assert "ivr.inputs.2" in error.message and "identifiers.0" in error.message
    assert _reveals(seat.database) == []


def test_a_look_that_cannot_be_logged_is_not_given(seat: Seat, runner: HeldWork) -> None:
    write(seat.database, _customer_with_history)
    offer(seat)
    seat.database.engine.dispose()
    with seat.database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE seat_reveal")

    with pytest.raises(Exception, match="seat_reveal"):
        run(seat.actions.reveal(WANG, "c1", "ivr.inputs.2", "192.0.2.10"))


def test_the_offers_keys_are_masked_at_once_and_kept_for_the_card() -> None:
    card, secrets = conceal_pop({"call_id": "c1", "ivr_digits": "1" + ACCOUNT})
    assert card["ivr_digits"] == "*************7890" and secrets == {"ivr_digits": "1" + ACCOUNT}
    assert conceal_pop({"call_id": "c2", "ivr_digits": ""}) == (
        {"call_id": "c2", "ivr_digits": ""},
        {},
    )


def test_only_an_agents_last_calls_stay_revealable() -> None:
    values = RevealableValues(calls_per_agent=2)
    for call in ("c1", "c2", "c3"):
        values.keep("1001", call, {"ivr_digits": call})
    assert not values.offered("1001", "c1")
    assert values.value("1001", "c3", "ivr_digits") == "c3"
    assert values.value("1002", "c3", "ivr_digits") is None
