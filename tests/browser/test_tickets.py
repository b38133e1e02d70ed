"""The tickets pages in chromium against the real web tier (switchboard.testing.ticketsite,
a SQLite file, tickets due on a clock the test sets): a supervisor filters the list and
sees the overdue ticket marked; a ticket moves through its states with the buttons and
the audit shows each move; a move the machine forbids is not offered, and a forged one
is refused with the reason. Screenshots in both languages at 1366x768 and 1920x1080."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from switchboard.testing.ticketsite import PASSWORD
from tests.browser.child import child
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, START_LIMIT_S, _note_console_error

NOW = 1_800_000_000.0  # Friday 2027-01-15 16:00 in Shanghai
DAY = 86400.0
ZHANG = {"name": "张伟", "phone": "13812345678"}


class Site:
    def __init__(self, url: str) -> None:
        self.url = url

    def _post(self, path: str, body: object) -> Any:
        data = json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def tickets(self, *tickets: dict[str, Any]) -> list[int]:
        base = {"type": "complaint", "category": "quality", "priority": "normal", "at": NOW}
        return list(
            self._post("/_test/tickets", {"tickets": [{**base, **t} for t in tickets]})["ids"]
        )

    def now(self, epoch: float) -> None:
        self._post("/_test/now", {"now": epoch})


@pytest.fixture
def site(chromium: Path, tmp_path: Path) -> Iterator[Site]:
    db = str(tmp_path / "tickets.sqlite")
    with child("switchboard.testing.ticketsite", "--db", db, start_limit_s=START_LIMIT_S) as line:
        assert "listening on " in line, line
        running = Site(line.rsplit("listening on ", 1)[1].strip())
        running.now(NOW)
        yield running


@pytest.fixture
def page(chromium: Path, tmp_path: Path) -> Iterator[Any]:
    """conftest's page, except that a refused form (4xx from a /tickets/ form post, which
    the page then shows) is expected: chromium logs its status as a console error."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 768},
        )
        errors: list[str] = []
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on("console", lambda msg: _note_console_error(msg, errors))
            yield page
        finally:
            context.close()
    refused_form = re.compile(r"status of 4\d\d .*/tickets/\d+/(status|comments|fields)\)$")
    unexpected = [e for e in errors if not refused_form.search(e)]
    assert not unexpected, "the page logged errors:\n" + "\n".join(unexpected)


def log_in(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/(seat|account)$"))


def seed(site: Site) -> list[int]:
    return site.tickets(
        {"at": NOW - 3 * DAY, "priority": "urgent", "subject": "空调三天不制冷", "customer": ZHANG},
        {"category": "emergency", "priority": "urgent", "subject": "小区停电", "owner": "wang"},
        {"category": "service", "subject": "客服态度差", "type": "follow_up"},
        {"category": "quality", "subject": "热水器漏水", "priority": "low"},
    )


def test_a_supervisor_filters_the_list_and_sees_the_overdue_ticket_marked(
    site: Site, page: Any
) -> None:
    late, soon, calm, low = seed(site)
    log_in(page, site, "boss")
    page.click('a.sb-nav[href="/tickets"]')  # the account bar's 工单
    rows = page.locator("#tk-list tbody tr")
    expect(rows).to_have_count(4)
    late_row = page.locator(f'tr[data-ticket="{late}"]')
    expect(late_row.locator(".tk-overdue")).to_have_text("⚠ 逾期")
    expect(page.locator(f'tr[data-ticket="{soon}"] .tk-soon')).to_have_text("◷ 即将到期")
    expect(page.locator(f'tr[data-ticket="{calm}"] .tk-mark')).to_have_count(0)
    expect(page.locator('#tk-figures tr[data-category="quality"] td').first).to_have_text("2")

    page.select_option("select[name=category]", "quality")
    page.click("button[type=submit].tk-primary")
    expect(rows).to_have_count(2)
    expect(page.locator(f'tr[data-ticket="{low}"]')).to_be_visible()
    page.check("input[name=overdue]")
    page.click("button[type=submit].tk-primary")
    expect(rows).to_have_count(1)
    expect(late_row).to_contain_text("空调三天不制冷")
    expect(late_row).to_contain_text("张伟")
    assert "overdue=1" in page.url and "category=quality" in page.url

    page.fill("input[name=from]", "2027-01-20")  # nothing opened after the 20th
    page.click("button[type=submit].tk-primary")
    expect(page.locator(".tk-empty")).to_be_visible()


def status_rows(page: Any) -> list[str]:
    cells = page.locator('#tk-audit tr[data-field="status"] td:last-child').all_inner_texts()
    return [re.sub(r"\s+", " ", c).strip() for c in cells]


def test_a_ticket_moves_through_its_states_and_the_audit_shows_each_move(
    site: Site, page: Any
) -> None:
    [ticket] = site.tickets({"subject": "空调不制冷"})
    log_in(page, site, "boss")
    page.goto(f"{site.url}/tickets/{ticket}")
    moves = page.locator("#tk-moves button")
    expect(moves).to_have_text(["标记为处理中", "标记为已解决"])  # never "closed" from open
    for label, status, at in (
        ("标记为处理中", "处理中", NOW + 600),
        ("标记为已解决", "已解决", NOW + 1200),
        ("标记为已关闭", "已关闭", NOW + 1800),
    ):
        site.now(at)
        page.get_by_role("button", name=label).click()
        expect(page.locator("#tk-status")).to_have_text(status)
        expect(page.locator("#tk-saved")).to_have_text("已保存。")
    expect(moves).to_have_text(["重新打开"])
    assert status_rows(page) == [
        "— → 待处理",
        "待处理 → 处理中",
        "处理中 → 已解决",
        "已解决 → 已关闭",
    ]
    assert page.locator('#tk-audit tr[data-field="status"] td').nth(1).inner_text() == "boss"
    assert "2027-01-15 16:30" in page.locator('#tk-audit tr[data-field="status"]').last.inner_text()

    page.fill("#tk-comment", "已上门维修，客户满意")
    page.get_by_role("button", name="添加备注").click()
    expect(page.locator("#tk-comments li")).to_have_count(1)
    expect(page.locator("#tk-comments")).to_contain_text("已上门维修，客户满意")


def test_a_forged_move_is_refused_with_the_allowed_ones_named(site: Site, page: Any) -> None:
    [ticket] = site.tickets({"subject": "空调不制冷"})
    log_in(page, site, "boss")
    page.goto(f"{site.url}/tickets/{ticket}")
    # A hand-edited form: the "in progress" button made to ask for "closed".
    page.locator('#tk-moves button[data-move="in_progress"]').evaluate(
        "button => { button.value = 'closed'; }"
    )
    page.locator('#tk-moves button[data-move="in_progress"]').click()
    refusal = page.locator("#tk-refusal")
    expect(refusal).to_contain_text(f"已拒绝：工单 #{ticket} 不能从“待处理”变为“已关闭”。")
    expect(refusal).to_contain_text("现在可以：处理中, 已解决。")
    expect(page.locator("#tk-status")).to_have_text("待处理")
    assert status_rows(page) == ["— → 待处理"]  # nothing changed, nothing audited

    # A script posting without the page's token is refused outright.
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    stale = page.request.post(
        f"{site.url}/tickets/{ticket}/status", form={"status": "resolved", "csrf_token": "x"}
    )
    assert stale.status == 403 and "表单已过期" in stale.text()
    forged = page.request.post(
        f"{site.url}/tickets/{ticket}/status", form={"status": "closed", "csrf_token": token}
    )
    assert forged.status == 409 and "不能从“待处理”变为“已关闭”" in forged.text()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_screenshots_of_the_list_and_a_ticket(site: Site, page: Any, lang: str) -> None:
    late, *_ = seed(site)
    for body in ("已联系客户，明天上门", "客户要求加急"):
        site.tickets({"subject": body})  # more rows
    log_in(page, site, "boss" if lang == "zh-CN" else "root")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(site.url + "/tickets")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator(".tk-overdue").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        page.screenshot(path=str(ARTIFACTS / f"tickets-list-{lang}-{width}.png"), full_page=True)
        page.goto(f"{site.url}/tickets/{late}")
        expect(page.locator("#tk-audit")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"tickets-detail-{lang}-{width}.png"), full_page=True)
