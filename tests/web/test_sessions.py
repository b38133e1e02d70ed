"""Sessions: the cookie a login sets, what logout, expiry, a disabled account and a new
password do to it; the database holds only the token's hash."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.accounts.records import WebSession
from switchboard.accounts.sessions import token_hash
from switchboard.accounts.store import set_disabled, set_password_hash
from switchboard.config import WebSettings
from tests.web.stack import PASSWORD, Stack


def _cookie_header(answer_headers: list[str], name: str) -> str:
    found = [c for c in answer_headers if c.startswith(name + "=")]
    assert found, f"no Set-Cookie for {name}"
    return found[-1]


def test_login_sets_an_httponly_samesite_strict_cookie_whose_hash_alone_is_stored(
    stack: Stack,
) -> None:
    stack.add_user("wang")
    browser = stack.browser()
    answer = browser.log_in("wang", PASSWORD)
    assert (answer.status, answer.header("location")) == (303, "/")
    cookie = _cookie_header(answer.headers["set-cookie"], "sb_session")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert "secure" not in attributes  # plain HTTP: a Secure cookie would never come back
    assert f"max-age={int(WebSettings().session_lifetime_s)}" in attributes
    token = browser.cookies["sb_session"]
    rows: list[str] = []
    stack.database.run(lambda s: rows.extend(s.scalars(select(WebSession.token_hash))))
    assert rows == [token_hash(token)] and token not in rows


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(stack: Stack) -> None:
    stack.add_user("wang")
    wrong = stack.browser().log_in("wang", "not the password")
    unknown = stack.browser().log_in("nobody", PASSWORD)
    assert wrong.status == unknown.status == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text
    assert "sb_session" not in stack.browser().cookies


def test_logout_ends_the_session_on_the_server_not_only_in_the_browser(stack: Stack) -> None:
    stack.add_user("wang")
    browser, csrf = stack.logged_in("wang")
    stolen = dict(browser.cookies)
    answer = browser.post_json("/logout", {}, csrf=csrf)
    assert answer.status == 200 and answer.json() == {"redirect": "/login"}
    assert "sb_session" not in browser.cookies
    thief = stack.browser()
    thief.cookies.update(stolen)  # the old cookie, replayed
    assert thief.get("/seat").header("location") == "/login"


def test_a_session_expires_after_its_lifetime_on_the_clock(stack: Stack) -> None:
    stack.add_user("wang")
    browser, _ = stack.logged_in("wang")
    stack.clock.advance(WebSettings().session_lifetime_s - 1)
    assert browser.get("/").header("location") == "/seat"
    stack.clock.advance(1)
    assert browser.get("/").header("location") == "/login"


def test_disabling_a_user_refuses_their_login_and_ends_their_sessions(stack: Stack) -> None:
    stack.add_user("wang")
    browser, _ = stack.logged_in("wang")
    stack.database.run(lambda s: set_disabled(s, "wang"))
    assert browser.get("/").header("location") == "/login"
    again = stack.browser().log_in("wang", PASSWORD)
    assert again.status == 401 and "该账户已停用" in again.text


def test_user_for_token_refuses_a_disabled_user_even_with_a_live_session(stack: Stack) -> None:
    stack.add_user("wang")
    browser, _ = stack.logged_in("wang")
    token = browser.cookies["sb_session"]
    sessions = stack.web.sessions
    found: list[object] = []
    from twisted.internet.defer import Deferred

    Deferred.fromCoroutine(sessions.user_for_token(token)).addCallback(found.append)
    assert getattr(found[0], "username", None) == "wang"

    def disable_without_ending_sessions(session: Session) -> None:
        from switchboard.accounts.records import WebUser

        session.scalars(select(WebUser)).one().disabled = True

    stack.database.run(disable_without_ending_sessions)
    Deferred.fromCoroutine(sessions.user_for_token(token)).addCallback(found.append)
    Deferred.fromCoroutine(sessions.user_for_token("made up")).addCallback(found.append)
    assert found[1:] == [None, None]


def test_a_new_password_ends_the_old_sessions(stack: Stack) -> None:
    stack.add_user("wang")
    browser, _ = stack.logged_in("wang")
    stack.database.run(lambda s: set_password_hash(s, "wang", "$argon2id$new"))
    assert browser.get("/").header("location") == "/login"


def test_a_logged_in_user_visiting_the_login_form_goes_home(stack: Stack) -> None:
    stack.add_user("wang")
    browser, _ = stack.logged_in("wang")
    assert browser.get("/login").header("location") == "/"
