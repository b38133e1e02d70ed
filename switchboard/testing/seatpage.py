# -*- test-case-name: tests.browser -*-
"""A stand-in web tier for the agent seat page's browser tests.

It serves ``web/templates/seat.html`` rendered with jinja2 (over a minimal ``base.html``
with the contract's blocks and meta tags), ``web/static/seat.*``, an ``i18n.js`` built
from every ``.po`` catalogue in ``web/locale``, a websocket at ``/ws/seat`` that sends what
the test tells it to, and the seat API routes, which record what the page posted. The page
runs under a strict CSP (no inline script or style), as it will behind the real web tier.

The test drives it over HTTP under ``/_test/``: ``reset`` (with the snapshot to send on
each connect), ``send`` a message to every open socket, ``down`` (close every socket and
refuse new ones) and ``up``, ``end-session`` (close with 4001), ``session`` (what
``GET /api/v1/seat/session`` says: ``{"valid": false}`` answers 401), ``fail`` the next
request to a path, read ``posted`` and ``status``. ``reset`` may also carry
``revealable`` (field -> full value) for ``POST /api/v1/seat/calls/{id}/reveal``. Run it as
``python -m switchboard.testing.seatpage``: it listens on a free port of 127.0.0.1,
prints ``seatpage listening on http://127.0.0.1:PORT`` and ends when its standard input
closes (so it never outlives the test run that started it).
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autobahn.twisted.resource import WebSocketResource
from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.types import ConnectionDeny, ConnectionRequest
from babel.messages.pofile import read_po
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from klein import Klein
from twisted.internet.interfaces import IAddress
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure
from twisted.web.resource import IResource
from twisted.web.server import Request, Site
from twisted.web.static import File

__all__ = ["LANGUAGES", "StandIn", "catalogue", "main"]

WEB = Path(__file__).resolve().parent.parent / "web"
TEMPLATES = Path(__file__).resolve().parent / "seatpage_templates"
LANGUAGES = {"zh-CN": "zh_CN", "en": "en"}  # page language -> locale folder
STATIC = (
    "seat.util.js",
    "seat.card.js",
    "seat.socket.js",
    "seat.js",
    "seat.css",
    "seat.tickets.js",
    "seat.tickets.css",
)
# What the real web tier sends too: nothing inline, sockets only to this origin.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self' {ws}; base-uri 'none'; form-action 'self'"
)
# The seat's REST state actions answer with a "state" message (docs/websocket-api.md).
STATE_AFTER = {"login": "not_ready", "ready": "ready", "pause": "not_ready", "logout": "logged_out"}
STATE_AFTER["finish-wrapup"] = "ready"
SESSION_ENDED = 4001  # the seat socket's close code when the session ends (web/ws)
CUSTOMER_FIELDS = ("name", "language", "phone", "account", "id_card", "plate", "email", "order")


def catalogue(language: str) -> dict[str, str]:
    """Every translated msgid of ``language`` ("zh-CN" or "en") from all its .po files."""
    folder = WEB / "locale" / LANGUAGES[language] / "LC_MESSAGES"
    messages: dict[str, str] = {}
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                if isinstance(message.id, str) and message.id and isinstance(message.string, str):
                    messages[message.id] = message.string or message.id
    return messages


def default_snapshot() -> dict[str, Any]:
    """A logged-out agent with the default pause reasons: what a fresh page shows."""
    return {
        "v": 1,
        "type": "snapshot",
        "agent_id": "1003",
        "state": {"state": "logged_out", "reason": "", "since": time.time()},
        "call": None,
        "figures": {"calls_handled": 0, "aht_s": None, "missed_offers": 0, "not_ready_s": {}},
        "pause_reasons": ["break", "lunch", "training"],
        "dispositions": {"default": ["resolved", "follow_up"], "by_queue": {}},
        "wrapup_auto_ready": True,
    }


class SeatSocket(WebSocketServerProtocol):
    """One page's socket: gets the current snapshot on open, answers pings."""

    stand_in: StandIn

    def onConnect(self, request: ConnectionRequest) -> None:
        if self.stand_in.refusing:
            raise ConnectionDeny(503, "the stand-in is down (/_test/down)")

    def onOpen(self) -> None:
        self.stand_in.opened(self)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "ping":
            self.send_json({"v": 1, "type": "pong"})

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        self.stand_in.sockets.discard(self)

    def send_json(self, message: dict[str, Any]) -> None:
        self.sendMessage(json.dumps(message, ensure_ascii=False).encode("utf-8"))


class _SeatSockets(WebSocketServerFactory):
    protocol = SeatSocket

    def __init__(self, stand_in: StandIn) -> None:
        super().__init__()
        self.stand_in = stand_in

    def buildProtocol(self, addr: IAddress | None) -> SeatSocket:
        socket = super().buildProtocol(addr)
        assert isinstance(socket, SeatSocket)
        socket.stand_in = self.stand_in
        return socket


@dataclass
class StandIn:
    """The scripted server: the snapshot to send, open sockets, what the page posted."""

    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    snapshot: dict[str, Any] = field(default_factory=default_snapshot)
    posted: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    sockets: set[SeatSocket] = field(default_factory=set)
    connects: int = 0
    refusing: bool = False
    session_valid: bool = True  # what GET /api/v1/seat/session says (/_test/session)
    revealable: dict[str, str] = field(default_factory=dict)  # field -> full value
    app: Klein = field(default_factory=Klein)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(WEB / "templates")]),
            autoescape=select_autoescape(["html"]),
        )
        self.ws_resource = WebSocketResource(_SeatSockets(self))
        self._routes()

    def opened(self, socket: SeatSocket) -> None:
        self.sockets.add(socket)
        self.connects += 1
        socket.send_json(self.snapshot)

    def _drop_sockets(self) -> None:
        # Forgotten at once, not when onClose runs: the next send must not count them.
        dropped, self.sockets = self.sockets, set()
        for socket in dropped:
            socket.dropConnection(abort=True)

    def broadcast(self, message: dict[str, Any]) -> None:
        for socket in list(self.sockets):
            socket.send_json(message)

    # ---- the page and its files -----------------------------------------------------------
    def _routes(self) -> None:  # one route table, read top to bottom
        app = self.app

        @app.route("/seat", methods=["GET"])
        def seat(request: Request) -> bytes:
            language = _arg(request, "lang") or "zh-CN"
            if language not in LANGUAGES:
                request.setResponseCode(400)
                return f"unknown lang {language!r}: use one of {sorted(LANGUAGES)}".encode()
            words = catalogue(language)
            host = (request.getHeader("host") or "127.0.0.1").split("/")[0]
            ws_url = f"ws://{host}/ws/seat"
            request.setHeader("content-type", "text/html; charset=utf-8")
            request.setHeader("content-security-policy", CSP.format(ws=ws_url))
            page = self.templates.get_template("seat.html").render(
                lang=language,
                csrf_token=self.csrf_token,
                ws_url=ws_url,
                _=lambda msgid: words.get(msgid, msgid),
                static_url=_static_url(language),
            )
            return page.encode("utf-8")

        @app.route("/static/i18n.js", methods=["GET"])
        def i18n(request: Request) -> bytes:
            words = catalogue(_arg(request, "lang") or "zh-CN")
            request.setHeader("content-type", "text/javascript; charset=utf-8")
            body = json.dumps(words, ensure_ascii=False, sort_keys=True)
            return (
                f"(function (c) {{ window.t = function (id) {{ return Object.prototype"
                f".hasOwnProperty.call(c, id) ? c[id] : id; }}; }})({body});\n"
            ).encode()

        @app.route("/static/<name>", methods=["GET"])
        def static(request: Request, name: str) -> IResource | bytes:
            if name not in STATIC:
                request.setResponseCode(404)
                return b"not found"
            return File(str(WEB / "static" / name))

        @app.route("/ws/seat")
        def websocket(request: Request) -> IResource:
            return self.ws_resource

        # ---- the seat API: record, check the CSRF token, answer like the web tier --------
        @app.route("/api/v1/seat/<action>", methods=["POST"])
        def action(request: Request, action: str) -> bytes:
            return self._answer(request, lambda body: self._state_after(action, body))

        @app.route("/api/v1/seat/calls/<call_id>/disposition", methods=["POST"])
        def disposition(request: Request, call_id: str) -> bytes:
            return self._answer(request, lambda body: {"call_id": call_id, **body})

        @app.route("/api/v1/seat/session", methods=["GET"])
        def session(request: Request) -> bytes:
            self.posted.append({"path": request.path.decode(), "body": {}, "csrf_ok": True})
            if self.session_valid:
                return _json({"username": "wang", "agent_id": "1003", "language": "en"})
            request.setResponseCode(401)
            return _json({"error": {"code": "unauthenticated", "message": "log in first"}})

        @app.route("/api/v1/seat/calls/<call_id>/reveal", methods=["POST"])
        def reveal(request: Request, call_id: str) -> bytes:
            return self._answer(request, lambda body: self._revealed(call_id, body))

        @app.route("/api/v1/seat/calls/<call_id>/recording/<action>", methods=["POST"])
        def recording(request: Request, call_id: str, action: str) -> bytes:
            # As the web tier: the state itself comes later, as a `recording` message.
            return self._answer(request, lambda body: {"call_id": call_id, "action": action})

        @app.route("/api/v1/seat/customers", methods=["POST"])
        def create_customer(request: Request) -> bytes:
            return self._answer(request, _created_customer)

        # ---- the test's controls ----------------------------------------------------------
        @app.route("/_test/reset", methods=["POST"])
        def reset(request: Request) -> bytes:
            body = _json_body(request)
            self.snapshot = body.get("snapshot") or default_snapshot()
            self.revealable = dict(body.get("revealable") or {})
            self.session_valid = True
            self.posted.clear()
            self.failures.clear()
            self.connects, self.refusing = 0, False
            self._drop_sockets()
            return _json({"ok": True})

        @app.route("/_test/snapshot", methods=["POST"])
        def set_snapshot(request: Request) -> bytes:
            self.snapshot = _json_body(request)
            return _json({"ok": True})

        @app.route("/_test/send", methods=["POST"])
        def send(request: Request) -> bytes:
            self.broadcast(_json_body(request))
            return _json({"sent_to": len(self.sockets)})

        @app.route("/_test/down", methods=["POST"])
        def down(request: Request) -> bytes:
            self.refusing = True
            self._drop_sockets()
            return _json({"ok": True})

        @app.route("/_test/end-session", methods=["POST"])
        def end_session(request: Request) -> bytes:
            dropped, self.sockets = self.sockets, set()
            for socket in dropped:
                socket.sendClose(SESSION_ENDED, "session ended: log in again")
            return _json({"ok": True})

        @app.route("/_test/session", methods=["POST"])
        def session_state(request: Request) -> bytes:
            self.session_valid = bool(_json_body(request).get("valid"))
            return _json({"ok": True})

        @app.route("/_test/up", methods=["POST"])
        def up(request: Request) -> bytes:
            self.refusing = False
            return _json({"ok": True})

        @app.route("/_test/fail", methods=["POST"])
        def fail(request: Request) -> bytes:
            body = _json_body(request)
            self.failures[body["path"]] = (body["status"], body["code"], body["message"])
            return _json({"ok": True})

        @app.route("/_test/posted", methods=["GET"])
        def posted(request: Request) -> bytes:
            return _json(self.posted)

        @app.route("/_test/status", methods=["GET"])
        def status(request: Request) -> bytes:
            return _json({"connects": self.connects, "open": len(self.sockets)})

    def _answer(self, request: Request, reply: Callable[[dict[str, Any]], dict[str, Any]]) -> bytes:
        path = request.path.decode()
        body = _json_body(request)
        csrf_ok = request.getHeader("x-csrf-token") == self.csrf_token
        self.posted.append({"path": path, "body": body, "csrf_ok": csrf_ok})
        if not csrf_ok:
            request.setResponseCode(403)
            return _json({"error": {"code": "csrf", "message": "missing CSRF token"}})
        if path in self.failures:
            status, code, message = self.failures.pop(path)
            request.setResponseCode(status)
            return _json({"error": {"code": code, "message": message, "field": None}})
        try:
            answer = reply(body)
        except _Refused as refused:
            request.setResponseCode(400)
            return _json({"error": {"code": "bad_request", "message": str(refused), "field": None}})
        if answer.get("type") == "state":
            self.broadcast(answer)
        return _json(answer)

    def _revealed(self, call_id: str, body: dict[str, Any]) -> dict[str, Any]:
        field_name = str(body.get("field", ""))
        if field_name not in self.revealable:
            raise _Refused(f"the card of call {call_id!r} has no masked field {field_name!r}")
        return {"call_id": call_id, "field": field_name, "value": self.revealable[field_name]}

    def _state_after(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        state = STATE_AFTER.get(action)
        if state is None:
            return {"ok": True}
        reason = str(body.get("reason", "")) if action == "pause" else ""
        return {
            "v": 1,
            "type": "state",
            "agent_id": "1003",
            "state": state,
            "reason": reason,
            "since": time.time(),
        }


class _Refused(ValueError):
    """What the real seat API would answer 400 bad_request to."""


def _created_customer(fields: dict[str, Any]) -> dict[str, Any]:
    # As the seat API: an object of strings, only a customer's own fields.
    unknown = sorted(set(fields) - set(CUSTOMER_FIELDS))
    if unknown or not all(isinstance(v, str) for v in fields.values()):
        raise _Refused(f"unknown field {unknown[:1]}; a customer has: {', '.join(CUSTOMER_FIELDS)}")
    kinds = [k for k in CUSTOMER_FIELDS[2:] if fields.get(k)]
    identifiers = [{"kind": k, "value": fields[k], "masked": fields[k]} for k in kinds]
    return {"id": 900, "name": fields.get("name", ""), "vip_level": 0, "identifiers": identifiers}


def _arg(request: Request, name: str) -> str | None:
    args: dict[bytes, list[bytes]] = request.args or {}
    values = args.get(name.encode())
    return values[0].decode() if values else None


def _static_url(language: str) -> Callable[[str], str]:
    def url(name: str) -> str:
        if name == "i18n.js":
            return f"/static/i18n.js?lang={language}"
        stamp = int((WEB / "static" / name).stat().st_mtime)
        return f"/static/{name}?v={stamp}"

    return url


def _json_body(request: Request) -> dict[str, Any]:
    raw = request.content.read() if request.content is not None else b""
    value = json.loads(raw) if raw.strip() else {}
    return value if isinstance(value, dict) else {"value": value}


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


class _StopWhenStdinCloses(Protocol):
    def __init__(self, stop: Callable[[], None]) -> None:
        self.stop = stop

    def connectionLost(self, reason: Failure | None = None) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve the stand-in on 127.0.0.1 until standard input closes."""
    from twisted.internet import reactor as installed
    from twisted.internet import stdio

    reactor: Any = installed  # the global one: this is a program's entry point
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.seatpage")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0: a free one)")
    args = parser.parse_args(argv)
    stand_in = StandIn()
    port = reactor.listenTCP(args.port, Site(stand_in.app.resource()), interface="127.0.0.1")
    print(f"seatpage listening on http://127.0.0.1:{port.getHost().port}", flush=True)
    stdio.StandardIO(_StopWhenStdinCloses(reactor.stop))
    reactor.run()


if __name__ == "__main__":
    main()
