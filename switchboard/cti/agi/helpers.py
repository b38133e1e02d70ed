# -*- test-case-name: tests.unit.test_agi_session,tests.protocol.test_agi_fidelity -*-
"""The typed AGI helpers, written once over an abstract ``command``.

:class:`TypedCommands` turns replies into values and named errors. Subclasses provide
the transport: :class:`~switchboard.cti.agi.session.AgiSession` (FastAGI over Twisted)
and :class:`~switchboard.cti.agi.process.ProcessSession` (pyst2 over stdin/stdout).

Quoting follows the usual AGI convention: digit sets, messages and expressions always in
double quotes, other arguments only when they need them.
"""

from __future__ import annotations

from typing import NoReturn

from switchboard.cti.agi.channel import DialOutcome, DigitsInput, Playback, Recording
from switchboard.cti.agi.errors import AgiCommandFailed, AgiHangup
from switchboard.cti.agi.wire import AgiEnvironment, Arg, Quoted, Reply, app_argument

__all__ = ["TypedCommands"]


def _digit(code: int | None) -> str | None:
    if not code:
        return None
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return None


class TypedCommands:
    """Typed helpers of :class:`~switchboard.cti.agi.channel.AgiChannel`."""

    __slots__ = ()  # so that AgiSession can do without a __dict__

    async def command(self, verb: str, *args: Arg) -> Reply:
        raise NotImplementedError

    @property
    def env(self) -> AgiEnvironment:
        raise NotImplementedError

    @property
    def caller_gone(self) -> bool:
        raise NotImplementedError

    async def _hangup_follows(self) -> bool:
        """After a Dial -1 with no HANGUP yet: does one follow soon? (transport-specific)"""
        return self.caller_gone

    async def _checked(self, verb: str, *args: Arg) -> Reply:
        reply = await self.command(verb, *args)
        if reply.result_int == -1:
            await self._minus_one(verb, reply)
        return reply

    async def _minus_one(self, verb: str, reply: Reply) -> NoReturn:
        # -1 is "error or hangup"; a caller who left is announced by HANGUP right after.
        if self.caller_gone or await self._hangup_follows():
            raise AgiHangup(f"{verb}: caller hung up")
        raise AgiCommandFailed(reply)

    async def answer(self) -> None:
        await self._checked("ANSWER")

    async def stream_file(self, file: str, escape_digits: str = "") -> Playback:
        reply = await self._checked("STREAM FILE", file, Quoted(escape_digits))
        return Playback(digit=_digit(reply.result_int), endpos=reply.endpos)

    async def get_data(
        self, file: str, timeout_ms: int | None = None, max_digits: int | None = None
    ) -> DigitsInput:
        args: list[Arg] = [file]
        if timeout_ms is not None or max_digits is not None:
            args.append(timeout_ms if timeout_ms is not None else 0)
        if max_digits is not None:
            args.append(max_digits)
        reply = await self._checked("GET DATA", *args)
        return DigitsInput(digits=reply.result or "", timed_out=reply.timed_out)

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        reply = await self._checked("WAIT FOR DIGIT", timeout_ms)
        return _digit(reply.result_int)

    async def say_digits(self, digits: str, escape_digits: str = "") -> str | None:
        reply = await self._checked("SAY DIGITS", digits, Quoted(escape_digits))
        return _digit(reply.result_int)

    async def say_number(self, number: int, escape_digits: str = "") -> str | None:
        reply = await self._checked("SAY NUMBER", number, Quoted(escape_digits))
        return _digit(reply.result_int)

    async def set_variable(self, name: str, value: Arg) -> None:
        await self.command("SET VARIABLE", name, value)

    async def get_variable(self, name: str) -> str | None:
        reply = await self.command("GET VARIABLE", name)
        return reply.data if reply.result_int == 1 else None

    async def get_full_variable(self, expression: str) -> str | None:
        reply = await self.command("GET FULL VARIABLE", Quoted(expression))
        return reply.data if reply.result_int == 1 else None

    async def exec(self, app: str, options: str = "") -> Reply:
        return (
            await self.command("EXEC", app, options) if options else await self.command("EXEC", app)
        )

    async def dial(self, destination: str, options: str = "") -> DialOutcome:
        # The destination often comes from a flow template or a customer record: one
        # Dial argument, never a way to add Dial's options.
        destination = app_argument(destination, "Dial destination")
        data = f"{destination},{options}" if options else destination
        reply = await self.exec("Dial", data)
        result = reply.result_int or 0
        status = await self.get_variable("DIALSTATUS") or ""
        gone = self.caller_gone
        if result == -1 and not gone:
            gone = await self._hangup_follows()
        return DialOutcome(result=result, status=status, caller_hung_up=gone)

    async def record_file(
        self,
        file: str,
        fmt: str = "wav",
        escape_digits: str = "#",
        timeout_ms: int = -1,
        beep: bool = False,
        silence_s: int | None = None,
    ) -> Recording:
        args: list[Arg] = [file, fmt, Quoted(escape_digits), timeout_ms]
        if beep:
            args.append("BEEP")
        if silence_s is not None:
            args.append(f"s={silence_s}")
        reply = await self._checked("RECORD FILE", *args)
        digit = _digit(reply.result_int) if reply.data == "dtmf" else None
        return Recording(digit=digit, endpos=reply.endpos, timed_out=reply.timed_out)

    async def verbose(self, message: str, level: int = 1) -> None:
        await self.command("VERBOSE", Quoted(message), level)

    async def channel_status(self) -> int:
        reply = await self._checked("CHANNEL STATUS")
        return reply.result_int or 0

    async def hangup(self) -> None:
        await self.command("HANGUP")

    async def database_get(self, family: str, key: str) -> str | None:
        reply = await self.command("DATABASE GET", family, key)
        return reply.data if reply.result_int == 1 else None

    async def database_put(self, family: str, key: str, value: str) -> None:
        reply = await self.command("DATABASE PUT", family, key, value)
        if reply.result_int != 1:
            raise AgiCommandFailed(reply)
