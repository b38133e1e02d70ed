"""A morning at a small centre, as the ACD's facts: two queues, three agents."""

from __future__ import annotations

from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallHandled,
    CallQueued,
    Fact,
    QueueLeft,
)
from switchboard.queue.core.model import Agent, AgentState, Queue

S = AgentState
DAY = 1795478400.0  # 2026-11-24 00:00 UTC
T = DAY + 9 * 3600.0  # 09:00
QUEUES = (
    Queue("sales", service_level_s=20.0, short_abandon_s=5.0),
    Queue("support", service_level_s=30.0, short_abandon_s=5.0),
)
AGENTS = (
    Agent("1001", name="王小明", queues=("sales",)),
    Agent("1002", name="Li Na", queues=("sales", "support")),
    Agent("1003", name="Zhao Lei", queues=("support",)),
)


def morning() -> list[Fact]:
    """In time order: log-ins, answered calls (one late), two abandons (one short), a
    callback request, a pause, and two callers still waiting at T+1000."""
    return [
        AgentStateChanged("1001", T, S.READY, S.LOGGED_OUT),
        AgentStateChanged("1002", T, S.READY, S.LOGGED_OUT),
        AgentStateChanged("1003", T + 1, S.NOT_READY, S.LOGGED_OUT, "lunch"),
        CallQueued("c1", "sales", T + 10, T + 10, 0, "13800138000", "", "zh", 2),
        CallAnswered("c1", "sales", "1001", T + 18, 8.0),
        AgentStateChanged("1001", T + 18, S.ON_CALL, S.READY),
        CallQueued("c2", "sales", T + 20, T + 20, 0, "13900139000", "", "en", 0),
        QueueLeft("c2", "sales", T + 22, "abandoned", 2.0),  # short
        CallQueued("c3", "support", T + 30, T + 30, 0, "13700137000"),
        CallAnswered("c3", "support", "1002", T + 75, 45.0),  # late
        AgentStateChanged("1002", T + 75, S.ON_CALL, S.READY),
        AgentStateChanged("1001", T + 200, S.WRAP_UP, S.ON_CALL),
        AgentStateChanged("1001", T + 210, S.READY, S.WRAP_UP),
        CallHandled("c1", "sales", "1001", T + 210, 182.0, 10.0),
        CallQueued("c4", "sales", T + 300, T + 300, 0, "13600136000"),
        QueueLeft("c4", "sales", T + 340, "abandoned", 40.0),
        CallQueued("c5", "support", T + 400, T + 400, 0, "13500135000"),
        QueueLeft("c5", "support", T + 460, "callback", 60.0),
        CallQueued("c6", "sales", T + 950, T + 950, 5, "13400134000", "", "zh", 3),
        CallQueued("c7", "sales", T + 960, T + 940, 0, "13300133000"),
    ]
