# -*- test-case-name: tests.control.test_cli -*-
"""``switchboard agents ...``: parsed by the real CLI, sent by the real client, answered by
the control endpoint of a running ACD (in memory). The real loopback socket is
tests/integration/test_control_loopback.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from structlog.testing import capture_logs

from switchboard.cli import build_parser
from switchboard.config import Settings
from switchboard.config.model import ControlSettings
from switchboard.control.commands import run
from switchboard.control.service import ControlService
from switchboard.queue import AgentState, Queue
from switchboard.queue.shell.control import AcdAgentControl
from tests.control.http import in_memory_send
from tests.queue.helpers import agent
from tests.queue.test_hold import QUIET, site


@pytest.fixture(autouse=True)
def _quiet_logs() -> Any:
    with capture_logs():  # the service's log lines would mix with the command's output
        yield


def _agents(argv: list[str], service: ControlService, settings: Settings | None = None) -> int:
    args = build_parser().parse_args(["agents", *argv])
    assert args.run is run
    return run(args, settings or Settings(), send=in_memory_send(service.site))


def test_an_operator_drives_agents_from_the_shell(capsys: pytest.CaptureFixture[str]) -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1"), agent("a2")])
    service = ControlService(AcdAgentControl(s.acd), s.clock)
    assert _agents(["login", "a1", "--ready"], service) == 0
    assert capsys.readouterr().out == "a1: ready\n"
    assert _agents(["pause", "a1", "--reason", "lunch"], service) == 0
    assert capsys.readouterr().out == "a1: not_ready (lunch)\n"
    assert s.state("a1") is AgentState.NOT_READY
    assert _agents(["ready", "a1"], service) == 0
    assert capsys.readouterr().out == "a1: ready\n"
    assert _agents(["list"], service) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["AGENT", "NAME", "STATE", "SINCE", "QUEUES"]
    assert out[1].split()[:3] == ["a1", "A1", "ready"]
    assert out[2].split() == ["a2", "A2", "logged_out", "-", "sales"]
    assert _agents(["list", "a2", "--json"], service) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "logged_out"
    assert _agents(["logout", "a1"], service) == 0
    assert s.state("a1") is AgentState.LOGGED_OUT
    s.close()


def test_a_refusal_is_printed_with_the_fix_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    service = ControlService(AcdAgentControl(s.acd), s.clock)
    assert _agents(["ready", "alice"], service) == 1
    err = capsys.readouterr().err
    assert err.startswith("switchboard agents ready: no agent 'alice'")
    assert "known agents: a1" in err
    s.close()


def test_the_token_from_the_settings_is_sent(capsys: pytest.CaptureFixture[str]) -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    service = ControlService(AcdAgentControl(s.acd), s.clock, token="t0k")
    assert _agents(["list"], service) == 1
    assert "missing or wrong token" in capsys.readouterr().err
    with_token = Settings(control=ControlSettings(token="t0k"))  # type: ignore[arg-type]
    assert _agents(["list"], service, with_token) == 0
    s.close()


def test_no_serve_running_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    def refused(*_: Any) -> tuple[int, bytes]:
        raise ConnectionRefusedError(111, "Connection refused")

    args = build_parser().parse_args(["agents", "list"])
    assert run(args, Settings(), send=refused) == 1
    err = capsys.readouterr().err
    assert "cannot reach switchboard at http://127.0.0.1:4575/api/v1" in err
    assert "is `switchboard serve` running" in err


def test_finish_wrapup_from_the_shell(capsys: pytest.CaptureFixture[str]) -> None:
    s = site([Queue("sales", wrap_up_s=60, **QUIET)], [agent("a1")])
    service = ControlService(AcdAgentControl(s.acd), s.clock)
    assert _agents(["login", "a1", "--ready"], service) == 0
    ch = s.channel()
    s.hold(ch)
    s.ami.emit("DialEnd", Uniqueid="c1", DialStatus="ANSWER")
    ch.finish_dial("ANSWER")
    capsys.readouterr()
    assert _agents(["list", "a1"], service) == 0
    assert "wrap_up" in capsys.readouterr().out
    assert _agents(["finish-wrapup", "a1"], service) == 0
    assert capsys.readouterr().out == "a1: ready\n"
    assert _agents(["finish-wrapup", "a1"], service) == 1
    assert "not in wrap-up (now ready)" in capsys.readouterr().err
    s.close()
