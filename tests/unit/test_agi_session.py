"""FastAGI sessions over StringTransport and Clock: one command in flight, timeouts, hangups,
limits, and the server's handling of unknown scripts and crashing handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from structlog.testing import capture_logs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.cti.agi import (
    AgiBusy,
    AgiChannel,
    AgiConnectionLost,
    AgiDeadChannel,
    AgiHangup,
    AgiProtocolError,
    AgiTimeout,
    AgiUnknownCommand,
    AgiUsageError,
    UnsafeArgument,
)
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.cti.agi.timeouts import TimeoutPolicy
from switchboard.testing.agi import FakeAsterisk, env_block

OPTIONS = SessionOptions(
    TimeoutPolicy(default_s=30.0, long_s=600.0, margin_s=5.0),
    idle_timeout_s=600.0,
    hangup_grace_s=2.0,
)


class Harness:
    """A server factory with one handler, a fake Asterisk, and what the handler saw."""

    def __init__(self, body: Callable[[AgiChannel], Awaitable[Any]], **kw: Any) -> None:
        self.clock = Clock()
        self.seen: list[Any] = []

        async def handler(channel: AgiChannel) -> None:
            self.channel = channel
            try:
                self.seen.append(await body(channel))
            except Exception as exc:
                self.seen.append(exc)
                raise

        self.factory = AgiServerFactory({"main-menu": handler}, self.clock, OPTIONS, **kw)

    def connect(self, script: str = "main-menu") -> FakeAsterisk:
        asterisk = FakeAsterisk(self.factory, self.clock)
        if not asterisk.refused:
            asterisk.send(env_block(script))
        return asterisk

    def finish(self, asterisk: FakeAsterisk) -> None:
        asterisk.disconnect()
        assert self.clock.getDelayedCalls() == []
        assert self.factory.active == set()


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    with capture_logs() as captured:
        yield captured


def events(logs: list[dict[str, Any]]) -> list[str]:
    return [entry["event"] for entry in logs]


def test_command_reply_and_session_end_when_handler_returns() -> None:
    h = Harness(lambda ch: ch.get_variable("X"))
    asterisk = h.connect()
    assert asterisk.commands() == [["GET", "VARIABLE", "X"]]
    asterisk.reply("100 Trying...")  # progress, not the reply
    assert h.seen == [] and not asterisk.closed_by_server
    asterisk.reply("200 result=1 (sales)")
    assert h.seen == ["sales"] and asterisk.closed_by_server
    h.finish(asterisk)


def test_command_times_out_with_its_default_allowance(logs: list[dict[str, Any]]) -> None:
    h = Harness(lambda ch: ch.answer())
    asterisk = h.connect()
    h.clock.advance(29.9)
    assert h.seen == []  # still waiting
    h.clock.advance(0.2)
    assert isinstance(h.seen[0], AgiTimeout)
    # Out of step with the reply stream: the session is closed.
    assert asterisk.closed_by_server
    assert "agi_command_timed_out" in events(logs)
    h.finish(asterisk)


@pytest.mark.parametrize(
    ("body", "allowance"),
    [
        (lambda ch: ch.get_data("beep", 4000, 4), 30 + 16 + 5),
        (lambda ch: ch.dial("Local/agent1001@switchboard-agents/n", "12"), 12 + 600 + 5),
        (lambda ch: ch.dial("Local/a@b/n", "20,S(60)"), 20 + 60 + 5),
        (lambda ch: ch.record_file("msg", "wav", "#", 10_000), 10 + 5),
        (lambda ch: ch.wait_for_digit(500), 0.5 + 5),
    ],
)
def test_waiting_commands_get_an_allowance_from_their_arguments(
    body: Callable[[AgiChannel], Awaitable[Any]], allowance: float
) -> None:
    h = Harness(body)
    asterisk = h.connect()
    h.clock.advance(allowance - 0.1)
    assert h.seen == []
    h.clock.advance(0.2)
    assert isinstance(h.seen[0], AgiTimeout)
    h.finish(asterisk)


def test_idle_session_is_closed(logs: list[dict[str, Any]]) -> None:
    h = Harness(lambda ch: ch.sleep(10_000))
    asterisk = h.connect()
    h.clock.advance(600)
    assert isinstance(h.seen[0], AgiConnectionLost)
    assert asterisk.closed_by_server
    assert "agi_session_idle_timed_out" in events(logs)
    h.finish(asterisk)


def test_hangup_before_the_reply_still_delivers_it_then_dead_channel() -> None:
    async def body(ch: AgiChannel) -> Any:
        status = await ch.get_variable("DIALSTATUS")
        gone = ch.caller_gone
        try:
            await ch.stream_file("x")
        except AgiDeadChannel as exc:
            return status, gone, exc
        raise AssertionError("no 511")

    h = Harness(body)
    asterisk = h.connect()
    asterisk.commands()
    asterisk.hangup()  # overtakes the reply, as in capture agi-dial-c
    asterisk.reply("200 result=1 (CANCEL)")
    assert asterisk.commands() == [["STREAM", "FILE", "x", ""]]
    asterisk.reply("511 Command Not Permitted on a dead channel or intercept routine")
    status, gone, exc = h.seen[0]
    assert (status, gone) == ("CANCEL", True) and isinstance(exc, AgiHangup)
    h.finish(asterisk)


def test_hangup_wakes_a_sleeping_handler() -> None:
    h = Harness(lambda ch: ch.sleep(60))
    asterisk = h.connect()
    h.clock.advance(2)
    asterisk.hangup()
    assert isinstance(h.seen[0], AgiHangup)
    assert asterisk.closed_by_server  # at once, not after 60 s
    h.finish(asterisk)


def test_hangup_while_handler_waits_elsewhere_closes_after_grace(
    logs: list[dict[str, Any]],
) -> None:
    never: Deferred[None] = Deferred()
    h = Harness(lambda ch: never)
    asterisk = h.connect()
    asterisk.hangup()
    h.clock.advance(1.9)
    assert not asterisk.closed_by_server
    h.clock.advance(0.2)
    assert asterisk.closed_by_server
    assert "agi_session_closed_after_hangup" in events(logs)
    asterisk.hangup()  # the HANGUP after our close: the normal end, ignored
    assert events(logs).count("agi_caller_hung_up") == 1
    never.callback(None)
    h.finish(asterisk)


def test_named_errors_for_510_and_520() -> None:
    async def body(ch: AgiChannel) -> Any:
        out = []
        for verb in ("FROBNICATE", "STREAM FILE"):
            try:
                await ch.command(verb)
            except (AgiUnknownCommand, AgiUsageError) as exc:
                out.append(exc)
        return out

    h = Harness(body)
    asterisk = h.connect()
    asterisk.reply("510 Invalid or unknown command")
    asterisk.reply(
        "520-Invalid command syntax.  Proper usage follows:", "text", "520 End of proper usage."
    )
    unknown, usage = h.seen[0]
    assert isinstance(unknown, AgiUnknownCommand)
    assert isinstance(usage, AgiUsageError) and usage.usage == "text"
    h.finish(asterisk)


def test_exactly_one_command_in_flight() -> None:
    async def body(ch: AgiChannel) -> Any:
        first = Deferred.fromCoroutine(ch.answer())
        with pytest.raises(AgiBusy):
            await ch.answer()
        return await first

    h = Harness(body)
    asterisk = h.connect()
    assert asterisk.commands() == [["ANSWER"]]
    asterisk.reply("200 result=0")
    assert h.seen == [None]
    h.finish(asterisk)


def test_unsafe_argument_is_refused_before_anything_is_written() -> None:
    h = Harness(lambda ch: ch.set_variable("X", "a\nHANGUP"))
    asterisk = h.connect()
    assert isinstance(h.seen[0], UnsafeArgument)
    assert asterisk.transport.value() == b""
    h.finish(asterisk)


def test_connection_lost_mid_command_fails_it() -> None:
    h = Harness(lambda ch: ch.answer())
    asterisk = h.connect()
    asterisk.disconnect()
    assert isinstance(h.seen[0], AgiConnectionLost)
    assert h.clock.getDelayedCalls() == [] and h.factory.active == set()


def test_over_long_line_closes_the_session() -> None:
    h = Harness(lambda ch: ch.answer())
    h.factory.max_line_bytes = 1024
    asterisk = h.connect()
    asterisk.send(b"200 result=" + b"1" * 2000)
    assert isinstance(h.seen[0], AgiProtocolError)
    assert asterisk.closed_by_server
    h.finish(asterisk)


def test_unknown_script_is_logged_and_session_ends(logs: list[dict[str, Any]]) -> None:
    h = Harness(lambda ch: ch.answer())
    asterisk = h.connect("no-such-flow")
    assert asterisk.closed_by_server and asterisk.transport.value() == b""
    entry = next(e for e in logs if e["event"] == "agi_script_not_found")
    assert entry["script"] == "no-such-flow" and entry["known"] == ["main-menu"]
    h.finish(asterisk)


def test_handler_crash_is_logged_with_context_and_session_closed(
    logs: list[dict[str, Any]],
) -> None:
    async def body(ch: AgiChannel) -> None:
        await ch.answer()
        raise KeyError("bug")

    h = Harness(body)
    asterisk = h.connect()
    asterisk.reply("200 result=0")
    assert asterisk.closed_by_server
    entry = next(e for e in logs if e["event"] == "agi_handler_failed")
    assert entry["log_level"] == "error" and entry["channel"].endswith(";2")
    assert entry["uniqueid"] and entry["call_id"]
    h.finish(asterisk)


def test_sessions_over_the_limit_are_refused(logs: list[dict[str, Any]]) -> None:
    h = Harness(lambda ch: ch.sleep(5), max_sessions=2)
    first, second = h.connect(), h.connect()
    third = h.connect()
    assert third.refused and "agi_session_refused" in events(logs)
    h.clock.advance(5)
    first.disconnect()
    fourth = h.connect()  # room again
    assert not fourth.refused
    h.clock.advance(5)
    for asterisk in (second, fourth):
        asterisk.disconnect()
    assert h.clock.getDelayedCalls() == [] and h.factory.active == set()


def test_environment_must_arrive_in_time(logs: list[dict[str, Any]]) -> None:
    h = Harness(lambda ch: ch.answer())
    asterisk = FakeAsterisk(h.factory, h.clock)
    h.clock.advance(30)
    assert asterisk.closed_by_server and "agi_environment_timed_out" in events(logs)
    h.finish(asterisk)


def test_a_dial_destination_with_a_comma_is_refused_before_anything_is_written() -> None:
    # A destination from a customer record must not add Dial options: EXEC hands its data
    # to Dial, which splits it on ',' (__ast_app_separate_args, main/app.c).
    h = Harness(lambda ch: ch.dial("PJSIP/1001,,G(owned^s^1)", "20"))
    asterisk = h.connect()
    assert isinstance(h.seen[0], UnsafeArgument) and "Dial destination" in str(h.seen[0])
    assert asterisk.transport.value() == b""
    h.finish(asterisk)
