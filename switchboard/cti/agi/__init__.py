"""FastAGI: a sans-I/O codec, a Twisted server, and a process-AGI driver built on pyst2.

Build the server with :class:`AgiServerService` (settings, reactor, handlers by script
name); a handler is ``async def handler(channel: AgiChannel) -> None``.
"""

from switchboard.cti.agi.builtin import BUILTIN_HANDLERS, main_menu
from switchboard.cti.agi.channel import (
    AgiChannel,
    DialOutcome,
    DigitsInput,
    Handler,
    Playback,
    Recording,
)
from switchboard.cti.agi.errors import (
    AgiBusy,
    AgiCommandFailed,
    AgiConnectionLost,
    AgiDeadChannel,
    AgiError,
    AgiHangup,
    AgiProtocolError,
    AgiTimeout,
    AgiUnknownCommand,
    AgiUsageError,
)
from switchboard.cti.agi.server import AgiServerFactory, AgiServerService
from switchboard.cti.agi.session import AgiSession, SessionOptions
from switchboard.cti.agi.wire import (
    AgiEnvironment,
    AgiParser,
    Quoted,
    Reply,
    UnsafeArgument,
    format_command,
    parse_command_line,
)

__all__ = [
    "BUILTIN_HANDLERS",
    "AgiBusy",
    "AgiChannel",
    "AgiCommandFailed",
    "AgiConnectionLost",
    "AgiDeadChannel",
    "AgiEnvironment",
    "AgiError",
    "AgiHangup",
    "AgiParser",
    "AgiProtocolError",
    "AgiServerFactory",
    "AgiServerService",
    "AgiSession",
    "AgiTimeout",
    "AgiUnknownCommand",
    "AgiUsageError",
    "DialOutcome",
    "DigitsInput",
    "Handler",
    "Playback",
    "Quoted",
    "Recording",
    "Reply",
    "SessionOptions",
    "UnsafeArgument",
    "format_command",
    "main_menu",
    "parse_command_line",
]
