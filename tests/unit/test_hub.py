# -*- test-case-name: tests.unit.test_hub -*-
"""The hub's delivery rules: in order, typed, and a failing subscriber costs only itself."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from switchboard.hub import AGENT_STATE, FACT, OFFERED, Hub, Offered
from switchboard.hub import pubsub as pubsub_module
from switchboard.queue.core.decisions import AgentStateChanged, CallQueued
from switchboard.queue.core.model import AgentState

QUEUED = CallQueued("c1", "sales", 10.0, 10.0)
READY = AgentStateChanged("1001", 11.0, AgentState.READY, AgentState.NOT_READY)


class Broken:
    def __call__(self, payload: object) -> None:
        raise RuntimeError("subscriber bug")

    def __repr__(self) -> str:
        return "<the broken seat>"


def test_a_subscriber_that_raises_is_logged_and_the_others_still_get_every_payload() -> None:
    hub, got = Hub(), list[object]()
    hub.subscribe(FACT, Broken())
    hub.subscribe(FACT, got.append)
    with capture_logs() as logs:
        hub.publish(FACT, QUEUED)
        hub.publish(FACT, READY)
    assert got == [QUEUED, READY]
    assert [(e["event"], e["topic"], e["subscriber"]) for e in logs] == [
        ("hub_subscriber_failed", "fact", "<the broken seat>")
    ] * 2
    assert all(e["log_level"] == "error" and e["exc_info"] for e in logs)


def test_a_failing_log_pipeline_does_not_turn_a_subscriber_error_into_a_publisher_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class BrokenLog:
        def exception(self, *args: object, **kwargs: object) -> None:
            raise OSError("log sink gone")

    monkeypatch.setattr(pubsub_module, "log", BrokenLog())
    hub, got = Hub(), list[object]()
    hub.subscribe(FACT, Broken())
    hub.subscribe(FACT, got.append)
    hub.publish(FACT, QUEUED)  # must not raise
    assert got == [QUEUED]


def test_unsubscribe_stops_delivery_and_topics_are_separate() -> None:
    hub, facts, states = Hub(), list[object](), list[object]()
    unsubscribe = hub.subscribe(FACT, facts.append)
    hub.subscribe(AGENT_STATE, states.append)
    assert hub.listening(FACT) and not hub.listening(OFFERED)
    hub.publish(FACT, QUEUED)
    hub.publish(AGENT_STATE, READY)
    unsubscribe()
    hub.publish(FACT, READY)
    assert (facts, states) == ([QUEUED], [READY])
    assert not hub.listening(FACT)


def test_a_topic_may_be_named_and_an_unknown_name_is_refused_with_the_list() -> None:
    hub, got = Hub(), list[object]()
    hub.subscribe("agent_state", got.append)
    hub.publish(AGENT_STATE, READY)
    assert got == [READY]
    with pytest.raises(ValueError, match=r"no hub topic 'facts'; the topics are agent_state, "):
        hub.subscribe("facts", got.append)


def test_a_payload_of_the_wrong_type_is_a_publisher_bug_and_is_refused() -> None:
    hub = Hub()
    with pytest.raises(TypeError, match="hub topic 'offered' carries Offered, not CallQueued"):
        hub.publish(OFFERED, QUEUED)  # type: ignore[arg-type,misc]
    hub.publish(OFFERED, Offered("c1", "1001", "PJSIP/1001", "sales", 12.0))
