"""The customer pages on the real web tier (in memory, fake clock, migrated SQLite):
search by any key, a customer's history, every view a logged read, agents limited to the
customers their seat may read, bad input a 400 page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from switchboard.accounts.model import Role
from switchboard.config import CrmSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.reads import reads_of
from switchboard.crm.tickets import TicketPolicy, open_ticket
from switchboard.ivr_flows.records import CsatResponse
from switchboard.queue.core.decisions import CallAnswered, CallFinished, CallQueued
from switchboard.queue.core.model import CallOutcome
from switchboard.queue.store.records import record_facts
from switchboard.recorder.models import Recording
from switchboard.seat.access import CustomerAccess
from switchboard.seat.models import SeatDisposition
from switchboard.web.customer_pages import customer_routes
from tests.web.browser import Response
from tests.web.stack import Stack, make_stack

NOW = 1_800_000_000.0
POLICY = TicketPolicy.from_settings(CrmSettings())


class _LateDatabase:
    def __init__(self, made: list[Stack]) -> None:
        self._made = made

    def run(self, work: Any) -> Any:
        return self._made[0].database.run(work)


@pytest.fixture
def access() -> CustomerAccess:
    return CustomerAccess()


def _stack(tmp_path: Path, access: CustomerAccess, **web: Any) -> Stack:
    made: list[Stack] = []
    stack = make_stack(
        tmp_path / "web",
        extra_routes=(
            customer_routes(_LateDatabase(made), access, lambda: made[0].clock.seconds()),  # type: ignore[arg-type]
        ),
        **web,
    )
    made.append(stack)
    stack.add_user("boss", role=Role.SUPERVISOR, agent_id=None)
    stack.add_user("wang", agent_id="1001")
    stack.add_user("li", agent_id="1002", language="en")
    return stack


@pytest.fixture
def stack(tmp_path: Path, access: CustomerAccess) -> Iterator[Stack]:
    stack = _stack(tmp_path, access)
    yield stack
    stack.database.close()


def _run(stack: Stack, work: Any) -> Any:
    result: list[Any] = []
    stack.database.run(work).addCallback(result.append)
    return result[0]


def _customers(stack: Stack) -> tuple[int, int]:
    def work(session: Any) -> tuple[int, int]:
        zhang = add_customer(session, "张伟", {"phone": "13800138000"}, tags=["金卡"])
        li = add_customer(session, "李娜", {"phone": "13912345678"})
        session.flush()
        return zhang.id, li.id

    return _run(stack, work)  # type: ignore[no-any-return]


def _found(page: Response) -> list[int]:
    return [int(m) for m in re.findall(r'<tr data-customer="(\d+)"', page.text)]


@pytest.mark.parametrize("query", ["zhangwei", "zw", "8000", "张"])
def test_the_search_finds_by_pinyin_initials_last_digits_and_name(stack: Stack, query: str) -> None:
    zhang, _ = _customers(stack)
    browser, _ = stack.logged_in("boss")
    page = browser.get(f"/customers?q={quote(query)}")
    assert page.status == 200
    assert _found(page) == [zhang]


def test_each_search_result_is_a_logged_read(stack: Stack) -> None:
    zhang, li = _customers(stack)
    browser, _ = stack.logged_in("boss")
    browser.get("/customers?q=zhangwei")
    reads = _run(stack, lambda s: reads_of(s, zhang))["reads"]
    assert [(r["username"], r["via"]) for r in reads] == [("boss", "web:search")]
    assert _run(stack, lambda s: reads_of(s, li))["total"] == 0


def test_the_history_shows_the_customer_and_their_tickets_and_is_a_logged_read(
    stack: Stack,
) -> None:
    zhang, _ = _customers(stack)
    ticket = _run(
        stack,
        lambda s: open_ticket(
            s,
            POLICY,
            actor="boss",
            now=NOW,
            type="complaint",
            category="quality",
            priority="normal",
            subject="空调不制冷",
            customer_id=zhang,
        ),
    )["id"]
    browser, _ = stack.logged_in("boss")
    page = browser.get(f"/customers/{zhang}")
    assert page.status == 200
    assert "张伟" in page.text and "金卡" in page.text
    assert f'href="/tickets/{ticket}"' in page.text
    reads = _run(stack, lambda s: reads_of(s, zhang))["reads"]
    assert [(r["username"], r["via"], r["address"]) for r in reads] == [
        ("boss", "web", "192.0.2.10")
    ]


def test_an_agent_reads_only_the_customers_their_search_found(stack: Stack) -> None:
    zhang, li = _customers(stack)
    browser, _ = stack.logged_in("wang")
    refused = browser.get(f"/customers/{zhang}")
    assert refused.status == 403
    assert _run(stack, lambda s: reads_of(s, zhang))["total"] == 0
    assert _found(browser.get("/customers?q=8000")) == [zhang]
    page = browser.get(f"/customers/{zhang}")
    assert page.status == 200
    # masked as on the seat's card (whose audited reveal shows the whole number)
    assert "*******8000" in page.text and "13800138000" not in page.text
    assert browser.get(f"/customers/{li}").status == 403  # not found by their search
    boss, _ = stack.logged_in("boss")
    assert "13800138000" in boss.get(f"/customers/{zhang}").text  # a supervisor sees it


def test_an_unknown_customer_is_a_404_page(stack: Stack) -> None:
    browser, _ = stack.logged_in("boss")
    assert browser.get("/customers/999").status == 404


@pytest.mark.parametrize("query", ["q=" + "x" * 101, "q=a&page=zero", "q=a&page=0"])
def test_bad_input_is_a_400_naming_the_problem(stack: Stack, query: str) -> None:
    browser, _ = stack.logged_in("boss")
    page = browser.get(f"/customers?{query}")
    assert page.status == 400 and "tk-problem" in page.text


def test_the_english_page_speaks_english(stack: Stack) -> None:
    _customers(stack)
    browser, _ = stack.logged_in("li")
    page = browser.get("/customers?q=zhangwei")
    assert "Customers" in page.text and "1 customers found" in page.text
    boss, _ = stack.logged_in("boss")
    assert "客户" in boss.get("/customers").text


def test_someone_not_logged_in_is_sent_to_the_login(stack: Stack) -> None:
    for path in ("/customers", "/customers/1"):
        answer = stack.browser().get(path)
        assert answer.status == 303 and answer.header("location") == "/login"


def _answered_call(stack: Stack, code: str) -> int:
    """Call c9 from 张伟's phone, answered by 1002 and given ``code``, with a CSAT answer
    and a recording: the recording's id."""

    def work(session: Any) -> int:
        record_facts(
            session,
            [
                CallQueued("c9", "support", NOW, NOW, caller_number="13800138000"),
                CallAnswered("c9", "support", "1002", NOW + 5, 5.0),
                CallFinished("c9", "support", NOW + 65, CallOutcome.ANSWERED, "1002"),
            ],
        )
        at = datetime.fromtimestamp(NOW, UTC)
        session.add(
            SeatDisposition(
                call_id="c9", agent_id="1002", queue="support", code=code, note="", at=at
            )
        )
        session.add(CsatResponse(call_id="c9", agent="1002", queue="support", score=2))
        recording = Recording(
            call_id="c9",
            linked_id="c9",
            started_at=at,
            path="/rec/c9.wav",
            status="ok",
            indexed_at=at,
        )
        session.add(recording)
        session.flush()
        return int(recording.id)

    return _run(stack, work)  # type: ignore[no-any-return]


def _call_row(browser: Any, customer: int) -> str:
    page = browser.get(f"/customers/{customer}")
    row = re.search(r'<tr data-call="c9".*?</tr>', page.text, re.S)
    assert row is not None, page.text
    return row.group(0)


def test_the_history_shows_a_call_with_its_disposition_recording_and_csat(stack: Stack) -> None:
    zhang, _ = _customers(stack)
    recording = _answered_call(stack, "complaint")
    browser, _ = stack.logged_in("boss")
    row = _call_row(browser, zhang)
    # The disposition in the reader's words (zh-CN here), not its stored code.
    assert "support" in row and "1002" in row and "<td>投诉</td>" in row
    assert f'href="/recordings/{recording}/audio"' in row
    page = browser.get(f"/customers/{zhang}")
    assert re.search(r'id="customer-csat">\s*<li>[^<]*· 2</li>', page.text)


def test_a_sites_own_disposition_code_shows_in_the_words_it_configured(
    tmp_path: Path, access: CustomerAccess
) -> None:
    # [seat] disposition_labels: a code the project never shipped, named per language;
    # a language the site left out shows the code itself.
    labels = {"disposition.": {"sold": {"zh-CN": "已成交"}}}
    stack = _stack(tmp_path, access, site_labels=labels)
    stack.add_user("boss-en", role=Role.SUPERVISOR, agent_id=None, language="en")
    zhang, _ = _customers(stack)
    _answered_call(stack, "sold")
    assert "<td>已成交</td>" in _call_row(stack.logged_in("boss")[0], zhang)
    assert "<td>sold</td>" in _call_row(stack.logged_in("boss-en")[0], zhang)
    stack.database.close()


def _csrf(page: Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_a_duplicate_is_merged_through_the_forms_and_an_admin_undoes_it(stack: Stack) -> None:
    zhang, li = _customers(stack)
    stack.add_user("root", role=Role.ADMIN, agent_id=None)
    browser, _ = stack.logged_in("boss")
    confirm = browser.get(f"/customers/{zhang}/merge?duplicate={li}")
    assert confirm.status == 200 and "张伟" in confirm.text and "李娜" in confirm.text
    forged = browser.post_form(f"/customers/{zhang}/merge", {"duplicate": str(li)})
    assert forged.status == 403
    assert "已合并到" not in browser.get(f"/customers/{li}").text
    done = browser.post_form(
        f"/customers/{zhang}/merge", {"duplicate": str(li), "csrf_token": _csrf(confirm)}
    )
    assert done.status == 303 and done.header("location") == f"/customers/{zhang}"
    merged = browser.get(f"/customers/{li}")
    assert "已合并到" in merged.text and f'href="/customers/{zhang}"' in merged.text
    assert 'id="undo-form"' not in merged.text  # undo is the administrators'
    root, _ = stack.logged_in("root")
    page = root.get(f"/customers/{li}")
    action = re.search(r'action="(/customers/merges/\d+/undo)"', page.text)
    assert action is not None
    undone = root.post_form(action.group(1), {"csrf_token": _csrf(page)})
    assert undone.status == 303
    assert "已合并到" not in root.get(f"/customers/{li}").text


@pytest.mark.parametrize("duplicate", ["abc", "", "1e9"])
def test_a_bad_duplicate_is_a_400_never_a_500(stack: Stack, duplicate: str) -> None:
    zhang, _ = _customers(stack)
    browser, _ = stack.logged_in("boss")
    assert browser.get(f"/customers/{zhang}/merge?duplicate={duplicate}").status == 400
