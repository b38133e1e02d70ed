"""The ``switchboard ami`` CLI wiring (the commands themselves need a running reactor)."""

from __future__ import annotations

import argparse

import pytest

from switchboard.cti.ami.commands import add_commands, parse_headers, run_action, run_tail


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def test_tail_and_action_parse() -> None:
    args = _parser().parse_args(["ami", "tail", "--event", "Hangup", "--event", "Newchannel"])
    assert args.run is run_tail and args.event == ["Hangup", "Newchannel"]
    args = _parser().parse_args(["ami", "action", "Getvar", "Variable=X", "Channel=Local/a"])
    assert args.run is run_action and args.name == "Getvar"
    assert parse_headers(args.headers) == [("Variable", "X"), ("Channel", "Local/a")]


def test_bad_header_pair_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_headers(["novalue"])
