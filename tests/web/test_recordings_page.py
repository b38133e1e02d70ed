"""The recordings page (``GET /recordings``): who finds what, the search keys, a clear 400
for bad values, and the player, the pause intervals and the listeners of one recording."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url
from sqlalchemy.orm import Session
from twisted.internet.defer import succeed
from twisted.internet.task import Clock

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user
from switchboard.config import WebSettings
from switchboard.recorder.browser_audio import BrowserCopies
from switchboard.recorder.models import Recording, RecordingHold, RecordingPause
from switchboard.recorder.paths import PathMap
from switchboard.recorder.playback import RecordingPlayback
from switchboard.store.db import Database, create_database_engine
from switchboard.web.service import WebService, build_web
from tests.recorder.helpers import T0
from tests.recorder.seed import seed
from tests.recorder.test_playback import fetch, file_pulls_in_the_test  # noqa: F401
from tests.web.browser import Browser, Response
from tests.web.stack import CHEAP, PASSWORD, migrated_copy


@dataclass
class Site:
    web: WebService
    database: Database
    ids: dict[str, int]

    def browser(self, username: str) -> Browser:
        browser = Browser(self.web.site)
        assert browser.log_in(username, PASSWORD).status == 303
        return browser

    def page(self, username: str, query: str = "") -> Response:
        return self.browser(username).get("/recordings" + query)

    def add(self, *rows: object) -> None:
        with Session(self.database.engine) as session, session.begin():
            session.add_all(rows)


def shown(page: Response) -> set[int]:
    """The recordings listed in the results table."""
    return {int(n) for n in re.findall(r'<tr data-recording="(\d+)"', page.text)}


def build_site(tmp_path: Path, *, agent_may_play: bool, sox: str = "sox") -> Site:
    db_file = migrated_copy(tmp_path, tmp_path.parent)
    database = Database(
        create_database_engine(make_url(f"sqlite:///{db_file}")),
        None,
        runner=lambda work: succeed(work()),
    )
    spool = tmp_path / "spool"
    hashed = Passwords(CHEAP).hash(PASSWORD)
    with Session(database.engine) as session, session.begin():
        ids = seed(session, spool)
        add_user(session, "sam", hashed, role=Role.SUPERVISOR, queues=("support",))
        add_user(session, "sue", hashed, role=Role.SUPERVISOR, queues=("sales",), language="en")
        add_user(session, "ada", hashed, role=Role.ADMIN, language="en")
        add_user(session, "wang", hashed, role=Role.AGENT, agent_id="1002", display_name="王五")
        add_user(session, "li", hashed, role=Role.AGENT, agent_id="1001", display_name="Li")
    clock = Clock()
    clock.advance(T0 + 10 * 86400)
    copies = BrowserCopies(tmp_path / "copies", sox=sox, run=lambda work: succeed(work()))
    playback = RecordingPlayback(
        database,
        PathMap({}),
        (spool,),
        clock.seconds,
        agent_may_play=agent_may_play,
        copies=copies,
    )
    web = build_web(WebSettings(), clock, database, hasher=CHEAP, recordings=playback)
    return Site(web, database, ids)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return build_site(tmp_path, agent_may_play=False)


def test_a_supervisor_finds_the_recordings_of_their_queues_only(site: Site) -> None:
    ids = site.ids
    page = site.page("sam")
    assert page.status == 200
    assert shown(page) == {ids["b"], ids["c"]}  # support; a and d are sales
    assert "2 found" not in page.text and "共 2 条" in page.text  # zh-CN by default
    assert shown(site.page("sam", "?agent=1001")) == set()  # sales' agent: nothing
    assert shown(site.page("sam", "?queue=sales")) == set()
    assert shown(site.page("sue")) == {ids["a"], ids["d"]}
    assert shown(site.page("ada")) == set(ids.values())


def test_another_queues_recording_cannot_be_opened_on_the_page(site: Site) -> None:
    a = site.ids["a"]  # sales
    page = site.page("sam", f"?play={a}")
    assert page.status == 403
    assert f"/recordings/{a}/audio" not in page.text and "<audio" not in page.text
    assert "rc-facts" not in page.text and f'data-recording="{a}"' not in page.text
    assert "您无权收听这条录音" in page.text
    missing = site.page("sam", "?play=9999")
    assert missing.status == 404 and "没有这条录音" in missing.text


def test_an_agent_gets_403_unless_settings_let_agents_play(site: Site, tmp_path: Path) -> None:
    refused = site.page("wang")
    assert refused.status == 403 and "<table" not in refused.text
    assert "录音仅供所负责队列的班长查看" in refused.text
    assert Browser(site.web.site).get("/recordings").header("location") == "/login"

    (tmp_path / "agents").mkdir()
    allowed = build_site(tmp_path / "agents", agent_may_play=True)
    own = allowed.page("wang", "?agent=1001")  # asks for another agent: gets their own
    assert own.status == 200
    assert shown(own) == {allowed.ids["b"], allowed.ids["c"]}  # 1002's calls
    b = allowed.page("wang", f"?play={allowed.ids['b']}")
    assert b.status == 200 and f'src="/recordings/{allowed.ids["b"]}/audio"' in b.text
    assert "rc-listeners" not in b.text and "收听记录" not in b.text  # the audit: supervisors
    assert allowed.page("wang", f"?play={allowed.ids['a']}").status == 403


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("?from=yesterday", "From: “yesterday” is not a date; give one such as 2026-11-24."),
        ("?to=2026-13-01", "To (inclusive): “2026-13-01” is not a date"),
        ("?from=2026-11-26&to=2026-11-24", "The date range is empty"),
        ("?min_duration=abc", "Shortest (s): “abc” is not a number of seconds"),
        ("?max_duration=-5", "Longest (s): “-5” is not a number of seconds"),
        ("?min_duration=60&max_duration=10", "The shortest duration is longer than the longest."),
        ("?status=lost", "Status: “lost” is not one of the list."),
        ("?page=0", "Page: “0” is not a whole number from 1 to"),
        ("?per_page=100000", "Per page: “100000” is not a whole number from 1 to 500."),
        ("?play=..%2F..%2Fetc%2Fpasswd", "Recording: “../../etc/passwd” is not a whole number"),
        ("?max_duration=nan", "Longest (s): “nan” is not a number of seconds"),
        ("?to=9999-12-31", "To (inclusive): “9999-12-31” is not a date"),
    ],
)
def test_bad_filter_values_give_a_400_page_naming_each(site: Site, query: str, said: str) -> None:
    page = site.page("ada", query)  # an English admin
    assert page.status == 400
    assert said in page.text
    assert 'id="rc-search"' in page.text and "<table" not in page.text  # the form, to fix


def test_problems_are_said_in_the_users_language_and_all_at_once(site: Site) -> None:
    page = site.page("sam", "?from=x&min_duration=y&status=z")
    assert page.status == 400
    problems = page.text.split('id="rc-problems"')[1].split("</section>")[0]
    assert problems.count("<li>") == 3
    assert "开始日期：“x”不是日期" in problems and "最短（秒）：“y”不是秒数" in problems
    assert 'value="x"' in page.text  # the form keeps what was typed


def test_every_search_key_narrows_the_results(site: Site) -> None:
    ids = site.ids
    day1 = datetime.fromtimestamp(T0 + 86400, UTC).date().isoformat()
    cases = {
        "?caller=13800138000": {ids["a"], ids["c"]},
        "?customer=ACC-77": {ids["a"], ids["c"]},  # the customer's account number
        "?agent=1002": {ids["b"], ids["c"]},
        "?queue=sales": {ids["a"], ids["d"]},
        "?disposition=resolved": {ids["b"]},  # b's correction, not its first code
        "?ticket=1": {ids["b"]},
        "?min_duration=30&max_duration=60": {ids["c"]},
        "?status=empty": {ids["d"]},
        f"?from={day1}&to={day1}": {ids["c"]},  # one day, the last day included
        f"?from={day1}&tz=Asia/Shanghai": {ids["c"], ids["d"]},
    }
    for query, expected in cases.items():
        assert shown(site.page("ada", query)) == expected, query


def test_the_results_show_names_flags_and_times_in_the_browsers_zone(site: Site) -> None:
    site.add(RecordingHold(kind="ticket", value="2", reason="court", at=datetime.now(UTC)))
    page = site.page("ada", "?tz=Asia/Shanghai")
    row_b = page.text.split(f'<tr data-recording="{site.ids["b"]}"')[1].split("</tr>")[0]
    assert "2026-11-24 20:00:00" in row_b  # 12:00 UTC
    assert "王五" in row_b and "1:35" in row_b and "1, 2" in row_b
    assert "Legal hold" in row_b and "resolved" in row_b.lower()
    row_a = page.text.split(f'<tr data-recording="{site.ids["a"]}"')[1].split("</tr>")[0]
    assert "Li Na" in row_a and "Legal hold" not in row_a  # the CRM customer
    row_d = page.text.split(f'<tr data-recording="{site.ids["d"]}"')[1].split("</tr>")[0]
    assert "rc-flag-empty" in row_d
    assert "Times in Asia/Shanghai" in page.text


def test_pages_keep_the_search(site: Site) -> None:
    first = site.page("ada", "?queue=support&per_page=25")
    assert "Page 1 of 1" in first.text and 'rel="next"' not in first.text
    # Four recordings, three a page (a size the form does not offer still works in a link).
    paged = site.page("ada", "?per_page=3")
    assert "Page 1 of 2" in paged.text and len(shown(paged)) == 3
    nxt = re.search(r'rel="next" href="([^"]+)"', paged.text)
    assert nxt is not None and "per_page=3" in nxt.group(1)
    second = site.browser("ada").get(nxt.group(1).replace("&amp;", "&"))
    assert len(shown(second)) == 1 and "Page 2 of 2" in second.text


def test_the_player_plays_through_the_audited_route_with_pauses_and_listeners(
    site: Site,
) -> None:
    b = site.ids["b"]  # support, linked id Lb, started at T0
    site.add(
        RecordingPause(linked_id="Lb", channel="c", paused=True, by="wang", at=_at(T0 + 10)),
        RecordingPause(linked_id="Lb", channel="c", paused=False, by="wang", at=_at(T0 + 25)),
        RecordingPause(linked_id="Lb", channel="c", paused=True, by="asterisk", at=_at(T0 + 80)),
    )
    sam = site.browser("sam")
    page = sam.get(f"/recordings?play={b}")
    assert page.status == 200
    player = page.text.split('id="rc-player"')[1].split("</aside>")[0]
    assert f'<audio id="rc-audio" controls preload="none" src="/recordings/{b}/audio">' in player
    assert f'href="/recordings/{b}/audio?download=1"' in player
    assert "spool" not in page.text and "support-b.wav" not in page.text  # no file name
    assert 'data-seek="10.0"' in player and "0:10 – 0:25" in player
    assert "由 wang 暂停" in player and "由 wang 恢复" in player
    assert "1:20 – 结束" in player and "由 asterisk 暂停" in player  # muted to the end
    assert "尚无人收听" in player

    answer = fetch(sam, f"/recordings/{b}/audio", {"Range": "bytes=44-"})
    assert answer.status == 206
    fetch(site.browser("ada"), f"/recordings/{b}/audio?download=1")
    listeners = sam.get(f"/recordings?play={b}").text.split('id="rc-listeners"')[1]
    rows = re.findall(r"<tr class=\"rc-access-(\w+)\">(.*?)</tr>", listeners, re.S)
    assert [kind for kind, _ in rows] == ["download", "play"]  # newest first
    assert "ada" in rows[0][1] and "下载" in rows[0][1]
    assert "sam" in rows[1][1] and "bytes=44-" in rows[1][1] and "192.0.2.10" in rows[1][1]


def test_a_missing_file_has_no_player_but_its_details(site: Site) -> None:
    with Session(site.database.engine) as session, session.begin():
        row = session.get(Recording, site.ids["c"])
        assert row is not None
        row.status, row.problem = "missing", "no file after 5 looks"
    page = site.page("ada", f"?play={site.ids['c']}")
    assert page.status == 200 and "<audio" not in page.text
    assert "The file is missing: nothing to play." in page.text
    assert "no file after 5 looks" in page.text and "rc-flag-missing" in page.text


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _recorded_as(site: Site, name: str, fmt: str) -> int:
    with Session(site.database.engine) as session, session.begin():
        row = session.get(Recording, site.ids[name])
        assert row is not None
        row.format = fmt
        return row.id


def test_a_format_the_browser_cannot_play_says_why_and_offers_the_download(
    tmp_path: Path,
) -> None:
    site = build_site(tmp_path, agent_may_play=False, sox="/nonexistent/sox")
    gsm, g722 = _recorded_as(site, "b", "wav49"), _recorded_as(site, "c", "g722")
    page = site.page("sam", f"?play={gsm}")  # sam's language: zh-CN
    assert page.status == 200 and "<audio" not in page.text
    assert "apt-get install sox" in page.text and "wav49" in page.text
    assert f'href="/recordings/{gsm}/audio?download=1"' in page.text
    english = site.page("ada", f"?play={g722}")
    assert "<audio" not in english.text
    assert "Browsers cannot play g722 recordings: download it to listen." in english.text


@pytest.mark.skipif(shutil.which("sox") is None and not os.environ.get("CI"), reason="no sox")
def test_with_sox_a_wav49_recording_gets_the_player(tmp_path: Path) -> None:
    site = build_site(tmp_path, agent_may_play=False)
    wav49 = _recorded_as(site, "b", "wav49")
    page = site.page("sam", f"?play={wav49}")
    assert f'<audio id="rc-audio" controls preload="none" src="/recordings/{wav49}/audio">' in (
        page.text
    )
