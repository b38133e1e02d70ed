# -*- test-case-name: tests.queue.test_config -*-
"""The queue file: a good one loads; each mistake is named with file, line, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.queue.config.queue_file import (
    QueueConfigError,
    check_queue_config,
    load_queue_config,
)
from switchboard.queue.core.model import Fallback, OverflowRule, Strategy

GOOD = """\
queues:
  sales:
    skills: {sales: 2}
    strategy: highest_skill
    max_wait_s: 600
    fallback: {kind: queue, target: support}
    overflow:
      - {after_s: 60, min_level: 1}
      - {after_s: 120, add_agents_of: [support]}
  support: {}
agents:
  "1001":
    name: Alice
    device: PJSIP/1001
    skills: {sales: 3}
    languages: [en, cmn]
    queues: [sales]
  "1002": {device: Local/1002@agents, queues: [support, sales]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "queues.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_into_frozen_values(tmp_path: Path) -> None:
    config = load_queue_config(write(tmp_path, GOOD))
    sales = {q.name: q for q in config.queues}["sales"]
    assert sales.strategy is Strategy.HIGHEST_SKILL
    assert sales.fallback == Fallback("queue", "support")
    assert sales.overflow[1] == OverflowRule(120, add_agents_of=("support",))
    alice = config.agents[0]
    assert (alice.id, alice.name, alice.skills["sales"]) == ("1001", "Alice", 3)
    assert alice.languages == frozenset({"en", "cmn"})
    assert config.agents[1].name == "1002"


@pytest.mark.parametrize(
    ("change", "line", "key", "fix"),
    [
        (
            ("strategy: highest_skill", "strategy: leastrecent"),
            4,
            "queues.sales.strategy",
            "longest_idle",
        ),
        (("max_wait_s: 600", "max_wiat_s: 600"), 5, "queues.sales.max_wiat_s", "max_wait_s"),
        (("target: support}", "target: suport}"), 6, "queues.sales.fallback.target", "support"),
        (
            ("add_agents_of: [support]", "add_agents_of: [nobody]"),
            9,
            "queues.sales.overflow.1.add_agents_of",
            "define it",
        ),
        (("device: PJSIP/1001", "device: 1001"), 14, "agents.1001.device", "PJSIP/1001"),
        (("skills: {sales: 3}", "skills: {sales: 300}"), 15, "agents.1001.skills.sales", "1..100"),
        (("min_level: 1}", "min_level: 0}"), 8, "queues.sales.overflow.0.min_level", "example"),
    ],
)
def test_each_mistake_names_file_line_key_and_fix(
    tmp_path: Path, change: tuple[str, str], line: int, key: str, fix: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    config, problems = check_queue_config(path)
    assert config is None
    assert [(p.line, p.key) for p in problems] == [(line, key)]
    assert fix in problems[0].fix
    assert str(problems[0]).startswith(f"{path}:{line}: {key}: ")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("max_wait_s: 600", "max_wait_s: -1").replace(
        "queues: [sales]", "queues: [nope]"
    )
    with pytest.raises(QueueConfigError) as caught:
        load_queue_config(write(tmp_path, text))
    assert {p.key for p in caught.value.problems} == {
        "queues.sales.max_wait_s",
        "agents.1001.queues",
    }


def test_yaml_syntax_and_missing_files(tmp_path: Path) -> None:
    _config, problems = check_queue_config(write(tmp_path, "queues:\n  sales: [\n"))
    assert problems[0].line > 0 and "YAML" in problems[0].message
    _config, problems = check_queue_config(tmp_path / "absent.yaml")
    assert "cannot read" in problems[0].message
