"""structlog setup: JSON lines in production, a readable console in development.

Every log line is an event dict. Objects bind their own context
(``log.bind(call_id=..., channel=...)``); this module only decides how events are
rendered, hides secrets, and routes Twisted's own log events through the same
pipeline so that one stream holds everything.
"""

# test-case-name: tests.unit.test_logs

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

import structlog

if TYPE_CHECKING:
    from switchboard.config import LoggingSettings

_SECRET = re.compile(r"(secret|password|passwd|token|authorization|^key$)", re.IGNORECASE)
REDACTED = "***"

_twisted_captured = False


def redact_secrets(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any key that names a secret, wherever it is bound."""
    for key in list(event_dict):
        if key != "event" and _SECRET.search(key):
            event_dict[key] = REDACTED
    return event_dict


def configure_logging(
    settings: LoggingSettings,
    stream: TextIO | None = None,
    *,
    capture_twisted: bool = True,
    stderr_is_lost: bool = False,
) -> None:
    """Configure structlog once for the process, at start-up.

    Lines go to ``stream`` (stderr), and also to ``settings.file`` and the system log
    when the settings say so. ``stderr_is_lost`` (process AGI: Asterisk sends a script's
    stderr to /dev/null) adds the system log whenever no file is set, so that the lines
    never go to stderr alone.
    """
    stream = sys.stderr if stream is None else stream
    sinks: list[LogSink] = [StreamSink(stream)]
    if settings.file is not None:
        sinks.append(FileSink(settings.file))
    # Where stderr is thrown away, some other sink must be there: syslog, unless a file is.
    if settings.syslog == "on" or (stderr_is_lost and settings.file is None):
        sinks.append(SyslogSink())
    fmt = settings.format
    if fmt == "auto":
        fmt = "console" if _isatty(stream) else "json"
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=_isatty(stream) and len(sinks) == 1)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    fan_out = FanOutLogger(sinks)
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
        logger_factory=lambda *_args: fan_out,
        cache_logger_on_first_use=True,
    )
    if capture_twisted:
        _capture_twisted(settings.level)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):  # a closed or broken stream is no terminal
        return False


# -- sinks: where rendered lines go. A sink that fails is set aside; the call goes on. --


@dataclass
class LogHealth:
    """What went wrong with logging since start, for the health endpoint and tests."""

    failed_sinks: dict[str, str] = field(default_factory=dict)  # sink -> first error
    lost_lines: int = 0  # lines no sink could take

    @property
    def ok(self) -> bool:
        return not self.failed_sinks


_health = LogHealth()


def log_health() -> LogHealth:
    """The process's logging health (one object, updated in place)."""
    return _health


class LogSink:
    """One destination for rendered lines. ``write`` may raise; :class:`FanOutLogger` copes."""

    name = "sink"

    def write(self, level: str, line: str) -> None:
        raise NotImplementedError


class StreamSink(LogSink):
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.name = f"stream {getattr(stream, 'name', type(stream).__name__)}"

    def write(self, level: str, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


class FileSink(LogSink):
    """Appends to a file, opened at the first line (a bad path fails like any write)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"file {path}"
        self._file: TextIO | None = None

    def write(self, level: str, line: str) -> None:
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (kept open)
        self._file.write(line + "\n")
        self._file.flush()


class SyslogSink(LogSink):
    """The local system log (``/dev/log``), which journald also reads."""

    name = "syslog"

    def __init__(self, ident: str = "switchboard") -> None:
        import syslog

        self._syslog = syslog
        self._priorities = {
            "debug": syslog.LOG_DEBUG,
            "info": syslog.LOG_INFO,
            "warning": syslog.LOG_WARNING,
            "error": syslog.LOG_ERR,
            "critical": syslog.LOG_CRIT,
        }
        syslog.openlog(ident, syslog.LOG_PID, syslog.LOG_DAEMON)

    def write(self, level: str, line: str) -> None:
        self._syslog.syslog(self._priorities.get(level, self._syslog.LOG_INFO), line)


_LEVEL_OF_METHOD = {"msg": "info", "warn": "warning", "exception": "error", "fatal": "critical"}


class FanOutLogger:
    """structlog's final logger: hands each line to every working sink, never raises.

    A sink that raises (a log collector gone: ``BrokenPipeError``; a full disk) is set
    aside for good, counted in :func:`log_health`, and reported once through the sinks
    still working; logging can never break call handling.
    """

    def __init__(self, sinks: Sequence[LogSink], health: LogHealth | None = None) -> None:
        self._sinks = list(sinks)
        self._broken: set[int] = set()
        self._health = _health if health is None else health
        self._lock = threading.Lock()

    def __getattr__(self, method: str) -> Any:
        # structlog calls the method named after the level (msg, info, exception, ...).
        if method.startswith("_"):
            raise AttributeError(method)
        level = _LEVEL_OF_METHOD.get(method, method)

        def emit(line: str) -> None:
            self._emit(level, line)

        return emit

    def _emit(self, level: str, line: str) -> None:
        with self._lock:
            delivered = False
            failures: list[tuple[LogSink, BaseException]] = []
            for index, sink in enumerate(self._sinks):
                if index in self._broken:
                    continue
                try:
                    sink.write(level, line)
                    delivered = True
                except Exception as exc:
                    self._broken.add(index)
                    failures.append((sink, exc))
            if not delivered:
                self._health.lost_lines += 1
            for failed_sink, error in failures:
                self._report(failed_sink, error)

    def _report(self, sink: LogSink, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        self._health.failed_sinks.setdefault(sink.name, reason)
        notice = json.dumps(
            {
                "event": "log_sink_failed",
                "level": "error",
                "sink": sink.name,
                "error": reason,
                "note": "this sink is no longer written to; calls go on",
            }
        )
        for index, other in enumerate(self._sinks):
            if index in self._broken:
                continue
            try:
                other.write("error", notice)
            except Exception as other_exc:
                self._broken.add(index)
                self._health.failed_sinks.setdefault(
                    other.name, f"{type(other_exc).__name__}: {other_exc}"
                )


# -- Twisted's own log events, through the same pipeline --


def _capture_twisted(level_name: str) -> None:
    from twisted.logger import (
        FilteringLogObserver,
        ILogObserver,
        LogLevel,
        LogLevelFilterPredicate,
        globalLogBeginner,
    )

    global _twisted_captured, _twisted_filter
    if not _twisted_captured:  # Twisted allows one beginning per process
        _twisted_captured = True
        _twisted_filter = LogLevelFilterPredicate()
        globalLogBeginner.beginLoggingTo(
            [
                FilteringLogObserver(
                    # a plain callable is an ILogObserver to Twisted; zope's stubs can't say so
                    cast(ILogObserver, twisted_to_structlog),
                    [_twisted_filter],
                )
            ],
            redirectStandardIO=False,
        )
    # Twisted's info chatter ("Starting factory", "Main loop terminated") is noise to an
    # operator; it is shown only when debugging.
    levels = {"debug": LogLevel.debug, "error": LogLevel.error}
    _twisted_filter.setLogLevelForNamespace("", levels.get(level_name, LogLevel.warn))


_twisted_filter: Any = None


def twisted_to_structlog(event: dict[str, Any]) -> None:
    """Send one ``twisted.logger`` event through structlog (an ``ILogObserver``)."""
    from twisted.logger import LogLevel, formatEvent

    levels = {
        LogLevel.debug: "debug",
        LogLevel.info: "info",
        LogLevel.warn: "warning",
        LogLevel.error: "error",
        LogLevel.critical: "critical",
    }
    level = levels.get(event.get("log_level", LogLevel.info), "info")
    log = structlog.get_logger("twisted").bind(system=event.get("log_system", "-"))
    failure = event.get("log_failure")
    text = formatEvent(event)
    if failure is not None:
        text = f"{text}\n{failure.getTraceback()}"
    getattr(log, level)("twisted_logged", message=text)
