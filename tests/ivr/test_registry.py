"""Hot reload: a valid edit serves new calls, a broken edit is rejected and logged."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs
from twisted.internet.task import Clock

from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import MemoryServices
from tests.ivr.helpers import touch, write

V1 = "steps: {q: {type: queue, queue: one}}\n"
V2 = "steps: {q: {type: queue, queue: two}}\n"
BROKEN = "steps: {q: {type: queue, queue: two, next: nowhere}}\n"


def _queue(handlers: FlowHandlers) -> str:
    step = handlers.registry.flows.flows["main"].steps["q"]
    return step.queue  # type: ignore[attr-defined,no-any-return]


def test_edit_takes_effect_broken_edit_keeps_serving(tmp_path: Path) -> None:
    flow = write(tmp_path, main=V1) / "main.yaml"
    clock = Clock()
    handlers = FlowHandlers(tmp_path, clock, MemoryServices(), poll_interval_s=2)
    handlers.startService()
    assert "main" in handlers and _queue(handlers) == "one"

    touch(flow, V2, 10**18)
    clock.advance(2)
    assert _queue(handlers) == "two" and handlers.registry.version == 2

    with capture_logs() as logs:
        touch(flow, BROKEN, 2 * 10**18)
        clock.advance(2)
    assert _queue(handlers) == "two"  # the previous version keeps serving
    rejected = [e for e in logs if e["event"] == "flows_rejected"]
    problems = [e for e in logs if e["event"] == "flow_problem_found"]
    assert rejected and problems[0]["code"] == "dangling_next" and problems[0]["line"] == 1

    clock.advance(10)  # unchanged files are not reloaded again
    assert handlers.registry.version == 2

    (tmp_path / "extra.yaml").write_text("steps: {bye: {type: hangup}}\n")
    touch(flow, V1, 3 * 10**18)
    clock.advance(2)
    assert _queue(handlers) == "one" and set(handlers) == {"extra", "main"}

    handlers.stopService()
    assert clock.getDelayedCalls() == []


def test_extra_handlers_are_served_too(tmp_path: Path) -> None:
    async def builtin(channel: object) -> None:
        return None

    write(tmp_path, main=V1)
    handlers = FlowHandlers(tmp_path, Clock(), MemoryServices(), extra={"legacy": builtin})
    assert handlers["legacy"] is builtin and sorted(handlers) == ["legacy", "main"]
    assert len(handlers) == 2 and "missing" not in handlers
