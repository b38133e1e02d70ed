"""Log lines are JSON events with bound context, and secrets never reach them."""

from __future__ import annotations

import io
import json

import structlog
from twisted.logger import Logger

from switchboard.config import LoggingSettings
from switchboard.logs import configure_logging, twisted_to_structlog


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
