# -*- test-case-name: tests.queue.test_queues_conf -*-
"""Importing an Asterisk queues.conf (read with pyst2), and the import-asterisk command."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from switchboard.config import Settings
from switchboard.queue.commands import add_commands
from switchboard.queue.config import load_queue_config, parse_queue_config
from switchboard.queue.model import Strategy
from switchboard.queue.queues_conf import import_queues_conf, to_yaml
from switchboard.yamlines import load_yaml

FIXTURE = Path(__file__).with_name("fixtures") / "queues.conf"


def test_templates_strategies_and_timers_are_mapped() -> None:
    result = import_queues_conf(FIXTURE)
    assert list(result.queues) == ["sales", "support", "vip", "billing", "lottery", "night"]
    sales = result.queues["sales"]
    # From the [standard](!) template, overridden by the queue's own lines.
    assert sales["strategy"] == "longest_idle" and sales["ring_timeout_s"] == 20
    assert (sales["wrap_up_s"], sales["service_level_s"], sales["max_length"]) == (15, 30, 25)
    assert (sales["weight"], sales["announce_interval_s"]) == (2, 45)
    assert result.queues["support"]["wrap_up_s"] == 30
    assert result.queues["night"]["strategy"] == "round_robin"
    assert "standard" not in result.queues  # (!) marks a template only
    assert "max_length" not in result.queues["lottery"]  # maxlen = 0: unlimited


def test_members_become_agents_with_levels_from_penalties() -> None:
    result = import_queues_conf(FIXTURE)
    bob = result.agents["1002"]
    assert bob["device"] == "PJSIP/1002" and bob["queues"] == ["sales", "support"]
    assert bob["skills"] == {"sales": 95, "support": 100}  # penalty 5 ranks below penalty 0
    assert result.queues["sales"]["tiered"] is True
    assert "tiered" not in result.queues["support"]  # equal penalties: no tiers
    assert result.agents["1003"]["device"] == "Local/1003@agents/n"
    billing = [result.agents[a]["skills"]["billing"] for a in ("3001", "3002")]
    assert billing == [100, 99]  # linear: the order listed
    assert result.agents["5001"]["queues"] == ["night"]  # from [night](+)


def test_what_could_not_be_mapped_is_said_with_its_line() -> None:
    notes = {(n.line, n.section, n.key) for n in import_queues_conf(FIXTURE).notes}
    assert (6, "(file)", "#include") in notes
    assert (33, "vip", "strategy") in notes  # ringall
    assert (34, "vip", "timeout") in notes  # 0: ring forever
    assert (44, "lottery", "strategy") in notes  # wrandom
    assert (52, "night", "timeoutpriority") in notes
    assert (24, "sales", "member") in notes  # state interface


def test_the_output_is_a_valid_queue_file(tmp_path: Path) -> None:
    text = to_yaml(import_queues_conf(FIXTURE), "queues.conf")
    config, problems = parse_queue_config(load_yaml(text), "out.yaml")
    assert problems == [] and config is not None
    by_name = {q.name: q for q in config.queues}
    assert by_name["sales"].strategy is Strategy.LONGEST_IDLE
    assert by_name["sales"].required_skills == {"sales": 1}
    # app_queue's static members are always logged in: so are the imported agents at start
    assert set(config.initial_states.values()) == {"ready"}
    assert set(config.initial_states) == {a.id for a in config.agents}


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.run(args, Settings()))


def test_import_asterisk_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "queues.yaml"
    assert _run(["import-asterisk", str(FIXTURE), "-o", str(out)]) == 0
    assert "6 queue(s), 9 agent(s)" in capsys.readouterr().out
    assert len(load_queue_config(out).agents) == 9
    assert _run(["queues", "check", str(out)]) == 0
    broken = tmp_path / "broken.conf"
    broken.write_text("[sales]\nstrategy ringall\n", encoding="utf-8")
    assert _run(["import-asterisk", str(broken)]) == 1
    assert f"{broken}:2: Item must be in name = value pairs" in capsys.readouterr().err
    assert _run(["import-asterisk", str(tmp_path / "none.conf")]) == 1
