"""The ``switchboard`` command: parse arguments, load settings, hand over to a subcommand.

Only the chosen subcommand's area is imported (see :data:`switchboard.commands.COMMANDS`),
so ``--help`` and quick commands start fast. This is the one place that owns the global
reactor: a subcommand that needs one receives it as ``args.reactor``.
"""

# test-case-name: tests.unit.test_cli

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from switchboard import __version__
from switchboard.commands import COMMANDS

EXIT_CONFIG = 2
_CONFIG_OPTIONS = ("-c", "--config")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand's area loaded (tests, tools; slow to build)."""
    return parser_for(*COMMANDS)


def parser_for(*commands: str | None) -> argparse.ArgumentParser:
    """The full parser for ``commands``; every other subcommand is listed by name only."""
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Call-centre middleware for Asterisk: FastAGI/AMI bridge, IVR, ACD.",
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    parser.add_argument(
        *_CONFIG_OPTIONS,
        metavar="FILE",
        help="settings file (TOML); default: $SWITCHBOARD_CONFIG, else built-in defaults",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in commands:
        if command in COMMANDS and command not in subparsers.choices:
            module, _, function = COMMANDS[command].adder.partition(":")
            getattr(importlib.import_module(module), function)(subparsers)
    for name, sub in COMMANDS.items():
        if name not in subparsers.choices:  # a placeholder: listed in --help, never run
            subparsers.add_parser(name, help=sub.help, add_help=False)
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The subcommand in ``argv``: its first word that is not an option or its value."""
    words = iter(argv)
    for word in words:
        if word in _CONFIG_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None, *, reactor: Any = None) -> int:
    """Run one subcommand; ``reactor`` replaces the global one (tests)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser_for(command_named(argv)).parse_args(argv)
    if reactor is None:  # a process of its own, not a test sharing its modules
        for name in getattr(args, "never_imports", ()):
            if name not in sys.modules:  # None there: an import of it is an ImportError
                sys.modules[name] = None  # type: ignore[assignment]
    from switchboard.config import ConfigError, load_settings
    from switchboard.logs import configure_logging

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    # A process AGI's stderr goes to /dev/null: its logs must go where the settings say.
    configure_logging(settings.logging, stderr_is_lost=getattr(args, "stderr_is_lost", False))
    if getattr(args, "needs_reactor", False):
        args.reactor = reactor if reactor is not None else _global_reactor()
    return int(args.run(args, settings) or 0)


def _global_reactor() -> Any:
    from twisted.internet import reactor as installed

    return installed


if __name__ == "__main__":
    sys.exit(main())
