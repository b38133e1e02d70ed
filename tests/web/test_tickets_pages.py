"""The tickets pages on the real web tier (in memory, fake clock, migrated SQLite):
the list with its filters, marks and figures; one ticket with its status buttons,
comments and audit; forms refused without the session's CSRF token; illegal moves
refused with the allowed ones named; agents limited to their own tickets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.accounts.model import Role
from switchboard.config import CrmSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.tickets import TicketPolicy, open_ticket, ticket_detail
from switchboard.web.tickets_pages import ticket_routes
from tests.web.browser import Browser, Response
from tests.web.stack import Stack, make_stack

NOW = 1_800_000_000.0  # Friday 2027-01-15 16:00 in Shanghai: two business hours left
DAY = 86400.0
POLICY = TicketPolicy.from_settings(CrmSettings())


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    made: list[Stack] = []
    stack = make_stack(
        tmp_path / "web",
        extra_routes=(ticket_routes(_LateDatabase(made), POLICY, lambda: _now_of(made)),),
    )
    made.append(stack)
    assert stack.clock.seconds() == NOW
    stack.add_user("boss", role=Role.SUPERVISOR, agent_id=None)
    stack.add_user("wang", agent_id="1001")
    stack.add_user("li", agent_id="1002", language="en")
    yield stack
    stack.database.close()


class _LateDatabase:
    """The stack's database, known only once the stack is made (the routes come first)."""

    def __init__(self, made: list[Stack]) -> None:
        self._made = made

    def run(self, work: Any) -> Any:
        return self._made[0].database.run(work)


def _now_of(made: list[Stack]) -> float:
    return made[0].clock.seconds()


def _run(stack: Stack, work: Any) -> Any:
    result: list[Any] = []
    stack.database.run(work).addCallback(result.append)
    return result[0]


def _open(stack: Stack, *, at: float = NOW, actor: str = "boss", **fields: Any) -> int:
    wanted = {
        "type": "complaint",
        "category": "quality",
        "priority": "normal",
        "subject": "空调不制冷",
        **fields,
    }
    made = _run(stack, lambda s: open_ticket(s, POLICY, actor=actor, now=at, **wanted))
    return int(made["id"])


def _rows(page: Response) -> dict[int, str]:
    """Each listed ticket's id and its row's HTML."""
    return {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r'<tr data-ticket="(\d+)".*?</tr>', page.text, re.S)
    }


def _three(stack: Stack) -> tuple[int, int, int]:
    late = _open(stack, at=NOW - 3 * DAY, priority="urgent", subject="三天前的投诉")
    soon = _open(stack, category="emergency", priority="urgent", subject="停电", actor="wang")
    calm = _open(stack, category="service", subject="态度问题", owner="li")
    return late, soon, calm


def test_a_supervisor_sees_every_ticket_the_overdue_and_due_soon_marked(stack: Stack) -> None:
    late, soon, calm = _three(stack)
    browser, _ = stack.logged_in("boss")
    page = browser.get("/tickets")
    assert page.status == 200
    rows = _rows(page)
    assert list(rows) == [late, soon, calm]  # soonest due first
    assert "tk-row-overdue" in rows[late] and "逾期" in rows[late]
    assert "tk-row-soon" in rows[soon] and "即将到期" in rows[soon]
    assert "逾期" not in rows[calm] and "即将到期" not in rows[calm]


def test_the_figures_count_each_category_and_the_closure_rate(stack: Stack) -> None:
    late, soon, _calm = _three(stack)
    for status in ("in_progress", "resolved"):  # resolved before its due time
        _run(stack, lambda s, st=status: _move(s, soon, st, NOW + 60))
    _run(stack, lambda s: _move(s, late, "resolved", NOW))  # three days late
    browser, _ = stack.logged_in("boss")
    page = browser.get("/tickets?from=2027-01-01&to=2027-01-31")
    figures = {
        m.group(1): re.findall(r'<td class="num[^"]*">([^<]*)</td>', m.group(2))
        for m in re.finditer(r'<tr data-category="(\w+)">(.*?)</tr>', page.text, re.S)
    }
    # opened, resolved, resolved within SLA, closure rate
    assert figures["quality"] == ["1", "1", "0", "0%"]
    assert figures["emergency"] == ["1", "1", "1", "100%"]
    assert figures["service"] == ["1", "0", "0", "0%"]
    assert figures["general"] == ["0", "0", "0", "—"]
    assert "逾期 0" in page.text  # the late one is resolved now


def _move(session: Any, ticket_id: int, status: str, at: float) -> None:
    from switchboard.crm.tickets import update_ticket

    update_ticket(session, POLICY, ticket_id, actor="boss", now=at, status=status)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=1", [0]),
        ("due_soon=1", [1]),
        ("overdue=1&due_soon=1", [0, 1]),
        ("category=service", [2]),
        ("priority=urgent", [0, 1]),
        ("owner=li", [2]),
        ("status=active&type=complaint", [0, 1, 2]),
        ("status=resolved", []),
        ("from=2027-01-15&to=2027-01-15", [1, 2]),
        ("to=2027-01-14", [0]),
    ],
)
def test_the_filters_select_the_tickets(stack: Stack, query: str, expected: list[int]) -> None:
    ids = _three(stack)
    browser, _ = stack.logged_in("boss")
    page = browser.get(f"/tickets?{query}")
    assert page.status == 200
    assert list(_rows(page)) == [ids[i] for i in expected]


def test_the_customer_filter_takes_an_id_or_part_of_a_name(stack: Stack) -> None:
    zhang = _run(stack, lambda s: add_customer(s, "张伟", {"phone": "13812345678"}).id)
    mine = _open(stack, customer_id=zhang)
    _open(stack)
    browser, _ = stack.logged_in("boss")
    assert list(_rows(browser.get(f"/tickets?customer={zhang}"))) == [mine]
    by_name = browser.get("/tickets?customer=%E5%BC%A0")  # 张
    assert list(_rows(by_name)) == [mine] and "张伟" in by_name.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("category=%27%20OR%201%3D1%20--", "category"),
        ("from=2027-13-01", "from"),
        ("from=2027-02-01&to=2027-01-01", "to"),
        ("page=0", "page"),
        ("owner=" + "x" * 101, "owner"),
    ],
)
def test_a_bad_filter_is_named_never_a_500(stack: Stack, query: str, field: str) -> None:
    _three(stack)
    browser, _ = stack.logged_in("boss")
    page = browser.get(f"/tickets?{query}")
    assert page.status == 400
    assert f'data-field="{field}"' in page.text and "无法使用" in page.text


def test_text_filters_are_data_not_sql(stack: Stack) -> None:
    _three(stack)
    browser, _ = stack.logged_in("boss")
    for text in ("%27%20OR%20%271%27%3D%271", "%25", "_"):
        page = browser.get(f"/tickets?customer={text}&owner={text}")
        assert page.status == 200 and _rows(page) == {}


def test_the_list_is_paged(stack: Stack) -> None:
    for n in range(55):
        _open(stack, at=NOW + n, subject=f"工单 {n}")
    browser, _ = stack.logged_in("boss")
    first = browser.get("/tickets?category=quality")
    assert len(_rows(first)) == 50 and "55" in first.text
    following = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert following is not None
    second = browser.get(following.group(1).replace("&amp;", "&"))
    assert len(_rows(second)) == 5 and "category=quality" in following.group(1)


def test_an_agent_sees_only_the_tickets_they_own_or_opened(stack: Stack) -> None:
    late, soon, calm = _three(stack)
    browser, _ = stack.logged_in("li")  # owns calm
    page = browser.get("/tickets")
    assert list(_rows(page)) == [calm]
    assert 'id="tk-figures"' not in page.text  # the centre's figures are the supervisors'
    refused = browser.get(f"/tickets/{late}")
    assert refused.status == 403 and "Not your ticket" in refused.text
    wang, _ = stack.logged_in("wang")  # opened soon
    assert list(_rows(wang.get("/tickets"))) == [soon]


def test_someone_not_logged_in_is_sent_to_the_login(stack: Stack) -> None:
    ticket = _open(stack)
    for path in ("/tickets", f"/tickets/{ticket}"):
        answer = stack.browser().get(path)
        assert answer.status == 303 and answer.header("location") == "/login"


def test_the_detail_offers_only_the_moves_the_machine_allows(stack: Stack) -> None:
    ticket = _open(stack, description="客户说第二次了")
    browser, _ = stack.logged_in("boss")
    page = browser.get(f"/tickets/{ticket}")
    assert page.status == 200
    assert re.findall(r'data-move="(\w+)"', page.text) == ["in_progress", "resolved"]
    assert "客户说第二次了" in page.text
    assert "2027-01-19 14:00" in page.text  # 16 business hours: Fri 2, Mon 9, Tue 5


def _status(browser: Browser, csrf: str, ticket: int, status: str) -> Response:
    return browser.post_form(f"/tickets/{ticket}/status", {"csrf_token": csrf, "status": status})


def test_each_move_is_made_and_audited(stack: Stack) -> None:
    ticket = _open(stack)
    browser, csrf = stack.logged_in("boss")
    for status, moves in (
        ("in_progress", ["resolved"]),
        ("resolved", ["closed", "open"]),
        ("closed", ["open"]),
    ):
        stack.clock.advance(600)
        answer = _status(browser, csrf, ticket, status)
        assert answer.status == 303
        assert answer.header("location") == f"/tickets/{ticket}?saved=status"
        page = browser.get(f"/tickets/{ticket}?saved=status")
        assert f'data-status="{status}"' in page.text and "已保存" in page.text
        assert re.findall(r'data-move="(\w+)"', page.text) == moves
    audit = re.findall(r'<tr data-field="status">(.*?)</tr>', page.text, re.S)
    assert [re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", row)).strip() for row in audit] == [
        "2027-01-15 16:00 boss 状态 — → 待处理",
        "2027-01-15 16:10 boss 状态 待处理 → 处理中",
        "2027-01-15 16:20 boss 状态 处理中 → 已解决",
        "2027-01-15 16:30 boss 状态 已解决 → 已关闭",
    ]


def test_a_forged_illegal_move_is_refused_with_the_allowed_ones_named(stack: Stack) -> None:
    ticket = _open(stack)
    browser, csrf = stack.logged_in("boss")
    answer = _status(browser, csrf, ticket, "closed")
    assert answer.status == 409
    text = re.sub(r"\s+", " ", answer.text)
    assert "不能从“待处理”变为“已关闭”" in text and "现在可以：处理中, 已解决" in text
    assert (
        _run(stack, lambda s: ticket_detail(s, ticket, now=NOW, policy=POLICY))["status"] == "open"
    )
    nonsense = _status(browser, csrf, ticket, "<b>gone</b>")
    assert nonsense.status == 409 and "&lt;b&gt;gone&lt;/b&gt;" in nonsense.text


def test_a_form_without_the_sessions_token_is_refused(stack: Stack) -> None:
    ticket = _open(stack)
    browser, _csrf = stack.logged_in("boss")
    for fields in ({"status": "resolved"}, {"status": "resolved", "csrf_token": "forged"}):
        answer = browser.post_form(f"/tickets/{ticket}/status", fields)
        assert answer.status == 403 and "Form expired" in answer.text
    detail = _run(stack, lambda s: ticket_detail(s, ticket, now=NOW, policy=POLICY))
    assert detail["status"] == "open"


def test_a_comment_is_added_and_an_empty_one_refused(stack: Stack) -> None:
    ticket = _open(stack)
    browser, csrf = stack.logged_in("boss")
    added = browser.post_form(
        f"/tickets/{ticket}/comments", {"csrf_token": csrf, "body": "已联系客户 <i>明天</i>上门"}
    )
    assert added.status == 303
    page = browser.get(f"/tickets/{ticket}")
    assert "已联系客户 &lt;i&gt;明天&lt;/i&gt;上门" in page.text
    empty = browser.post_form(f"/tickets/{ticket}/comments", {"csrf_token": csrf, "body": "  "})
    assert empty.status == 400 and "give the ticket a comment" in empty.text


def test_only_a_supervisor_reassigns_and_the_due_time_follows_the_priority(stack: Stack) -> None:
    ticket = _open(stack, owner="li")
    li, li_csrf = stack.logged_in("li")
    refused = li.post_form(
        f"/tickets/{ticket}/fields", {"csrf_token": li_csrf, "owner": "li", "priority": "low"}
    )
    assert refused.status == 403 and "only supervisors" in refused.text
    boss, csrf = stack.logged_in("boss")
    done = boss.post_form(
        f"/tickets/{ticket}/fields", {"csrf_token": csrf, "owner": "wang", "priority": "urgent"}
    )
    assert done.status == 303
    detail = _run(stack, lambda s: ticket_detail(s, ticket, now=NOW, policy=POLICY))
    assert (detail["owner"], detail["priority"]) == ("wang", "urgent")
    fields = [a["field"] for a in detail["audit"] if a["actor"] == "boss" and a["old"]]
    assert sorted(fields) == ["due_at", "owner", "priority"]


def test_an_agent_may_work_their_own_ticket_but_not_anothers(stack: Stack) -> None:
    theirs = _open(stack, owner="li")
    other = _open(stack, owner="wang")
    li, csrf = stack.logged_in("li")
    assert _status(li, csrf, theirs, "in_progress").status == 303
    refused = _status(li, csrf, other, "in_progress")
    assert refused.status == 403
    detail = _run(stack, lambda s: ticket_detail(s, other, now=NOW, policy=POLICY))
    assert detail["status"] == "open"


def test_an_unknown_ticket_is_a_404_page(stack: Stack) -> None:
    browser, csrf = stack.logged_in("boss")
    assert browser.get("/tickets/999").status == 404
    assert _status(browser, csrf, 999, "resolved").status == 404


def test_the_english_page_speaks_english(stack: Stack) -> None:
    mine = _open(stack, at=NOW - 3 * DAY, owner="li", category="emergency", priority="urgent")
    li, _ = stack.logged_in("li")  # English
    row = _rows(li.get("/tickets"))[mine]
    assert "Overdue" in row and "Emergency" in row and "Urgent" in row and "Complaint" in row
    page = li.get(f"/tickets/{mine}")
    assert "Mark as in progress" in page.text and "Audit" in page.text
