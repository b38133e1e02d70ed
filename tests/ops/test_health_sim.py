"""``/healthz`` and ``/metrics`` of the real app (``app.build``) on the simulated PBX:
an Asterisk restart takes AMI away (503 naming ami) and the reconnect brings it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred

from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.ops import HealthReport
from switchboard.testing.site import SiteOnSimNet


def _report(run: SiteOnSimNet) -> HealthReport:
    ops = run.site.app.ops
    assert ops is not None
    report: HealthReport = run.wait(Deferred.fromCoroutine(ops.health.report()), "healthz")
    return report


def _metric(run: SiteOnSimNet, name: str) -> str:
    ops = run.site.app.ops
    assert ops is not None
    text: Any = run.wait(Deferred.fromCoroutine(ops.metrics.render()), "metrics")
    return next(line for line in text.decode().splitlines() if line.startswith(name + " "))


def test_ami_outage_is_503_and_the_reconnect_recovers(tmp_path: Path) -> None:
    queues = write_site_queue_file(EXAMPLE_QUEUES, 1, tmp_path / "queues.yaml", "switchboard")
    run = SiteOnSimNet(tmp_path, queues, {})
    try:
        ami = run.site.ami
        run.until(lambda: ami.connected, "AMI logged in")
        healthy = _report(run)
        assert healthy.status == 200, healthy.to_json()
        assert _metric(run, "switchboard_ami_connected") == "switchboard_ami_connected 1.0"

        run.site.pbx.restart()
        run.until(lambda: not ami.connected, "AMI dropped by the restart")
        outage = _report(run)
        assert outage.status == 503 and outage.down == ["ami"]
        assert _metric(run, "switchboard_ami_connected") == "switchboard_ami_connected 0.0"

        run.until(lambda: ami.connected, "AMI logged in again")
        assert _report(run).status == 200
    finally:
        run.stop()
