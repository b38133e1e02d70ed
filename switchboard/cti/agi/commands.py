# -*- test-case-name: tests.integration.test_agi_process -*-
"""The ``switchboard agi SCRIPT [ARGS...]`` subcommand: one process-AGI session.

The dialplan's ``AGI(switchboard-agi,main-menu,${CALLERID(num)})`` runs the wrapper with
``main-menu <number>``; the wrapper passes them on with ``"$@"``. The handler sees the
arguments as under FastAGI (see :func:`~switchboard.cti.agi.process.fastagi_view`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.config.model import Settings
    from switchboard.cti.agi.channel import Handler

__all__ = ["EXIT_NOT_READY", "HandlersUnavailable", "add_commands"]

# Exit status when nothing could be served: Asterisk then sets AGISTATUS=FAILURE
# (res_agi.c, agi_exec_full: a non-zero exit status of the script), the fallback's cue.
EXIT_NOT_READY = 3


class HandlersUnavailable(Exception):
    """``handlers_for`` cannot serve calls (for example, the database is not migrated)."""


HandlersFor = Callable[["Settings", Any], "Mapping[str, Handler]"]


def builtin_handlers(_settings: Settings, _reactor: Any) -> Mapping[str, Handler]:
    from switchboard.cti.agi.builtin import BUILTIN_HANDLERS

    return BUILTIN_HANDLERS


def add_commands(
    subparsers: Any,
    handlers_for: HandlersFor = builtin_handlers,
    after_first_command: Callable[[], object] | None = None,
) -> None:
    """Add ``agi``; ``handlers_for(settings, reactor)`` names the handlers it can run;
    ``after_first_command`` runs once the first command is on its way to Asterisk."""
    agi = subparsers.add_parser(
        "agi",
        help="run one AGI script over stdin/stdout (process AGI, for AGI(/path/switchboard,...))",
    )
    agi.add_argument("script", help="handler name, e.g. main-menu")
    agi.add_argument(
        "args",
        nargs="*",
        metavar="ARG",
        help="the dialplan's further AGI() arguments (the handler reads them as agi_arg_N)",
    )
    agi.set_defaults(
        run=run_agi,
        handlers_for=handlers_for,
        after_first_command=after_first_command,
        needs_reactor=True,
        stderr_is_lost=True,
        # The caller hears silence until the first command. Twisted's TCP support loads
        # pyOpenSSL and structlog loads rich (about 80 ms together); a process AGI speaks
        # no TLS and writes its logs as lines, so it never needs either.
        never_imports=("OpenSSL", "rich"),
    )


def run_agi(args: argparse.Namespace, settings: Settings) -> int:
    """Run the handler named ``args.script``; stdout belongs to Asterisk from here on."""
    from switchboard.cti.agi.process import run_process_agi

    agi_out = sys.stdout
    # Anything else that prints (logs, warnings) must not corrupt the AGI channel.
    sys.stdout = sys.stderr
    try:
        try:
            handlers = args.handlers_for(settings, args.reactor)
        except HandlersUnavailable as exc:
            import structlog

            structlog.get_logger(__name__).error(
                "agi_not_ready",
                script=args.script,
                problem=str(exc),
                effect="no command sent; the dialplan sees AGISTATUS=FAILURE",
            )
            return EXIT_NOT_READY
        return run_process_agi(
            args.script,
            handlers,
            args.reactor,
            sys.stdin.buffer,
            agi_out,
            max_line_bytes=settings.agi.max_line_bytes,
            after_first_command=args.after_first_command,
        )
    finally:
        sys.stdout = agi_out
