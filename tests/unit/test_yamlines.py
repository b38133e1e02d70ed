# -*- test-case-name: tests.unit.test_yamlines -*-
"""Duplicate keys in flow and queue files are refused, naming both lines.

PyYAML keeps the last of two equal keys silently: a second agent ``1001`` replaced the
first, a second step ``menu`` replaced the first step of that name.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from switchboard.ivr_flows.load import check_directory
from switchboard.queue.config.queue_file import check_queue_config
from switchboard.yamlines import YamlSyntaxError, load_yaml

QUEUES = """\
queues:
  sales: {skills: {sales: 1}}
agents:
  "1001": {name: Alice, device: PJSIP/1001, skills: {sales: 1}, queues: [sales]}
  "1002": {name: Bo, device: PJSIP/1002, skills: {sales: 1}, queues: [sales]}
  1001: {name: Carla, device: PJSIP/1003, skills: {sales: 1}, queues: [sales]}
"""


def test_a_duplicate_key_names_both_lines() -> None:
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n")
    assert error.value.line == 5
    assert "duplicate key 'x' on line 5 (first on line 3)" in str(error.value)
    assert "remove or rename one" in error.value.fix


def test_every_duplicate_is_listed() -> None:
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("a: 1\na: 2\nb: {c: 1, c: 2}\n")
    assert "'a' on line 2 (first on line 1)" in str(error.value)
    assert "'c' on line 3 (first on line 3)" in str(error.value)


def test_a_merge_key_may_be_overridden() -> None:
    data = load_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n")
    assert data["other"] == {"x": 3, "y": 2}


def test_a_second_agent_1001_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "queues.yaml"
    path.write_text(QUEUES)
    config, problems = check_queue_config(path)
    assert config is None and problems[0].line == 6
    assert "duplicate key '1001' on line 6 (first on line 4)" in str(problems[0])


def test_a_duplicate_step_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(
        textwrap.dedent("""\
        steps:
          menu: {type: play, prompts: [a]}
          bye: {type: hangup}
          menu: {type: play, prompts: [b]}
    """)
    )
    flows, problems = check_directory(tmp_path)
    assert flows is None and [(p.line, p.code) for p in problems] == [(4, "duplicate_key")]
    assert "duplicate key 'menu' on line 4 (first on line 2)" in str(problems[0])
