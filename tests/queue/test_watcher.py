# -*- test-case-name: tests.queue.test_watcher -*-
"""The queue file hot-reloaded into a running ACD, on a hand-driven clock and a temp file."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs
from twisted.internet.task import Clock

from switchboard.queue import AgentState, Queue
from switchboard.queue.config.queue_file import QueueConfig, load_queue_config
from switchboard.queue.core.decisions import AgentStateChanged, Fact
from switchboard.queue.shell.service import AcdService
from switchboard.queue.shell.watcher import QueueFileWatcher
from tests.queue.helpers import START, agent
from tests.queue.test_hold import QUIET, site

ONE = """\
queues:
  sales: {announce_interval_s: 30}
agents:
  "1001": {device: PJSIP/1001, queues: [sales]}
  "1002": {device: PJSIP/1002, queues: [sales]}
"""
TWO = """\
queues:
  sales: {announce_interval_s: 30, ring_timeout_s: 9}
  support: {}
agents:
  "1001": {device: PJSIP/1001, queues: [sales, support]}
  "1003": {device: PJSIP/1003, queues: [support]}
"""
BROKEN = """\
queues:
  sales: {ring_timeout: 9}
agents:
  "1001": {device: PJSIP/1001, queues: [sales, suport], skills: {sales: 500}}
"""


class Edits:
    """Writes the file with a modification time of its own each time (no mtime races)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp = 1_700_000_000_000_000_000

    def write(self, text: str) -> None:
        self.path.write_text(text, encoding="utf-8")
        self.stamp += 1_000_000_000
        os.utime(self.path, ns=(self.stamp, self.stamp))


def start(tmp_path: Path) -> tuple[AcdService, QueueFileWatcher, Clock, Edits, list[Fact]]:
    edits = Edits(tmp_path / "queues.yaml")
    edits.write(ONE)
    clock = Clock()
    clock.advance(START)
    acd = AcdService(load_queue_config(edits.path), clock)  # type: ignore[arg-type]
    facts: list[Fact] = []
    acd.hub.subscribe("fact", facts.append)  # type: ignore[arg-type]
    watcher = QueueFileWatcher(edits.path, acd, clock, poll_interval_s=2.0)  # type: ignore[arg-type]
    acd.startService()
    watcher.startService()
    return acd, watcher, clock, edits, facts


def events(logs: Sequence[Mapping[str, Any]], name: str) -> list[Mapping[str, Any]]:
    return [entry for entry in logs if entry["event"] == name]


def test_a_valid_edit_is_applied_at_the_next_poll(tmp_path: Path) -> None:
    acd, watcher, clock, edits, facts = start(tmp_path)
    acd.log_in("1002")
    edits.write(TWO)
    clock.advance(1.9)
    assert set(acd.router.queues) == {"sales"}  # not polled yet
    with capture_logs() as logs:
        clock.advance(0.1)
    assert set(acd.router.queues) == {"sales", "support"}
    assert acd.router.queues["sales"].ring_timeout_s == 9
    assert set(acd.router.agents) == {"1001", "1003"}  # 1002 was idle: logged out, gone
    assert isinstance(facts[-1], AgentStateChanged) and facts[-1].reason == "removed"
    assert [s.queue for s in acd.queue_stats()] == ["sales", "support"]
    [loaded] = events(logs, "queue_config_loaded")
    assert loaded["version"] == 2 == watcher.version
    assert loaded["queues_added"] == ["support"] and loaded["queues_changed"] == ["sales"]
    assert loaded["agents_added"] == ["1003"] and loaded["agents_removed"] == ["1002"]
    assert loaded["agents_changed"] == ["1001"]
    watcher.stopService()
    acd.stopService()
    assert clock.getDelayedCalls() == []


def test_a_broken_edit_is_rejected_with_every_problem_and_the_old_one_serves(
    tmp_path: Path,
) -> None:
    acd, watcher, clock, edits, _facts = start(tmp_path)
    before = acd.config
    edits.write(BROKEN)
    with capture_logs() as logs:
        clock.advance(2)
    assert acd.config is before and set(acd.router.agents) == {"1001", "1002"}
    rejected = events(logs, "queue_config_rejected")
    assert {(e["key"], e["line"]) for e in rejected} == {
        ("queues.sales.ring_timeout", 2),
        ("agents.1001.queues", 4),
        ("agents.1001.skills.sales", 4),
    }
    assert all(e["file"] == str(edits.path) and e["fix"] for e in rejected)
    assert events(logs, "queue_config_kept")[0]["serving_version"] == 1
    with capture_logs() as logs:
        clock.advance(2)  # the same broken file: not read again
    assert logs == []
    edits.write(TWO)
    clock.advance(2)
    assert watcher.version == 2 and "support" in acd.router.queues
    watcher.stopService()


def test_a_missing_file_is_rejected_and_its_return_is_loaded(tmp_path: Path) -> None:
    acd, watcher, clock, edits, _facts = start(tmp_path)
    edits.path.unlink()
    with capture_logs() as logs:
        clock.advance(2)
    assert events(logs, "queue_config_rejected")[0]["key"] == "(file)"
    assert set(acd.router.queues) == {"sales"}
    edits.write(TWO)
    clock.advance(2)
    assert set(acd.router.queues) == {"sales", "support"}
    watcher.stopService()


def test_a_touched_but_equal_file_changes_nothing(tmp_path: Path) -> None:
    _acd, watcher, clock, edits, facts = start(tmp_path)
    edits.write(ONE)
    with capture_logs() as logs:
        clock.advance(2)
    assert [e["event"] for e in logs] == ["queue_config_unchanged"]
    assert watcher.version == 1 and facts == []
    watcher.stopService()


def test_a_removed_queue_turns_new_callers_to_the_default_queue() -> None:
    s = site(
        [Queue("sales", **QUIET), Queue("support", **QUIET)],
        [agent("a1", queues=("sales", "support"))],
        default_queue="support",
    )
    first, second = s.channel("c1"), s.channel("c2")
    r1 = s.hold(first)
    s.acd.reconfigure(QueueConfig((Queue("support", **QUIET),), (agent("a1", ("support",)),)))
    assert not s.acd.router.accepting("sales")
    r2 = s.hold(second)
    assert s.acd.router.calls["c2"].queue == "support"
    s.acd.log_in("a1", ready=True)
    assert s.acd.router.calls["c1"].agent_id == "a1"  # the older caller is served first
    first.finish_dial("ANSWER")
    second.hang_up()
    assert (r1.result.queue, r1.result.outcome) == ("sales", "answered")
    assert r2.result.outcome == "abandoned"
    s.clock.advance(10)  # a1's wrap-up; sales went with its last call
    assert set(s.acd.router.queues) == {"support"}
    s.close()


def test_a_new_agents_device_state_is_followed_over_ami() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    s.acd.reconfigure(QueueConfig((Queue("sales", **QUIET),), (agent("a1"), agent("a2"))))
    s.acd.log_in("a2", ready=True)
    s.ami.emit("DeviceStateChange", Device="PJSIP/a2", State="INUSE")
    assert s.state("a2") is AgentState.READY and not s.acd.router.agents["a2"].device_free
    s.close()
