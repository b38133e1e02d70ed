"""GET /wallboard: supervisors and admins get the page (big-screen mode without controls),
agents a 403 that says why, strangers the login page; /ws/wallboard is mounted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from twisted.internet.defer import succeed
from twisted.internet.task import Clock

from switchboard.accounts.model import Role
from switchboard.config import WebSettings
from switchboard.store import Database
from switchboard.store.db import create_database_engine
from switchboard.web.service import build_web
from switchboard.web.wallboard_ws.page import wallboard_routes
from tests.web.stack import CHEAP, FakeSeat, Stack, migrated_copy


class NoFeed:
    def subscribe(self, key: str, sink: Any) -> Any:
        return lambda: None

    async def snapshot(self, key: str) -> dict[str, Any]:
        return {"v": 1, "type": "snapshot", "queues": [], "agents": []}


def stack(tmp_path: Path) -> Stack:
    database = Database(
        create_database_engine(make_url(f"sqlite:///{migrated_copy(tmp_path, tmp_path)}")),
        None,
        runner=lambda work: succeed(work()),
    )
    clock = Clock()
    clock.advance(1_800_000_000)
    web = build_web(
        WebSettings(),
        clock,
        database,
        hasher=CHEAP,
        extra_routes=(wallboard_routes(NoFeed(), clock),),
    )
    return Stack(web, clock, database, FakeSeat())


def test_a_supervisor_gets_the_wallboard_with_its_scripts_and_no_inline_code(
    tmp_path: Path,
) -> None:
    s = stack(tmp_path)
    s.add_user("boss", role=Role.SUPERVISOR, agent_id=None, language="zh-CN")
    browser, _ = s.logged_in("boss")
    page = browser.get("/wallboard")
    assert page.status == 200
    assert "大屏监控" in page.text and 'lang="zh-CN"' in page.text
    assert "/static/wallboard." in page.text and "/static/seat.socket." in page.text
    assert "<script>" not in page.text  # CSP: every script has a src (or is JSON)
    assert "data-sb-logout" in page.text  # the account bar with the language switch


def test_the_big_screen_mode_has_no_controls(tmp_path: Path) -> None:
    s = stack(tmp_path)
    s.add_user("root", role=Role.ADMIN, agent_id=None, language="en")
    browser, _ = s.logged_in("root")
    page = browser.get("/wallboard?tv=1")
    assert page.status == 200 and "wb-tv" in page.text
    assert "data-sb-logout" not in page.text and 'href="/wallboard?tv=1"' not in page.text


def test_an_agent_is_told_the_wallboard_is_for_supervisors(tmp_path: Path) -> None:
    s = stack(tmp_path)
    s.add_user("agent", language="en")
    browser, _ = s.logged_in("agent")
    page = browser.get("/wallboard")
    assert page.status == 403 and "supervisors and administrators" in page.text


def test_without_a_session_the_wallboard_sends_to_the_login(tmp_path: Path) -> None:
    page = stack(tmp_path).browser().get("/wallboard")
    assert page.status == 303 and page.header("location") == "/login"
