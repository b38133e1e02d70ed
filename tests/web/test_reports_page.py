"""GET /reports: supervisors get the page offering their own queues, admins every queue,
agents a 403 that says why, strangers the login page; every label a report's columns
can carry is translated for the page."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url
from sqlalchemy.orm import Session
from twisted.internet.defer import succeed
from twisted.internet.task import Clock

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user
from switchboard.config import ReportSettings, WebSettings
from switchboard.reports.kinds import KINDS, make_report, parse_report_query
from switchboard.store import Database
from switchboard.store.db import create_database_engine
from switchboard.web.i18n import Catalogues
from switchboard.web.reports_page import REPORT_KINDS, reports_routes
from switchboard.web.service import build_web
from switchboard.web.static import STATIC_DIR
from tests.reports.seed import seed
from tests.web.stack import CHEAP, PASSWORD, FakeSeat, Stack, migrated_copy

CONFIGURED = ["sales", "support", "vip"]


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
        extra_routes=(reports_routes(ReportSettings(), lambda: CONFIGURED),),
    )
    return Stack(web, clock, database, FakeSeat())


def supervisor(s: Stack, name: str, queues: tuple[str, ...], language: str = "zh-CN") -> None:
    hashed = Passwords(CHEAP).hash(PASSWORD)
    s.database.run(
        lambda session: add_user(
            session, name, hashed, role=Role.SUPERVISOR, queues=queues, language=language
        )
    )


def queue_options(html: str) -> list[str]:
    select = html.split('id="rp-queue"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_a_supervisor_gets_the_page_with_only_their_queues(tmp_path: Path) -> None:
    s = stack(tmp_path)
    supervisor(s, "boss", ("support", "sales"))
    browser, _ = s.logged_in("boss")
    page = browser.get("/reports")
    assert page.status == 200
    assert 'lang="zh-CN"' in page.text and "队列报表" in page.text and "导出 CSV" in page.text
    assert queue_options(page.text) == ["", "sales", "support"]  # "" is all of them
    assert 'data-timezone="Asia/Shanghai"' in page.text
    assert "/static/reports." in page.text and "<script>" not in page.text  # CSP
    assert 'href="/reports"' in page.text  # the account bar's link


def test_an_admin_is_offered_every_configured_queue_and_every_kind(tmp_path: Path) -> None:
    s = stack(tmp_path)
    s.add_user("root", role=Role.ADMIN, agent_id=None, language="en")
    browser, _ = s.logged_in("root")
    page = browser.get("/reports")
    assert page.status == 200 and "Queue report" in page.text and "All queues" in page.text
    assert queue_options(page.text) == ["", *CONFIGURED]
    kinds = re.findall(r'<option value="([^"]*)"', page.text.split('id="rp-kind"')[1])
    assert kinds[: len(REPORT_KINDS)] == [kind for kind, _ in REPORT_KINDS]


def test_a_supervisor_of_no_queue_is_told_so(tmp_path: Path) -> None:
    s = stack(tmp_path)
    supervisor(s, "new", (), language="en")
    browser, _ = s.logged_in("new")
    page = browser.get("/reports")
    assert page.status == 200 and "You supervise no queues yet" in page.text


def test_an_agent_is_refused_and_not_offered_the_link(tmp_path: Path) -> None:
    s = stack(tmp_path)
    s.add_user("agent", language="en")
    browser, _ = s.logged_in("agent")
    page = browser.get("/reports")
    assert page.status == 403 and "reports are for supervisors and administrators" in page.text
    assert 'href="/reports"' not in page.text


def test_without_a_session_the_page_sends_to_the_login(tmp_path: Path) -> None:
    page = stack(tmp_path).browser().get("/reports")
    assert page.status == 303 and page.header("location") == "/login"


def test_the_page_offers_only_kinds_the_api_has() -> None:
    assert {kind for kind, _ in REPORT_KINDS} <= set(KINDS)


@pytest.mark.parametrize("kind", [kind for kind, _ in REPORT_KINDS])
def test_every_column_label_of_a_report_is_translated(tmp_path: Path, kind: str) -> None:
    """Labels are msgids; the ones carrying a value (a threshold, a score, a reason, a
    code) are translated by the shapes in reports.js."""
    url = make_url(f"sqlite:///{migrated_copy(tmp_path, tmp_path)}")
    engine = create_database_engine(url)
    start = datetime.fromisoformat("2026-12-01T08:00:00+08:00").timestamp()
    seed(engine, start, start + 4 * 3600, calls=40)  # reasons and dispositions seen
    forecast = kind == "forecast"  # the weeks before the next day, of one queue
    query = parse_report_query(
        kind, start=None if forecast else "2026-12-01", end=None if forecast else "2026-12-01",
        interval=None if forecast else "day", queue="sales" if forecast else None, agent=None,
        options={}, zone=ZoneInfo("Asia/Shanghai"), now=start + 86400,
    )  # fmt: skip
    with Session(engine) as session:
        report = make_report(session, query, ReportSettings())
    script = (STATIC_DIR / "reports.js").read_text(encoding="utf-8")
    shapes = [
        (re.compile(pattern.replace("\\\\", "\\")), msgid, prefix)
        for pattern, msgid, prefix in re.findall(r'\[/(.+?)/, "(.+?)"(?:, "(.+?)")?\]', script)
    ]
    zh = Catalogues.load().catalogue("zh-CN")
    untranslated = []
    for column in report.columns:
        own = zh.get(column.label) or zh.get(f"report.column.{column.key}")
        shaped = [(m, msgid, prefix) for p, msgid, prefix in shapes if (m := p.match(column.label))]
        if not own and not (shaped and zh.get(shaped[0][1])):
            untranslated.append(column.label)
        # A reason's or a code's own words too (the seat's), where the page looks them up.
        for found, _, prefix in shaped:
            if prefix and found.group(1) != "-" and not zh.get(prefix + found.group(1)):
                untranslated.append(column.label)
    if kind in ("queue", "agent"):  # their labels carry values: the shapes are exercised
        assert any(":" in c.label or "(" in c.label for c in report.columns)
    assert untranslated == []
