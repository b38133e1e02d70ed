# -*- test-case-name: tests.unit.test_agi_session -*-
"""Named failures of an AGI session, as a handler sees them.

Catch :class:`AgiHangup` to mean "nobody is on the line any more": it covers the caller
hanging up, a dead channel (511) and the session being closed under us.
"""

from __future__ import annotations

from switchboard.cti.agi.wire import Reply, UnsafeArgument

__all__ = [
    "AgiBusy",
    "AgiCommandFailed",
    "AgiConnectionLost",
    "AgiDeadChannel",
    "AgiError",
    "AgiHangup",
    "AgiProtocolError",
    "AgiTimeout",
    "AgiUnknownCommand",
    "AgiUsageError",
    "UnsafeArgument",
    "error_for_reply",
]


class AgiError(Exception):
    """Base class of every AGI session failure."""


class AgiHangup(AgiError):
    """The caller hung up: pending and later work on this call leg cannot reach anyone."""


class AgiDeadChannel(AgiHangup):
    """Asterisk answered 511: the command is not permitted on a dead channel."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


class AgiConnectionLost(AgiHangup):
    """The AGI connection closed (Asterisk ended the session or the network failed)."""


class AgiUnknownCommand(AgiError):
    """Asterisk answered 510: it does not know this command."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


class AgiUsageError(AgiError):
    """Asterisk answered a 520 usage block; ``usage`` holds the text between its frames."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text.split("\n", 1)[0])
        self.reply = reply
        self.usage = reply.usage


class AgiCommandFailed(AgiError):
    """A typed helper got ``result=-1``: the application failed or the channel went away."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


class AgiTimeout(AgiError):
    """No reply within the command's time allowance; the session is closed."""


class AgiBusy(AgiError):
    """A second command was sent while one is in flight: AGI allows exactly one."""


class AgiProtocolError(AgiError):
    """Asterisk sent something we cannot read (over-long or malformed line)."""


def error_for_reply(reply: Reply) -> AgiError:
    """The failure a non-200 reply means, the same under FastAGI and process AGI."""
    if reply.code == 511:
        return AgiDeadChannel(reply)
    if reply.code == 510:
        return AgiUnknownCommand(reply)
    if reply.code == 520:
        return AgiUsageError(reply)
    return AgiProtocolError(f"unexpected reply: {reply.text[:200]!r}")
