# -*- test-case-name: tests.ops.test_metrics -*-
"""``/metrics`` in the Prometheus text format (prometheus-client renders it).

Gauges are read at scrape time from the services (:class:`OpsSources`); the call
counters count the hub's facts as they happen (so a restart starts them from zero, as
Prometheus counters expect); FastAGI refusals and IVR flow errors are counted from the
log events the FastAGI server and the flow runner already write (:class:`LogEventTap`,
first in structlog's chain), so neither area needs to know about metrics."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from switchboard.ops.sources import OpsSources, ping_database
from switchboard.queue.core.decisions import CallAnswered, CallQueued, QueueLeft

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
AGI_REFUSALS: Final = frozenset({"agi_session_refused", "agi_connection_refused"})
IVR_ERRORS: Final = frozenset({"ivr_flow_failed", "ivr_application_failed", "ivr_lookup_failed"})


class _Live(Collector):
    """The gauges, read from the services at each scrape."""

    def __init__(self, sources: OpsSources, latency: list[float | None]) -> None:
        self._s = sources
        self._latency = latency

    def collect(self) -> Iterator[Metric]:
        s = self._s
        yield GaugeMetricFamily(
            "switchboard_ami_connected", "1 while logged in to AMI", value=int(s.ami_connected())
        )
        yield GaugeMetricFamily(
            "switchboard_fastagi_listening",
            "1 while the FastAGI port listens",
            value=int(s.agi_listening()),
        )
        yield GaugeMetricFamily(
            "switchboard_fastagi_sessions_active", "FastAGI sessions open", value=s.agi_active()
        )
        yield GaugeMetricFamily(
            "switchboard_websocket_clients",
            "seat websockets open",
            value=s.websocket_clients(),
        )
        waiting = GaugeMetricFamily(
            "switchboard_queue_calls_waiting", "callers waiting now", labels=["queue"]
        )
        longest = GaugeMetricFamily(
            "switchboard_queue_longest_wait_seconds", "the longest wait now", labels=["queue"]
        )
        level = GaugeMetricFamily(
            "switchboard_queue_service_level_ratio",
            "answered within the target / (answered + abandoned - short abandons), today "
            "(absent until a call counts)",
            labels=["queue"],
        )
        for q in s.queues():
            waiting.add_metric([q.queue], q.waiting)
            longest.add_metric([q.queue], q.longest_wait_s)
            today = q.windows.get("today")
            if today is not None and today.service_level_pct is not None:
                level.add_metric([q.queue], today.service_level_pct / 100.0)
        yield from (waiting, longest, level)
        latency = self._latency[0]
        yield GaugeMetricFamily(
            "switchboard_database_up", "1 when SELECT 1 answered", value=int(latency is not None)
        )
        if latency is not None:
            yield GaugeMetricFamily(
                "switchboard_database_latency_seconds",
                "time a SELECT 1 took at this scrape",
                value=latency,
            )


class Metrics:
    def __init__(self, sources: OpsSources) -> None:
        self._sources = sources
        self._latency: list[float | None] = [None]
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["queue"]
        self.offered = Counter(
            "switchboard_calls_offered", "calls queued", labels, registry=self.registry
        )
        self.answered = Counter(
            "switchboard_calls_answered",
            "calls answered by an agent",
            labels,
            registry=self.registry,
        )
        self.abandoned = Counter(
            "switchboard_calls_abandoned",
            "callers who hung up while waiting",
            labels,
            registry=self.registry,
        )
        self.agi_refused = Counter(
            "switchboard_fastagi_refused",
            "FastAGI connections refused (over max_sessions, or a peer not allowed)",
            registry=self.registry,
        )
        self.ivr_errors = Counter(
            "switchboard_ivr_flow_errors",
            "IVR runs that failed (the caller went to the fallback)",
            registry=self.registry,
        )
        self.registry.register(_Live(sources, self._latency))

    def on_fact(self, fact: object) -> None:
        """The hub's FACT topic."""
        if isinstance(fact, CallQueued):
            self.offered.labels(fact.queue).inc()
        elif isinstance(fact, CallAnswered) and not fact.callback:
            self.answered.labels(fact.queue).inc()
        elif isinstance(fact, QueueLeft) and fact.outcome == "abandoned":
            self.abandoned.labels(fact.queue).inc()

    def count_log_event(
        self, _logger: Any, _method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """A structlog processor: counts the log events that are metrics, passes all on."""
        name = event.get("event")
        if name in AGI_REFUSALS:
            self.agi_refused.inc()
        elif name in IVR_ERRORS:
            self.ivr_errors.inc()
        return event

    async def render(self) -> bytes:
        """The exposition text; measures the database's latency first."""
        try:
            self._latency[0] = await ping_database(self._sources)
        except Exception:
            self._latency[0] = None
        return generate_latest(self.registry)


class LogEventTap:
    """A structlog processor that hands each event to :meth:`Metrics.count_log_event`
    once one is attached. Installed before anything logs: structlog caches each logger's
    processor chain on first use, so a processor added later would miss those loggers."""

    def __init__(self) -> None:
        self.metrics: Metrics | None = None

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        if self.metrics is not None:
            return self.metrics.count_log_event(logger, method, event)
        return event


def tap_log_events() -> LogEventTap:
    """Put a :class:`LogEventTap` first in structlog's chain (``serve`` only: tests call
    :meth:`Metrics.count_log_event` themselves rather than change the process's logging)."""
    import structlog

    tap = LogEventTap()
    structlog.configure(processors=[tap, *structlog.get_config()["processors"]])
    return tap
