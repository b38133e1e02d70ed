# -*- test-case-name: tests.unit.test_agi_session,tests.protocol.test_agi_fidelity -*-
"""The thin Twisted protocol of one FastAGI connection: feed the codec, hand items on.

It reads the environment (within ``env_timeout_s``), asks its starter for a session,
then forwards replies and ``HANGUP`` notices to that session. All decisions about
commands, timeouts and hangups live in :class:`~switchboard.cti.agi.session.AgiSession`.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from twisted.internet.interfaces import IReactorTime
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure

from switchboard.cti.agi._timer import LazyTimer
from switchboard.cti.agi.session import AgiSession, SessionOptions
from switchboard.cti.agi.wire import (
    AgiEnvironment,
    AgiParser,
    HangupNotice,
    LineTooLong,
    MalformedLine,
    Reply,
)

__all__ = ["AgiServerProtocol"]

logger = structlog.get_logger(__name__)

SessionStarter = Callable[[AgiSession], None]


class AgiServerProtocol(Protocol):
    """One accepted FastAGI connection."""

    def __init__(
        self,
        clock: IReactorTime,
        start: SessionStarter,
        options: SessionOptions,
        max_line_bytes: int,
        env_timeout_s: float = 10.0,
        on_lost: Callable[[AgiServerProtocol], None] | None = None,
    ) -> None:
        self._clock = clock
        self._start = start
        self._options = options
        self._parser = AgiParser(max_line_bytes)
        self._env_timeout_s = env_timeout_s
        self._on_lost = on_lost
        # Set for the environment, then handed on to the session (see _timer.py).
        self._timer = LazyTimer(clock, self._env_timed_out)
        self._awaiting_env = False
        self.session: AgiSession | None = None

    def connectionMade(self) -> None:
        self._awaiting_env = True
        now = self._clock.seconds()
        self._timer.fire_by(now + self._env_timeout_s, now)

    def dataReceived(self, data: bytes) -> None:
        for item in self._parser.feed(data):
            if self.transport is None or (self.session is None and not self._awaiting_env):
                return
            session = self.session
            if isinstance(item, Reply):
                if session is not None:
                    session.reply_received(item)
            elif isinstance(item, HangupNotice):
                if session is not None:
                    session.hangup_received()
            elif isinstance(item, AgiEnvironment):
                self._env_received(item)
            elif isinstance(item, MalformedLine) and session is None:
                logger.warning("agi_environment_line_skipped", reason=item.reason)
            elif isinstance(item, LineTooLong | MalformedLine):
                self._peer_error(item)
                return

    def connectionLost(self, reason: Failure | None = None) -> None:
        self._cancel_env_timer()
        if self.session is not None:
            self.session.connection_lost()
        if self._on_lost is not None:
            self._on_lost(self)

    def close(self) -> None:
        """Close from our side: the session if there is one, else the bare connection."""
        self._cancel_env_timer()
        if self.session is not None:
            self.session.close()
        elif self.transport is not None:
            self.transport.loseConnection()

    def _env_received(self, env: AgiEnvironment) -> None:
        self._awaiting_env = False  # the timer stays set: the session takes it over
        assert self.transport is not None
        transport = self.transport
        self.session = AgiSession(
            env, transport.write, transport.loseConnection, self._clock, self._options, self._timer
        )
        self._start(self.session)

    def _peer_error(self, item: LineTooLong | MalformedLine) -> None:
        reason = (
            f"line longer than {item.limit} bytes"
            if isinstance(item, LineTooLong)
            else f"{item.reason}: {item.line[:120]!r}"
        )
        if self.session is not None:
            self.session.protocol_error(reason)
        else:
            logger.warning("agi_protocol_error_received", reason=reason)
            self.close()

    def _env_timed_out(self) -> None:
        self._awaiting_env = False
        logger.warning("agi_environment_timed_out", timeout_s=self._env_timeout_s)
        self.close()

    def _cancel_env_timer(self) -> None:
        self._awaiting_env = False
        if self.session is None:
            self._timer.cancel()  # once there is a session, the timer is the session's
