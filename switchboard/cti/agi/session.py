# -*- test-case-name: tests.unit.test_agi_session,tests.protocol.test_agi_fidelity -*-
"""One FastAGI session: exactly one command in flight, timeouts, and hangup semantics.

The Twisted protocol feeds this object replies and ``HANGUP`` notices; the handler awaits
its typed helpers. Rules, from the Asterisk 22 captures:

* A ``HANGUP`` notice while the session is in use marks the caller gone. The command in
  flight still gets its reply (the notice often arrives before it). Later commands are
  still sent (variables, database and VERBOSE work on a dead channel); media commands then
  get 511, which raises :class:`AgiDeadChannel`. Waits (:meth:`sleep`) raise
  :class:`AgiHangup` at once.
* Asterisk keeps a hung-up channel for as long as its AGI socket stays open, so once the
  caller is gone and nothing is in flight for ``hangup_grace_s``, the session closes.
* A ``HANGUP`` after we closed our side is the normal end of a session, not a hangup.
* A command timeout leaves the reply stream out of step, so it closes the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from switchboard.cti.agi.errors import (
    AgiBusy,
    AgiConnectionLost,
    AgiDeadChannel,
    AgiError,
    AgiHangup,
    AgiProtocolError,
    AgiTimeout,
    AgiUnknownCommand,
    AgiUsageError,
)
from switchboard.cti.agi.helpers import TypedCommands
from switchboard.cti.agi.timeouts import TimeoutPolicy, command_timeout_s
from switchboard.cti.agi.wire import AgiEnvironment, Arg, Quoted, Reply, format_command

__all__ = ["AgiSession", "SessionOptions"]

# Commands whose allowance depends on their arguments (see timeouts.py).
_DERIVED_PREFIXES = ("EXEC", "RECORD", "WAIT", "GET DATA")

logger = structlog.get_logger(__name__)


class SessionOptions:
    """Time allowances of a session (seconds)."""

    __slots__ = ("dial_settle_s", "hangup_grace_s", "idle_timeout_s", "policy")

    def __init__(
        self,
        policy: TimeoutPolicy | None = None,
        idle_timeout_s: float = 3600.0,
        hangup_grace_s: float = 2.0,
        dial_settle_s: float = 0.2,
    ) -> None:
        self.policy = policy or TimeoutPolicy()
        self.idle_timeout_s = idle_timeout_s
        self.hangup_grace_s = hangup_grace_s
        self.dial_settle_s = dial_settle_s


def _error_for(reply: Reply) -> AgiError:
    if reply.code == 511:
        return AgiDeadChannel(reply)
    if reply.code == 510:
        return AgiUnknownCommand(reply)
    if reply.code == 520:
        return AgiUsageError(reply)
    return AgiProtocolError(f"unexpected reply: {reply.text[:200]!r}")


class AgiSession(TypedCommands):
    """The FastAGI implementation of :class:`~switchboard.cti.agi.channel.AgiChannel`."""

    def __init__(
        self,
        env: AgiEnvironment,
        write: Callable[[bytes], None],
        disconnect: Callable[[], None],
        clock: IReactorTime,
        options: SessionOptions | None = None,
    ) -> None:
        self._env = env
        self._write = write
        self._disconnect = disconnect
        self._clock = clock
        self._options = options or SessionOptions()
        self._in_flight: Deferred[Reply] | None = None
        self._caller_gone = False
        self._closed = False
        self._waiters: list[Callable[[], None]] = []
        self._grace: IDelayedCall | None = None
        # One lazy idle timer: activity only records the time; the timer re-arms itself.
        self._last_activity = clock.seconds()
        self._idle: IDelayedCall | None = clock.callLater(
            self._options.idle_timeout_s, self._idle_check
        )
        self.log = logger.bind(
            channel=env.channel, uniqueid=env.uniqueid, call_id=env.uniqueid, script=env.script
        )

    # -- AgiChannel ---------------------------------------------------------------------
    @property
    def env(self) -> AgiEnvironment:
        return self._env

    @property
    def caller_gone(self) -> bool:
        return self._caller_gone

    @property
    def closed(self) -> bool:
        return self._closed

    async def command(self, verb: str, *args: Arg) -> Reply:
        if self._closed:
            raise (
                AgiHangup("caller hung up")
                if self._caller_gone
                else AgiConnectionLost("session closed")
            )
        if self._in_flight is not None:
            raise AgiBusy(f"{verb}: a command is already in flight")
        line = format_command(verb, *args)
        policy = self._options.policy
        timeout_s = (
            command_timeout_s(
                verb.split() + [a.value if isinstance(a, Quoted) else str(a) for a in args],
                policy,
            )
            if verb.startswith(_DERIVED_PREFIXES)
            else policy.default_s
        )
        self._in_flight = request = Deferred[Reply]()
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        self._write(line)
        request.addTimeout(timeout_s, self._clock)
        try:
            reply = await request
        except defer.TimeoutError:
            self._in_flight = None
            self.log.warning("agi_command_timed_out", command=verb, timeout_s=timeout_s)
            self.close()
            raise AgiTimeout(f"{verb}: no reply within {timeout_s:g} s") from None
        if reply.code == 200:
            return reply
        if reply.code == 511:
            self._caller_gone = True
        raise _error_for(reply)

    async def sleep(self, seconds: float) -> None:
        await self._wait(seconds, hangup_fails=True)

    async def _hangup_follows(self) -> bool:
        await self._wait(self._options.dial_settle_s, hangup_fails=False)
        return self._caller_gone

    # -- fed by the protocol --------------------------------------------------------------
    def reply_received(self, reply: Reply) -> None:
        self._last_activity = self._clock.seconds()
        request, self._in_flight = self._in_flight, None
        if request is None:
            if self._closed:
                return
            self.log.warning("agi_unexpected_reply_received", reply=reply.text[:200])
            return
        request.callback(reply)
        self._became_idle()

    def hangup_received(self) -> None:
        if self._closed:
            self.log.debug("agi_hangup_after_close_ignored")
            return
        if self._caller_gone:
            return
        self._caller_gone = True
        self.log.info("agi_caller_hung_up", command_in_flight=self._in_flight is not None)
        self._wake_waiters()
        self._became_idle()

    def protocol_error(self, reason: str) -> None:
        self.log.warning("agi_protocol_error_received", reason=reason)
        request, self._in_flight = self._in_flight, None
        if request is not None:
            request.errback(AgiProtocolError(reason))
        self.close()

    def close(self) -> None:
        """End the session from our side (handler finished, timeout, hangup grace over)."""
        if self._closed:
            return
        self._shut(AgiConnectionLost("session closed"))
        self._disconnect()

    def connection_lost(self) -> None:
        if self._closed:
            return
        self.log.info("agi_connection_lost", caller_gone=self._caller_gone)
        self._shut(AgiConnectionLost("AGI connection lost"))

    # -- internals ------------------------------------------------------------------------
    def _shut(self, error: AgiError) -> None:
        self._closed = True
        self._cancel_timers()
        self._wake_waiters()
        request, self._in_flight = self._in_flight, None
        if request is not None:
            request.errback(AgiHangup("caller hung up") if self._caller_gone else error)

    def _wait(self, seconds: float, hangup_fails: bool) -> Deferred[None]:
        if self._caller_gone or self._closed:
            if hangup_fails:
                return defer.fail(
                    AgiHangup("caller hung up")
                    if self._caller_gone
                    else AgiConnectionLost("session closed")
                )
            return defer.succeed(None)
        done = Deferred[None]()

        def wake() -> None:
            timer.cancel()
            if hangup_fails:
                done.errback(
                    AgiHangup("caller hung up")
                    if self._caller_gone
                    else AgiConnectionLost("session closed")
                )
            else:
                done.callback(None)

        def elapsed() -> None:
            self._waiters.remove(wake)
            done.callback(None)

        timer = self._clock.callLater(seconds, elapsed)
        self._waiters.append(wake)
        return done

    def _wake_waiters(self) -> None:
        waiters, self._waiters = self._waiters, []
        for wake in waiters:
            wake()

    def _became_idle(self) -> None:
        if self._closed or self._in_flight is not None:
            return
        if self._caller_gone and self._grace is None:
            self._grace = self._clock.callLater(self._options.hangup_grace_s, self._grace_over)

    def _cancel_timers(self) -> None:
        for timer in (self._grace, self._idle):
            if timer is not None and timer.active():
                timer.cancel()
        self._grace = self._idle = None

    def _grace_over(self) -> None:
        self._grace = None
        self.log.info("agi_session_closed_after_hangup")
        self.close()

    def _idle_check(self) -> None:
        limit = self._options.idle_timeout_s
        quiet_s = self._clock.seconds() - self._last_activity
        if self._in_flight is not None or quiet_s < limit:
            # A command in flight has its own allowance; otherwise wait out the remainder.
            wait_s = limit if self._in_flight is not None else limit - quiet_s
            self._idle = self._clock.callLater(wait_s, self._idle_check)
            return
        self._idle = None
        self.log.warning("agi_session_idle_timed_out", idle_timeout_s=self._options.idle_timeout_s)
        self.close()

    def __repr__(self) -> str:
        state: dict[str, Any] = {"closed": self._closed, "caller_gone": self._caller_gone}
        return f"<AgiSession {self._env.channel!r} {state}>"
