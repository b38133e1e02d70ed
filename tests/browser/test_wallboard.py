"""The wallboard in chromium against the real web tier and wallboard (switchboard.testing.
wallboardsite): a supervisor sees a call waiting, then answered, without a reload; after a
restart of the process the day's figures are the same. Screenshots in both languages."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from switchboard.testing.wallboardsite import PASSWORD
from tests.browser.conftest import ARTIFACTS, ROOT, START_LIMIT_S


class Site:
    """One wallboardsite process over ``db``; :meth:`restart` replaces it on the same file."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.start()

    def start(self) -> None:
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "switchboard.testing.wallboardsite", "--db", str(self.db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        assert process.stdout is not None
        line = ""
        while "listening on " not in line:
            ready, _, _ = select.select([process.stdout], [], [], START_LIMIT_S)
            line = process.stdout.readline().decode() if ready else ""
            if not line:
                process.kill()
                pytest.fail("the wallboard site did not start", pytrace=False)
        self.process, self.url = process, line.rsplit("listening on ", 1)[1].strip()

    def stop(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def facts(self, *facts: tuple[str, dict[str, Any]]) -> None:
        body = json.dumps({"facts": [{"kind": k, "fields": f} for k, f in facts]}).encode()
        request = urllib.request.Request(self.url + "/_test/facts", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["published"] == len(facts)


@pytest.fixture
def site(chromium: Path, tmp_path: Path) -> Iterator[Site]:
    running = Site(tmp_path / "wallboard.sqlite")
    yield running
    running.stop()


def log_in(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(site.url + "/wallboard")
    page.wait_for_selector("#wallboard[data-state=live]")


def value(page: Any, queue: str, name: str) -> Any:
    return page.locator(f'[data-queue="{queue}"] .wb-{name} .wb-fig-value')


def figure(page: Any, queue: str, name: str) -> str:
    text: str = value(page, queue, name).inner_text()
    return text


def tile_figures(page: Any) -> dict[str, str]:
    names = ("waiting", "offered", "answered", "abandoned", "sl", "asa", "abandon-pct")
    return {n: figure(page, "sales", n) for n in names}


def test_a_waiting_call_then_answered_changes_the_numbers_and_survives_a_restart(
    site: Site, page: Any
) -> None:
    log_in(page, site, "boss")
    assert page.locator("[data-queue]").count() == 1  # sales only: boss supervises it
    assert figure(page, "sales", "waiting") == "0"
    site.facts(
        ("AgentStateChanged", {"agent_id": "1001", "state": "ready", "previous": "logged_out"}),
        ("CallQueued", {"call_id": "c1", "queue": "sales", "caller_number": "13800138000"}),
    )
    expect(value(page, "sales", "waiting")).to_have_text("1")
    assert page.locator("#wb-waiting tbody tr[data-call=c1]").count() == 1
    assert "13800138000" in page.locator("#wb-waiting").inner_text()
    site.facts(
        ("CallAnswered", {"call_id": "c1", "queue": "sales", "agent_id": "1001", "waited_s": 6.0}),
        ("AgentStateChanged", {"agent_id": "1001", "state": "on_call", "previous": "ready"}),
    )
    expect(value(page, "sales", "answered")).to_have_text("1")
    before = tile_figures(page)
    assert before["waiting"] == "0" and before["offered"] == "1" and before["sl"] == "100.0%"
    assert page.locator("#wb-waiting tbody tr").count() == 0
    assert "on_call" in (
        page.locator("#wb-agents tr[data-agent='1001']").get_attribute("class") or ""
    )

    site.restart()  # a new process, reading the day back from the records
    page.goto(site.url + "/wallboard")  # on another port; the stored session still holds
    page.wait_for_selector("#wallboard[data-state=live]")
    assert tile_figures(page) == before


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_screenshots_of_the_wallboard_and_its_big_screen_mode(
    site: Site, page: Any, lang: str
) -> None:
    user = "boss" if lang == "zh-CN" else "root"
    site.facts(
        ("AgentStateChanged", {"agent_id": "1001", "state": "ready", "previous": "logged_out"}),
        (
            "AgentStateChanged",
            {"agent_id": "1002", "state": "not_ready", "previous": "logged_out", "reason": "lunch"},
        ),
        (
            "CallQueued",
            {
                "call_id": "a",
                "queue": "sales",
                "caller_number": "13800138000",
                "customer_tier": 2,
                "language": "zh",
            },
        ),
        ("CallAnswered", {"call_id": "a", "queue": "sales", "agent_id": "1001", "waited_s": 12.0}),
        (
            "CallQueued",
            {"call_id": "b", "queue": "sales", "caller_number": "13900139000", "language": "en"},
        ),
        ("CallQueued", {"call_id": "c", "queue": "support", "caller_number": "13700137000"}),
        (
            "QueueLeft",
            {"call_id": "c", "queue": "support", "outcome": "abandoned", "waited_s": 40.0},
        ),
    )
    log_in(page, site, user)
    html_lang = page.locator("html").get_attribute("lang")
    assert html_lang == lang
    page.wait_for_selector("#wb-chart-sl svg")  # ECharts drew
    # A label that wraps ("Service level (20 s)" at 1366 px) must not push its figure
    # below the others of the tile's main row.
    tops = page.eval_on_selector_all(
        ".wb-main",
        "rows => rows.map(r => [...r.querySelectorAll('.wb-fig-value')]"
        ".map(v => Math.round(v.getBoundingClientRect().top)))",
    )
    assert tops and all(len(set(row)) == 1 for row in tops), tops
    spill = page.eval_on_selector_all(
        ".wb-tile",
        "tiles => tiles.flatMap(t => [...t.querySelectorAll('.wb-fig-value')]"
        ".filter(v => v.getBoundingClientRect().right > t.getBoundingClientRect().right)"
        ".map(v => v.textContent))",
    )
    assert spill == []  # every figure inside its tile
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wallboard-{lang}.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(site.url + "/wallboard?tv=1")
    page.wait_for_selector("#wallboard[data-state=live]")
    assert page.locator("[data-sb-logout]").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1920  # fitted: no horizontal scrolling on the TV
    page.screenshot(path=str(ARTIFACTS / f"wallboard-tv-{lang}.png"), full_page=True)
