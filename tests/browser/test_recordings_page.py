"""The recordings page in chromium against the real web tier (switchboard.testing.
recordingsite) over real WAV files: a supervisor searches by caller and by agent, plays a
recording and seeks in it (Range requests, answered 206 and audited), and sees who
listened. Screenshots in both languages at 1366x768 and 1920x1080, without horizontal
scrolling."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user
from switchboard.recorder.filecheck import check_file
from switchboard.recorder.lifecycle import Finished
from switchboard.recorder.models import RecordingPause
from switchboard.recorder.store import index_recording
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.testing.recordingsite import CHEAP
from tests.browser.child import child
from tests.browser.conftest import ARTIFACTS, START_LIMIT_S
from tests.recorder.helpers import T0, write_wav
from tests.recorder.seed import seed

PASSWORD = "recordings test password"
# Half an hour (28.8 MB at 8 kHz, 16 bits) read at 128 KB/s (chromium's network throttle;
# playing needs 16 KB/s): 27:30 is more than three minutes of loading away from the start,
# so seeking there from the start makes chromium send a Range request from that point.
LONG_S = 1800.0
NEAR_S, FAR_S = 5.0, 1650.0  # two pauses (wang's), whose buttons seek the player
THROTTLE_BYTES_S = 128 * 1024


def prepare(db: Path, spool: Path) -> dict[str, int]:
    """The seed's four recordings, a long one with a pause, and the users."""
    url = make_url(f"sqlite:///{db}")
    upgrade_database(url)
    engine = create_database_engine(url)
    hashed = Passwords(CHEAP).hash(PASSWORD)
    with Session(engine) as session, session.begin():
        ids = seed(session, spool)
        path = write_wav(spool / "support-long.wav", LONG_S)
        start = T0 + 3 * 86400
        done = Finished(
            "Llong", "Clong", str(path), "13900139000", "1002", "support", start, start + LONG_S
        )
        row = index_recording(session, done, check_file(path), indexed_at=start)
        ids["long"] = row.id
        for offset, paused in (
            (NEAR_S, True),
            (NEAR_S + 2, False),
            (FAR_S, True),
            (FAR_S + 30, False),
        ):
            moment = datetime.fromtimestamp(start + offset, UTC)
            session.add(
                RecordingPause(linked_id="Llong", channel="c", paused=paused, by="wang", at=moment)
            )
        add_user(
            session, "sam", hashed, role=Role.SUPERVISOR, display_name="张主管", queues=("support",)
        )
        add_user(session, "ada", hashed, role=Role.ADMIN, display_name="Ada", language="en")
        add_user(session, "wang", hashed, role=Role.AGENT, display_name="王五", agent_id="1002")
    engine.dispose()
    return ids


class Site:
    def __init__(self, url: str, db: Path, ids: dict[str, int]) -> None:
        self.url, self.db, self.ids = url, db, ids

    def audit(self, recording_id: int) -> list[tuple[str, str, str]]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5) as conn:
            rows = conn.execute(
                "SELECT username, action, range FROM recording_access WHERE recording_id = ? "
                "ORDER BY id",
                (recording_id,),
            )
            return list(rows)


@pytest.fixture
def site(chromium: Path, tmp_path: Path) -> Iterator[Site]:
    db, spool = tmp_path / "recordings.sqlite", tmp_path / "spool"
    ids = prepare(db, spool)
    args = ("--db", str(db), "--spool", str(spool))
    with child("switchboard.testing.recordingsite", *args, start_limit_s=START_LIMIT_S) as line:
        assert "listening on " in line, line
        yield Site(line.rsplit("listening on ", 1)[1].strip(), db, ids)


def log_in(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site.url + "/**")
    page.goto(site.url + "/recordings")
    page.wait_for_url("**tz=**")  # the page asked for times in the browser's zone
    page.wait_for_selector("#rc-results")


def listed(page: Any) -> set[int]:
    rows = page.locator("#rc-results tbody tr")
    return {int(rows.nth(i).get_attribute("data-recording")) for i in range(rows.count())}


def playing_past(page: Any, seconds: float, limit_s: float = 20.0) -> None:
    """Wait until the player plays past ``seconds``, done seeking (a seek sets currentTime
    at once, before any audio came); polled from here: the page's CSP forbids the string
    evaluation wait_for_function would use."""
    position = "(() => { const a = document.getElementById('rc-audio');"
    position += " return a.paused || a.seeking ? -1 : a.currentTime; })()"
    for _ in range(int(limit_s * 10)):
        if page.evaluate(position) > seconds:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the player never played past {seconds} s: {page.evaluate(position)}")


def no_horizontal_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_supervisor_searches_plays_and_seeks_and_it_is_audited(site: Site, page: Any) -> None:
    ids = site.ids
    log_in(page, site, "sam")
    assert listed(page) == {ids["b"], ids["c"], ids["long"]}  # support only

    page.fill("input[name=caller]", "13800138000")
    page.click("#rc-search button[type=submit]")
    page.wait_for_url("**caller=13800138000**")
    assert listed(page) == {ids["c"]}  # a has that caller too, but is sales

    page.click("#rc-search .rc-clear")
    page.wait_for_url("**tz=**")
    page.fill("input[name=agent]", "1002")
    page.click("#rc-search button[type=submit]")
    page.wait_for_url("**agent=1002**")
    assert listed(page) == {ids["b"], ids["c"], ids["long"]}
    expect(page.locator("#rc-total")).to_have_text("共 3 条")

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": 0, "uploadThroughput": -1}
    cdp.send(
        "Network.emulateNetworkConditions", dict(conditions, downloadThroughput=THROTTLE_BYTES_S)
    )
    audio_answers: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            audio_answers.append((r.status, r.request.headers.get("range", "")))
            if "/audio" in r.url
            else None
        ),
    )
    page.click(f'tr[data-recording="{ids["long"]}"] .rc-listen')
    page.wait_for_selector("#rc-audio")
    assert page.get_attribute("#rc-audio", "src") == f"/recordings/{ids['long']}/audio"
    assert site.audit(ids["long"]) == []  # preload="none": nothing fetched before play
    page.screenshot(path=str(ARTIFACTS / "recordings-player-zh-CN.png"), full_page=True)

    seeks = page.locator("#rc-pauses .rc-seek")
    seeks.nth(0).click()  # 0:05: plays from near the start
    playing_past(page, NEAR_S + 0.3)
    assert audio_answers[0] == (206, "bytes=0-")  # a Range request from the first byte
    seeks.nth(1).click()  # 55:00: far past what chromium has buffered
    playing_past(page, FAR_S + 0.3)
    far = [r for s, r in audio_answers if s == 206 and r != "bytes=0-"]
    assert far, f"no Range request past the start: {audio_answers}"
    offset = int(far[-1].removeprefix("bytes=").split("-")[0])
    assert offset >= 44 + FAR_S * 8000 * 2 * 0.99  # about 27 minutes into the file
    audit = site.audit(ids["long"])
    assert ("sam", "play", "bytes=0-") in audit and ("sam", "play", far[-1]) in audit
    assert {user for user, _, _ in audit} == {"sam"}

    page.reload()
    page.wait_for_selector("#rc-listeners")
    assert far[-1] in page.locator("#rc-listeners").inner_text()


@pytest.mark.parametrize(("lang", "user"), [("zh-CN", "sam"), ("en", "ada")])
def test_screenshots_in_both_languages_without_horizontal_scrolling(
    site: Site, page: Any, lang: str, user: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    zone = "Asia/Shanghai" if lang == "zh-CN" else "Europe/London"
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": zone})
    log_in(page, site, user)
    assert page.locator("html").get_attribute("lang") == lang
    assert zone in page.locator(".rc-zone").inner_text()  # the browser's zone, sent as tz
    first = page.locator("#rc-results .rc-time").first.inner_text()
    assert first == ("2026-11-27 20:00:00" if lang == "zh-CN" else "2026-11-27 12:00:00")
    no_horizontal_scroll(page, 1366)
    page.screenshot(path=str(ARTIFACTS / f"recordings-{lang}.png"), full_page=True)
    page.click(f'tr[data-recording="{site.ids["b"]}"] .rc-listen')
    page.wait_for_selector("#rc-audio")
    no_horizontal_scroll(page, 1366)
    page.screenshot(path=str(ARTIFACTS / f"recordings-open-{lang}.png"), full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.reload()
    page.wait_for_selector("#rc-audio")
    no_horizontal_scroll(page, 1920)
    page.screenshot(path=str(ARTIFACTS / f"recordings-open-1920-{lang}.png"), full_page=True)
    # A 400 is the right answer to bad values, and chromium logs it as a console error,
    # which the page fixture would count against the test: another tab shows it.
    tab = page.context.new_page()
    tab.set_viewport_size({"width": 1366, "height": 768})
    tab.goto(site.url + "/recordings?from=nonsense&min_duration=x")
    tab.wait_for_selector("#rc-problems")
    assert tab.locator("#rc-problems li").count() == 2
    no_horizontal_scroll(tab, 1366)
    tab.screenshot(path=str(ARTIFACTS / f"recordings-problems-{lang}.png"), full_page=True)


def _add_recording(site: Site, name: str, path: Path) -> int:
    """Index ``path`` (as the recorder would) for support, agent 1002."""
    engine = create_database_engine(make_url(f"sqlite:///{site.db}"))
    try:
        with Session(engine) as session, session.begin():
            start = T0 + 4 * 86400
            done = Finished(f"L{name}", f"C{name}", str(path), "5551009", "1002", "support",
                            start, start + 8)  # fmt: skip
            return index_recording(session, done, check_file(path), indexed_at=start + 9).id
    finally:
        engine.dispose()


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox converts wav49 for the player")
def test_other_asterisk_formats_play_or_say_why_in_both_languages(
    site: Site, page: Any, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    spool = site.db.parent / "spool"
    wav49 = spool / "support-e.WAV"  # MixMonitor(x.wav49) writes x.WAV: GSM in a WAV
    write_wav(tmp_path / "talk.wav", 6.0)
    subprocess.run(
        ["sox", str(tmp_path / "talk.wav"), "-e", "gsm-full-rate", str(wav49)], check=True
    )
    g722 = spool / "support-f.g722"
    g722.write_bytes(bytes(8000 * 4))
    playable, unplayable = _add_recording(site, "e", wav49), _add_recording(site, "f", g722)

    log_in(page, site, "sam")  # zh-CN
    page.goto(f"{site.url}/recordings?play={playable}")
    page.wait_for_selector("#rc-audio")
    page.evaluate("document.getElementById('rc-audio').play()")
    playing_past(page, 1.0)  # chromium decodes the converted PCM WAV
    length = "document.getElementById('rc-audio').duration"
    assert abs(page.evaluate(length) - 6.0) < 0.1
    page.goto(f"{site.url}/recordings?play={unplayable}")
    expect(page.locator(".rc-refused").first).to_contain_text("浏览器无法播放 g722")
    assert page.locator("#rc-audio").count() == 0
    expect(page.locator("#rc-download")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "recordings-unplayable-zh-CN.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, site, "ada")  # en
    page.goto(f"{site.url}/recordings?play={unplayable}")
    expect(page.locator(".rc-refused").first).to_contain_text(
        "Browsers cannot play g722 recordings: download it to listen."
    )
    page.screenshot(path=str(ARTIFACTS / "recordings-unplayable-en.png"), full_page=True)
