"""Tickets: the status machine, SLA due times, comments and links, the audit that replays
to the ticket, overdue and due-soon lists, per-category figures; both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import URL, Engine, make_url
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.ticket_machine import STATUSES, allowed_from
from switchboard.crm.tickets import (
    TicketError,
    TicketPolicy,
    add_comment,
    add_link,
    category_figures,
    current_fields,
    due_soon,
    open_ticket,
    open_tickets_of_customer,
    overdue,
    replay_audit,
    ticket_detail,
    update_ticket,
)
from tests.crm.helpers import in_session, migrated_engine
from tests.fuzz_budget import budget

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = TicketPolicy.from_settings(CrmSettings(holidays=("2026-10-01..2026-10-07",)))
MONDAY_10 = datetime(2026, 9, 21, 10, tzinfo=SHANGHAI).timestamp()
HOUR, DAY = 3600.0, 86400.0


def local(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, SHANGHAI).strftime("%a %m-%d %H:%M")


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    with migrated_engine(database_url) as engine:
        yield engine


def new_ticket(session: Session, **kw: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "actor": "wang",
        "now": MONDAY_10,
        "type": "complaint",
        "category": "quality",
        "priority": "high",
        "subject": "油漆起泡",
    }
    return open_ticket(session, POLICY, **{**fields, **kw})


def test_a_ticket_is_worked_to_closed_with_every_change_audited(engine: Engine) -> None:
    def work(session: Session) -> dict[str, Any]:
        customer = add_customer(session, "张伟", {"phone": "13800138000"})
        ticket = new_ticket(session, customer_id=customer.id, call_id="call-7")
        assert local(ticket["due_at"]) == "Mon 09-21 18:00"  # high: 8 business hours
        tid = ticket["id"]
        update_ticket(session, POLICY, tid, actor="li", now=MONDAY_10 + HOUR, owner="li")
        update_ticket(session, POLICY, tid, actor="li", now=MONDAY_10 + HOUR, status="in_progress")
        add_comment(session, tid, actor="li", now=MONDAY_10 + 2 * HOUR, body="已联系客户")
        add_link(session, tid, actor="li", now=MONDAY_10 + 2 * HOUR, kind="recording", ref="r-9")
        update_ticket(session, POLICY, tid, actor="li", now=MONDAY_10 + 3 * HOUR, status="resolved")
        return update_ticket(
            session, POLICY, tid, actor="zhao", now=MONDAY_10 + DAY, status="closed"
        )

    ticket = in_session(engine, work)
    assert (ticket["status"], ticket["owner"], ticket["allowed_status"]) == (
        "closed",
        "li",
        ["open"],  # reopen, within 7 days of the resolution
    )
    assert [c["body"] for c in ticket["comments"]] == ["已联系客户"]
    assert ticket["links"] == [
        {"kind": "call", "ref": "call-7"},
        {"kind": "recording", "ref": "r-9"},
    ]
    changes = [(a["actor"], a["field"], a["old"], a["new"]) for a in ticket["audit"]]
    assert ("li", "owner", "wang", "li") in changes
    assert ("li", "status", "open", "in_progress") in changes
    assert ("zhao", "status", "resolved", "closed") in changes
    assert ("li", "comment", None, "已联系客户") in changes
    assert replay_audit(ticket["audit"]) == in_session(
        engine, lambda s: current_fields(s, ticket["id"])
    )


def test_illegal_moves_are_refused_naming_the_allowed_ones(engine: Engine) -> None:
    def work(session: Session) -> list[TicketError]:
        tid = new_ticket(session)["id"]
        errors = []
        for target in ("closed", "bogus"):
            try:
                update_ticket(session, POLICY, tid, actor="li", now=MONDAY_10, status=target)
            except TicketError as exc:
                errors.append(exc)
        update_ticket(session, POLICY, tid, actor="li", now=MONDAY_10, status="resolved")
        try:  # eight days later: too late to reopen
            update_ticket(session, POLICY, tid, actor="li", now=MONDAY_10 + 8 * DAY, status="open")
        except TicketError as exc:
            errors.append(exc)
        return errors

    closed, bogus, late = in_session(engine, work)
    assert closed.code == "conflict"
    assert str(closed).endswith(
        "open cannot become closed; from open it can become: in_progress, resolved"
    )
    assert "unknown status 'bogus'" in str(bogus)
    assert "too late to reopen; from resolved it can become: closed" in str(late)


def test_bad_fields_are_refused(engine: Engine) -> None:
    for kw, field, message in [
        ({"category": "pricing"}, "category", "categorys: quality, service, general, emergency"),
        ({"priority": "p0"}, "priority", "unknown priority 'p0'"),
        ({"type": "praise"}, "type", "unknown type 'praise'"),
        ({"subject": "  "}, "subject", "give the ticket a subject"),
        ({"subject": "x" * 201}, "subject", "limited to 200"),
        ({"subject": "a\x00"}, "subject", "has a NUL character"),
        ({"customer_id": 999}, "customer_id", "no customer 999"),
    ]:
        with pytest.raises(TicketError, match=message) as caught:
            in_session(engine, lambda s, kw=kw: new_ticket(s, **kw))
        assert (caught.value.code, caught.value.field) == ("bad_request", field)
    with pytest.raises(TicketError, match="no ticket 42") as missing:
        in_session(engine, lambda s: add_comment(s, 42, actor="li", now=MONDAY_10, body="x"))
    assert missing.value.code == "not_found"


def test_overdue_due_soon_open_of_customer_and_figures(engine: Engine) -> None:
    def work(session: Session) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        customer = add_customer(session, "李雷", {"phone": "13900001111"})
        new_ticket(session, priority="urgent", customer_id=customer.id)  # due 14:00
        new_ticket(session, priority="low")  # 40 h: due next week
        late = new_ticket(session, priority="normal", category="service")  # due Tue 17:00
        emergency = new_ticket(session, category="emergency", priority="urgent")  # 1 h
        update_ticket(
            session,
            POLICY,
            emergency["id"],
            actor="li",
            now=MONDAY_10 + 0.5 * HOUR,
            status="resolved",
        )
        update_ticket(
            session, POLICY, late["id"], actor="li", now=MONDAY_10 + 3 * DAY, status="resolved"
        )
        now = MONDAY_10 + 3 * HOUR  # 13:00 Monday
        return (
            overdue(session, now=MONDAY_10 + 5 * HOUR),
            due_soon(session, POLICY, now=now),
            open_tickets_of_customer(session, customer.id, now=now),
            category_figures(session, POLICY, start=MONDAY_10 - DAY, end=MONDAY_10 + DAY),
        )

    late_list, soon, of_customer, figures = in_session(engine, work)
    assert [(t["priority"], t["overdue"]) for t in late_list] == [("urgent", True)]
    assert [t["priority"] for t in soon] == ["urgent"]
    assert [t["priority"] for t in of_customer] == ["urgent"]
    by_category = {f["category"]: f for f in figures}
    assert by_category["quality"] | {"label": "质量"} == {
        "category": "quality",
        "label": "质量",
        "opened": 2,
        "resolved": 0,
        "within_sla": 0,
        "closure_rate": 0.0,
    }
    assert (by_category["emergency"]["within_sla"], by_category["emergency"]["closure_rate"]) == (
        1,
        1.0,
    )
    assert (by_category["service"]["resolved"], by_category["service"]["closure_rate"]) == (1, 0.0)
    assert by_category["general"]["closure_rate"] is None


# -- the property: no sequence of operations reaches a forbidden state ----------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("status"), st.sampled_from([*STATUSES, "bogus"])),
        st.tuples(st.just("wait"), st.floats(min_value=0, max_value=10 * DAY)),
        st.tuples(st.just("priority"), st.sampled_from(["low", "normal", "high", "urgent"])),
        st.tuples(st.just("owner"), st.sampled_from(["li", "wang", "zhao"])),
        st.tuples(st.just("comment"), st.text(min_size=1, max_size=20).filter(str.strip)),
    ),
    max_size=25,
)


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("tickets") / "tickets.sqlite"
    with migrated_engine(make_url(f"sqlite:///{path}")) as engine:
        yield engine


@budget(60)
@given(operations=OPERATIONS)
def test_no_sequence_reaches_a_forbidden_state_and_the_audit_replays(
    sqlite_engine: Engine, operations: list[tuple[str, Any]]
) -> None:
    def run(session: Session) -> None:
        now = MONDAY_10
        ticket = new_ticket(session)
        tid = ticket["id"]
        for operation, value in operations:
            before = ticket_detail(session, tid, now=now, policy=POLICY)
            if operation == "wait":
                now += value
                continue
            if operation == "comment":
                try:
                    add_comment(session, tid, actor="li", now=now, body=value)
                except TicketError as exc:
                    assert "\x00" in value and exc.code == "bad_request"
                continue
            try:
                after = update_ticket(
                    session, POLICY, tid, actor="li", now=now, **{operation: value}
                )
            except TicketError as exc:
                assert operation == "status" and value not in before["allowed_status"]
                assert exc.code == "conflict" and str(exc.__str__())
                after = ticket_detail(session, tid, now=now, policy=POLICY)
                assert after["status"] == before["status"]
            else:
                if operation == "status" and value != before["status"]:
                    assert value in allowed_from(
                        before["status"], before["resolved_at"], now, POLICY.reopen_days
                    )
            assert after["status"] in STATUSES
            assert (after["resolved_at"] is not None) == (after["status"] in ("resolved", "closed"))
            assert (after["closed_at"] is not None) == (after["status"] == "closed")
        final = ticket_detail(session, tid, now=now, policy=POLICY)
        assert replay_audit(final["audit"]) == current_fields(session, tid)

    in_session(sqlite_engine, run)
