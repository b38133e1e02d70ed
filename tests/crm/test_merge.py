"""Merging a duplicate customer moves its identifiers and history; an admin can undo it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import URL, Engine
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.history import customer_history
from switchboard.crm.merge import MergeError, merge_customers, undo_merge
from switchboard.crm.search import CustomerQuery, search_customers
from switchboard.crm.tickets import (
    TicketPolicy,
    current_fields,
    open_ticket,
    replay_audit,
    ticket_detail,
)
from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.core.decisions import CallAnswered, CallFinished, CallQueued
from switchboard.queue.core.model import CallOutcome
from switchboard.queue.store.records import record_facts
from switchboard.seat.models import SeatDisposition
from tests.crm.helpers import in_session, migrated_engine

NOW = datetime(2026, 9, 21, 2, tzinfo=UTC).timestamp()
POLICY = TicketPolicy.from_settings(CrmSettings())


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    with migrated_engine(database_url) as engine:
        yield engine


def two_records(session: Session) -> tuple[int, int, int]:
    """张伟 twice: once by mobile, once (a duplicate) by landline with a ticket and a call."""
    first = add_customer(session, "张伟", {"phone": "13800138000"}, tags=["vip"])
    second = add_customer(session, "张伟", {"phone": "01062345678", "plate": "京A1"}, tags=["投诉"])
    ticket = open_ticket(
        session,
        POLICY,
        actor="li",
        now=NOW,
        type="complaint",
        category="quality",
        priority="normal",
        subject="噪音",
        customer_id=second.id,
    )
    record_facts(
        session,
        [
            CallQueued("c9", "support", NOW, NOW, caller_number="01062345678"),
            CallAnswered("c9", "support", "1002", NOW + 5, 5.0),
            CallFinished("c9", "support", NOW + 65, CallOutcome.ANSWERED, "1002"),
        ],
    )
    session.add(
        SeatDisposition(
            call_id="c9",
            agent_id="1002",
            queue="support",
            code="complaint",
            note="噪音",
            at=datetime.fromtimestamp(NOW + 70, UTC),
        )
    )
    session.add(CsatResponse(call_id="c9", agent="1002", queue="support", score=2))
    session.add(
        IvrSession(
            call_id="c9",
            flow="main",
            started_at=datetime.fromtimestamp(NOW, UTC),
            outcome="queued",
            customer_id=second.id,
            digits="1",
            variables={},
            trace=[],
        )
    )
    session.flush()
    return first.id, second.id, ticket["id"]


def names_for(engine: Engine, text: str) -> list[int]:
    page = in_session(engine, lambda s: search_customers(s, CustomerQuery(text)))
    return [c["id"] for c in page.customers]


def test_merge_moves_identifiers_and_history_and_undo_puts_them_back(engine: Engine) -> None:
    first, second, ticket_id = in_session(engine, two_records)
    assert sorted(names_for(engine, "zhangwei")) == [first, second]

    merge = in_session(
        engine, lambda s: merge_customers(s, first, second, actor="li", now=NOW + 100)
    )
    assert names_for(engine, "zhangwei") == [first]  # the duplicate is hidden
    assert names_for(engine, "京A1") == [first]
    history: dict[str, Any] = in_session(
        engine, lambda s: customer_history(s, first, now=NOW + 200)
    )
    assert history["customer"]["tags"] == ["vip", "投诉"]
    assert [
        (c["call_id"], c["disposition"]["code"], c["ivr_path"]["digits"]) for c in history["calls"]
    ] == [("c9", "complaint", "1")]
    assert [t["id"] for t in history["tickets"]] == [ticket_id]
    assert [c["score"] for c in history["csat"]] == [2]
    ticket = in_session(engine, lambda s: ticket_detail(s, ticket_id, now=NOW, policy=POLICY))
    assert ("li", "customer_id", str(second), str(first)) in [
        (a["actor"], a["field"], a["old"], a["new"]) for a in ticket["audit"]
    ]

    with pytest.raises(MergeError, match="only an administrator") as refused:
        in_session(
            engine, lambda s: undo_merge(s, merge["id"], actor="li", now=NOW, is_admin=False)
        )
    assert refused.value.code == "forbidden"
    undone = in_session(
        engine, lambda s: undo_merge(s, merge["id"], actor="admin", now=NOW + 300, is_admin=True)
    )
    assert undone["undone_by"] == "admin"
    assert names_for(engine, "京A1") == [second]
    assert sorted(names_for(engine, "zhangwei")) == [first, second]
    back = in_session(engine, lambda s: customer_history(s, second, now=NOW + 400))
    assert back["customer"]["tags"] == ["投诉"]
    assert [t["id"] for t in back["tickets"]] == [ticket_id]
    assert in_session(engine, lambda s: customer_history(s, first, now=NOW))["customer"][
        "tags"
    ] == ["vip"]
    ticket = in_session(engine, lambda s: ticket_detail(s, ticket_id, now=NOW, policy=POLICY))
    assert replay_audit(ticket["audit"]) == in_session(
        engine, lambda s: current_fields(s, ticket_id)
    )


def test_merges_that_cannot_be_are_refused(engine: Engine) -> None:
    first, second, _ticket = in_session(engine, two_records)
    for survivor, duplicate, code, message in [
        (first, first, "bad_request", "into itself"),
        (first, 999, "not_found", "no customer 999"),
    ]:
        with pytest.raises(MergeError, match=message) as caught:
            in_session(
                engine,
                lambda s, a=survivor, b=duplicate: merge_customers(s, a, b, actor="li", now=NOW),
            )
        assert caught.value.code == code
    merge = in_session(engine, lambda s: merge_customers(s, first, second, actor="li", now=NOW))
    with pytest.raises(MergeError, match=f"was merged into {first}; use that one"):
        in_session(engine, lambda s: merge_customers(s, second, first, actor="li", now=NOW))
    in_session(engine, lambda s: undo_merge(s, merge["id"], actor="a", now=NOW, is_admin=True))
    with pytest.raises(MergeError, match="already undone by a"):
        in_session(engine, lambda s: undo_merge(s, merge["id"], actor="a", now=NOW, is_admin=True))
