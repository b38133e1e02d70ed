"""Who is asking, and may they: the session behind the cookie, the CSRF token of a state
change, the role a route needs. JSON routes raise :class:`Refusal`; :func:`json_route`
turns it (and a ``SeatActionError``) into ``{"error": {"code", "message", "field"}}``.
"""

# test-case-name: tests.web.test_security

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from twisted.web.server import Request

from switchboard.accounts.model import User
from switchboard.accounts.sessions import COOKIE, SessionInfo, Sessions
from switchboard.web.seat_port import SeatActionError
from switchboard.web.security import CSRF_HEADER, STATE_CHANGING, csrf_matches

__all__ = [
    "Download",
    "Gate",
    "Refusal",
    "arg",
    "json_body",
    "json_route",
    "send_json",
    "text_field",
]

log = structlog.get_logger(__name__)

# SeatActionError codes and the HTTP status each answers with (the contract's table).
STATUS_OF_CODE = {
    "bad_request": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "csrf": 403,
    "not_found": 404,
    "conflict": 409,
    "unavailable": 503,
}


class Refusal(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def send_json(request: Request, status: int, body: Any) -> bytes:
    request.setResponseCode(status)
    request.setHeader(b"content-type", b"application/json; charset=utf-8")
    request.setHeader(b"cache-control", b"no-store")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _error(request: Request, code: str, message: str, field: str | None) -> bytes:
    status = STATUS_OF_CODE.get(code, 500)
    return send_json(request, status, {"error": {"code": code, "message": message, "field": field}})


@dataclass(frozen=True, slots=True)
class Download:
    """A handler's answer that is a file (a report as CSV or XLSX), not JSON."""

    content: bytes
    content_type: str
    filename: str


def send_download(request: Request, download: Download) -> bytes:
    request.setResponseCode(200)
    request.setHeader(b"content-type", download.content_type.encode())
    request.setHeader(b"cache-control", b"no-store")
    disposition = f'attachment; filename="{download.filename}"'
    request.setHeader(b"content-disposition", disposition.encode("ascii", "replace"))
    return download.content


Handler = Callable[..., Awaitable[Any]]


def json_route(handler: Handler) -> Callable[..., Awaitable[bytes]]:
    """The handler's result as a JSON 200; a refusal or seat error as a JSON error."""

    @functools.wraps(handler)
    async def answer(request: Request, **kw: Any) -> bytes:
        try:
            result = await handler(request, **kw)
        except (Refusal, SeatActionError) as exc:
            return _error(request, exc.code, exc.message, exc.field)
        except Exception:
            log.exception("web_api_failed", path=request.path.decode("utf-8", "replace"))
            return send_json(
                request,
                500,
                {"error": {"code": "internal", "message": "internal error", "field": None}},
            )
        if isinstance(result, Download):
            return send_download(request, result)
        return send_json(request, 200, result)

    return answer


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}``."""
    raw = request.content.read() if request.content is not None else b""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refusal("bad_request", f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise Refusal("bad_request", "the body must be a JSON object such as {}")
    return body


def arg(request: Request, name: str) -> str:
    """A query or form argument's first value, as text ("" when absent)."""
    args: dict[bytes, list[bytes]] = request.args or {}
    return (args.get(name.encode()) or [b""])[0].decode("utf-8", "replace")


def text_field(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name, None if required else "")
    if not isinstance(value, str):
        raise Refusal("bad_request", f"{name!r} must be a string", name)
    return value


class Gate:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def session(self, request: Request) -> SessionInfo | None:
        token = request.getCookie(COOKIE.encode())
        if not token:
            return None
        return await self.sessions.session_for_token(token.decode("ascii", "replace"))

    async def api_session(self, request: Request) -> SessionInfo:
        """The caller's session; a state change must carry its CSRF token."""
        info = await self.session(request)
        if info is None:
            raise Refusal("unauthenticated", "log in first: no valid session")
        if request.method in STATE_CHANGING and not csrf_matches(
            request.getHeader(CSRF_HEADER), info.csrf_token
        ):
            raise Refusal(
                "csrf",
                "missing or wrong X-CSRF-Token header: send the page's "
                '<meta name="csrf-token"> value',
            )
        return info

    async def seat_user(self, request: Request) -> User:
        user = (await self.api_session(request)).user
        if not user.has_seat:
            raise Refusal("forbidden", f"user {user.username!r} has no seat (no agent id)")
        return user
