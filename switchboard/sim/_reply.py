# -*- test-case-name: tests.sim.test_ami -*-
"""What an AMI action answers, as a value: the server protocol writes it.

Action handlers (:mod:`._actions`) decide and return a :class:`Reply`; the protocol
(:mod:`.ami`) writes the response, the list items after it, closes when asked, and only
then runs the action's effect (``then``), so the events an action causes reach the
session after its response, the order Asterisk shows in the captures.

Neither side imports the other: the handler sees the session through
:class:`AmiSession`, the protocol sees the handler through :class:`ActionHandling`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from twisted.internet.defer import Deferred

from switchboard.cti.ami.frames import Message
from switchboard.sim.events import Headers

if TYPE_CHECKING:
    from switchboard.sim.pbx import Pbx

Frame = Headers | Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Reply:
    """One action's answer.

    Attributes:
        response: ``Success`` / ``Error`` / ``Goodbye``; empty: no response is written
            (``core restart now``, or the response comes ``later``).
        fields: the response's headers after ``Response`` and ``ActionID``.
        items: frames written right after the response (an EventList's items).
        close: close the connection once written.
        ignore_rest: answer nothing more on this connection (after a failed login).
        later: a reply written when it fires (a synchronous Originate, a failed login).
        then: the action's effect, run once the reply is written.
    """

    response: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    items: tuple[Frame, ...] = ()
    close: bool = False
    ignore_rest: bool = False
    later: Deferred[Reply] | None = None
    then: Callable[[], object] | None = None


def success(*fields: tuple[str, str], then: Callable[[], object] | None = None) -> Reply:
    return Reply("Success", fields, then=then)


def error(message: str) -> Reply:
    return Reply("Error", (("Message", message),))


def list_reply(message: str, items: Sequence[Frame]) -> Reply:
    """``EventList: start`` with ``message``, then the list's items and its end event."""
    return Reply("Success", (("EventList", "start"), ("Message", message)), tuple(items))


def actions_of(part: object) -> dict[str, Callable[[AmiSession, Message], Reply]]:
    """``part``'s ``do_<action>`` methods by lower-case action name."""
    return {name[3:].lower(): getattr(part, name) for name in dir(part) if name.startswith("do_")}


class AmiSession(Protocol):
    """What an action may read or change of the manager session it came in on."""

    authenticated: bool
    challenge: str | None
    classes: set[str] | None

    @property
    def transport(self) -> Any: ...  # an ITransport, or None before the connection

    def check_key(self, secret: str, key: str) -> bool: ...

    def logged_in(self, username: str, events: str) -> None: ...

    def set_events(self, events: str) -> None: ...

    def event(self, headers: Headers) -> None: ...


class ActionHandling(Protocol):
    """The PBX's side of a manager session: answers each action with a reply."""

    pbx: Pbx

    def handle(self, session: AmiSession, msg: Message) -> Reply: ...
