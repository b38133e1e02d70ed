"""The reports page in chromium against the real web tier and REST API (switchboard.testing.
reportsite) over stored calls: the queue report of a day by hour shows the API's numbers,
draws its charts, changes language, exports the same rows as CSV, shows the API's message
for a bad range; screenshots in both languages at 1366x768 and 1920x1080."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from switchboard.testing.reportsite import PASSWORD
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, ROOT, START_LIMIT_S

DAY = "2026-12-01"


def at(clock: str) -> float:
    return datetime.fromisoformat(f"{DAY}T{clock}+08:00").timestamp()


def answered(call: str, queue: str, queued: str, waited: float, talk: float) -> list[Any]:
    start = at(queued)
    return [
        ("CallQueued", {"call_id": call, "queue": queue, "at": start, "caller_number": "138"}),
        (
            "CallAnswered",
            {"call_id": call, "queue": queue, "agent_id": "1001", "at": start + waited,
             "waited_s": waited},
        ),
        (
            "CallHandled",
            {"call_id": call, "queue": queue, "agent_id": "1001",
             "at": start + waited + talk + 30, "talk_s": talk, "wrap_s": 30.0},
        ),
    ]  # fmt: skip


def abandoned(call: str, queue: str, queued: str, waited: float) -> list[Any]:
    start = at(queued)
    return [
        ("CallQueued", {"call_id": call, "queue": queue, "at": start, "caller_number": "139"}),
        (
            "QueueLeft",
            {"call_id": call, "queue": queue, "at": start + waited, "outcome": "abandoned",
             "waited_s": waited},
        ),
    ]  # fmt: skip


def state(agent: str, clock: str, now: str, was: str, reason: str = "") -> Any:
    fields = {"agent_id": agent, "state": now, "previous": was, "at": at(clock)}
    return ("AgentStateChanged", {**fields, "reason": reason} if reason else fields)


CALLS = [
    state("1001", "08:50:00", "ready", "logged_out"),
    state("1001", "12:00:00", "not_ready", "ready", "lunch"),
    state("1001", "13:00:00", "ready", "not_ready"),
    state("1001", "17:30:00", "logged_out", "ready"),
    *answered("c1", "sales", "09:05:00", 10.0, 240.0),
    *abandoned("c2", "sales", "09:20:00", 40.0),
    *answered("c3", "sales", "09:40:00", 25.0, 7300.0),
    *answered("c4", "sales", "14:10:00", 3.0, 95.0),
    *abandoned("s1", "support", "10:00:00", 2.0),
]


class Site:
    def __init__(self, db: Path, now: str | None = None) -> None:
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "switchboard.testing.reportsite", "--db", str(db)]
            + (["--now", now] if now else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            bufsize=0,  # unbuffered: no line waits in a buffer select() cannot see
            env=env,
            cwd=ROOT,
        )
        assert self.process.stdout is not None
        line, said = "", []
        while "listening on " not in line:
            ready, _, _ = select.select([self.process.stdout], [], [], 3 * START_LIMIT_S)
            line = self.process.stdout.readline().decode() if ready else ""
            said.append(line)
            if not line:
                self.process.kill()
                pytest.fail("the report site did not start:\n" + "".join(said), pytrace=False)
        self.url = line.rsplit("listening on ", 1)[1].strip()

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def facts(self, facts: list[Any]) -> None:
        import urllib.request

        body = json.dumps({"facts": [{"kind": k, "fields": f} for k, f in facts]}).encode()
        request = urllib.request.Request(self.url + "/_test/facts", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["published"] == len(facts)


@pytest.fixture
def site(chromium: Path, tmp_path: Path) -> Iterator[Site]:
    running = Site(tmp_path / "reports.sqlite")
    running.facts(CALLS)
    yield running
    running.stop()


@pytest.fixture
def page(chromium: Path, tmp_path: Path) -> Iterator[Any]:
    """conftest's page, with downloads, and a refused report (a 400 the page shows) not
    counted as an error of the page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 768},
            accept_downloads=True,
        )
        errors: list[str] = []
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on(
                "console",
                lambda msg: (
                    errors.append(f"console: {msg.text}")
                    if msg.type == "error" and "/api/v1/reports/" not in msg.location.get("url", "")
                    else None
                ),
            )
            yield page
        finally:
            context.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


def log_in(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account")
    page.goto(site.url + "/reports")
    page.wait_for_selector("#reports[data-state=ready], #reports[data-state=error]")


def ask(page: Any, kind: str, start: str, end: str, interval: str, queue: str = "") -> None:
    page.select_option("#rp-kind", kind)
    page.select_option("#rp-preset", "custom")
    page.fill("#rp-from", start)
    page.fill("#rp-to", end)
    page.select_option("#rp-interval", interval)
    page.select_option("#rp-queue", queue)
    page.click("button.rp-run")
    page.wait_for_selector("#reports[data-state=ready], #reports[data-state=error]")


def clock(seconds: float) -> str:
    s = round(seconds)
    h, m = divmod(s, 3600)
    m, ss = divmod(m, 60)
    return f"{h}:{m:02d}:{ss:02d}" if h else f"{m}:{ss:02d}"


def shown(value: Any, unit: str) -> str:
    """What the page should show for an API value (reports.js's formatting)."""
    if value is None:
        return "—"
    if unit == "interval":
        return f"{value[5:10]} {value[11:16]}"  # by hour: month-day and time
    if unit == "s":
        return clock(value)
    if unit == "pct":
        return f"{value:.1f}%"
    if unit == "score":
        return f"{value:.2f}"
    return str(value)


def table(page: Any) -> list[list[str]]:
    rows: list[list[str]] = page.eval_on_selector_all(
        "#rp-table tbody tr",
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))",
    )
    return rows


def api(page: Any, path: str) -> Any:
    answer = page.request.get(page.url.split("/reports")[0] + path)
    return answer.status, answer.json()


def test_a_days_queue_report_by_hour_shows_the_apis_numbers_charts_and_exports(
    site: Site, page: Any
) -> None:
    log_in(page, site, "boss")  # supervisor of sales, zh-CN
    ask(page, "queue", DAY, DAY, "hour")
    status, report = api(page, f"/api/v1/reports/queue?from={DAY}&to={DAY}&interval=hour")
    assert status == 200
    assert [c["key"] for c in report["columns"]][:3] == ["interval", "queue", "offered"]
    expected = [[shown(r[c["key"]], c["unit"]) for c in report["columns"]] for r in report["rows"]]
    assert len(expected) == 24  # sales only, every hour of the day, the empty ones too
    assert table(page) == expected
    nine = next(row for row in table(page) if row[0] == "12-01 09:00")
    heads = page.eval_on_selector_all("#rp-table thead th", "ths => ths.map(t => t.dataset.key)")
    cells = dict(zip(heads, nine, strict=True))
    assert (cells["offered"], cells["answered"], cells["abandoned"]) == ("3", "2", "1")
    assert cells["aht_s"] == "1:03:20"  # (270 + 7330) / 2 s as h:mm:ss
    assert cells["longest_wait_s"] == "0:40"
    empty = next(row for row in table(page) if row[0] == "12-01 03:00")
    assert dict(zip(heads, empty, strict=True))["offered"] == "0"
    assert page.locator("#rp-chart-counts svg").count() == 1  # ECharts drew
    assert page.locator("#rp-chart-rates svg").count() == 1
    assert page.inner_text('#rp-table th[data-key="offered"]') == "呼入"
    assert page.inner_text('#rp-table th[data-key="abandoned"]') == "放弃"
    assert page.inner_text('#rp-table th[data-key="service_level_1_pct"]') == "服务水平（20 秒）"

    with page.expect_download() as download:
        page.click("#rp-csv")
    saved = Path(download.value.path())
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert [r["interval"] for r in rows] == [r["interval"] for r in report["rows"]]
    assert [int(r["offered"]) for r in rows] == [r["offered"] for r in report["rows"]]
    assert download.value.suggested_filename.endswith(".csv")

    page.click('[data-sb-language="en"]')  # reloads: the same report, in English
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#reports[data-state=ready]")
    assert page.inner_text('#rp-table th[data-key="offered"]') == "Offered"
    assert page.inner_text('#rp-table th[data-key="service_level_1_pct"]') == "Service level (20 s)"
    assert table(page) == expected  # the form came back from the address


def test_a_range_ending_before_it_starts_shows_the_apis_message(site: Site, page: Any) -> None:
    log_in(page, site, "root")
    ask(page, "agent", "2026-12-02", DAY, "day")
    status, body = api(page, f"/api/v1/reports/agent?from=2026-12-02&to={DAY}&interval=day")
    assert status == 400
    problem = page.locator("#rp-problem")
    expect(problem).to_be_visible()
    expect(problem).to_have_text(body["error"]["message"])
    assert page.locator("#rp-table-box").is_hidden()
    assert page.locator("#rp-csv").get_attribute("aria-disabled") == "true"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_screenshots_fit_both_screens_without_scrolling_sideways(
    site: Site, page: Any, lang: str
) -> None:
    log_in(page, site, "boss" if lang == "zh-CN" else "root")
    assert page.locator("html").get_attribute("lang") == lang
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        ask(page, "queue", DAY, DAY, "hour", "sales")
        page.wait_for_selector("#rp-chart-counts svg")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"reports-{lang}-{width}x{height}.png"))
    ask(page, "agent", DAY, DAY, "hour")
    # A column named after a reason names it as the seat does, in the site's words where
    # it configured some (the report site calls lunch 午休 in zh-CN), never as a bare code.
    reason = {"zh-CN": "未就绪：午休", "en": "Not ready: Lunch"}[lang]
    expect(page.locator("#rp-table th", has_text=reason)).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.screenshot(path=str(ARTIFACTS / f"reports-agent-{lang}.png"), full_page=True)
    for kind in ("ivr", "complaints", "scorecard"):  # the generic table and charts
        ask(page, kind, DAY, DAY, "day")
        state = page.locator("#reports").get_attribute("data-state")
        assert state == "ready", (kind, page.locator("#reports").inner_text()[:300])
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920
        page.screenshot(path=str(ARTIFACTS / f"reports-{kind}-{lang}.png"), full_page=True)
