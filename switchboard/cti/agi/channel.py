# -*- test-case-name: tests.unit.test_agi_session -*-
"""What an IVR may ask of one call leg: the :class:`AgiChannel` protocol and its result values.

FastAGI sessions (:mod:`switchboard.cti.agi.session`) and process-AGI sessions
(:mod:`switchboard.cti.agi.process`) both implement it, so a handler runs unchanged on
either. Typed helpers raise the named errors of :mod:`switchboard.cti.agi.errors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from switchboard.cti.agi.wire import AgiEnvironment, Arg, Reply

__all__ = ["AgiChannel", "DialOutcome", "DigitsInput", "Handler", "Playback", "Recording"]


@dataclass(frozen=True, slots=True)
class Playback:
    """STREAM FILE outcome: the digit that interrupted it (or None) and where it stopped."""

    digit: str | None
    endpos: int | None


@dataclass(frozen=True, slots=True)
class DigitsInput:
    """GET DATA outcome: the digits (``#`` ends input and is not included)."""

    digits: str
    timed_out: bool


@dataclass(frozen=True, slots=True)
class Recording:
    """RECORD FILE outcome: the key that stopped it (None: timeout or silence) and length."""

    digit: str | None
    endpos: int | None
    timed_out: bool


@dataclass(frozen=True, slots=True)
class DialOutcome:
    """EXEC Dial outcome.

    ``result`` is the raw 0 / -1: -1 only means Dial wants the channel hung up (the callee
    hung up without ``g``, or the caller left). ``caller_hung_up`` tells which, from the
    ``HANGUP`` notice Asterisk pushes when the caller has really gone. ``status`` is
    ``DIALSTATUS`` (ANSWER, NOANSWER, BUSY, CANCEL, ...).
    """

    result: int
    status: str
    caller_hung_up: bool


class AgiChannel(Protocol):
    """One call leg under AGI control."""

    @property
    def env(self) -> AgiEnvironment: ...

    @property
    def caller_gone(self) -> bool:
        """True once Asterisk reported the caller hung up while the session was in use."""
        ...

    async def command(self, verb: str, *args: Arg) -> Reply:
        """Send any command and return its 200 reply; 510/511/520 raise named errors."""
        ...

    async def answer(self) -> None: ...

    async def stream_file(self, file: str, escape_digits: str = "") -> Playback: ...

    async def get_data(
        self, file: str, timeout_ms: int | None = None, max_digits: int | None = None
    ) -> DigitsInput: ...

    async def wait_for_digit(self, timeout_ms: int) -> str | None: ...

    async def say_digits(self, digits: str, escape_digits: str = "") -> str | None: ...

    async def say_number(self, number: int, escape_digits: str = "") -> str | None: ...

    async def set_variable(self, name: str, value: Arg) -> None: ...

    async def get_variable(self, name: str) -> str | None: ...

    async def get_full_variable(self, expression: str) -> str | None: ...

    async def exec(self, app: str, options: str = "") -> Reply:
        """Run a dialplan application; returns the raw reply (result 0 / -1 is not judged)."""
        ...

    async def dial(self, destination: str, options: str = "") -> DialOutcome: ...

    async def record_file(
        self,
        file: str,
        fmt: str = "wav",
        escape_digits: str = "#",
        timeout_ms: int = -1,
        beep: bool = False,
        silence_s: int | None = None,
    ) -> Recording: ...

    async def verbose(self, message: str, level: int = 1) -> None: ...

    async def channel_status(self) -> int: ...

    async def hangup(self) -> None: ...

    async def database_get(self, family: str, key: str) -> str | None: ...

    async def database_put(self, family: str, key: str, value: str) -> None: ...

    async def sleep(self, seconds: float) -> None:
        """Wait without sending anything; raises AgiHangup as soon as the caller leaves."""
        ...


Handler = Callable[[AgiChannel], Awaitable[None]]
