# -*- test-case-name: tests.control.test_appqueue_api -*-
"""The control endpoint and ``switchboard agents`` with the app_queue back-end (the
simulated PBX's AMI in memory), and pause reasons refused with the valid ones in both
back-ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

from switchboard.cli import build_parser
from switchboard.config import QueuesSettings, Settings
from switchboard.control._resource import ControlApi
from switchboard.control.commands import run
from switchboard.control.service import ControlSite
from switchboard.queue import AgentState, Queue
from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.shell.control import AcdAgentControl
from tests.control.http import in_memory_send, request
from tests.queue.helpers import agent
from tests.queue.sim_ami import SimAmi
from tests.queue.test_appqueue_control import GRACE, HEIDI, _call_ends_for, _config, _Site
from tests.queue.test_hold import QUIET, site

REASONS = ("break", "lunch", "training")


@pytest.fixture
def appq() -> Iterator[tuple[_Site, ControlSite]]:
    with capture_logs():
        s = _Site(SimAmi(), _config(), None)
        yield s, ControlSite(ControlApi(s.control), reactor=s.sim.clock)
        s.stop()


def test_the_endpoint_drives_app_queue_members(appq: tuple[_Site, ControlSite]) -> None:
    s, web = appq
    status, body = request(
        web,
        "POST",
        "/api/v1/agents/heidi/login",
        {"ready": True, "queues": ["sales"]},
        pump=s.sim.settle,
    )
    assert (status, body["agent"]["state"], body["agent"]["queues"]) == (200, "ready", ["sales"])
    assert HEIDI in s.sim.members("sales") and HEIDI not in s.sim.members("support")
    status, body = request(
        web, "POST", "/api/v1/agents/heidi/pause", {"reason": "lunch"}, pump=s.sim.settle
    )
    assert (status, body["agent"]["reason"]) == (200, "lunch")
    assert s.sim.members("sales")[HEIDI][:2] == (True, "lunch")
    status, body = request(web, "GET", "/api/v1/agents", pump=s.sim.settle)
    assert [(a["id"], a["state"]) for a in body["agents"]] == [
        ("grace", "logged_out"),
        ("heidi", "not_ready"),
    ]
    status, body = request(web, "POST", "/api/v1/agents/heidi/logout", {}, pump=s.sim.settle)
    assert (status, body["agent"]["state"]) == (200, "logged_out")
    assert HEIDI not in s.sim.members("sales")


def test_an_unknown_reason_is_a_400_listing_the_valid_ones_in_app_queue_mode(
    appq: tuple[_Site, ControlSite],
) -> None:
    s, web = appq
    request(web, "POST", "/api/v1/agents/grace/login", {"ready": True}, pump=s.sim.settle)
    status, body = request(
        web, "POST", "/api/v1/agents/grace/pause", {"reason": "nap"}, pump=s.sim.settle
    )
    assert status == 400
    assert body["error"]["code"] == "bad_request"
    assert body["error"]["valid"] == list(REASONS)
    assert s.sim.members("support")[GRACE][0] is False


def test_an_unknown_reason_is_a_400_listing_the_valid_ones_in_acd_mode() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    web = ControlSite(ControlApi(AcdAgentControl(s.acd, ("lunch", "training"))), reactor=s.clock)
    request(web, "POST", "/api/v1/agents/a1/login", {"ready": True})
    status, body = request(web, "POST", "/api/v1/agents/a1/pause", {"reason": "break"})
    assert (status, body["error"]["valid"]) == (400, ["lunch", "training"])
    status, body = request(web, "POST", "/api/v1/agents/a1/login", {"queues": ["sales"]})
    assert status == 400 and "leave out --queue" in body["error"]["message"]
    s.close()


def _agents(argv: list[str], s: _Site, web: ControlSite) -> int:
    args = build_parser().parse_args(["agents", *argv])
    settings = Settings(queues=QueuesSettings(pause_reasons=REASONS))
    return run(args, settings, send=in_memory_send(web, pump=s.sim.settle))


def test_the_cli_logs_in_to_one_queue_and_refuses_an_unknown_reason(
    appq: tuple[_Site, ControlSite], capsys: pytest.CaptureFixture[str]
) -> None:
    s, web = appq
    assert _agents(["login", "heidi", "--queue", "support"], s, web) == 0
    assert capsys.readouterr().out == "heidi: not_ready (logged_in)\n"
    assert s.sim.members("support")[HEIDI][:2] == (True, "logged_in")
    assert HEIDI not in s.sim.members("sales")
    assert _agents(["pause", "heidi", "--reason", "coffee"], s, web) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "switchboard agents pause: unknown pause reason 'coffee'; "
        "use one of: break, lunch, training"
    )
    assert _agents(["ready", "heidi"], s, web) == 0
    assert capsys.readouterr().out == "heidi: ready\n"
    assert s.sim.members("support")[HEIDI][0] is False


def test_pause_reasons_in_the_settings_must_be_short_words() -> None:
    with pytest.raises(ValueError, match="'Team Meeting' is not a short lower-case word"):
        QueuesSettings(pause_reasons=("lunch", "Team Meeting"))
    with pytest.raises(ValueError, match="name at least one pause reason"):
        QueuesSettings(pause_reasons=())


def test_finish_wrapup_through_the_endpoint_in_app_queue_mode(
    appq: tuple[_Site, ControlSite],
) -> None:
    s, web = appq
    request(web, "POST", "/api/v1/agents/grace/login", {"ready": True}, pump=s.sim.settle)
    _call_ends_for(s, "grace")
    now = s.sim.clock.seconds()
    s.control.on_fact(AgentStateChanged("grace", now, AgentState.WRAP_UP, AgentState.ON_CALL))
    s.sim.settle(1)
    status, body = request(web, "GET", "/api/v1/agents/grace", pump=s.sim.settle)
    assert (body["agent"]["state"], body["agent"]["call_id"]) == ("wrap_up", "c1")
    status, body = request(web, "POST", "/api/v1/agents/grace/finish-wrapup", {}, pump=s.sim.settle)
    assert (status, body["agent"]["state"]) == (200, "ready")
    assert s.sim.members("support")[GRACE][0] is False
