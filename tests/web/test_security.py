"""What protects every page: security headers, CSRF on every state change, the login
form's own CSRF token, and a Secure cookie over TLS."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.config import WebSettings
from switchboard.web.security import security_headers
from tests.web.stack import PASSWORD, Stack, make_stack

STATE_CHANGES = [
    ("/logout", {}),
    ("/api/v1/me/language", {"language": "en"}),
    ("/api/v1/seat/login", {}),
    ("/api/v1/seat/ready", {}),
    ("/api/v1/seat/pause", {"reason": "lunch"}),
    ("/api/v1/seat/logout", {}),
    ("/api/v1/seat/finish-wrapup", {}),
    ("/api/v1/seat/calls/c-1/disposition", {"code": "resolved", "note": ""}),
    ("/api/v1/seat/calls/c-1/reveal", {"field": "identifiers.0"}),
    ("/api/v1/seat/customers", {"fields": {"phone": "13800138000"}}),
]


@pytest.mark.parametrize("path", ["/login", "/seat", "/static/i18n.js", "/nowhere"])
def test_every_answer_carries_the_security_headers(stack: Stack, path: str) -> None:
    answer = stack.browser().get(path)
    csp = answer.header("content-security-policy") or ""
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "ws://127.0.0.1:8080" in csp
    assert answer.header("x-frame-options") == "DENY"
    assert answer.header("x-content-type-options") == "nosniff"
    assert answer.header("referrer-policy") == "same-origin"


def test_https_origins_also_get_strict_transport_security() -> None:
    assert "Strict-Transport-Security" in security_headers("https://seat.example.com")
    assert (
        "wss://seat.example.com"
        in security_headers("https://seat.example.com")["Content-Security-Policy"]
    )


def test_pages_have_no_inline_script(stack: Stack) -> None:
    stack.add_user("wang", language="en")
    browser, _ = stack.logged_in("wang")
    for page in (stack.browser().get("/login"), browser.get("/account")):
        scripts = page.text.split("<script")[1:]
        assert scripts
        for script in scripts:
            # every script is a file (src=) or data the browser never runs
            assert ' src="/static/' in script.split(">")[0] or 'type="application/json"' in script


@pytest.mark.parametrize(("path", "body"), STATE_CHANGES)
def test_a_state_change_without_the_csrf_header_is_refused(
    stack: Stack, path: str, body: dict[str, object]
) -> None:
    stack.add_user("wang")
    browser, csrf = stack.logged_in("wang")
    for sent in (None, "wrong-token", csrf[:-1]):
        answer = browser.post_json(path, body, csrf=sent)
        assert answer.status == 403, path
        assert answer.json()["error"]["code"] == "csrf"
    assert stack.seat.calls == []  # nothing reached the seat domain
    assert browser.get("/").header("location") == "/seat"  # still logged in


def test_the_csrf_token_belongs_to_its_session(stack: Stack) -> None:
    stack.add_user("wang")
    stack.add_user("li", agent_id="1002")
    _wang, wang_csrf = stack.logged_in("wang")
    li, li_csrf = stack.logged_in("li")
    assert wang_csrf != li_csrf
    assert li.post_json("/api/v1/seat/ready", {}, csrf=wang_csrf).status == 403
    assert li.post_json("/api/v1/seat/ready", {}, csrf=li_csrf).status == 200


def test_a_login_post_without_the_forms_token_is_refused(stack: Stack) -> None:
    stack.add_user("wang")
    browser = stack.browser()
    browser.get("/login")
    forged = browser.post_form(
        "/login", {"username": "wang", "password": PASSWORD, "csrf_token": "guess"}
    )
    assert forged.status == 403 and "sb_session" not in browser.cookies
    cookieless = stack.browser()  # another site's form: the browser sends no sb_login
    answer = cookieless.post_form(
        "/login", {"username": "wang", "password": PASSWORD, "csrf_token": "x"}
    )
    assert answer.status == 403 and "sb_session" not in cookieless.cookies


def test_over_tls_the_session_cookie_is_secure(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    settings = WebSettings(origin="https://seat.example.com", tls_certificate=cert, tls_key=key)
    stack = make_stack(tmp_path / "tls", settings=settings)
    stack.add_user("wang")
    answer = stack.browser().log_in("wang", PASSWORD)
    cookie = next(c for c in answer.headers["set-cookie"] if c.startswith("sb_session="))
    assert "secure" in cookie.lower()
    stack.database.close()


def test_the_language_switch_is_stored_for_the_user(stack: Stack) -> None:
    stack.add_user("wang")
    browser, csrf = stack.logged_in("wang")
    assert '<html lang="zh-CN">' in browser.get("/account").text
    assert browser.post_json("/api/v1/me/language", {"language": "en"}, csrf=csrf).json() == {
        "language": "en"
    }
    assert '<html lang="en">' in browser.get("/account").text
    again, _ = stack.logged_in("wang")  # a new session: the choice was stored, not cookied
    assert '<html lang="en">' in again.get("/account").text
    bad = browser.post_json("/api/v1/me/language", {"language": "fr"}, csrf=csrf)
    assert bad.status == 400 and bad.json()["error"]["field"] == "language"
