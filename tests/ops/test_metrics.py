"""``/metrics``: what Prometheus scrapes, parsed back with prometheus-client's parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from switchboard.queue.core.decisions import CallAnswered, CallQueued, QueueLeft
from tests.ops.helpers import OpsStack, make_ops_stack


@pytest.fixture
def ops(tmp_path: Path) -> OpsStack:
    return make_ops_stack(tmp_path / "ops")


def _samples(ops: OpsStack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = ops.get("/metrics")
    assert answer.status == 200
    assert answer.header("content-type").startswith("text/plain; version=0.0.4")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def test_service_gauges_follow_the_services(ops: OpsStack) -> None:
    ops.switches.agi_active, ops.switches.websockets = 4, 2
    seen = _samples(ops)
    assert seen[("switchboard_ami_connected", ())] == 1
    assert seen[("switchboard_fastagi_sessions_active", ())] == 4
    assert seen[("switchboard_websocket_clients", ())] == 2
    assert seen[("switchboard_database_up", ())] == 1
    assert ("switchboard_database_latency_seconds", ()) in seen
    ops.switches.ami, ops.switches.database = False, "error"
    seen = _samples(ops)
    assert seen[("switchboard_ami_connected", ())] == 0
    assert seen[("switchboard_database_up", ())] == 0
    assert ("switchboard_database_latency_seconds", ()) not in seen


def test_call_counters_waiting_and_service_level_per_queue(ops: OpsStack) -> None:
    t = ops.clock.seconds()
    facts = [
        CallQueued("c1", "sales", t, t),
        CallQueued("c2", "sales", t, t),
        CallQueued("c3", "sales", t, t),
        CallAnswered("c1", "sales", "1001", t + 10, 10.0),
        QueueLeft("c2", "sales", t + 40, "abandoned", 40.0),
    ]
    ops.stats.apply(facts)
    for fact in facts:
        ops.metrics.on_fact(fact)
    ops.clock.advance(60)
    seen = _samples(ops)
    sales = (("queue", "sales"),)
    assert seen[("switchboard_calls_offered_total", sales)] == 3
    assert seen[("switchboard_calls_answered_total", sales)] == 1
    assert seen[("switchboard_calls_abandoned_total", sales)] == 1
    assert seen[("switchboard_queue_calls_waiting", sales)] == 1
    assert seen[("switchboard_queue_longest_wait_seconds", sales)] == 60
    assert seen[("switchboard_queue_service_level_ratio", sales)] == 0.5
    assert seen[("switchboard_queue_calls_waiting", (("queue", "support"),))] == 0
    # No call has counted in support yet: no service level rather than a made-up one.
    assert ("switchboard_queue_service_level_ratio", (("queue", "support"),)) not in seen


def test_fastagi_refusals_and_ivr_errors_are_counted_from_log_events(ops: OpsStack) -> None:
    for event in ("agi_session_refused", "agi_connection_refused", "ivr_flow_failed", "other"):
        passed = ops.metrics.count_log_event(None, "warning", {"event": event, "x": 1})
        assert passed == {"event": event, "x": 1}  # the log line itself is unchanged
    seen = _samples(ops)
    assert seen[("switchboard_fastagi_refused_total", ())] == 2
    assert seen[("switchboard_ivr_flow_errors_total", ())] == 1


def test_the_tap_counts_a_real_fastagi_refusal(ops: OpsStack) -> None:
    """serve's wiring: the tap first in structlog's chain, the FastAGI server's own log."""
    import structlog
    from twisted.internet.address import IPv4Address

    from switchboard.cti.agi.server import AgiServerFactory
    from switchboard.cti.agi.session import SessionOptions
    from switchboard.ops.metrics import tap_log_events

    before = structlog.get_config()["processors"]
    try:
        tap = tap_log_events()
        tap.metrics = ops.metrics
        factory = AgiServerFactory({}, ops.clock, SessionOptions(), max_sessions=0)
        assert factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1)) is None
    finally:
        structlog.configure(processors=before)
    assert _samples(ops)[("switchboard_fastagi_refused_total", ())] == 1
