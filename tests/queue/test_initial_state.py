# -*- test-case-name: tests.queue.test_initial_state -*-
"""Agents declared logged in (ready or paused) in the queue file are so when the ACD
starts, and when they first appear in a reloaded file."""

from __future__ import annotations

from pathlib import Path

from twisted.internet.task import Clock

from switchboard.queue import AgentState, Queue
from switchboard.queue.config.queue_file import QueueConfig, check_queue_config, load_queue_config
from switchboard.queue.shell.service import AcdService
from tests.queue.helpers import START, agent

FILE = """\
queues:
  sales: {}
agents:
  a1: {device: PJSIP/a1, queues: [sales], initial_state: ready}
  a2: {device: PJSIP/a2, queues: [sales], initial_state: paused}
  a3: {device: PJSIP/a3, queues: [sales]}
"""


def _states(acd: AcdService) -> dict[str, tuple[AgentState, str]]:
    return {i: (r.state, r.reason) for i, r in acd.router.agents.items()}


def test_agents_start_as_the_queue_file_says(tmp_path: Path) -> None:
    path = tmp_path / "queues.yaml"
    path.write_text(FILE, encoding="utf-8")
    config = load_queue_config(path)
    assert dict(config.initial_states) == {"a1": "ready", "a2": "paused"}
    clock = Clock()
    clock.advance(START)
    acd = AcdService(config, clock)
    assert acd.router.agents["a1"].state is AgentState.LOGGED_OUT  # nothing before start
    acd.startService()
    assert _states(acd) == {
        "a1": (AgentState.READY, ""),
        "a2": (AgentState.NOT_READY, "logged_in"),
        "a3": (AgentState.LOGGED_OUT, ""),
    }
    acd.stopService()


def test_a_reload_logs_in_new_agents_only(tmp_path: Path) -> None:
    clock = Clock()
    acd = AcdService(QueueConfig((Queue("sales"),), (agent("a1"),), {"a1": "ready"}), clock)
    acd.startService()
    acd.not_ready("a1", "lunch")  # an operator's change is not undone by a reload
    acd.reconfigure(
        QueueConfig((Queue("sales"),), (agent("a1"), agent("a2")), {"a1": "ready", "a2": "ready"})
    )
    assert _states(acd) == {"a1": (AgentState.NOT_READY, "lunch"), "a2": (AgentState.READY, "")}
    acd.stopService()


def test_an_unknown_initial_state_names_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "queues.yaml"
    path.write_text(FILE.replace("initial_state: paused", "initial_state: away"), encoding="utf-8")
    config, problems = check_queue_config(path)
    assert config is None
    (problem,) = problems
    assert (problem.line, problem.key) == (5, "agents.a2.initial_state")
    assert "'logged_out', 'ready' or 'paused'" in problem.fix
