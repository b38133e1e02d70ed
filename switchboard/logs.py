"""structlog setup: JSON lines in production, a readable console in development.

Every log line is an event dict. Objects bind their own context
(``log.bind(call_id=..., channel=...)``); this module only decides how events are
rendered, hides secrets, and routes Twisted's own log events through the same
pipeline so that one stream holds everything.
"""

# test-case-name: tests.unit.test_logs

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog
from twisted.logger import (
    FilteringLogObserver,
    ILogObserver,
    LogLevel,
    LogLevelFilterPredicate,
    formatEvent,
    globalLogBeginner,
)
from zope.interface import provider

from switchboard.config import LoggingSettings

_SECRET = re.compile(r"(secret|password|passwd|token|authorization|^key$)", re.IGNORECASE)
REDACTED = "***"

_TWISTED_FILTER = LogLevelFilterPredicate()
_twisted_captured = False

_TWISTED_LEVELS = {
    LogLevel.debug: "debug",
    LogLevel.info: "info",
    LogLevel.warn: "warning",
    LogLevel.error: "error",
    LogLevel.critical: "critical",
}


def redact_secrets(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any key that names a secret, wherever it is bound."""
    for key in list(event_dict):
        if key != "event" and _SECRET.search(key):
            event_dict[key] = REDACTED
    return event_dict


def configure_logging(
    settings: LoggingSettings, stream: TextIO | None = None, *, capture_twisted: bool = True
) -> None:
    """Configure structlog once for the process, at start-up."""
    stream = sys.stderr if stream is None else stream
    fmt = settings.format
    if fmt == "auto":
        fmt = "console" if stream.isatty() else "json"
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=stream.isatty())
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelName(settings.level.upper())
        ),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
    if capture_twisted:
        # Twisted's info chatter ("Starting factory", "Main loop terminated") is noise to an
        # operator; it is shown only when debugging.
        levels = {"debug": LogLevel.debug, "error": LogLevel.error}
        level = levels.get(settings.level, LogLevel.warn)
        _TWISTED_FILTER.setLogLevelForNamespace("", level)
        global _twisted_captured
        if not _twisted_captured:  # Twisted allows one beginning per process
            _twisted_captured = True
            globalLogBeginner.beginLoggingTo(
                [FilteringLogObserver(twisted_to_structlog, [_TWISTED_FILTER])],
                redirectStandardIO=False,
            )


@provider(ILogObserver)
def twisted_to_structlog(event: dict[str, Any]) -> None:
    """Send one ``twisted.logger`` event through structlog."""
    level = _TWISTED_LEVELS.get(event.get("log_level", LogLevel.info), "info")
    log = structlog.get_logger("twisted").bind(system=event.get("log_system", "-"))
    failure = event.get("log_failure")
    text = formatEvent(event)
    if failure is not None:
        text = f"{text}\n{failure.getTraceback()}"
    getattr(log, level)("twisted_logged", message=text)
