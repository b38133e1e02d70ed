# -*- test-case-name: tests.unit.test_agi_runner -*-
"""One handler runner for FastAGI and process AGI: the same ends, the same log lines.

A handler ends normally, by the caller hanging up, or by a crash; both front ends run it
through :func:`switchboard.cti.agi._runner.start_handler`, so the log (and a process
AGI's exit status: 1 sends the dialplan to its fallback) tell it the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs
from twisted.internet.task import Clock, deferLater

from switchboard.cti.agi import process
from switchboard.cti.agi._runner import start_handler
from switchboard.cti.agi.errors import AgiHangup


class _Channel:
    def __init__(self) -> None:
        self.log = structlog.get_logger("test").bind(call_id="c1")
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


async def _returns(_channel: Any) -> None:
    return None


async def _hangs_up(_channel: Any) -> None:
    raise AgiHangup("caller hung up")


async def _crashes(_channel: Any) -> None:
    raise ValueError("a bug in a flow")


ENDS: list[tuple[Callable[[Any], Awaitable[None]], bool, str]] = [
    (_returns, True, "agi_handler_finished"),
    (_hangs_up, True, "agi_handler_ended_by_hangup"),
    (_crashes, False, "agi_handler_failed"),
]


@pytest.mark.parametrize(("handler", "well", "event"), ENDS)
def test_each_end_is_told_and_the_session_closed(
    handler: Callable[[Any], Awaitable[None]], well: bool, event: str
) -> None:
    channel, told = _Channel(), []
    with capture_logs() as logs:
        start_handler(handler, channel, close=channel.close, done=told.append)  # type: ignore[arg-type]
    assert told == [well] and channel.closed == 1
    assert [line["event"] for line in logs] == [event]
    assert logs[0]["call_id"] == "c1"


@pytest.mark.parametrize(("handler", "well", "event"), ENDS)
def test_process_agi_runs_the_same_runner_and_exits_by_its_end(
    handler: Callable[[Any], Awaitable[None]], well: bool, event: str
) -> None:
    with capture_logs() as logs:
        status = process._run(handler, _Channel(), Clock())  # type: ignore[arg-type]
    assert status == (0 if well else 1)
    assert [line["event"] for line in logs] == [event]


class _Reactor(Clock):
    """A clock that 'runs' by advancing until stopped (process AGI runs the reactor
    while a handler waits for a timer or the database)."""

    def __init__(self) -> None:
        super().__init__()
        self.running = False

    def run(self, installSignalHandlers: bool = True) -> None:
        self.running = True
        while self.running:
            self.advance(0.1)

    def stop(self) -> None:
        self.running = False


def test_process_agi_runs_the_reactor_while_the_handler_waits() -> None:
    reactor = _Reactor()

    async def waits(_channel: Any) -> None:
        await deferLater(reactor, 1.0, lambda: None)

    with capture_logs():
        assert process._run(waits, _Channel(), reactor) == 0  # type: ignore[arg-type]
    assert reactor.seconds() >= 1.0 and not reactor.running
