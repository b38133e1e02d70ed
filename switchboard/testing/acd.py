# -*- test-case-name: tests.queue.test_hold,tests.queue.test_service -*-
"""A fake AGI channel and a fake AMI client for the ACD shell's tests (no sockets)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import Clock

from switchboard.cti.agi.channel import DialOutcome, Playback
from switchboard.cti.agi.errors import AgiCommandFailed, AgiHangup, AgiUnknownCommand
from switchboard.cti.agi.wire import AgiEnvironment, Reply, format_command, parse_reply_line
from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import Message


def _reply(text: str = "200 result=0") -> Reply:
    reply = parse_reply_line(text)
    assert isinstance(reply, Reply)
    return reply


class FakeChannel:
    """Records every command; Dial waits for the test to call ``finish_dial``."""

    def __init__(
        self, clock: Clock, uniqueid: str = "c1", callerid: str = "5551001", say_number: bool = True
    ) -> None:
        self.clock = clock
        self._env = AgiEnvironment.from_pairs(
            [
                ("agi_uniqueid", uniqueid),
                ("agi_channel", f"Local/s@acd-{uniqueid};2"),
                ("agi_callerid", callerid),
                ("agi_network_script", "acd"),
            ]
        )
        self.sent: list[str] = []
        self.caller_gone = False
        self.dialing: Deferred[DialOutcome] | None = None
        self.digits: dict[str, str] = {}  # prompt -> digit pressed while it plays
        self.missing: set[str] = set()  # prompts Asterisk does not find: -1 at once
        self.say_number_works = say_number
        self._sleepers: list[Deferred[None]] = []

    @property
    def env(self) -> AgiEnvironment:
        return self._env

    # -- the test's side ------------------------------------------------------------------
    def hang_up(self) -> None:
        self.caller_gone = True
        if self.dialing is not None:  # hung up while the agent rang: Dial says CANCEL
            self.finish_dial("CANCEL", caller_hung_up=True)
        sleepers, self._sleepers = self._sleepers, []
        for d in sleepers:
            d.cancel_timer()  # type: ignore[attr-defined]
            d.errback(AgiHangup("caller hung up"))

    def finish_dial(self, status: str, caller_hung_up: bool = False) -> None:
        assert self.dialing is not None, "no Dial in flight"
        d, self.dialing = self.dialing, None
        d.callback(DialOutcome(-1 if caller_hung_up else 0, status, caller_hung_up))

    def verbs(self) -> list[str]:
        return [
            line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] if " " in line else line
            for line in self.sent
        ]

    # -- AgiChannel -----------------------------------------------------------------------
    def _media(self, line: str) -> None:
        self.sent.append(line)
        if self.caller_gone:
            raise AgiHangup(f"{line}: caller hung up")

    async def command(self, verb: str, *args: Any) -> Reply:
        self.sent.append(" ".join([verb, *map(str, args)]))
        return _reply()

    async def answer(self) -> None:
        self._media("ANSWER")

    async def stream_file(self, file: str, escape_digits: str = "") -> Playback:
        self._media(f"STREAM FILE {file} {escape_digits}".rstrip())
        if file in self.missing:
            reply = parse_reply_line("200 result=-1 endpos=0")
            assert isinstance(reply, Reply)
            raise AgiCommandFailed(reply)
        digit = self.digits.get(file)
        return Playback(digit if digit and digit in escape_digits else None, 8000)

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        self._media(f"WAIT FOR DIGIT {timeout_ms}")
        return None

    async def say_number(self, number: int, escape_digits: str = "") -> str | None:
        if not self.say_number_works:
            self.sent.append(f"SAY NUMBER {number}")
            raise AgiUnknownCommand(_reply("510 Invalid or unknown command"))
        self._media(f"SAY NUMBER {number}")
        return None

    async def say_digits(self, digits: str, escape_digits: str = "") -> str | None:
        self._media(f"SAY DIGITS {digits}")
        return None

    async def set_variable(self, name: str, value: Any) -> None:
        self.sent.append(format_command("SET VARIABLE", name, value).decode().rstrip("\n"))

    async def exec(self, app: str, options: str = "") -> Reply:
        self.sent.append(f"EXEC {app} {options}".rstrip())
        return _reply("200 result=-1" if self.caller_gone else "200 result=0")

    async def dial(self, destination: str, options: str = "") -> DialOutcome:
        self.sent.append(f"EXEC Dial {destination},{options}")
        if self.caller_gone:
            return DialOutcome(-1, "CANCEL", True)
        self.dialing = Deferred()
        return await self.dialing

    async def sleep(self, seconds: float) -> None:
        if self.caller_gone:
            raise AgiHangup("caller hung up")
        timer: list[Any] = []

        def cancel(d: Deferred[None]) -> None:
            if d in self._sleepers:
                self._sleepers.remove(d)
            if timer and timer[0].active():
                timer[0].cancel()

        d: Deferred[None] = Deferred(cancel)
        d.cancel_timer = lambda: timer[0].cancel()  # type: ignore[attr-defined]
        self._sleepers.append(d)

        def elapsed() -> None:
            self._sleepers.remove(d)
            d.callback(None)

        timer.append(self.clock.callLater(seconds, elapsed))
        await d


@dataclass
class FakeAmi:
    """Records actions sent; ``emit`` delivers an event to subscribers."""

    sent: list[actions.Action] = field(default_factory=list)
    subscribers: dict[str, list[Callable[[Message], object]]] = field(default_factory=dict)
    resync: list[Callable[[], object]] = field(default_factory=list)

    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]:
        self.sent.append(action)
        return succeed(Message([("Response", "Success")]))

    def send_list(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]:
        self.sent.append(action)
        return succeed(None)

    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]:
        self.subscribers.setdefault(event_name, []).append(callback)
        return lambda: self.subscribers[event_name].remove(callback)

    def on_resynced(self, callback: Callable[[], object]) -> Callable[[], None]:
        self.resync.append(callback)
        return lambda: self.resync.remove(callback)

    def emit(self, event: str, **headers: str) -> None:
        msg = Message([("Event", event), *headers.items()])
        for callback in list(self.subscribers.get(event, ())):
            callback(msg)

    def headers_of(self, index: int) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.sent[index].to_headers():
            out.setdefault(name, []).append(value)
        return out
