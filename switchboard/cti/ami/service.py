# -*- test-case-name: tests.protocol.test_ami_service,tests.integration.test_ami_loopback -*-
"""The AMI client service: connect, log in, keep alive, reconnect with back-off, resync.

Built on :class:`twisted.application.internet.ClientService`. Its ``prepareConnection`` is
our login (plain or MD5 challenge) plus the ``Filter`` actions from settings; a refused
login (``Authentication failed``, ``Asterisk is shutting down``) fails the attempt and is
retried with back-off. After each successful (re)login the ``resynced`` callbacks run so
that the call model, queues and agents can rebuild state from lists: Asterisk replays
nothing that happened while we were away.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import structlog
from automat import NoTransition
from twisted.application.internet import ClientService, backoffPolicy
from twisted.application.service import Service
from twisted.internet.defer import Deferred, fail
from twisted.internet.endpoints import HostnameEndpoint
from twisted.internet.interfaces import IAddress, IProtocol, IStreamClientEndpoint, ITransport
from twisted.internet.protocol import Factory, Protocol
from twisted.python.failure import Failure
from zope.interface import implementer

from switchboard.config.model import AmiSettings
from switchboard.cti import names
from switchboard.cti.ami import actions
from switchboard.cti.ami.errors import AmiActionFailed, AmiDisconnected, AmiError, AmiLoginFailed
from switchboard.cti.ami.frames import Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.ami.protocol import AmiProtocol
from switchboard.cti.ami.subscriptions import EventCallback, Subscriptions

__all__ = ["AmiClient"]

log = structlog.get_logger(__name__)

RESYNC_ANY = Callable[[], object]


class AmiClient(Service):
    """The one AMI connection the application uses. Construct from settings and a reactor.

    ``send``/``send_list`` fail fast with :class:`AmiDisconnected` while not logged in.
    Subscriptions and resync callbacks are kept across reconnects.
    """

    def __init__(
        self,
        settings: AmiSettings,
        reactor: Any,
        *,
        endpoint: IStreamClientEndpoint | None = None,
        next_action_id: Callable[[], str] | None = None,
        jitter: Callable[[], float] = random.random,
        backoff_factor: float = 2.0,
    ) -> None:
        self._settings = settings
        self._clock = reactor
        self._next_id = next_action_id or actions.ActionIdGenerator()
        self._events = Subscriptions()
        self._resync: list[RESYNC_ANY] = []
        self._proto: AmiProtocol | None = None
        if endpoint is None:
            endpoint = HostnameEndpoint(
                reactor, settings.host, settings.port, timeout=settings.connect_timeout_s
            )
        self._log = log.bind(ami_host=settings.host, ami_port=settings.port)
        self._service = ClientService(
            _LossGuardEndpoint(endpoint),
            Factory.forProtocol(self._build_protocol),  # type: ignore[arg-type]
            # ClientService asks for attempt 1 first: scale so that it waits the initial delay.
            retryPolicy=backoffPolicy(
                settings.reconnect_initial_delay_s / backoff_factor,
                settings.reconnect_max_delay_s,
                backoff_factor,
                jitter,
            ),
            clock=reactor,
            prepareConnection=self._prepare,
        )

    # -- public facade ---------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """Logged in and able to send."""
        return self._proto is not None

    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]:
        """Send one action; fire with the response ``Message`` or fail (AmiActionFailed ...)."""
        if self._proto is None:
            return fail(AmiDisconnected(f"AMI not connected: {action.name} not sent"))
        return self._proto.send(action, timeout_s=timeout_s)

    def send_list(
        self, action: actions.Action, *, timeout_s: float | None = None
    ) -> Deferred[EventList]:
        """Send a list action (CoreShowChannels, QueueStatus ...); fire with the EventList."""
        if self._proto is None:
            return fail(AmiDisconnected(f"AMI not connected: {action.name} not sent"))
        return self._proto.send(action, gather=True, timeout_s=timeout_s)

    def subscribe(self, event_name: str, callback: EventCallback) -> Callable[[], None]:
        """Deliver events named ``event_name`` (``"*"``: all); returns an unsubscribe function."""
        return self._events.subscribe(event_name, callback)

    def on_resynced(self, callback: RESYNC_ANY) -> Callable[[], None]:
        """Call ``callback()`` after every successful (re)login; returns an unsubscribe."""
        self._resync.append(callback)
        return lambda: self._resync.remove(callback) if callback in self._resync else None

    def when_ready(self, fail_after_failures: int | None = None) -> Deferred[None]:
        """Fire once logged in (or fail after that many failed attempts).

        ClientService fires its own Deferred in the middle of a state transition, where
        stopping the service raises; this one fires on the next reactor turn instead, so a
        caller may stop the client from its callback.
        """
        ready: Deferred[None] = Deferred()

        def relay(result: object) -> None:
            if isinstance(result, Failure):
                self._clock.callLater(0, ready.errback, result)
            else:
                self._clock.callLater(0, ready.callback, None)

        self._service.whenConnected(failAfterFailures=fail_after_failures).addBoth(relay)
        return ready

    def startService(self) -> None:
        super().startService()
        self._service.startService()

    def stopService(self) -> Deferred[None]:
        super().stopService()
        return self._service.stopService()

    # -- connection lifecycle --------------------------------------------------------------
    def _build_protocol(self) -> AmiProtocol:
        return AmiProtocol(
            self._clock,
            next_action_id=self._next_id,
            on_event=self._events.dispatch,
            action_timeout_s=self._settings.action_timeout_s,
            max_message_bytes=self._settings.max_message_bytes,
        )

    def _prepare(self, proto: IProtocol) -> Deferred[None]:
        ami: AmiProtocol = proto  # type: ignore[assignment]  # ClientService's proxy forwards
        return Deferred.fromCoroutine(self._login(ami))

    async def _login(self, proto: AmiProtocol) -> None:
        s = self._settings
        try:
            await proto.when_banner().addTimeout(s.connect_timeout_s, self._clock)
            secret = s.secret.get_secret_value()
            if s.auth == "md5":
                answer: Message = await proto.send(actions.challenge())
                key = actions.md5_key(answer.get(names.CHALLENGE) or "", secret)
                await proto.send(actions.login_md5(s.username, key, s.events))
            else:
                await proto.send(actions.login(s.username, secret, s.events))
        except AmiActionFailed as exc:
            self._log.warning("ami_login_refused", username=s.username, reason=exc.message)
            proto.transport.loseConnection()
            raise AmiLoginFailed(exc.message) from None
        except Exception as exc:
            self._log.warning("ami_login_failed", username=s.username, error=repr(exc))
            proto.transport.loseConnection()
            raise
        for expression in s.event_filters:
            try:
                await proto.send(actions.filter_add(expression))
            except AmiError as exc:
                self._log.warning("ami_filter_refused", filter=expression, error=str(exc))
        self._proto = proto
        proto.closed.addCallback(self._lost, proto)
        proto.start_keepalive(s.keepalive_interval_s)
        self._log.info("ami_logged_in", username=s.username, auth=s.auth)
        for callback in list(self._resync):
            try:
                callback()
            except Exception:
                self._log.exception("ami_resync_callback_failed", callback=repr(callback))

    def _lost(self, _: None, proto: AmiProtocol) -> None:
        if self._proto is proto:
            self._proto = None


@implementer(IStreamClientEndpoint)
class _LossGuardEndpoint:
    """Hands ClientService its own protocol, but absorbs its ``NoTransition`` complaint.

    ClientService (Twisted 26.10) has no transition for a connection lost while it is
    Connecting or Waiting, which is exactly what a refused AMI login does. The loss itself
    was already handled by our protocol; only the service's bookkeeping call is spurious.
    """

    def __init__(self, inner: IStreamClientEndpoint) -> None:
        self._inner = inner

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        connecting = self._inner.connect(_GuardFactory(protocolFactory))
        connecting.addCallbacks(lambda guard: guard.inner, self._connect_failed)
        return connecting

    def _connect_failed(self, failure: Failure) -> Failure:
        # ClientService retries with back-off; the operator should see each failed attempt.
        log.warning(
            "ami_connect_failed", endpoint=repr(self._inner), error=failure.getErrorMessage()
        )
        return failure


class _GuardFactory(Factory):
    noisy = False

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def buildProtocol(self, addr: IAddress | None) -> Protocol | None:
        inner = self._wrapped.buildProtocol(addr)
        return None if inner is None else _LossGuard(inner)


class _LossGuard(Protocol):
    def __init__(self, inner: IProtocol) -> None:
        self.inner = inner

    def makeConnection(self, transport: ITransport) -> None:
        self.transport = transport
        self.inner.makeConnection(transport)

    def dataReceived(self, data: bytes) -> None:
        self.inner.dataReceived(data)

    def connectionLost(self, reason: Failure = Failure(AmiDisconnected())) -> None:  # noqa: B008
        try:
            self.inner.connectionLost(reason)
        except NoTransition:
            log.debug("ami_client_service_loss_ignored")
