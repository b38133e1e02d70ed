"""Operating switchboard: ``/metrics`` for Prometheus and ``/healthz`` for a load
balancer or systemd watchdog, both read from the running services (``switchboard.app``
wires :class:`OpsSources`)."""

from switchboard.ops.health import Health, HealthReport
from switchboard.ops.metrics import Metrics
from switchboard.ops.sources import OpsSources

__all__ = ["Health", "HealthReport", "Metrics", "OpsSources"]
