"""Pages a person sees: the login form, where ``/`` sends each role, the seat page."""

from __future__ import annotations

from pathlib import Path

from switchboard.accounts.model import Role
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


def test_the_seat_page_renders_seat_html_when_installed_and_says_so_when_missing(
    tmp_path: Path, stack: Stack
) -> None:
    stack.add_user("wang", agent_id="1003", language="en")
    browser, csrf = stack.logged_in("wang")
    pages = stack.web.resource  # noqa: F841  (the templates folder is the shipped one)
    from switchboard.web.templating import TEMPLATE_DIR

    if not (TEMPLATE_DIR / "seat.html").exists():
        missing = browser.get("/seat")
        assert missing.status == 404 and "templates/seat.html is missing" in missing.text
    # With a seat page (written here: the real one is another branch's), it is rendered
    # inside base.html with the session's CSRF token and the websocket's URL.
    folder = tmp_path / "templates"
    folder.mkdir()
    for template in TEMPLATE_DIR.glob("*.html"):
        (folder / template.name).write_text(template.read_text(encoding="utf-8"))
    (folder / "seat.html").write_text(
        '{% extends "base.html" %}{% block content %}<main id="seat">'
        "{{ user.agent_id }}</main>{% endblock %}"
    )
    other = make_stack(tmp_path / "other", templates=folder)
    other.add_user("wang", agent_id="1003", language="en")
    browser, csrf = other.logged_in("wang")
    page = browser.get("/seat")
    assert page.status == 200 and '<main id="seat">1003</main>' in page.text
    assert page.meta("csrf-token") == csrf and len(csrf) >= 32
    assert page.meta("sb-ws-url") == "ws://127.0.0.1:8080/ws/seat"
    assert page.meta("sb-lang") == "en"
    other.database.close()


def test_an_unknown_address_gets_the_not_found_page_in_the_users_language(stack: Stack) -> None:
    answer = stack.browser().get("/no/such/page?lang=en")
    assert answer.status == 404 and "There is no page at this address." in answer.text
