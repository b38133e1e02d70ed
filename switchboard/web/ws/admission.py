# -*- test-case-name: tests.web.ws.test_admission -*-
"""Who may open the seat's websocket: the checks made at the HTTP upgrade (pure).

Each refusal is an HTTP 403 (503 when the sessions cannot be read) whose reason (the
status line, ASCII) names the problem and the fix, for the person reading the browser's
network tab.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

__all__ = [
    "NO_SEAT",
    "NO_SESSION",
    "SESSION_COOKIE",
    "UNKNOWN_SESSION",
    "origin_refusal",
    "session_token",
]

SESSION_COOKIE = "sb_session"


NO_SESSION = "no session cookie: log in at /login, then open the seat"
UNKNOWN_SESSION = "session unknown, expired or ended: log in again at /login"
SESSIONS_UNAVAILABLE = "sessions cannot be read just now: reload the page in a moment"
NO_SEAT = "this user has no seat (no agent linked): ask an administrator to link an agent"


def _ascii(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii")


def origin_refusal(origin: str | None, allowed_origin: str) -> str | None:
    """Why ``origin`` (the request's Origin header) may not open the socket, or None.

    A browser always sends Origin on a websocket upgrade; a missing one is refused too, as
    no page of ours would leave it out.
    """
    if not origin:
        return f"no Origin header: open the seat from {_ascii(allowed_origin)}"
    if origin.rstrip("/").lower() != allowed_origin.rstrip("/").lower():
        return (
            f"origin {_ascii(origin)} is not allowed: open the seat from "
            f"{_ascii(allowed_origin)} (the [web] origin setting)"
        )
    return None


def session_token(headers: Mapping[str, str]) -> str | None:
    """The ``sb_session`` cookie of a request (lower-cased header names), or None."""
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None
