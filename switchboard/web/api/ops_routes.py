# -*- test-case-name: tests.ops.test_health -*-
"""``/metrics`` and ``/healthz`` on the web tier. Neither asks who is calling: a load
balancer and Prometheus scrape them; keep them off the public side at the reverse
proxy (docs/operations.md)."""

from __future__ import annotations

from klein import Klein
from twisted.web.server import Request

from switchboard.ops import Health, Metrics
from switchboard.ops.metrics import CONTENT_TYPE
from switchboard.web.gate import send_json

__all__ = ["add_ops_routes"]


def add_ops_routes(app: Klein, health: Health | None, metrics: Metrics | None) -> None:
    @app.route("/healthz", methods=["GET"])
    async def ops_healthz(request: Request) -> bytes:
        if health is None:
            return send_json(request, 503, {"status": "down", "down": ["ops"], "checks": {}})
        report = await health.report()
        return send_json(request, report.status, report.to_json())

    @app.route("/metrics", methods=["GET"])
    async def ops_metrics(request: Request) -> bytes:
        if metrics is None:
            request.setResponseCode(503)
            return b"# metrics are not collected in this process\n"
        request.setHeader(b"content-type", CONTENT_TYPE.encode())
        request.setHeader(b"cache-control", b"no-store")
        return await metrics.render()
