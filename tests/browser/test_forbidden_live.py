"""The forbidden paths, refused by the real stack (the demo's site with the ACD, over HTTP on
127.0.0.1; no browser needed: Playwright's request client keeps the cookies). The rules
themselves are tested in tests/web/ on a stand-in seat; here, that the wired site keeps
them and that nothing refused reached the agent control or the CRM.

Each test uses its own agent: 1001 the websocket, 1002 the CSRF check, 1003 the customer,
the supervisor the lockout (which lasts the site's life for that account).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Playwright, sync_playwright

from tests.browser.live import LiveSite, login_csrf, page_csrf, running_site

FOREIGN = "http://evil.example"


@pytest.fixture(scope="module")
def site() -> Iterator[LiveSite]:
    with running_site("switchboard") as live:
        yield live


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


def _client(playwright: Playwright, site: LiveSite) -> APIRequestContext:
    return playwright.request.new_context(base_url=site.seat, max_redirects=0)


def _log_in(client: APIRequestContext, username: str, password: str) -> Any:
    form = login_csrf(client.get("/login").text())
    return client.post(
        "/login", form={"username": username, "password": password, "csrf_token": form}
    )


def _session(client: APIRequestContext) -> str:
    return next(c["value"] for c in client.storage_state()["cookies"] if c["name"] == "sb_session")


def test_the_seat_socket_needs_the_session_and_the_sites_origin(
    site: LiveSite, playwright: Playwright
) -> None:
    client = _client(playwright, site)
    assert _log_in(client, "1001", "demo-1001").status == 303
    session = _session(client)
    assert site.upgrade(None, site.seat) == 403  # no session
    assert site.upgrade("not-a-session", site.seat) == 403
    assert site.upgrade(session, FOREIGN) == 403  # a page of another site, with the cookie
    assert site.upgrade(session, None) == 403
    assert site.upgrade(session, site.seat) == 101  # the same request, as the seat sends it
    client.post("/logout", headers={"X-CSRF-Token": page_csrf(client.get("/seat").text())})
    assert site.upgrade(session, site.seat) == 403  # logged out: the session is over


def test_a_state_change_without_the_csrf_token_never_reaches_the_agent(
    site: LiveSite, playwright: Playwright
) -> None:
    client = _client(playwright, site)
    assert _log_in(client, "1002", "demo-1002").status == 303
    csrf = page_csrf(client.get("/seat").text())
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        refused = client.post("/api/v1/seat/login", data={}, headers=headers)
        assert refused.status == 403 and refused.json()["error"]["code"] == "csrf"
    assert site.agent_state("1002") == "logged_out"
    assert client.post("/api/v1/seat/login", data={}, headers={"X-CSRF-Token": csrf}).ok
    assert site.agent_state("1002") == "not_ready"


def test_a_customer_never_offered_to_the_agent_cannot_be_read(
    site: LiveSite, playwright: Playwright
) -> None:
    customer = site.add_customer(name="李娜", phone="13900001111", vip_level=3)
    client = _client(playwright, site)
    assert _log_in(client, "1003", "demo-1003").status == 303
    refused = client.get(f"/api/v1/seat/customers/{customer}")
    assert refused.status == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "李娜" not in refused.text() and "13900001111" not in refused.text()
    missing = client.get(f"/api/v1/seat/customers/{customer + 1000}")
    assert missing.status in (403, 404)
    assert "13900001111" not in missing.text()


def test_too_many_wrong_passwords_lock_the_account_even_for_the_right_one(
    site: LiveSite, playwright: Playwright
) -> None:
    client = _client(playwright, site)
    for _ in range(5):  # [web] login_failures_per_account, by default
        assert _log_in(client, "supervisor", "wrong guess!").status == 401
    refused = _log_in(client, "supervisor", "demo-supervisor")
    assert refused.status == 429 and int(refused.headers["retry-after"]) > 0
    assert not [c for c in client.storage_state()["cookies"] if c["name"] == "sb_session"]
    assert _log_in(_client(playwright, site), "1003", "demo-1003").status == 303  # others: fine
