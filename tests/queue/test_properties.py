# -*- test-case-name: tests.queue.test_properties -*-
"""Random arrivals, agents, skills, hangups, no-answers, callbacks, supervisors' moves and
priority changes, and reloads of the queue configuration against the router.

After every event (checked in :meth:`Shell.check`): a ready agent with the needed skills is
never idle while a call it may take waits, and no agent holds two calls. At the end: every
call ended exactly once as answered, abandoned, called back, callback unreached, voicemail
or overflowed; and the live statistics equal a recomputation from the recorded history.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.queue.core.history import HistoryBuilder, recompute
from switchboard.queue.core.model import CallOutcome
from switchboard.queue.core.stats import LiveStats
from tests.queue.driver import ALL_AGENTS, QUEUES, Shell, step

KINDS = (
    "arrive",
    "arrive",
    "arrive",
    "login",
    "login",
    "ready",
    "ready",
    "pause",
    "logout",
    "answer",
    "answer",
    "answer",
    "no_answer",
    "device",
    "hangup",
    "hangup",
    "abandon",
    "callback",
    "callback_outcome",
    "callback_outcome",
    "wrap",
    "wait",
    "wait",
    "reload",
    "move",
    "priority",
)
OPS = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.integers(0, 50)), max_size=120
)
FINAL = {outcome.value for outcome in CallOutcome}


def assert_stats_match(facts: list[Any], now: float) -> None:
    live = LiveStats(QUEUES, ALL_AGENTS)
    live.apply(facts)
    history = HistoryBuilder()
    history.apply(facts)
    queues, agents = recompute(history.visits, history.periods, QUEUES, ALL_AGENTS, now)
    assert [asdict(s) for s in live.queues(now)] == [asdict(s) for s in queues]
    assert [asdict(s) for s in live.agents(now)] == [asdict(s) for s in agents]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, seed=st.integers(0, 3))
def test_no_call_is_lost_and_no_agent_idles_or_doubles(ops: list[Any], seed: int) -> None:
    shell = Shell.new(seed)
    for op in ops:
        step(shell, op)
    assert_stats_match(shell.facts, shell.now)  # mid-flight, with calls still waiting
    shell.drain()
    assert set(shell.finished) == shell.arrived
    for call_id, outcomes in shell.finished.items():
        assert len(outcomes) == 1, (call_id, outcomes)
        assert outcomes[0] in FINAL
    assert shell.router.calls == {}
    assert_stats_match(shell.facts, shell.now)


@settings(max_examples=40, deadline=None)
@given(ops=OPS)
def test_statistics_windows_agree_hours_later(ops: list[Any]) -> None:
    shell = Shell.new()
    for op in ops:
        step(shell, op)
    for later in (600.0, 1800.0, 5400.0):
        assert_stats_match(shell.facts, shell.now + later)
