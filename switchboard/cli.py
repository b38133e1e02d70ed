"""The ``switchboard`` command: parse arguments, load settings, hand over to a subcommand.

Each area contributes its own subcommands through ``add_commands(subparsers)``;
a subcommand's parser sets ``run(args, settings) -> exit code``.
"""

# test-case-name: tests.unit.test_cli

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from switchboard import __version__
from switchboard.config import ConfigError, Settings, load_settings
from switchboard.logs import configure_logging

EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    from switchboard import commands

    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Call-centre middleware for Asterisk: FastAGI/AMI bridge, IVR, ACD.",
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    parser.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help="settings file (TOML); default: $SWITCHBOARD_CONFIG, else built-in defaults",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_commands in commands.ALL:
        add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings: Settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.logging)
    return int(args.run(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
