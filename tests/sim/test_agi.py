# -*- test-case-name: tests.sim.test_agi -*-
"""FastAGI command answers, live and on a dead channel, as the captures show them."""

from __future__ import annotations

import random

import pytest
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.sim._agi_commands import DEAD, UNKNOWN, CommandRunner
from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Pbx, PbxConfig


async def _no_app(chan: Channel, command: str) -> int:
    return 0


def _runner() -> tuple[Clock, Pbx, Channel, CommandRunner]:
    clock = Clock()
    pbx = Pbx(clock, PbxConfig())
    _one, two = pbx.new_local_pair("s", "switchboard-ivr")
    two.caller_num, two.caller_name = "5551001", "Alice"
    pbx.set_global("G", "g")
    pbx.setvar(two, "Q", "sales")
    pbx.astdb[("fam", "key")] = "val"
    return clock, pbx, two, CommandRunner(pbx, two, random.Random(1), _no_app)


def _answer(clock: Clock, runner: CommandRunner, line: str, wait_s: float = 30.0) -> str:
    d = Deferred.fromCoroutine(runner.run(line))
    clock.pump([0.05] * int(wait_s / 0.05))
    assert d.called, line
    return d.result  # type: ignore[attr-defined, no-any-return]


LIVE = [
    ("ANSWER", "200 result=0"),
    ('VERBOSE "hi" 1', "200 result=1"),
    ("CHANNEL STATUS", "200 result=6"),
    ('STREAM FILE tt-monkeysintro ""', "200 result=0 endpos=21448"),
    ("GET DATA beep 4000 4", "200 result= (timeout)"),
    ("WAIT FOR DIGIT 500", "200 result=0"),
    ('SAY DIGITS 12 ""', "200 result=0"),
    ('SAY NUMBER 42 ""', "200 result=0"),
    ('SAY DATE 1795369063 ""', "200 result=0"),
    ("SET VARIABLE Q sales", "200 result=1"),
    ("GET VARIABLE Q", "200 result=1 (sales)"),
    ("GET VARIABLE NOPE", "200 result=0"),
    ('GET FULL VARIABLE "${CALLERID(num)}|${G}"', "200 result=1 (5551001|g)"),
    ("DATABASE PUT fam key val", "200 result=1"),
    ("DATABASE GET fam key", "200 result=1 (val)"),
    ("DATABASE GET fam missing", "200 result=0"),
    ("FROBNICATE the widgets", UNKNOWN),
    ("EXEC Wait 1", "200 result=0"),
]


@pytest.mark.parametrize(("line", "reply"), LIVE)
def test_live_channel_answers(line: str, reply: str) -> None:
    clock, _pbx, _two, runner = _runner()
    _answer(clock, runner, "ANSWER")
    assert _answer(clock, runner, line) == reply


def test_usage_error_is_the_multiline_520_block() -> None:
    clock, _pbx, _two, runner = _runner()
    reply = _answer(clock, runner, "STREAM FILE")
    lines = reply.split("\n")
    assert lines[0] == "520-Invalid command syntax.  Proper usage follows:"
    assert lines[-1] == "520 End of proper usage."


DEAD_CHANNEL = [
    ("ANSWER", DEAD),
    ("CHANNEL STATUS", DEAD),
    ('STREAM FILE tt-monkeysintro ""', DEAD),
    ("STREAM FILE", DEAD),  # 511, not 520, on a dead channel
    ("GET DATA beep 4000 4", DEAD),
    ("WAIT FOR DIGIT 500", DEAD),
    ("SET VARIABLE Q sales", "200 result=1"),
    ("GET VARIABLE Q", "200 result=1 (sales)"),
    ('VERBOSE "x" 1', "200 result=1"),
    ("DATABASE PUT fam key val", "200 result=1"),
    ("FROBNICATE the widgets", UNKNOWN),
]


def test_dead_channel_answers_in_order() -> None:
    clock, pbx, two, runner = _runner()
    _answer(clock, runner, "ANSWER")
    # The caller hangs up mid-prompt: the running STREAM FILE returns -1 with endpos.
    d = Deferred.fromCoroutine(runner.run('STREAM FILE tt-monkeysintro "12"'))
    clock.pump([0.5] * 4)
    pbx.hangup_request(two)
    clock.pump([0.0, 0.0])
    assert d.result == "200 result=-1 endpos=16000"  # type: ignore[attr-defined]
    for line, reply in DEAD_CHANNEL:
        assert _answer(clock, runner, line, 0.1) == reply, line


def test_digit_interrupts_stream_file_with_its_ascii_code() -> None:
    clock, pbx, two, runner = _runner()
    d = Deferred.fromCoroutine(runner.run('STREAM FILE tt-monkeysintro "0123456789*#"'))
    clock.pump([0.5] * 3)
    pbx.dtmf_listeners[two]("1")
    assert d.result == "200 result=49 endpos=12000"  # type: ignore[attr-defined]
