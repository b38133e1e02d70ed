# -*- test-case-name: tests.integration.test_agi_process -*-
"""The ``switchboard agi SCRIPT`` subcommand: one process-AGI session on stdin/stdout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from switchboard.config.model import Settings

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    agi = subparsers.add_parser(
        "agi",
        help="run one AGI script over stdin/stdout (process AGI, for AGI(/path/switchboard,...))",
    )
    agi.add_argument("script", help="handler name, e.g. main-menu")
    agi.set_defaults(run=run_agi)


def run_agi(args: argparse.Namespace, settings: Settings) -> int:
    """Run the handler named ``args.script``; stdout belongs to Asterisk from here on."""
    from switchboard.cti.agi.builtin import BUILTIN_HANDLERS
    from switchboard.cti.agi.process import run_process_agi

    agi_out = sys.stdout
    # Anything else that prints (logs, warnings) must not corrupt the AGI channel.
    sys.stdout = sys.stderr
    try:
        return run_process_agi(
            args.script,
            BUILTIN_HANDLERS,
            sys.stdin.buffer,
            agi_out,
            max_line_bytes=settings.agi.max_line_bytes,
        )
    finally:
        sys.stdout = agi_out
