"""The seat's recording block in chromium: the state the server reports, and the Record /
Pause / Resume buttons posting for the card's call (zh-CN and en screenshots)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser import messages as m
from tests.browser.conftest import ARTIFACTS, StandIn
from tests.browser.test_seat_page import open_seat, posts_to

TEXT = {
    "en": {"recording": "Recording", "paused": "Recording paused", "off": "Not recorded",
           "pause": "Pause recording", "resume": "Resume recording", "record": "Record"},
    "zh-CN": {"recording": "正在录音", "paused": "录音已暂停", "off": "未录音",
              "pause": "暂停录音", "resume": "恢复录音", "record": "录音"},
}  # fmt: skip


def told(state: str, call_id: str = "c-1") -> dict[str, object]:
    return {"v": 1, "type": "recording", "call_id": call_id, "state": state, "at": time.time()}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_agent_pauses_and_resumes_the_recording_of_the_call_on_the_card(
    page: Page, stand_in: StandIn, lang: str
) -> None:
    text = TEXT[lang]
    open_seat(page, stand_in, m.snapshot("ready"), lang=lang)
    block = page.locator("#call-recording")
    stand_in.send(m.pop("c-1"))
    stand_in.send(told("recording"))  # told before the answer: shown once answered
    expect(page.locator("#customer-name")).to_be_visible()
    expect(block).to_be_hidden()
    stand_in.send(m.call("answered", "c-1"))
    expect(page.locator("#recording-state")).to_have_text(text["recording"])
    expect(page.locator("#btn-record")).to_be_hidden()
    with page.expect_response(lambda r: r.url.endswith("/calls/c-1/recording/pause")):
        page.locator("#btn-recording-pause").click()
    expect(page.locator("#btn-recording-pause")).to_be_disabled()  # until the server says
    [asked] = posts_to(stand_in, "/calls/c-1/recording/pause")
    assert asked["csrf_ok"]
    stand_in.send(told("recording", "another-call"))  # not this card's call: ignored
    stand_in.send(told("paused"))
    expect(page.locator("#recording-state")).to_have_text(text["paused"])
    expect(page.locator("#btn-recording-resume")).to_have_text(text["resume"])
    expect(page.locator("#btn-recording-pause")).to_be_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"seat-recording-{lang}.png"), full_page=True)
    with page.expect_response(lambda r: r.url.endswith("/calls/c-1/recording/resume")):
        page.locator("#btn-recording-resume").click()
    assert len(posts_to(stand_in, "/calls/c-1/recording/resume")) == 1
    stand_in.send(told("recording"))
    expect(page.locator("#btn-recording-pause")).to_be_enabled()
    stand_in.send(m.call("ended", "c-1"))
    expect(block).to_be_hidden()  # the buttons are for the talk only


def test_an_unrecorded_call_offers_record_and_a_refusal_brings_the_button_back(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(m.pop("c-2"))
    stand_in.send(m.call("answered", "c-2"))
    stand_in.send(told("off", "c-2"))
    expect(page.locator("#recording-state")).to_have_text("Not recorded")
    stand_in.call(
        "POST",
        "/_test/fail",
        {"path": "/api/v1/seat/calls/c-2/recording/start", "status": 503,
         "code": "unavailable", "message": "Asterisk did not start recording"},
    )  # fmt: skip
    page.locator("#btn-record").click()
    expect(page.locator("#error-text")).to_have_text("Asterisk did not start recording")
    expect(page.locator("#btn-record")).to_be_enabled()
    with page.expect_response(lambda r: r.url.endswith("/calls/c-2/recording/start")):
        page.locator("#btn-record").click()
    stand_in.send(told("recording", "c-2"))
    expect(page.locator("#recording-state")).to_have_text("Recording")
    assert len(posts_to(stand_in, "/calls/c-2/recording/start")) == 2
