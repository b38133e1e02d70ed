# -*- test-case-name: tests.sim.test_ami -*-
"""The simulated PBX's AMI server: a thin Twisted protocol over the shared codec."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import structlog
from twisted.internet.interfaces import ITCPTransport
from twisted.internet.protocol import Factory, Protocol
from twisted.python.failure import Failure

from switchboard.cti.ami.frames import AmiParser, FrameError, Message, encode_message
from switchboard.sim.events import Headers, build_event

if TYPE_CHECKING:
    from switchboard.sim._reply import ActionHandling, Frame, Reply

H = TypeVar("H", bound="ActionHandling")

log = structlog.get_logger(__name__)
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
AUTH_FAIL_DELAY_S = 1.0  # real seconds: Asterisk answers a bad login after about 1 s


def event_classes(mask: str) -> set[str] | None:
    """Classes an ``Events:`` value lets through (``None`` = all, empty = none)."""
    value = mask.strip().lower()
    if value in ("on", "yes", "true", "all", "1"):
        return None
    if value in ("off", "no", "false", "0", ""):
        return set()
    return {part.strip() for part in value.split(",") if part.strip()}


class AmiServerProtocol(Protocol):
    """One manager session: banner, login, actions, then events."""

    transport: ITCPTransport  # set by makeConnection before the callbacks below

    def __init__(self, handler: ActionHandling) -> None:
        self.handler = handler
        self.parser = AmiParser(expect_banner=False)
        self.deaf = False  # answers nothing more (after a failed login)
        self.authenticated = False
        self.username = ""
        self.challenge: str | None = None
        self.classes: set[str] | None = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._dead = False
        self.on_lost: Callable[[AmiServerProtocol], None] | None = None

    def connectionMade(self) -> None:
        self.transport.write(BANNER)

    def dataReceived(self, data: bytes) -> None:
        if self.deaf:
            return
        for item in self.parser.feed(data):
            if self._dead or self.deaf:
                return
            if isinstance(item, FrameError):
                log.warning("sim_ami_bad_frame", reason=item.reason)
                continue
            if isinstance(item, Message):
                self.reply(item, self.handler.handle(self, item))

    def reply(self, msg: Message, reply: Reply) -> None:
        """Write ``reply`` to ``msg`` (echoing its ActionID), then run its effect."""
        if reply.response:
            headers = [("Response", reply.response)]
            if msg.action_id is not None:
                headers.append(("ActionID", msg.action_id))
            self.send([*headers, *reply.fields])
        for item in reply.items:
            self.send(item)
        if reply.close:
            self.close()
        if reply.ignore_rest:
            self.deaf = True
        if reply.later is not None:
            reply.later.addCallback(lambda later: self.reply(msg, later))
        if reply.then is not None:
            reply.then()

    def send(self, headers: Frame) -> None:
        if not self._dead:
            self.transport.write(encode_message(headers))

    def event(self, headers: Headers) -> None:
        """Deliver a PBX event if this session's Events mask allows it."""
        if not self.authenticated or self.classes == set():
            return
        if self.classes is not None:
            privilege = dict(headers).get("Privilege", "")
            if not set(privilege.lower().split(",")) & self.classes:
                return
        self.send(headers)

    def logged_in(self, username: str, events: str) -> None:
        self.authenticated, self.username = True, username
        self.classes = event_classes(events)
        self._unsubscribe = self.handler.pbx.subscribe(self.event)

    def set_events(self, events: str) -> None:
        self.classes = event_classes(events)

    def close(self) -> None:
        self._dead = True
        self.transport.loseConnection()

    def check_key(self, secret: str, key: str) -> bool:
        if self.challenge is None:
            return False
        return hashlib.md5((self.challenge + secret).encode()).hexdigest() == key.lower()

    def connectionLost(self, reason: Failure = Failure(ConnectionError())) -> None:  # noqa: B008
        self._dead = True
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.on_lost is not None:
            self.on_lost(self)


class AmiServerFactory(Factory, Generic[H]):
    """Serves manager sessions answered by ``handler`` (swapped by a restart)."""

    def __init__(self, handler: H) -> None:
        self.handler = handler
        self.sessions: set[AmiServerProtocol] = set()

    def buildProtocol(self, addr: object) -> AmiServerProtocol:
        proto = AmiServerProtocol(self.handler)
        proto.on_lost = self.sessions.discard
        self.sessions.add(proto)
        return proto

    def shut_down(self, restart: bool = False) -> None:
        """``Event: Shutdown`` to every logged-in session, then close them all."""
        self.broadcast_shutdown(restart)
        self.close_all()

    def broadcast_shutdown(self, restart: bool = False) -> None:
        """``Event: Shutdown`` (``Shutdown: Cleanly``) to every logged-in session."""
        event = build_event("Shutdown", Shutdown="Cleanly", Restart=str(restart))
        for proto in list(self.sessions):
            proto.event(event)

    def close_all(self) -> None:
        """Close every AMI connection (no ``Goodbye``: the process is going away)."""
        for proto in list(self.sessions):
            proto.close()
        self.sessions.clear()
