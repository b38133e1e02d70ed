# -*- test-case-name: tests.unit.test_agi_session -*-
"""Run a handler's coroutine without a Deferred round trip for every AGI command.

``Deferred.fromCoroutine`` resumes a coroutine through a Deferred callback chain at every
await. A FastAGI handler awaits one reply per command, thousands a second on a busy
server, so a command awaits a :class:`PendingReply` instead: :class:`HandlerRun` parks
the coroutine on it and the session resumes it directly when the reply arrives. Anything
else the handler awaits (a Deferred from a sleep or from database work) is handled the
way Twisted's ``inlineCallbacks`` handles it, in a copied ``contextvars`` context.
``HandlerRun`` has no Deferred of its own either: the server only needs to hear of a
failure, so it passes a callback.

:func:`start_handler` is how both the FastAGI server and process AGI run a handler: the
same runner, the same log lines for a hang-up, a crash and a normal end.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from contextvars import copy_context
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from switchboard.cti.agi.errors import AgiHangup

if TYPE_CHECKING:
    from switchboard.cti.agi.channel import AgiChannel, Handler

__all__ = ["HandlerRun", "PendingReply", "run_handler", "start_handler"]

_T = TypeVar("_T")
_PENDING: Any = object()
_PARKED: Any = object()


class PendingReply(Generic[_T]):
    """The outcome of the command in flight, as its sender awaits it (settled once)."""

    __slots__ = ("_deferred", "_error", "_resume", "_value")

    def __init__(self) -> None:
        self._value: Any = _PENDING
        self._error: BaseException | None = None
        self._resume: HandlerRun | None = None
        self._deferred: Deferred[_T] | None = None

    def succeed(self, value: _T) -> None:
        if self._value is _PENDING:
            self._value = value
            if self._resume is not None:  # the usual case, without _wake()
                run, self._resume = self._resume, None
                run.step(None)
            else:
                self._wake()

    def fail(self, error: BaseException) -> None:
        if self._value is _PENDING:
            self._value, self._error = None, error
            self._wake()

    def _wake(self) -> None:
        if self._resume is not None:
            run, self._resume = self._resume, None
            run.step(None)
        elif self._deferred is not None:
            if self._error is not None:
                self._deferred.errback(self._error)
            else:
                self._deferred.callback(self._value)

    def __await__(self) -> Generator[Any, Any, _T]:
        if self._value is _PENDING:
            yield self  # HandlerRun parks here until succeed() or fail()
            if self._value is _PENDING:
                # Driven by something other than HandlerRun (Twisted's inlineCallbacks
                # sends anything that is not a Deferred straight back): use a Deferred.
                self._deferred = Deferred()
                return (yield from self._deferred.__await__())
        if self._error is not None:
            raise self._error
        value: _T = self._value
        return value


class HandlerRun:
    """Drives one coroutine to its end; ``failed`` gets what escapes it, if anything.

    Unlike ``Deferred.fromCoroutine`` there is no Deferred to cancel the coroutine with:
    a session handler is stopped by closing its session.
    """

    __slots__ = ("_context", "_coroutine", "_done", "_failed")

    def __init__(
        self,
        coroutine: Coroutine[Any, Any, Any],
        failed: Callable[[Failure], object],
        done: Callable[[Any], object] | None = None,
    ) -> None:
        self._coroutine = coroutine
        self._context = copy_context()
        self._failed = failed
        self._done = done

    @classmethod
    def start(
        cls,
        coroutine: Coroutine[Any, Any, Any],
        failed: Callable[[Failure], object],
        done: Callable[[Any], object] | None = None,
    ) -> HandlerRun:
        """Run ``coroutine``; ``done`` gets what it returns, ``failed`` what escapes it."""
        run = cls(coroutine, failed, done)
        run.step(None)
        return run

    def step(self, value: object) -> None:
        """Resume the coroutine with ``value`` (a Failure is thrown into it)."""
        coroutine, context = self._coroutine, self._context
        while True:
            try:
                if isinstance(value, Failure):
                    yielded = context.run(value.throwExceptionIntoGenerator, coroutine)
                else:
                    yielded = context.run(coroutine.send, value)
            except StopIteration as stop:
                if self._done is not None:
                    self._done(stop.value)
                return
            except BaseException:
                self._failed(Failure())
                return
            if type(yielded) is PendingReply:
                if yielded._value is _PENDING:
                    yielded._resume = self
                    return
                value = None  # settled already: its __await__ reads the outcome
            elif isinstance(yielded, Deferred):
                value = self._wait_for(yielded)
                if value is _PARKED:
                    return
            else:
                value = yielded  # as inlineCallbacks does with a bare value

    def _wait_for(self, deferred: Deferred[Any]) -> object:
        """The result if ``deferred`` has fired already, else _PARKED (step() follows)."""
        # The same unrolling as inlineCallbacks: a Deferred that fires synchronously must
        # not make step() recurse.
        state: list[Any] = [True, None]

        def fired(result: object) -> None:
            if state[0]:
                state[0], state[1] = False, result
            else:
                self.step(result)

        deferred.addBoth(fired)
        if state[0]:
            state[0] = False
            return _PARKED
        return state[1]


async def run_handler(
    handler: Handler, channel: AgiChannel, close: Callable[[], object] | None = None
) -> bool:
    """Run one handler to its end and log how it ended; ``close`` the session after.
    False when the handler crashed (process AGI exits 1: the dialplan's fallback runs)."""
    log = channel.log  # type: ignore[attr-defined]  # both sessions bind one
    try:
        await handler(channel)
    except AgiHangup as exc:
        log.info("agi_handler_ended_by_hangup", reason=str(exc))
    except Exception:
        log.exception("agi_handler_failed")
        return False
    else:
        log.debug("agi_handler_finished")
    finally:
        if close is not None:
            close()
    return True


def start_handler(
    handler: Handler,
    channel: AgiChannel,
    *,
    close: Callable[[], object] | None = None,
    done: Callable[[bool], object] | None = None,
) -> HandlerRun:
    """Start :func:`run_handler` on a :class:`HandlerRun`; ``done`` hears whether the
    handler ended well. A failure of the runner itself is logged (and is not well)."""

    def runner_failed(failure: Failure) -> None:
        channel.log.error(  # type: ignore[attr-defined]
            "agi_handler_runner_failed", failure=failure.getTraceback()
        )
        if done is not None:
            done(False)

    return HandlerRun.start(run_handler(handler, channel, close), runner_failed, done)
