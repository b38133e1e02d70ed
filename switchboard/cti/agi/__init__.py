"""FastAGI: a sans-I/O codec, a Twisted server, and a process-AGI driver built on pyst2.

Build the server with :class:`~.server.AgiServerService` (settings, reactor, handlers by
script name); a handler is ``async def handler(channel: AgiChannel) -> None``.

Only the sans-I/O parts are re-exported here, so that importing the codec never loads
Twisted; import the server from :mod:`.server` and the session from :mod:`.session`.
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
    "UnsafeArgument",
    "format_command",
    "main_menu",
    "parse_command_line",
]
