# -*- test-case-name: tests.integration.test_control_loopback -*-
"""``switchboard agents``' blocking client against the control endpoint on a real
loopback socket (the in-memory tests are tests/control/test_cli.py)."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer, reactor, threads
from twisted.trial.unittest import TestCase

from switchboard.control.client import ControlClient, ControlClientError
from switchboard.control.service import ControlService
from switchboard.queue import AgentState, Queue
from switchboard.queue.shell.control import AcdAgentControl
from tests.queue.helpers import agent
from tests.queue.test_hold import QUIET, site


class LoopbackTests(TestCase):
    """The endpoint on a real loopback socket, the blocking client in a thread."""

    timeout = 20

    @defer.inlineCallbacks
    def test_the_client_reaches_the_endpoint_over_tcp(self) -> Any:
        s = site([Queue("sales", **QUIET)], [agent("a1")])
        service = ControlService(AcdAgentControl(s.acd), reactor, port=0)
        service.startService()
        self.addCleanup(service.stopService)
        port = (yield service.listening()).getHost().port
        client = ControlClient("127.0.0.1", port)
        answer = yield threads.deferToThread(client.log_in, "a1", True)
        assert answer["state"] == "ready"
        assert s.state("a1") is AgentState.READY
        error = yield threads.deferToThread(_error_of, client.ready, "zed")
        assert (error.status, error.code) == (404, "unknown_agent")


def _error_of(call: Any, *args: Any) -> ControlClientError:
    try:
        call(*args)
    except ControlClientError as exc:
        return exc
    raise AssertionError("no error")
