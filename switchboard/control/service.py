# -*- test-case-name: tests.control.test_api,tests.control.test_cli -*-
"""The control endpoint as a service of ``switchboard serve``: listens on loopback only."""

from __future__ import annotations

from typing import Any

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import TCP4ServerEndpoint, TCP6ServerEndpoint
from twisted.internet.interfaces import IListeningPort, IStreamServerEndpoint
from twisted.python.failure import Failure
from twisted.web.http import Request
from twisted.web.server import Site

from switchboard.control._resource import ControlApi
from switchboard.queue.shell.control import AgentControl

__all__ = ["ControlService", "ControlSite"]

logger = structlog.get_logger(__name__)


class ControlSite(Site):
    """A :class:`Site` whose access log is a structlog event, not a file."""

    noisy = False
    event = "control_request"  # the log event's name (the web tier's site says its own)

    def log(self, request: Request) -> None:
        logger.info(
            self.event,
            method=request.method.decode("ascii", "replace"),
            path=request.path.decode("ascii", "replace"),
            status=request.code,
        )


class ControlService(Service):
    """Serves :class:`ControlApi` on ``bind:port`` (port 0: any free port)."""

    def __init__(
        self,
        control: AgentControl | None,
        reactor: Any,
        *,
        bind: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        endpoint: IStreamServerEndpoint | None = None,
    ) -> None:
        self.site = ControlSite(ControlApi(control, token), reactor=reactor)
        self._reactor, self._bind, self._port_number = reactor, bind, port
        self._endpoint = endpoint
        self._port: IListeningPort | None = None
        self._listening: Deferred[None] | None = None
        self._failure: Failure | None = None

    def startService(self) -> None:
        super().startService()
        endpoint = self._endpoint or (
            TCP6ServerEndpoint(self._reactor, self._port_number, interface=self._bind)
            if ":" in self._bind
            else TCP4ServerEndpoint(self._reactor, self._port_number, interface=self._bind)
        )
        self._listening = endpoint.listen(self.site).addCallbacks(  # type: ignore[call-arg,misc]
            self._listened, self._listen_failed
        )

    def _listened(self, port: IListeningPort) -> None:
        self._port = port
        logger.info("control_listening", bind=self._bind, port=port.getHost().port)  # type: ignore[misc,attr-defined]

    def _listen_failed(self, failure: Failure) -> None:
        # Not fatal: calls are still served; operators read this and fix the port.
        self._failure = failure
        logger.error(
            "control_listen_failed",
            bind=self._bind,
            port=self._port_number,
            error=failure.getErrorMessage(),
            fix="choose a free [control] port, or set [control] enabled = false",
        )

    def listening(self) -> Deferred[IListeningPort]:
        """Fires with the listening port once bound (``.getHost().port`` for port 0), or
        fails with the reason it could not listen."""
        if self._listening is None:
            raise RuntimeError("ControlService is not started")
        result: Deferred[IListeningPort] = Deferred()

        def relay(_: object) -> None:
            if self._port is not None:
                result.callback(self._port)
            else:
                result.errback(self._failure or Failure(RuntimeError("not listening")))

        self._listening.addBoth(relay)
        return result

    def stopService(self) -> Deferred[None] | None:  # type: ignore[override]
        super().stopService()
        port, self._port = self._port, None
        if port is not None:
            return port.stopListening()  # type: ignore[misc,no-any-return]
        return None
