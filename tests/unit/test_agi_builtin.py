"""The built-in main-menu handler: routing decisions and the commands it sends."""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock

from switchboard.cti.agi import BUILTIN_HANDLERS
from switchboard.cti.agi.builtin import route
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.testing.agi import FakeAsterisk, env_block


@pytest.mark.parametrize(
    ("digits", "callerid", "queue"),
    [
        ("1", "5551003", "sales"),
        ("245", "5551001", "support"),
        ("9", "5551002", "sales"),
        ("", "5551004", "support"),
        ("", "5551003", "sales"),
        ("", "", "sales"),
    ],
)
def test_route(digits: str, callerid: str, queue: str) -> None:
    assert route(digits, callerid) == queue


def run(callerid: str, replies: list[str]) -> list[list[str]]:
    clock = Clock()
    asterisk = FakeAsterisk(AgiServerFactory(BUILTIN_HANDLERS, clock, SessionOptions()), clock)
    asterisk.send(env_block("main-menu", callerid=callerid))
    for line in replies:
        asterisk.reply(line)
    commands = asterisk.commands()
    assert asterisk.closed_by_server
    asterisk.disconnect()
    assert clock.getDelayedCalls() == []
    return commands


def test_interrupting_digit_carries_into_the_collected_digits() -> None:
    commands = run(
        "5551001",
        [
            "200 result=0",
            "200 result=50 endpos=13440",
            "200 result=45",
            "200 result=1",
            "200 result=1",
        ],
    )
    assert commands[-2:] == [
        ["SET", "VARIABLE", "SWITCHBOARD_QUEUE", "support"],
        ["SET", "VARIABLE", "SWITCHBOARD_IVR_DIGITS", "245"],
    ]


def test_no_digits_routes_on_caller_id() -> None:
    commands = run(
        "5551004",
        [
            "200 result=0",
            "200 result=0 endpos=21448",
            "200 result= (timeout)",
            "200 result=1",
            "200 result=1",
        ],
    )
    assert commands == [
        ["ANSWER"],
        ["STREAM", "FILE", "tt-monkeysintro", "0123456789*#"],
        ["GET", "DATA", "beep", "4000", "4"],
        ["SET", "VARIABLE", "SWITCHBOARD_QUEUE", "support"],
        ["SET", "VARIABLE", "SWITCHBOARD_IVR_DIGITS", ""],
    ]
