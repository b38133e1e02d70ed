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

Timers: the command allowance and the idle limit share one
:class:`~switchboard.cti.agi._timer.LazyTimer` (the one the protocol used for the
environment). A command or a reply only records its deadline, so a call of a few seconds
makes one DelayedCall in all, not one per command as ``Deferred.addTimeout`` would.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from math import inf
from typing import Any

import structlog
from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from switchboard.cti.agi._runner import PendingReply
from switchboard.cti.agi._timer import LazyTimer
from switchboard.cti.agi.errors import (
    AgiBusy,
    AgiConnectionLost,
    AgiError,
    AgiHangup,
    AgiProtocolError,
    AgiTimeout,
    error_for_reply,
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


def _allowance_s(verb: str, args: tuple[Arg, ...], policy: TimeoutPolicy) -> float:
    try:
        return _cached_allowance_s(verb, args, policy)
    except TypeError:  # an unhashable argument
        return _derive_allowance_s(verb, args, policy)


def _derive_allowance_s(verb: str, args: tuple[Arg, ...], policy: TimeoutPolicy) -> float:
    words = verb.split() + [a.value if isinstance(a, Quoted) else str(a) for a in args]
    return command_timeout_s(words, policy)


# An IVR repeats its GET DATA / WAIT FOR DIGIT / EXEC lines, so their allowances are kept.
_cached_allowance_s = lru_cache(maxsize=256, typed=True)(_derive_allowance_s)


class AgiSession(TypedCommands):
    """The FastAGI implementation of :class:`~switchboard.cti.agi.channel.AgiChannel`."""

    # Slots: no per-session __dict__ for the cyclic GC to walk while hundreds are live.
    __slots__ = (
        "_caller_gone",
        "_clock",
        "_closed",
        "_command_due",
        "_disconnect",
        "_env",
        "_grace",
        "_idle_timeout_s",
        "_in_flight",
        "_in_flight_allowance_s",
        "_in_flight_verb",
        "_last_activity",
        "_options",
        "_policy",
        "_timer",
        "_waiters",
        "_write",
        "log",
    )

    def __init__(
        self,
        env: AgiEnvironment,
        write: Callable[[bytes], None],
        disconnect: Callable[[], None],
        clock: IReactorTime,
        options: SessionOptions | None = None,
        timer: LazyTimer | None = None,
    ) -> None:
        self._env = env
        self._write = write
        self._disconnect = disconnect
        self._clock = clock
        self._options = options or SessionOptions()
        # Read on every command and reply, so kept at hand.
        self._policy = self._options.policy
        self._idle_timeout_s = self._options.idle_timeout_s
        self._in_flight: PendingReply[Reply] | None = None
        # What is in flight (verb, allowance) and when its allowance runs out.
        self._in_flight_verb = ""
        self._in_flight_allowance_s = 0.0
        self._command_due = inf
        self._caller_gone = False
        self._closed = False
        self._waiters: list[Callable[[], None]] = []
        self._grace: IDelayedCall | None = None
        # The one lazy timer (see the module docstring). It is set no later than the
        # default allowance, so that the session's first commands need not move it.
        now = clock.seconds()
        self._last_activity = now
        self._timer = timer or LazyTimer(clock, self._timer_fired)
        self._timer.target = self._timer_fired
        self._timer.fire_by(
            now + min(self._options.idle_timeout_s, self._options.policy.default_s), now
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
        return await self._send(verb, args)

    async def _checked(self, verb: str, *args: Arg) -> Reply:
        # TypedCommands._checked minus one coroutine per command (it calls command()).
        reply = await self._send(verb, args)
        if reply.result_int == -1:
            await self._minus_one(verb, reply)
        return reply

    def _send(self, verb: str, args: tuple[Arg, ...]) -> PendingReply[Reply]:
        """Write one command; the result settles with its 200 reply or fails (see below)."""
        if self._closed:
            raise (
                AgiHangup("caller hung up")
                if self._caller_gone
                else AgiConnectionLost("session closed")
            )
        if self._in_flight is not None:
            raise AgiBusy(f"{verb}: a command is already in flight")
        line = format_command(verb, *args)
        policy = self._policy
        timeout_s = (
            _allowance_s(verb, args, policy)
            if verb.startswith(_DERIVED_PREFIXES)
            else policy.default_s
        )
        # (Not PendingReply[Reply](): calling a subscripted generic costs a typing call.)
        request: PendingReply[Reply] = PendingReply()
        self._in_flight = request
        self._in_flight_verb, self._in_flight_allowance_s = verb, timeout_s
        now = self._clock.seconds()
        self._command_due = due = now + timeout_s
        if due < self._timer.at:
            self._timer.fire_by(due, now)
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        self._write(line)
        return request

    async def sleep(self, seconds: float) -> None:
        await self._wait(seconds, hangup_fails=True)

    async def _hangup_follows(self) -> bool:
        await self._wait(self._options.dial_settle_s, hangup_fails=False)
        return self._caller_gone

    # -- fed by the protocol --------------------------------------------------------------
    def reply_received(self, reply: Reply) -> None:
        if self._closed:  # nothing is in flight on a closed session
            return
        self._last_activity = now = self._clock.seconds()
        if now + self._idle_timeout_s < self._timer.at:
            # The timer was set for a long allowance (a Dial, say): idleness comes first.
            self._timer.fire_by(now + self._idle_timeout_s, now)
        request, self._in_flight = self._in_flight, None
        if request is None:
            self.log.warning("agi_unexpected_reply_received", reply=reply.text[:200])
            return
        # Settling runs the handler on to its next await.
        if reply.code == 200:
            request.succeed(reply)
        else:
            if reply.code == 511:
                self._caller_gone = True
            request.fail(error_for_reply(reply))
        if self._caller_gone:  # (only then can _became_idle() have anything to do)
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
            request.fail(AgiProtocolError(reason))
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
            request.fail(AgiHangup("caller hung up") if self._caller_gone else error)

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
        if self._grace is not None and self._grace.active():
            self._grace.cancel()
        self._grace = None
        self._timer.cancel()

    def _grace_over(self) -> None:
        self._grace = None
        self.log.info("agi_session_closed_after_hangup")
        self.close()

    def _timer_fired(self) -> None:
        now = self._clock.seconds()
        if self._in_flight is not None:
            # A command in flight has its own allowance; idleness does not apply.
            if now < self._command_due:
                self._timer.fire_by(self._command_due, now)
            else:
                self._command_timed_out()
            return
        idle_due = self._last_activity + self._options.idle_timeout_s
        if now < idle_due:
            self._timer.fire_by(idle_due, now)
            return
        self.log.warning("agi_session_idle_timed_out", idle_timeout_s=self._options.idle_timeout_s)
        self.close()

    def _command_timed_out(self) -> None:
        # Out of step with the reply stream: close first, then fail the command, so the
        # handler sees AgiTimeout on a session that is already closed.
        request, self._in_flight = self._in_flight, None
        verb, timeout_s = self._in_flight_verb, self._in_flight_allowance_s
        self.log.warning("agi_command_timed_out", command=verb, timeout_s=timeout_s)
        self.close()
        if request is not None:
            request.fail(AgiTimeout(f"{verb}: no reply within {timeout_s:g} s"))

    def __repr__(self) -> str:
        state: dict[str, Any] = {"closed": self._closed, "caller_gone": self._caller_gone}
        return f"<AgiSession {self._env.channel!r} {state}>"
