"""Customers through the REST API: search by any key with filters and pages, one record,
its history, merges and their undoing, who may read what, and the log of every read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role
from switchboard.crm.directory import add_customer
from switchboard.crm.reads import reads_of
from tests.web.api.helpers import ApiStack, make_api_stack

ZHANG, LI, DUPLICATE = 1, 2, 3


def _customers(session: Session) -> None:
    add_customer(
        session,
        "张伟",
        {"phone": "13800138000", "plate": "粤B12345"},
        vip_level=2,
        tags=("vip", "投诉"),
    ).last_contact_at = datetime(2026, 9, 10, 4, tzinfo=UTC)  # 12:00 in Shanghai
    add_customer(session, "李雷", {"phone": "13900139000"}, tags=("vip",))
    add_customer(session, "张伟", {"account": "A-1"})  # the same person, entered twice


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.run(_customers)
    s.add_user("boss", Role.SUPERVISOR, queues=("sales",))
    s.add_user("root", Role.ADMIN)
    s.add_user("li", Role.AGENT, agent_id="1001")
    return s


def _reads(stack: ApiStack, customer_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = stack.run(lambda s: reads_of(s, customer_id)["reads"])
    return found


def test_search_by_phone_tail_pinyin_and_initials_ranked(stack: ApiStack) -> None:
    token = stack.token("read:customers")
    by_tail = stack.bearer(token, "GET", "/api/v1/customers?q=8000").json()
    assert [(c["id"], c["match"]) for c in by_tail["customers"]] == [(ZHANG, "phone_tail")]
    by_pinyin = stack.bearer(token, "GET", "/api/v1/customers?q=zhangwei").json()
    # the one contacted most recently first
    assert [c["id"] for c in by_pinyin["customers"]] == [ZHANG, DUPLICATE]
    assert by_pinyin["total"] == 2
    initials = stack.bearer(token, "GET", "/api/v1/customers?q=zw").json()["customers"]
    assert {c["match"] for c in initials} == {"initials"}
    plate = stack.bearer(token, "GET", "/api/v1/customers?q=%E7%B2%A4b%2012345").json()
    assert plate["customers"][0]["identifiers"] == [
        {"kind": "phone", "value": "13800138000"},
        {"kind": "plate", "value": "粤B12345"},
    ]


def test_search_by_tags_and_last_contact_days_in_pages(stack: ApiStack) -> None:
    token = stack.token("read:customers")
    vip = stack.bearer(token, "GET", "/api/v1/customers?tag=vip&per_page=1").json()
    assert (vip["total"], vip["per_page"], len(vip["customers"])) == (2, 1, 1)
    second = stack.bearer(token, "GET", "/api/v1/customers?tag=vip&per_page=1&page=2").json()
    assert {vip["customers"][0]["id"], second["customers"][0]["id"]} == {ZHANG, LI}
    both = stack.bearer(token, "GET", "/api/v1/customers?tag=vip,%E6%8A%95%E8%AF%89").json()
    assert [c["id"] for c in both["customers"]] == [ZHANG]
    on_the_day = "/api/v1/customers?contacted_from=2026-09-10&contacted_to=2026-09-10"
    assert [c["id"] for c in stack.bearer(token, "GET", on_the_day).json()["customers"]] == [ZHANG]
    after = "/api/v1/customers?contacted_from=2026-09-11"
    assert stack.bearer(token, "GET", after).json()["customers"] == []


def test_search_refusals_name_the_field(stack: ApiStack) -> None:
    token = stack.token("read:customers")
    for query, field in (
        ("", "q"),
        ("?contacted_from=2026-09-10&contacted_to=2026-09-01", "contacted_to"),
        ("?q=zw&per_page=101", "per_page"),
        ("?q=zw&page=0", "page"),
        ("?contacted_from=yesterday", "contacted_from"),
    ):
        answer = stack.bearer(token, "GET", "/api/v1/customers" + query)
        assert answer.status == 400, query
        assert answer.json()["error"]["field"] == field, (query, answer.json())


def test_one_customer_and_history_are_logged_with_who_how_and_where(stack: ApiStack) -> None:
    browser, _ = stack.logged_in("boss")
    one = browser.get(f"/api/v1/customers/{ZHANG}").json()
    assert (one["name"], one["vip_level"], one["tags"]) == ("张伟", 2, ["vip", "投诉"])
    history = browser.get(f"/api/v1/customers/{ZHANG}/history").json()
    assert history["customer"]["id"] == ZHANG and history["calls"] == []
    browser.get("/api/v1/customers?q=13900139000")
    assert [(r["username"], r["via"], r["address"]) for r in _reads(stack, ZHANG)] == [
        ("boss", "rest:history", "192.0.2.10"),
        ("boss", "rest", "192.0.2.10"),
    ]
    assert [r["via"] for r in _reads(stack, LI)] == ["rest:search"]
    assert _reads(stack, DUPLICATE) == []


def test_unknown_customer_is_404_and_a_bad_id_400(stack: ApiStack) -> None:
    token = stack.token("read:customers")
    missing = stack.bearer(token, "GET", "/api/v1/customers/999")
    assert missing.status == 404 and "999" in missing.json()["error"]["message"]
    assert stack.bearer(token, "GET", "/api/v1/customers/999/history").status == 404
    bad = stack.bearer(token, "GET", "/api/v1/customers/1x/history")
    assert bad.status == 400 and bad.json()["error"]["field"] == "customer_id"
    assert _reads(stack, 999) == []


def test_an_agent_reads_only_customers_offered_to_them_or_found(stack: ApiStack) -> None:
    browser, _ = stack.logged_in("li")
    refused = browser.get(f"/api/v1/customers/{ZHANG}")
    assert refused.status == 403
    assert "search for them" in refused.json()["error"]["message"]
    assert browser.get(f"/api/v1/customers/{ZHANG}/history").status == 403
    stack.access.grant("1001", LI)  # the seat's pop offered them 李雷
    assert browser.get(f"/api/v1/customers/{LI}").status == 200
    found = browser.get("/api/v1/customers?q=13800138000").json()["customers"]
    assert [c["id"] for c in found] == [ZHANG]
    assert browser.get(f"/api/v1/customers/{ZHANG}/history").status == 200
    assert browser.get(f"/api/v1/customers/{DUPLICATE}").status == 403
    assert [r["username"] for r in _reads(stack, ZHANG)] == ["li", "li"]


def test_an_agent_without_a_seat_reads_no_customer(stack: ApiStack) -> None:
    stack.add_user("temp", Role.AGENT)
    browser, _ = stack.logged_in("temp")
    assert browser.get(f"/api/v1/customers/{ZHANG}").status == 403


def test_merge_then_undo_by_an_admin_only(stack: ApiStack) -> None:
    boss, boss_csrf = stack.logged_in("boss")
    merged = boss.post_json(
        f"/api/v1/customers/{ZHANG}/merge", {"duplicate_id": DUPLICATE}, csrf=boss_csrf
    )
    assert merged.status == 200
    merge = merged.json()
    assert (merge["survivor_id"], merge["merged_id"], merge["actor"]) == (ZHANG, DUPLICATE, "boss")
    token = stack.token("read:customers")
    found = stack.bearer(token, "GET", "/api/v1/customers?q=A-1").json()["customers"]
    assert [c["id"] for c in found] == [ZHANG]
    again = boss.post_json(
        f"/api/v1/customers/{ZHANG}/merge", {"duplicate_id": DUPLICATE}, csrf=boss_csrf
    )
    assert again.status == 409 and "merged into 1" in again.json()["error"]["message"]
    refused = boss.post_json(f"/api/v1/merges/{merge['id']}/undo", {}, csrf=boss_csrf)
    assert refused.status == 403 and "administrator" in refused.json()["error"]["message"]
    root, root_csrf = stack.logged_in("root")
    undone = root.post_json(f"/api/v1/merges/{merge['id']}/undo", {}, csrf=root_csrf)
    assert undone.status == 200 and undone.json()["undone_by"] == "root"
    found = stack.bearer(token, "GET", "/api/v1/customers?q=A-1").json()["customers"]
    assert [c["id"] for c in found] == [DUPLICATE]
    assert root.post_json("/api/v1/merges/99/undo", {}, csrf=root_csrf).status == 404


def test_merge_refusals(stack: ApiStack) -> None:
    token = stack.token("write:customers")
    itself = stack.bearer(token, "POST", f"/api/v1/customers/{ZHANG}/merge", {"duplicate_id": 1})
    assert itself.status == 400 and itself.json()["error"]["field"] == "duplicate_id"
    missing = stack.bearer(token, "POST", f"/api/v1/customers/{ZHANG}/merge", {"duplicate_id": 99})
    assert missing.status == 404
    wrong_type = stack.bearer(
        token, "POST", f"/api/v1/customers/{ZHANG}/merge", {"duplicate_id": "3"}
    )
    assert wrong_type.status == 400 and wrong_type.json()["error"]["field"] == "duplicate_id"
    agent, csrf = stack.logged_in("li")
    assert (
        agent.post_json(f"/api/v1/customers/{ZHANG}/merge", {"duplicate_id": 3}, csrf=csrf).status
        == 403
    )


def test_the_reads_of_a_customer_for_supervisors_and_admins(stack: ApiStack) -> None:
    stack.access.grant("1001", ZHANG)
    agent, _ = stack.logged_in("li")
    agent.get(f"/api/v1/customers/{ZHANG}")
    stack.clock.advance(60)
    boss, _ = stack.logged_in("boss")
    boss.get(f"/api/v1/customers/{ZHANG}")
    listed = boss.get(f"/api/v1/customers/{ZHANG}/reads").json()
    assert listed["total"] == 2
    assert [r["username"] for r in listed["reads"]] == ["boss", "li"]  # newest first
    assert listed["reads"][0]["at"] == stack.clock.seconds()
    page = boss.get(f"/api/v1/customers/{ZHANG}/reads?limit=1&offset=1").json()
    assert [r["username"] for r in page["reads"]] == ["li"]
    assert agent.get(f"/api/v1/customers/{ZHANG}/reads").status == 403
    token = stack.token("read:customers")
    assert stack.bearer(token, "GET", f"/api/v1/customers/{ZHANG}/reads").status == 403


def test_a_read_calls_token_still_reads_customers(stack: ApiStack) -> None:
    token = stack.token("read:calls")
    assert stack.bearer(token, "GET", f"/api/v1/customers/{ZHANG}").status == 200
    assert [r["username"] for r in _reads(stack, ZHANG)] == ["token:ci"]
    assert stack.bearer(token, "POST", "/api/v1/tickets", {}).status == 403
