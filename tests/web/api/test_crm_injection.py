"""SQL injection and oversized input in every search field of the customers and tickets
routes: each is refused with a 400 naming the field, or taken as plain text that matches
nothing; never a 500, and nothing in the database changes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import URL, func, select
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer
from switchboard.crm.models import Customer
from switchboard.crm.ticket_rows import TicketRow
from tests.web.api.helpers import ApiStack, make_api_stack

INJECTIONS = (
    "' OR '1'='1",
    "1 OR 1=1",
    "'; DROP TABLE crm_customer; --",
    '" OR ""="',
    "1; DELETE FROM crm_ticket",
    "x') UNION SELECT name, name FROM web_user --",
    "%",
    "_",
    "\\",
)
HUGE = "9" * 10_000
# Every query field of each search route, with a value that fits it (the others' baseline).
FIELDS = {
    "/api/v1/customers": {
        "q": "zw",
        "tag": "vip",
        "contacted_from": "2026-01-01",
        "contacted_to": "2026-12-31",
        "page": "1",
        "per_page": "20",
    },
    "/api/v1/tickets": {
        "status": "open",
        "type": "complaint",
        "category": "quality",
        "owner": "token:ci",
        "customer": "1",
        "overdue": "false",
        "due_soon": "false",
        "page": "1",
        "per_page": "50",
    },
    "/api/v1/tickets/report": {"start": "2026-01-01", "end": "2026-12-31"},
    "/api/v1/customers/1/reads": {"limit": "10", "offset": "0"},
}
CASES = [(path, name) for path, fields in FIELDS.items() for name in fields]


def _data(session: Session) -> None:
    add_customer(session, "张伟", {"phone": "13800138000"}, tags=("vip",))
    add_customer(session, "李雷", {"phone": "13900139000"}, tags=("vip",))


@pytest.fixture
def stack(tmp_path: Path, database_url: URL) -> tuple[ApiStack, str]:
    s = make_api_stack(tmp_path / "api", url=database_url)
    s.run(_data)
    token = s.token(
        "read:customers", "read:tickets", "write:tickets", "manage:tickets", "admin:crm"
    )
    body = {"type": "complaint", "category": "quality", "subject": "s", "customer_id": 1}
    assert s.bearer(token, "POST", "/api/v1/tickets", body).status == 200
    return s, token


def _counts(stack: ApiStack) -> tuple[int, int]:
    def count(session: Session) -> tuple[int, int]:
        customers = session.scalar(select(func.count()).select_from(Customer)) or 0
        tickets = session.scalar(select(func.count()).select_from(TicketRow)) or 0
        return customers, tickets

    found: tuple[int, int] = stack.run(count)
    return found


def _get(stack: ApiStack, token: str, path: str, name: str, value: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    fields = {**FIELDS[path], name: value}
    query = "&".join(f"{k}={quote(v)}" for k, v in fields.items())
    answer = stack.bearer(token, "GET", f"{path}?{query}")
    assert answer.status != 500, (path, name, value[:40], answer.text)
    return answer.status, answer.json()


def test_an_injection_in_any_field_is_refused_or_matches_nothing(
    stack: tuple[ApiStack, str],
) -> None:
    api, token = stack
    before = _counts(api)
    for path, name in CASES:
        for value in INJECTIONS:
            status, body = _get(api, token, path, name, value)
            if status == 400:
                assert body["error"]["field"] == name, (value, body)
            else:
                assert status == 200, (value, body)
                found = body.get("customers", body.get("tickets", body.get("reads")))
                if found is not None and name not in ("page", "per_page"):
                    assert found == [], (name, value, found)  # text, never a pattern or clause
        assert _counts(api) == before
        status, _ = _get(api, token, path, name, FIELDS[path][name])
        assert status == 200  # the route still works after it all


def test_oversized_input_and_nul_bytes_in_any_field_are_a_400_naming_it(
    stack: tuple[ApiStack, str],
) -> None:
    api, token = stack
    for path, name in CASES:
        for value in (HUGE, "a" * 10_000, "\x00" * 3):
            status, body = _get(api, token, path, name, value)
            assert (status, body["error"]["field"]) == (400, name), (path, name, value[:10], body)


def test_nul_bytes_in_ticket_bodies_are_a_400_naming_the_field(
    stack: tuple[ApiStack, str],
) -> None:
    api, token = stack
    base = {"type": "complaint", "category": "quality", "subject": "s"}
    for field in ("subject", "description", "owner", "call_id"):
        answer = api.bearer(token, "POST", "/api/v1/tickets", {**base, field: "a\x00b"})
        assert answer.status == 400 and answer.json()["error"]["field"] == field, answer.text
    for path, body, field in (
        ("/api/v1/tickets/1/comments", {"body": "a\x00b"}, "body"),
        ("/api/v1/tickets/1/links", {"kind": "call", "ref": "a\x00b"}, "ref"),
    ):
        answer = api.bearer(token, "POST", path, body)
        assert answer.status == 400 and answer.json()["error"]["field"] == field, answer.text
    assert _counts(api) == (2, 1)


def test_too_many_tags_and_control_characters_name_the_field(stack: tuple[ApiStack, str]) -> None:
    api, token = stack
    many = ",".join(f"t{i}" for i in range(11))
    assert _get(api, token, "/api/v1/customers", "tag", many)[1]["error"]["field"] == "tag"
    tab = _get(api, token, "/api/v1/customers", "q", "zhang\twei")[1]
    assert tab["error"]["field"] == "q" and "plain text" in tab["error"]["message"]
    line_break = {"type": "complaint", "category": "quality", "subject": "s", "description": "a\nb"}
    assert api.bearer(token, "POST", "/api/v1/tickets", line_break).status == 200


def test_path_ids_that_are_not_numbers_are_400(stack: tuple[ApiStack, str]) -> None:
    api, token = stack
    for path, field in (
        ("/api/v1/customers/{}", "customer_id"),
        ("/api/v1/customers/{}/history", "customer_id"),
        ("/api/v1/tickets/{}", "ticket_id"),
    ):
        for value in ("1%20OR%201=1", HUGE, "-1"):
            answer = api.bearer(token, "GET", path.format(value))
            assert answer.status == 400 and answer.json()["error"]["field"] == field, path
