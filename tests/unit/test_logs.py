"""Log lines are JSON events with bound context, and secrets never reach them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from twisted.internet.task import Clock
from twisted.logger import Logger

from switchboard.config import LoggingSettings
from switchboard.cti.agi.builtin import BUILTIN_HANDLERS
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.logs import (
    FanOutLogger,
    LogHealth,
    StreamSink,
    configure_logging,
    log_health,
    twisted_to_structlog,
)
from switchboard.testing.agi import FakeAsterisk, env_block


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_bound_call_context_and_chinese_text() -> None:
    out = io.StringIO()
    configure_logging(LoggingSettings(format="json"), out, capture_twisted=False)
    log = structlog.get_logger().bind(call_id="c-1", channel="PJSIP/1001-0001", queue="售后")
    log.info("agent_offered", agent="1001")
    (line,) = _lines(out)
    assert line["event"] == "agent_offered"
    assert (line["call_id"], line["queue"], line["agent"]) == ("c-1", "售后", "1001")
    assert line["level"] == "info" and "timestamp" in line


def test_secrets_are_redacted_wherever_they_are_bound() -> None:
    out = io.StringIO()
    configure_logging(LoggingSettings(format="json"), out, capture_twisted=False)
    structlog.get_logger().bind(secret="s1").warning("login_failed", password="p2", key="k3")
    text = out.getvalue()
    assert "s1" not in text and "p2" not in text and "k3" not in text
    assert _lines(out)[0]["password"] == "***"


def test_level_filter_drops_debug_at_info() -> None:
    out = io.StringIO()
    configure_logging(LoggingSettings(format="json", level="info"), out, capture_twisted=False)
    structlog.get_logger().debug("noise")
    structlog.get_logger().error("problem")
    assert [line["event"] for line in _lines(out)] == ["problem"]


def test_twisted_log_events_go_through_the_same_pipeline() -> None:
    out = io.StringIO()
    configure_logging(LoggingSettings(format="json"), out, capture_twisted=False)
    Logger(namespace="x", observer=twisted_to_structlog).warn("port {port} busy", port=4573)
    (line,) = _lines(out)
    assert line["event"] == "twisted_logged" and line["message"] == "port 4573 busy"
    assert line["level"] == "warning"


class _DeadPipe(io.StringIO):
    """A log collector that went away: every write raises ``BrokenPipeError``."""

    def write(self, _text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_dead_log_pipe_never_breaks_a_call(tmp_path: Path) -> None:
    """issue 9 item 1: with stderr on a dead pipe, a FastAGI session still runs its commands."""
    health = log_health()
    before = dict(health.failed_sinks)
    fallback = tmp_path / "fallback.log"
    configure_logging(
        LoggingSettings(format="json", file=fallback), _DeadPipe(), capture_twisted=False
    )
    clock = Clock()
    asterisk = FakeAsterisk(AgiServerFactory(BUILTIN_HANDLERS, clock, SessionOptions()), clock)
    asterisk.send(env_block("main-menu", args=["5551003"], callerid="5551003"))
    for reply in (
        "200 result=0",
        "200 result=49 endpos=13440",
        "200 result=23",
        "200 result=1",
        "200 result=1",
    ):
        asterisk.reply(reply)
    assert asterisk.transport.value().startswith(b"ANSWER\nSTREAM FILE tt-monkeysintro")
    assert b"SET VARIABLE SWITCHBOARD_QUEUE sales\n" in asterisk.transport.value()
    # Detected, counted, and reported once through the sink that still works.
    failed = [name for name in health.failed_sinks if name not in before]
    assert len(failed) == 1 and failed[0].startswith("stream")
    assert "BrokenPipeError" in health.failed_sinks[failed[0]]
    notices = [json.loads(line) for line in fallback.read_text().splitlines()]
    assert [n["event"] for n in notices].count("log_sink_failed") == 1
    assert "agi_session_started" in {n["event"] for n in notices} or len(notices) > 1


def test_a_sink_that_fails_is_skipped_and_the_line_counted_when_none_is_left() -> None:
    health = LogHealth()
    logger = FanOutLogger([StreamSink(_DeadPipe())], health)
    logger.info("one")
    logger.error("two")
    assert health.lost_lines == 2 and not health.ok


def test_a_process_agi_without_a_log_file_logs_to_syslog(monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 8 item 10: Asterisk sends a script's stderr to /dev/null; stderr alone is lost."""
    import switchboard.logs

    seen: list[tuple[str, str]] = []

    class FakeSyslog(switchboard.logs.LogSink):
        name = "syslog"

        def write(self, level: str, line: str) -> None:
            seen.append((level, line))

    monkeypatch.setattr(switchboard.logs, "SyslogSink", FakeSyslog)
    configure_logging(
        LoggingSettings(format="json"), io.StringIO(), capture_twisted=False, stderr_is_lost=True
    )
    structlog.get_logger().error("database_not_ready")
    assert [(level, json.loads(line)["event"]) for level, line in seen] == [
        ("error", "database_not_ready")
    ]
    seen.clear()
    configure_logging(
        LoggingSettings(format="json", syslog="off"),
        io.StringIO(),
        capture_twisted=False,
        stderr_is_lost=True,
    )
    structlog.get_logger().error("never_to_stderr_alone")
    assert len(seen) == 1
    seen.clear()
    configure_logging(LoggingSettings(format="json"), io.StringIO(), capture_twisted=False)
    structlog.get_logger().error("serve_logs_to_stderr_only")
    assert seen == []
