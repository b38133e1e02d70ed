"""``switchboard flows check|graph|try``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from switchboard.config import FlowsSettings, Settings
from switchboard.ivr_flows.commands import add_commands
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM, write


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.run(args, Settings(flows=FlowsSettings(dir=EXAMPLES))))


def test_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("flows", "check", str(EXAMPLES)) == 0
    assert "ok (4 flows" in capsys.readouterr().out
    assert run("flows", "check") == 0  # settings [flows] dir


def test_check_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, a="steps: {x: {type: nope}}\n", b="steps:\n  y: {type: play, next: z}\n")
    assert run("flows", "check", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "a.yaml:1: step 'x' unknown step type 'nope'" in out
    assert "b.yaml:2: step 'y'" in out and "[dangling_next]" in out
    assert "[missing_field]" in out  # play without prompts


def test_graph_mermaid_and_dot(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("flows", "graph", "main-menu") == 0
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart TD") and "s_menu -->|2| s_support" in mermaid
    assert run("flows", "graph", "callback", "--format", "dot") == 0
    dot = capsys.readouterr().out
    assert dot.startswith('digraph "callback"') and "s_book -> s_booked;" in dot
    assert run("flows", "graph", "nope") == 1


def test_try_walks_a_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("flows", "try", "main-menu", "3", "2", "--at", str(TUESDAY_10AM)) == 0
    out = capsys.readouterr().out
    assert "SWITCHBOARD_QUEUE=support" in out and "outcome: queued" in out
