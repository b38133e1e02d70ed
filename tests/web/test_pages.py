"""Pages a person sees: the login form, where ``/`` sends each role, the seat page."""

from __future__ import annotations

from pathlib import Path

import pytest
from twisted.internet.task import Clock

from switchboard.accounts.model import Role
from switchboard.config import WebSettings
from switchboard.store import Database
from switchboard.web.routes import WebApp
from switchboard.web.service import build_web
from switchboard.web.templating import TEMPLATE_DIR
from tests.web.stack import Stack, make_stack


def test_anyone_not_logged_in_is_sent_to_the_login_form(stack: Stack) -> None:
    browser = stack.browser()
    for path in ("/", "/seat", "/account"):
        answer = browser.get(path)
        assert (answer.status, answer.header("location")) == (303, "/login"), path


def test_the_login_form_speaks_chinese_by_default_and_english_when_asked(stack: Stack) -> None:
    browser = stack.browser()
    chinese = browser.get("/login")
    assert chinese.status == 200
    assert '<html lang="zh-CN">' in chinese.text and "用户名" in chinese.text
    english = browser.get("/login?lang=en")
    assert '<html lang="en">' in english.text and "Username" in english.text
    by_header = browser.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in by_header.text


def test_an_agent_lands_on_the_seat_and_a_supervisor_without_one_on_the_account_page(
    stack: Stack,
) -> None:
    stack.add_user("wang", agent_id="1003")
    stack.add_user("boss", role=Role.SUPERVISOR, agent_id=None, language="en")
    agent, _ = stack.logged_in("wang")
    assert agent.get("/").header("location") == "/seat"
    boss, _ = stack.logged_in("boss")
    assert boss.get("/").header("location") == "/account"
    page = boss.get("/account")
    assert page.status == 200 and "Signed in as boss" in page.text


def test_a_user_without_a_seat_is_refused_the_seat_page_with_the_reason(stack: Stack) -> None:
    stack.add_user("boss", role=Role.SUPERVISOR, agent_id=None, language="en")
    boss, _ = stack.logged_in("boss")
    page = boss.get("/seat")
    assert page.status == 403
    assert "ask an administrator to link it to an agent" in page.text
    stack.add_user("li", role=Role.ADMIN, agent_id=None, language="zh-CN")
    admin, _ = stack.logged_in("li")
    assert "请管理员将其关联到一个坐席工号" in admin.get("/seat").text


def _templates(folder: Path, seat_html: str | None) -> Path:
    """The shipped templates, but with this seat page (None: none at all)."""
    folder.mkdir(parents=True)
    for template in TEMPLATE_DIR.glob("*.html"):
        if template.name != "seat.html":
            (folder / template.name).write_text(template.read_text(encoding="utf-8"))
    if seat_html is not None:
        (folder / "seat.html").write_text(seat_html)
    return folder


def test_without_a_seat_page_the_seat_says_what_is_missing(tmp_path: Path) -> None:
    stack = make_stack(tmp_path / "web", templates=_templates(tmp_path / "t", None))
    stack.add_user("wang", agent_id="1003", language="en")
    browser, _ = stack.logged_in("wang")
    missing = browser.get("/seat")
    assert missing.status == 404 and "templates/seat.html is missing" in missing.text
    stack.database.close()


def test_the_seat_page_is_rendered_in_base_html_with_the_sessions_token_and_ws_url(
    tmp_path: Path,
) -> None:
    # A stand-in seat page: the real one is another branch's.
    seat_html = (
        '{% extends "base.html" %}{% block content %}<main id="seat">'
        "{{ user.agent_id }}</main>{% endblock %}"
    )
    stack = make_stack(tmp_path / "web", templates=_templates(tmp_path / "t", seat_html))
    stack.add_user("wang", agent_id="1003", language="en")
    browser, csrf = stack.logged_in("wang")
    page = browser.get("/seat")
    assert page.status == 200 and '<main id="seat">1003</main>' in page.text
    assert page.meta("csrf-token") == csrf and len(csrf) >= 32
    assert page.meta("sb-ws-url") == "ws://127.0.0.1:8080/ws/seat"
    assert page.meta("sb-lang") == "en"
    stack.database.close()


def test_an_unknown_address_gets_the_not_found_page_in_the_users_language(stack: Stack) -> None:
    answer = stack.browser().get("/no/such/page?lang=en")
    assert answer.status == 404 and "There is no page at this address." in answer.text


def test_a_page_added_under_a_route_name_already_taken_is_refused_at_start(
    tmp_path: Path,
) -> None:
    # The wallboard's socket function was once called "websocket", like the seat's:
    # Klein then answered /ws/seat with the wallboard's socket, and no agent could connect.
    def add_board(web: WebApp) -> None:
        def websocket(request: object) -> bytes:
            return b"the board"

        web.app.route("/ws/board", branch=False)(websocket)

    with pytest.raises(ValueError, match=r"websocket: /ws/seat, /ws/board"):
        build_web(WebSettings(), Clock(), _database(tmp_path), extra_routes=(add_board,))


def _database(tmp_path: Path) -> Database:
    return make_stack(tmp_path).database
