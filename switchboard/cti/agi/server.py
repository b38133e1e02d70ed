# -*- test-case-name: tests.unit.test_agi_session,tests.integration.test_agi_loopback -*-
"""The FastAGI server: route each session to a handler by script name, run it, end cleanly.

``AGI(agi://host:4573/main-menu,...)`` runs the handler registered as ``main-menu``. A
handler is ``async def handler(channel: AgiChannel) -> None``. When it returns (or the
caller hangs up, or it crashes, which is logged with the call's context) the session
closes, so the dialplan continues at its next priority. An unknown script name is logged
and the session ends at once (never dead air). A connection is refused (Asterisk sets
``AGISTATUS=FAILURE`` and the dialplan falls back) from an address that is not allowed,
over ``max_sessions``, or over ``max_connections_per_peer`` from one address; one that
does not send its environment within ``env_timeout_s`` is closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import structlog
from twisted.application.service import Service
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred, succeed
from twisted.internet.endpoints import TCP4ServerEndpoint, TCP6ServerEndpoint
from twisted.internet.interfaces import (
    IAddress,
    IListeningPort,
    IReactorTCP,
    IReactorTime,
    IStreamServerEndpoint,
)
from twisted.internet.protocol import ServerFactory
from twisted.python.failure import Failure

from switchboard.config.model import AgiSettings
from switchboard.cti.agi._peers import LOOPBACK, PeerPolicy, allowed_networks
from switchboard.cti.agi._runner import start_handler
from switchboard.cti.agi.channel import Handler
from switchboard.cti.agi.protocol import AgiServerProtocol
from switchboard.cti.agi.session import AgiSession, SessionOptions
from switchboard.cti.agi.timeouts import TimeoutPolicy

__all__ = ["AgiServerFactory", "AgiServerService", "session_options"]

logger = structlog.get_logger(__name__)


def session_options(settings: AgiSettings, hangup_grace_s: float = 2.0) -> SessionOptions:
    """Session time allowances from the ``[agi]`` settings."""
    policy = TimeoutPolicy(default_s=settings.command_timeout_s, long_s=settings.idle_timeout_s)
    return SessionOptions(
        policy=policy, idle_timeout_s=settings.idle_timeout_s, hangup_grace_s=hangup_grace_s
    )


class AgiServerFactory(ServerFactory):
    """Builds one :class:`AgiServerProtocol` per admitted connection."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        clock: IReactorTime,
        options: SessionOptions,
        max_sessions: int = 1000,
        max_line_bytes: int = 65_536,
        *,
        env_timeout_s: float = 5.0,
        peers: PeerPolicy | None = None,
    ) -> None:
        # Kept by reference: the flow registry adds and replaces handlers while we run.
        self.handlers = handlers
        self.clock = clock
        self.options = options
        self.max_sessions = max_sessions
        self.max_line_bytes = max_line_bytes
        self.env_timeout_s = env_timeout_s
        self.peers = peers or PeerPolicy(None, max_sessions)
        self.active: set[AgiServerProtocol] = set()
        self._hosts: dict[AgiServerProtocol, str | None] = {}

    def buildProtocol(self, addr: IAddress) -> AgiServerProtocol | None:  # type: ignore[override]
        host = getattr(addr, "host", None)
        if len(self.active) >= self.max_sessions:
            logger.warning(
                "agi_session_refused",
                peer=str(addr),
                active=len(self.active),
                max_sessions=self.max_sessions,
            )
            return None
        if (reason := self.peers.refusal(host)) is not None:
            log_it, count = self.peers.worth_logging(host)
            if log_it:
                logger.warning("agi_connection_refused", peer=host, reason=reason, count=count)
            return None
        protocol = AgiServerProtocol(
            self.clock,
            self.start_session,
            self.options,
            self.max_line_bytes,
            env_timeout_s=self.env_timeout_s,
            on_lost=self._lost,
        )
        protocol.factory = self
        self.active.add(protocol)
        self._hosts[protocol] = host
        return protocol

    def _lost(self, protocol: AgiServerProtocol) -> None:
        self.active.discard(protocol)
        if protocol in self._hosts:
            self.peers.closed(self._hosts.pop(protocol))

    def start_session(self, session: AgiSession) -> None:
        handler = self.handlers.get(session.env.script)
        if handler is None:
            session.log.warning("agi_script_not_found", known=sorted(self.handlers))
            session.close()
            return
        session.log.info("agi_session_started", callerid=session.env.callerid)
        # HandlerRun rather than Deferred.fromCoroutine: see _runner.py.
        start_handler(handler, session, close=session.close)

    def close_all(self) -> None:
        for protocol in list(self.active):
            protocol.close()


class AgiServerService(Service):
    """Listens on ``settings.bind:settings.port`` (port 0: any free port, see :meth:`port`)."""

    def __init__(
        self,
        settings: AgiSettings,
        reactor: IReactorTCP,
        handlers: Mapping[str, Handler],
        *,
        endpoint: IStreamServerEndpoint | None = None,
        hangup_grace_s: float = 2.0,
        ami_host: str | None = None,
    ) -> None:
        self._settings = settings
        self._reactor = reactor
        self._endpoint = endpoint
        # Unset allow-list: loopback and the AMI host, where Asterisk usually runs.
        allowed = settings.allowed_peers
        if allowed is None:
            allowed = (*LOOPBACK, *([ami_host] if ami_host else []))
        self._allowed: tuple[str, ...] = allowed
        self.factory = AgiServerFactory(
            handlers,
            cast(IReactorTime, reactor),
            session_options(settings, hangup_grace_s),
            max_sessions=settings.max_sessions,
            max_line_bytes=settings.max_line_bytes,
            env_timeout_s=settings.env_timeout_s,
        )
        self._port: IListeningPort | None = None
        self._listening: Deferred[IListeningPort] | None = None

    def startService(self) -> None:
        super().startService()
        # Host names are resolved once, here, before the first connection.
        networks, unresolved = allowed_networks(self._allowed)
        if unresolved:
            logger.warning("agi_allowed_peer_not_resolved", names=unresolved)
        self.factory.peers = PeerPolicy(networks, self._settings.max_connections_per_peer)
        logger.info("agi_allowed_peers", peers=[str(n) for n in networks])
        endpoint = self._endpoint or self._default_endpoint()
        self._listening = endpoint.listen(self.factory)
        self._listening.addCallback(self._listened)
        self._listening.addErrback(self._listen_failed)

    def _default_endpoint(self) -> IStreamServerEndpoint:
        settings = self._settings
        bind, port, backlog = settings.bind, settings.port, settings.listen_backlog
        if ":" in bind:
            return TCP6ServerEndpoint(self._reactor, port, backlog=backlog, interface=bind)
        return TCP4ServerEndpoint(self._reactor, port, backlog=backlog, interface=bind)

    def _listened(self, port: IListeningPort) -> IListeningPort:
        self._port = port
        address = cast(IPv4Address | IPv6Address, port.getHost())  # a TCP endpoint's
        logger.info("agi_server_listening", bind=self._settings.bind, port=address.port)
        return port

    def _listen_failed(self, failure: Failure) -> Failure:
        logger.error(
            "agi_server_listen_failed",
            bind=self._settings.bind,
            port=self._settings.port,
            error=failure.getErrorMessage(),
        )
        return failure

    def listening(self) -> Deferred[IListeningPort]:
        """Fires with the listening port once bound (use ``.getHost().port`` for port 0)."""
        if self._port is not None:
            return succeed(self._port)
        if self._listening is None:
            raise RuntimeError("AgiServerService is not started")
        result: Deferred[IListeningPort] = Deferred()

        def relay(value: IListeningPort | Failure) -> IListeningPort | Failure:
            if isinstance(value, Failure):
                result.errback(value)
            else:
                result.callback(value)
            return value

        self._listening.addBoth(relay)
        return result

    @property
    def port(self) -> int:
        """The bound TCP port (meaningful once :meth:`listening` has fired)."""
        if self._port is None:
            raise RuntimeError("AgiServerService is not listening yet")
        return cast(IPv4Address | IPv6Address, self._port.getHost()).port

    def stopService(self) -> Deferred[None]:
        super().stopService()
        self.factory.close_all()
        port, self._port = self._port, None
        if port is None:
            return succeed(None)
        stopped = port.stopListening()
        return stopped if stopped is not None else succeed(None)
