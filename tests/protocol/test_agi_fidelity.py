"""Replaying Asterisk's side of every captured FastAGI session, our server must send
exactly the bytes Asterisk received, and see what the capture shows it saw."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs
from twisted.internet.task import Clock

from switchboard.cti.agi import AgiChannel, DialOutcome, DigitsInput, Playback
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.testing.agi import Capture, FakeAsterisk, replay
from tests.protocol.agi_scripts import Recorder, acd_hold, main_menu

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
STEMS = sorted(str(p).removesuffix(".rx.raw") for p in FIXTURES.glob("*/agi/*.rx.raw"))

Script = Callable[[AgiChannel, Recorder], Coroutine[Any, Any, None]]


def run_capture(stem: str) -> tuple[Capture, Recorder, FakeAsterisk, list[dict[str, Any]]]:
    capture = Capture.load(Path(stem))
    rec = Recorder()
    scripts: dict[str, Script] = {"main-menu": main_menu, "acd-hold": acd_hold}

    def bind(script: Script) -> Callable[[AgiChannel], Coroutine[Any, Any, None]]:
        return lambda channel: script(channel, rec)

    clock = Clock()
    factory = AgiServerFactory(
        {name: bind(s) for name, s in scripts.items()}, clock, SessionOptions()
    )
    with capture_logs() as logs:
        asterisk = FakeAsterisk(factory, clock)
        replay(capture, asterisk)
    assert clock.getDelayedCalls() == []
    assert factory.active == set()
    return capture, rec, asterisk, logs


@pytest.mark.parametrize("stem", STEMS, ids=lambda s: Path(s).name)
def test_server_sends_exactly_the_captured_bytes(stem: str) -> None:
    capture, _rec, asterisk, logs = run_capture(stem)
    assert asterisk.transport.value() == capture.tx
    assert not [e for e in logs if e["log_level"] in ("error", "critical")]


def _outcomes(name: str) -> dict[str, list[Any]]:
    stem = next(s for s in STEMS if Path(s).name == name)
    rec = run_capture(stem)[1]
    out: dict[str, list[Any]] = {}
    for label, value in rec.outcomes:
        out.setdefault(label, []).append(value)
    return out


def test_dead_channel_session_classifies_each_reply() -> None:
    # Eve hangs up during STREAM FILE: -1, then HANGUP overtakes the GET DATA reply (511).
    out = _outcomes("agi-scenario-002")
    assert out["stream"] == ["AgiHangup"]
    assert out["get_data"] == ["AgiDeadChannel"]
    assert out["wait"] == ["AgiDeadChannel"]
    assert out["get_set"] == ["sales"]
    assert out["full"] == ["5551005|Eve Customer|1795369105.23|1795369105.24"]
    assert out["db_hit"] == ["sales"] and out["db_miss"] == [None]
    assert out["unknown"] == ["AgiUnknownCommand"]
    # On a dead channel even a usage error is a 511.
    assert out["usage"] == ["AgiDeadChannel"]


def test_live_session_sees_digits_usage_error_and_unknown_command() -> None:
    out = _outcomes("agi-scenario-006")
    assert out["stream"] == [Playback(digit="2", endpos=13440)]
    assert out["get_data"] == [DigitsInput(digits="45", timed_out=False)]
    assert out["unknown"] == ["AgiUnknownCommand"]
    assert out["usage"] == ["AgiUsageError"]
    assert out["usage_text"][0].count("\n") == 4  # five scrubbed usage lines


def test_get_data_timeout_is_flagged() -> None:
    out = _outcomes("agi-scenario-003")
    assert out["get_data"] == [DigitsInput(digits="", timed_out=True)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("agi-dial-a-001", [DialOutcome(-1, "ANSWER", caller_hung_up=False)]),
        (
            "agi-dial-b-002",
            [DialOutcome(0, "NOANSWER", False), DialOutcome(-1, "ANSWER", False)],
        ),
        ("agi-dial-c-003", [DialOutcome(-1, "CANCEL", caller_hung_up=True)]),
        ("agi-dial-e-005", [DialOutcome(0, "ANSWER", caller_hung_up=False)]),
        ("agi-dial-f-008", [DialOutcome(-1, "CANCEL", caller_hung_up=True)]),
        ("agi-dial-g-007", [DialOutcome(-1, "ANSWER", caller_hung_up=True)]),
        ("agi-dial-h-006", [DialOutcome(-1, "ANSWER", caller_hung_up=False)]),
        ("agi-supervisor-sup-001", [DialOutcome(-1, "ANSWER", caller_hung_up=False)]),
    ],
)
def test_dial_minus_one_is_judged_by_the_following_hangup(
    name: str, expected: list[DialOutcome]
) -> None:
    assert _outcomes(name)["dial"] == expected


def test_caller_alive_after_dial_minus_one_keeps_going() -> None:
    out = _outcomes("agi-dial-h-006")
    assert out["thanks"] == [Playback(digit=None, endpos=12736)]
    assert out["survey"] == [DigitsInput(digits="4", timed_out=False)]


@pytest.mark.parametrize("name", ["agi-dial-d-004", "agi-reconnect-hold-001"])
def test_hangup_while_idle_closes_the_session_at_once(name: str) -> None:
    stem = next(s for s in STEMS if Path(s).name == name)
    capture, rec, asterisk, logs = run_capture(stem)
    assert ("hold", "hangup") in rec.outcomes
    # Closed the moment the caller's HANGUP arrived (the capture driver waited 3 s).
    first_hangup = capture.meta["hangup_lines_at"][0]
    assert asterisk.closed_at is not None and asterisk.closed_at - first_hangup < 0.01
    hung = next(e for e in logs if e["event"] == "agi_caller_hung_up")
    assert hung["command_in_flight"] is False
    # The second HANGUP (after our close) is the normal end, not a hangup.
    assert [e["event"] for e in logs].count("agi_caller_hung_up") == 1


def test_failed_commands_are_classified_as_asterisk_answered_them() -> None:
    # agi-failures: a missing file is a failed STREAM FILE / GET DATA on a live channel
    # (no HANGUP follows), EXEC of an application not loaded is -2, Playback of a missing
    # file 0 with PLAYBACKSTATUS=FAILED, and Queue() ignores its unknown option g.
    assert _outcomes("agi-fail-a-001")["stream"] == [
        "AgiCommandFailed",
        Playback(digit=None, endpos=3404),
    ]
    assert _outcomes("agi-fail-b-002") == {"exec": [-2, 0], "playback": ["FAILED"]}
    assert _outcomes("agi-fail-c-003") == {"exec": [-2]}
    assert _outcomes("agi-fail-e-005")["queuestatus"] == ["UNKNOWN"]
    assert _outcomes("agi-fail-f-006")["get_data"] == [
        "AgiCommandFailed",
        DigitsInput(digits="12", timed_out=False),
    ]
