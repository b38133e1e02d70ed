"""Listen, whisper, barge through the REST API: the Originate sent, the refusals, the
log, and that a supervisor reaches only the agents of their queues."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.accounts.model import Role
from switchboard.cti.ami.errors import AmiDisconnected
from tests.web.api.helpers import AGENT_CHANNEL, ApiStack, make_api_stack

PHONE = "PJSIP/9000"


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.add_user("boss", Role.SUPERVISOR, queues=("sales",))
    s.add_user("other", Role.SUPERVISOR, queues=("support",))
    return s


@pytest.mark.parametrize(
    ("mode", "options"), [("listen", "qE"), ("whisper", "qwE"), ("barge", "qBE")]
)
def test_monitor_originates_chanspy_on_the_agent_channel(
    stack: ApiStack, mode: str, options: str
) -> None:
    stack.agent_on_call()
    browser, csrf = stack.logged_in("boss")
    answer = browser.post_json(
        "/api/v1/agents/1001/monitor", {"mode": mode, "device": PHONE}, csrf=csrf
    )
    assert answer.status == 200, answer.text
    assert answer.json()["mode"] == mode and answer.json()["channel"] == AGENT_CHANNEL
    [originate] = stack.ami.sent
    headers = dict(originate.headers)
    assert originate.name == "Originate"
    assert headers["Channel"] == PHONE and headers["Application"] == "ChanSpy"
    assert headers["Data"] == f"{AGENT_CHANNEL},{options}"


def test_the_log_keeps_who_whom_mode_and_when(stack: ApiStack) -> None:
    stack.agent_on_call()
    browser, csrf = stack.logged_in("boss")
    started = browser.post_json(
        "/api/v1/agents/1001/monitor", {"mode": "whisper", "device": PHONE}, csrf=csrf
    ).json()
    stack.ami.emit("ChanSpyStart", SpyerChannel="PJSIP/9000-00000031", SpyeeChannel=AGENT_CHANNEL)
    stack.clock.advance(42)
    hung = browser.post_json(f"/api/v1/monitoring/{started['id']}/hangup", {}, csrf=csrf)
    assert hung.status == 200
    assert dict(stack.ami.sent[-1].headers)["Channel"] == "PJSIP/9000-00000031"
    stack.ami.emit("ChanSpyStop", SpyerChannel="PJSIP/9000-00000031", SpyeeChannel=AGENT_CHANNEL)
    [entry] = browser.get("/api/v1/monitoring").json()["sessions"]
    assert (entry["supervisor"], entry["agent_id"], entry["mode"]) == ("boss", "1001", "whisper")
    assert entry["ended_at"] - entry["started_at"] == 42
    other, _ = stack.logged_in("other")
    assert other.get("/api/v1/monitoring").json()["sessions"] == []  # not their agent


def test_refusals_name_the_problem(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    idle = browser.post_json(
        "/api/v1/agents/1001/monitor", {"mode": "listen", "device": PHONE}, csrf=csrf
    )
    assert idle.status == 409 and "not on a call" in idle.json()["error"]["message"]
    bad_mode = browser.post_json(
        "/api/v1/agents/1001/monitor", {"mode": "shout", "device": PHONE}, csrf=csrf
    )
    assert bad_mode.status == 400 and bad_mode.json()["error"]["field"] == "mode"
    bad_device = browser.post_json(
        "/api/v1/agents/1001/monitor", {"mode": "listen", "device": "PJSIP/9,x"}, csrf=csrf
    )
    assert bad_device.status == 400 and bad_device.json()["error"]["field"] == "device"
    foreign = browser.post_json(
        "/api/v1/agents/2001/monitor", {"mode": "listen", "device": PHONE}, csrf=csrf
    )
    assert foreign.status == 403
    stack.agent_on_call()
    stack.ami.refuse = AmiDisconnected("AMI not connected")
    down = browser.post_json(
        "/api/v1/agents/1001/monitor", {"mode": "listen", "device": PHONE}, csrf=csrf
    )
    assert down.status == 503 and "AMI not connected" in down.json()["error"]["message"]
    assert browser.get("/api/v1/monitoring").json()["sessions"] == []  # nothing started


def test_a_token_needs_the_supervise_scope(stack: ApiStack) -> None:
    stack.agent_on_call()
    body = {"mode": "listen", "device": PHONE}
    reader = stack.token("read:stats", "control:agents")
    assert stack.bearer(reader, "POST", "/api/v1/agents/1001/monitor", body).status == 403
    assert stack.ami.sent == []
    supervisor = stack.token("supervise")
    assert stack.bearer(supervisor, "POST", "/api/v1/agents/1001/monitor", body).status == 200
