"""Agent control over the REST API on the real app (``app.build``) and the simulated PBX,
in both routings: switchboard's ACD, and Asterisk's app_queue driven through AMI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.testing.site import SiteOnSimNet
from switchboard.web.api.tokens import create_token
from tests.ivr.helpers import EXAMPLES
from tests.web.browser import _parse


def _request(run: SiteOnSimNet, token: str, path: str, body: dict[str, Any]) -> Any:
    """POST over the web tier's site; the simulated network runs until it answers."""
    web = run.site.app.web
    assert web is not None
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    peer = IPv4Address("TCP", "127.0.0.1", 50000)
    channel = web.site.buildProtocol(peer)
    transport = StringTransport(peerAddress=peer)
    channel.makeConnection(transport)
    channel.dataReceived(head.encode() + data)
    run.until(lambda: transport.value().endswith(b"0\r\n\r\n"), f"the answer to {path}")
    channel.connectionLost(None)  # type: ignore[arg-type]
    return _parse(transport.value())


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_supervisor_tool_logs_in_pauses_and_logs_out_an_agent(tmp_path: Path, routing: str) -> None:
    queues = write_site_queue_file(EXAMPLE_QUEUES, 1, tmp_path / "queues.yaml", routing)
    run = SiteOnSimNet(tmp_path, queues, {}, routing=routing, flows_dir=EXAMPLES)
    try:
        app = run.site.app
        with Session(app.database.engine) as session, session.begin():
            token, _ = create_token(session, "tool", ["control:agents"], 0.0)
        control = app.agent_control
        login = _request(run, token, "/api/v1/agents/1001/login", {"ready": True})
        assert login.status == 200, login.text
        assert login.json()["state"] == "ready"
        paused = _request(run, token, "/api/v1/agents/1001/pause", {"reason": "lunch"})
        assert paused.status == 200, paused.text
        view = run.wait(control.agent("1001"), "agent 1001")
        assert (view.state.value, view.reason) == ("not_ready", "lunch")
        bad = _request(run, token, "/api/v1/agents/1001/pause", {"reason": "nap"})
        assert bad.status == 400 and bad.json()["error"]["field"] == "reason"
        out = _request(run, token, "/api/v1/agents/1001/logout", {})
        assert out.status == 200, out.text
        run.until(
            lambda: run.wait(control.agent("1001"), "agent").state.value == "logged_out",
            "logged out",
        )
    finally:
        run.stop()
