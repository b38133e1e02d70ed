# -*- test-case-name: tests.ivr.test_failed_commands -*-
"""Prompts and applications Asterisk does not have (the agi-failures capture's replies)."""

from __future__ import annotations

from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs
from twisted.internet.defer import Deferred

from switchboard.cti.agi.channel import DigitsInput, Playback
from switchboard.cti.agi.errors import AgiCommandFailed, AgiDeadChannel, AgiHangup
from switchboard.cti.agi.wire import parse_reply_line
from switchboard.ivr_flows.commands_checked import (
    ApplicationFailed,
    MissingPrompts,
    checked_exec,
    get_digits,
    stream_prompt,
)
from switchboard.ivr_flows.effects import ExecApp, GetData
from switchboard.ivr_flows.records import route_of

FAILED = parse_reply_line("200 result=-1 endpos=0")


class Channel:
    """Answers like Asterisk 22 with some sound files and applications missing."""

    def __init__(self, missing: set[str], exec_result: int = 0, dead: bool = False) -> None:
        self.missing, self.exec_result, self.dead = missing, exec_result, dead
        self.sent: list[str] = []
        self.caller_gone = False

    async def stream_file(self, file: str, escape_digits: str = "") -> Playback:
        self.sent.append(f"STREAM FILE {file}")
        if file in self.missing:
            raise AgiCommandFailed(FAILED)
        return Playback(None, 8000)

    async def get_data(self, file: str, timeout_ms: Any = None, max_digits: Any = None) -> Any:
        self.sent.append(f"GET DATA {file}")
        if file in self.missing:  # -1 at once, no digits collected
            raise AgiCommandFailed(parse_reply_line("200 result=-1"))
        return DigitsInput("12", False)

    async def exec(self, app: str, options: str = "") -> Any:
        self.sent.append(f"EXEC {app} {options}")
        return parse_reply_line(f"200 result={self.exec_result}")

    async def channel_status(self) -> int:
        if self.dead:
            self.caller_gone = True
            raise AgiDeadChannel(parse_reply_line("511 Command Not Permitted on a dead channel"))
        return 6


def run(coro: Any) -> Any:
    d = Deferred.fromCoroutine(coro)
    failures: list[Any] = []
    d.addErrback(failures.append)
    if failures:
        failures[0].raiseException()
    return d.result  # type: ignore[attr-defined]


def test_a_missing_prompt_is_skipped_and_logged_once_per_file() -> None:
    channel = Channel({"switchboard/en/welcome"})
    with capture_logs() as logs:
        missing = MissingPrompts(structlog.get_logger(), "en")
        for _ in range(2):
            assert run(stream_prompt(channel, "switchboard/en/welcome", "1", missing)).digit is None
    assert [(e["event"], e["file"], e["language"]) for e in logs] == [
        ("ivr_prompt_missing", "switchboard/en/welcome", "en")
    ]


def test_get_data_with_a_missing_prompt_asks_again_behind_silence() -> None:
    channel = Channel({"switchboard/en/enter-number"})
    missing = MissingPrompts(structlog.get_logger(), "en")
    got = run(get_digits(channel, GetData("switchboard/en/enter-number", 5000, 4), missing))
    assert (got.digits, got.timed_out) == ("12", False)
    assert channel.sent == ["GET DATA switchboard/en/enter-number", "GET DATA silence/1"]
    nothing = Channel({"switchboard/en/enter-number", "silence/1"})
    got = run(get_digits(nothing, GetData("switchboard/en/enter-number", 5000, 4), missing))
    assert (got.digits, got.timed_out) == ("", True)


def test_an_application_asterisk_lacks_is_a_failure_named_by_its_outcome() -> None:
    with pytest.raises(ApplicationFailed) as failed:
        run(checked_exec(Channel(set(), exec_result=-2), ExecApp("VoiceMail", "support@default")))
    assert failed.value.outcome == "voicemail_unavailable"
    assert "is its module loaded?" in str(failed.value)
    with pytest.raises(ApplicationFailed) as failed:
        run(checked_exec(Channel(set(), exec_result=-1), ExecApp("VoiceMail", "support@default")))
    assert failed.value.outcome == "voicemail_failed"


def test_minus_one_from_a_caller_who_hung_up_is_a_hang_up() -> None:
    # VoiceMail answers -1 when the caller hangs up after the message: not a failure.
    with pytest.raises(AgiHangup):
        run(checked_exec(Channel(set(), exec_result=-1, dead=True), ExecApp("VoiceMail", "1@x")))
    run(checked_exec(Channel(set(), exec_result=0), ExecApp("Playback", "beep")))


@pytest.mark.parametrize(
    ("outcome", "route"),
    [
        ("queued", "routed"),
        ("completed", "routed"),  # e.g. a callback booked, then goodbye
        ("voicemail", "routed"),
        ("transferred", "routed"),
        ("error", "failed"),
        ("menu_failed", "failed"),
        ("no_answer", "failed"),
        ("voicemail_unavailable", "failed"),
    ],
)
def test_route_of_each_outcome(outcome: str, route: str) -> None:
    assert route_of(outcome) == route
